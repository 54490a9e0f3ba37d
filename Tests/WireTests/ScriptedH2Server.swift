import HPACK
@testable import HTTP2
@testable import Wire

/// A raw h2c server on the loop whose answers a test scripts: each connection runs the server
/// machine (`H2Connection`), and `behaviour` is called once per complete request with the peer,
/// the connection's number (from 1) and the stream. The peer can answer, refuse or reset the
/// stream, send GOAWAY, or drop the connection.
final class ScriptedH2Server: LoopHandler {
    final class Peer: LoopHandler {
        let fd: Int32
        let number: Int
        unowned let server: ScriptedH2Server
        var machine = H2Connection()
        var isClosed = false
        /// Complete requests on this connection: stream → its path and body length.
        var requests: [StreamID: (path: String, bodyCount: Int)] = [:]
        private var bodyCounts: [StreamID: Int] = [:]
        private var paths: [StreamID: String] = [:]

        init(fd: Int32, number: Int, server: ScriptedH2Server) {
            self.fd = fd
            self.number = number
            self.server = server
            carryOut(machine.start())
        }

        func handleReadiness(readable: Bool, writable: Bool, hangup: Bool) {
            while !isClosed {
                switch Platform.read(fd, into: server.loop.readBuffer) {
                case .bytes(let n):
                    carryOut(machine.receivedBytes(Array(UnsafeRawBufferPointer(rebasing: server.loop.readBuffer[0..<n]))))
                case .endOfFile, .failed: close(); return
                case .wouldBlock: return
                }
            }
        }

        func carryOut(_ actions: [H2Action]) {
            var out: [UInt8] = []
            var complete: [StreamID] = []
            for action in actions {
                switch action {
                case .send(let frame): frame.encode(into: &out)
                case .request(let stream, let fields, let endStream):
                    paths[stream] = fields.first { $0.nameString == ":path" }?.valueString ?? ""
                    bodyCounts[stream] = 0
                    if endStream { complete.append(stream) }
                case .data(let stream, let bytes, let endStream):
                    bodyCounts[stream, default: 0] += bytes.count
                    if endStream { complete.append(stream) }
                default: break
                }
            }
            write(out)
            for stream in complete {
                requests[stream] = (paths[stream] ?? "", bodyCounts[stream] ?? 0)
                server.log.append("#\(number) stream \(stream) \(paths[stream] ?? "") \(bodyCounts[stream] ?? 0)")
                server.behaviour(self, stream)
                if isClosed { return }
            }
        }

        func write(_ bytes: [UInt8]) {
            guard !isClosed, !bytes.isEmpty else { return }
            _ = bytes.withUnsafeBytes { Platform.write(fd, $0) }
        }

        /// 200 with `body` on `stream`.
        func answer(_ stream: StreamID, _ body: String = "ok") {
            carryOut(machine.sendHeaders(stream: stream, [HeaderField(":status", "200"), HeaderField("content-length", String(body.utf8.count))], endStream: false)
                     + machine.sendData(stream: stream, Array(body.utf8), endStream: true))
        }

        func reset(_ stream: StreamID, _ code: ErrorCode) { carryOut(machine.resetStream(stream, code: code)) }

        /// GOAWAY with `lastStream`: streams above it are not processed.
        func goAway(lastStream: StreamID, _ code: ErrorCode = .noError) {
            var actions: [H2Action] = []
            machine.sendGoAway(lastStream: lastStream, code, debug: "", into: &actions)
            carryOut(actions)
        }

        func close() {
            guard !isClosed else { return }
            isClosed = true
            server.loop.unregister(fd)
            Platform.close(fd)
        }
    }

    let loop: EventLoop
    let fd: Int32
    let port: UInt16
    var behaviour: (Peer, StreamID) -> Void
    var peers: [Peer] = []
    /// "#connection stream N path bodyBytes" for every complete request, in arrival order.
    var log: [String] = []

    init(loop: EventLoop, behaviour: @escaping (Peer, StreamID) -> Void) throws {
        self.loop = loop
        self.behaviour = behaviour
        (fd, port) = try Platform.listenLoopback(port: 0)
        try loop.register(fd, handler: self, interest: .readable)
    }

    deinit {
        for peer in peers where !peer.isClosed {
            peer.isClosed = true
            loop.unregister(peer.fd)
            Platform.close(peer.fd)
        }
        loop.unregister(fd)
        Platform.close(fd)
    }

    var origin: HTTPOrigin { HTTPOrigin(host: "127.0.0.1", port: port) }

    func handleReadiness(readable: Bool, writable: Bool, hangup: Bool) {
        while true {
            let c = Platform.accept(fd)
            if c < 0 { return }
            let peer = Peer(fd: c, number: peers.count + 1, server: self)
            peers.append(peer)
            try? loop.register(c, handler: peer, interest: .readable)
        }
    }
}

import HTTP1
@testable import Wire

/// A raw TCP server on the loop that misbehaves on purpose. Each accepted connection gets the
/// `behaviour` closure called with the connection and the request count every time a full request
/// head (ending in CRLFCRLF) has arrived, and `onAccept` called once when it is accepted. Every head
/// it received is kept in `heads`, in order, so a test can count what reached the server.
final class ScriptedServer: LoopHandler {
    final class Peer: LoopHandler {
        let fd: Int32
        unowned let server: ScriptedServer
        var buffer: [UInt8] = []
        var requests = 0
        var isClosed = false
        init(fd: Int32, server: ScriptedServer) { self.fd = fd; self.server = server }

        func handleReadiness(readable: Bool, writable: Bool, hangup: Bool) {
            while !isClosed {
                switch Platform.read(fd, into: server.loop.readBuffer) {
                case .bytes(let n):
                    buffer += UnsafeRawBufferPointer(rebasing: server.loop.readBuffer[0..<n])
                    while let end = headEnd() {
                        server.heads.append(String(decoding: buffer[0..<end], as: UTF8.self))
                        buffer.removeFirst(end)
                        requests += 1
                        server.behaviour(self, requests)
                        if isClosed { return }
                    }
                case .endOfFile, .failed: close(); return
                case .wouldBlock: return
                }
            }
        }

        private func headEnd() -> Int? {
            guard buffer.count >= 4 else { return nil }
            for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                return i + 4
            }
            return nil
        }

        func send(_ text: String) {
            send(Array(text.utf8))
        }

        func send(_ bytes: [UInt8]) {
            guard !isClosed else { return }
            _ = bytes.withUnsafeBytes { Platform.write(fd, $0) }
        }

        func close() {
            guard !isClosed else { return }
            isClosed = true
            server.loop.unregister(fd)
            Platform.close(fd)
            server.closedCount += 1
        }

        func reset() {
            guard !isClosed else { return }
            isClosed = true
            server.loop.unregister(fd)
            Platform.abort(fd)
            server.closedCount += 1
        }
    }

    let loop: EventLoop
    let fd: Int32
    let port: UInt16
    var behaviour: (Peer, Int) -> Void
    var onAccept: (Peer) -> Void = { _ in }
    var peers: [Peer] = []
    var closedCount = 0
    /// Every request head received, across connections, in arrival order.
    var heads: [String] = []

    init(loop: EventLoop, behaviour: @escaping (Peer, Int) -> Void) throws {
        self.loop = loop
        self.behaviour = behaviour
        (fd, port) = try Platform.listenLoopback(port: 0)
        strangers = SocketAccounting.strangers(onPort: port)
        try loop.register(fd, handler: self, interest: .readable)
    }

    /// Sockets connected to our port before we had it (`SocketAccounting.strangers`).
    let strangers: Set<String>

    deinit {
        // Not `peer.close()`: it reaches the server through the peer's `unowned` reference, which
        // traps while the server is being destroyed (when its loop lets go of it, `EventLoop.close()`).
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
            let peer = Peer(fd: c, server: self)
            peers.append(peer)
            try? loop.register(c, handler: peer, interest: .readable)
            onAccept(peer)
        }
    }

    static let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"
}

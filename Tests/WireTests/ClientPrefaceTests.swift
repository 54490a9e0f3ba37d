#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HTTP1
import Testing
@testable import Wire

@Suite("HTTP/2 client preface: the first bytes choose the protocol")
struct ClientPrefaceDetectorTests {
    static let preface = ClientPrefaceDetector.preface
    static let request = Array("POST / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)

    @Test("the preface is RFC 9113 §3.4's 24 bytes")
    func prefaceBytes() {
        #expect(Self.preface.count == 24)
        #expect(String(decoding: Self.preface, as: UTF8.self) == "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
    }

    @Test("the preface in one read, alone or followed by frames: HTTP/2")
    func wholePreface() {
        var detector = ClientPrefaceDetector()
        #expect(detector.feed(Self.preface + [0, 0, 0, 4]) == .http2(heldBack: 0))
        #expect(!detector.isDeciding)
        #expect(ClientPrefaceDetector.classify([Self.preface]) == .http2)
    }

    @Test("the preface split at every byte, in two reads and in single bytes: HTTP/2, with the first part held back")
    func splitPreface() {
        for cut in 1..<Self.preface.count {
            var detector = ClientPrefaceDetector()
            #expect(detector.feed(Array(Self.preface[..<cut])) == .needMoreBytes)
            #expect(detector.isDeciding)
            #expect(detector.feed(Array(Self.preface[cut...])) == .http2(heldBack: cut))
        }
        var byByte = ClientPrefaceDetector()
        for (i, byte) in Self.preface.enumerated() {
            #expect(byByte.feed([byte]) == (i == 23 ? .http2(heldBack: 23) : .needMoreBytes))
        }
        #expect(ClientPrefaceDetector.classify(Self.preface.map { [$0] }) == .http2)
    }

    @Test("an empty read decides nothing")
    func emptyRead() {
        var detector = ClientPrefaceDetector()
        #expect(detector.feed([]) == .needMoreBytes)
        #expect(detector.feed(Array(Self.preface[..<5])) == .needMoreBytes)
        #expect(detector.feed([]) == .needMoreBytes)
        #expect(ClientPrefaceDetector.classify([[], Array(Self.preface[..<3])]) == nil)
    }

    @Test("a request that starts like the preface and then differs, at every byte: HTTP/1.1, the matched bytes held back")
    func differsAtEveryByte() {
        for position in 0..<Self.preface.count {
            var bytes = Self.preface
            bytes[position] = bytes[position] == UInt8(ascii: "X") ? UInt8(ascii: "Y") : UInt8(ascii: "X")
            // In one read: nothing was held back.
            var once = ClientPrefaceDetector()
            #expect(once.feed(bytes) == .http1(heldBack: 0))
            // The matching part first, then the rest: the matching part was held back.
            if position > 0 {
                var split = ClientPrefaceDetector()
                #expect(split.feed(Array(bytes[..<position])) == .needMoreBytes)
                #expect(split.feed(Array(bytes[position...])) == .http1(heldBack: position))
            }
        }
    }

    @Test("ordinary HTTP/1.1 first bytes decide at once", arguments: [
        "GET / HTTP/1.1\r\n", "\r\nGET / HTTP/1.1\r\n", "POST /x HTTP/1.1\r\n", "PRI * HTTP/1.1\r\n", "PUT", "P", "SSH-2.0-OpenSSH\r\n",
    ])
    func http1(text: String) {
        let reads = text == "P" ? [Array("P".utf8), Array("OST / HTTP/1.1\r\n".utf8)] : [Array(text.utf8)]
        #expect(ClientPrefaceDetector.classify(reads) == .http1)
    }

    @Test("once decided, it stays decided")
    func staysDecided() {
        var detector = ClientPrefaceDetector()
        #expect(detector.feed(Self.request) == .http1(heldBack: 0))
        #expect(detector.feed(Self.preface) == .http1(heldBack: 0))
        #expect(!detector.isDeciding)
    }
}

/// Stands in for the HTTP/2 handler the server does not have yet: records every byte it is given
/// or reads, and how many readiness events reached it.
final class RecordingHandoverHandler: ServerConnectionHandler {
    let fd: Int32
    let id: Int
    let server: LoopbackServer
    var received: [UInt8]
    var readinessEvents = 0
    var started = false
    var closed = false

    init(_ handoff: ServerHandoff) {
        fd = handoff.fd
        id = handoff.id
        server = handoff.server
        received = handoff.bytesRead
    }

    var isIdle: Bool { true }
    func start() { started = true }

    func handleReadiness(readable: Bool, writable: Bool, hangup: Bool) {
        readinessEvents += 1
        let buffer = server.loop.readBuffer
        while !closed {
            switch Platform.read(fd, into: buffer) {
            case .bytes(let n): received += Array(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            case .wouldBlock: return
            case .endOfFile, .failed: close(.clientClosed)
            }
        }
    }

    func shutdownRequested() { close(.shutdown) }
    func shutdownDeadlinePassed() { close(.shutdownForced) }

    private func close(_ reason: ServerCloseReason) {
        guard !closed else { return }
        closed = true
        server.loop.unregister(fd)
        Platform.close(fd)
        server.connectionClosed(self, reason: reason, requests: 0)
    }
}

/// A pipe's read end that, when readable, hands another descriptor to a new handler (as a
/// protocol hand-over would), then records its own event.
final class SwappingHandler: LoopHandler {
    let fd: Int32
    let loop: EventLoop
    var swap: (() -> Void)?
    let log: (String) -> Void
    init(fd: Int32, loop: EventLoop, log: @escaping (String) -> Void) {
        self.fd = fd
        self.loop = loop
        self.log = log
    }
    func handleReadiness(readable: Bool, writable: Bool, hangup: Bool) {
        var byte: UInt8 = 0
        _ = read(fd, &byte, 1)
        log("old \(fd) turn \(loop.iterations)")
        swap?()
        swap = nil
    }
}

@Suite("Server: the client preface and protocol hand-over over real sockets", .serialized)
struct ClientPrefaceServerTests {
    static let preface = ClientPrefaceDetector.preface

    @Test("a server without an HTTP/2 handler: the preface gets a 501 that says so, Connection: close, then the server closes")
    func prefaceRefused() throws {
        let h = try ServerHarness()
        h.server.makeHTTP2Handler = nil
        let c = h.connect()
        c.send(Self.preface + [0, 0, 0, 4, 0, 0, 0, 0, 0])   // the preface, then an empty SETTINGS frame
        h.wait("the client to see EOF") { c.state == .peerClosed }
        c.close()   // the server waits for our FIN (bounded) before closing
        #expect(h.waitForClose() == .badRequest)
        let r = ServerHarness.responses(c.received)
        #expect(r.count == 1)
        #expect(r.first?.head.status == 501)
        #expect(r.first?.head.headers["Connection"] == "close")
        #expect(r.first?.body.contains("HTTP/2 connection preface") == true)
        #expect(h.server.stats.requests == 0)
    }

    @Test("the preface split across reads: held back until whole, then refused the same way (no HTTP/2 handler)")
    func splitPrefaceRefused() throws {
        let h = try ServerHarness()
        h.server.makeHTTP2Handler = nil
        let c = h.connect()
        c.send(Array(Self.preface[..<11]))   // "PRI * HTTP/"
        // The server has read them once the request has begun (its timers run).
        h.wait("the first part to be read") { h.server.connectionForTesting(id: 1)?.isIdle == false }
        #expect(c.received.isEmpty)
        c.send(Array(Self.preface[11...]))
        h.wait("the client to see EOF") { c.state == .peerClosed }
        c.close()
        #expect(h.waitForClose() == .badRequest)
        let r = ServerHarness.responses(c.received)
        #expect(r.first?.head.status == 501)
        #expect(r.first?.body.contains("HTTP/2 connection preface") == true)
    }

    @Test("bytes held back as a possible preface reach the HTTP/1.1 parser once they differ")
    func heldBackBytesParsed() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send("P")
        h.wait("the first byte to be read") { h.server.connectionForTesting(id: 1)?.isIdle == false }
        c.send("OST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi")
        h.wait("the response") { c.responseCount == 1 }
        let r = ServerHarness.responses(c.received, methods: ["POST"])
        #expect(r.first?.head.status == 200)
        #expect(r.first?.body.contains(#""method":"POST""#) == true)
        // And "PRI * HTTP/1.1", which matches 13 bytes: an unknown method, as before.
        let d = h.connect()
        d.send("PRI * HTTP/")
        h.wait("the second connection's first bytes") { h.server.connectionForTesting(id: 2)?.isIdle == false }
        d.send("1.1\r\nHost: a\r\n\r\n")
        h.wait("the 501") { d.responseCount == 1 }
        #expect(ServerHarness.responses(d.received).first?.body.contains(#"the method \"PRI\""#) == true)
    }

    @Test("with an HTTP/2 handler: the socket is handed over, every byte read is kept, and later readiness reaches it")
    func handOver() throws {
        let h = try ServerHarness()
        var made: [RecordingHandoverHandler] = []
        h.server.makeHTTP2Handler = { handoff in
            let handler = RecordingHandoverHandler(handoff)
            made.append(handler)
            return handler
        }
        let c = h.connect()
        c.send(Array(Self.preface[..<7]))
        h.wait("the first part to be read") { h.server.connectionForTesting(id: 1)?.isIdle == false }
        let frames: [UInt8] = [0, 0, 0, 4, 0, 0, 0, 0, 0]
        c.send(Array(Self.preface[7...]) + frames)
        h.wait("the hand-over") { made.first?.started == true }
        guard let handler = made.first else { return }
        #expect(handler.id == 1)
        #expect(h.server.handlerForTesting(id: 1) === handler)
        #expect(h.server.connectionForTesting(id: 1) == nil)
        #expect(h.server.stats.idle == 0)
        #expect(c.received.isEmpty)   // no HTTP/1.1 answer
        // The bytes of the preface's second read and the frames may come in one read or two.
        h.wait("every byte so far") { handler.received == Self.preface + frames }
        c.send("more")
        h.wait("the bytes after the hand-over") { handler.received == Self.preface + frames + Array("more".utf8) }
        #expect(handler.readinessEvents >= 1)
        c.close()
        #expect(h.waitForClose() == .clientClosed)
        #expect(h.server.openConnectionIDs.isEmpty)
        #expect(h.server.stats.open == 0)
    }

    @Test("graceful shutdown reaches a handed-over connection too")
    func shutdownAfterHandOver() throws {
        let h = try ServerHarness()
        var made: [RecordingHandoverHandler] = []
        h.server.makeHTTP2Handler = { handoff in
            let handler = RecordingHandoverHandler(handoff)
            made.append(handler)
            return handler
        }
        let c = h.connect()
        let plain = h.connect()
        c.send(Self.preface)
        h.wait("the hand-over") { made.first?.started == true }
        h.wait("the second connection") { h.server.openConnectionIDs.count == 2 }
        #expect(h.server.openConnectionIDs == [1, 2])
        var report: ShutdownReport?
        h.server.shutdown(graceMs: 2_000) { report = $0 }
        h.wait("the shutdown") { report != nil }
        #expect(report?.idleClosed == 2)
        #expect(made.first?.closed == true)
        #expect(h.server.openConnectionIDs.isEmpty)
        _ = plain
    }

    @Test("a handler replaced inside a turn gets the event already collected for its descriptor in that turn")
    func replaceHandlerKeepsCollectedEvent() throws {
        let loop = try EventLoop()
        defer { loop.close() }
        var a: [Int32] = [0, 0], b: [Int32] = [0, 0]
        #expect(pipe(&a) == 0 && pipe(&b) == 0)
        defer { for fd in a + b { close(fd) } }
        for fd in [a[0], b[0]] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        var log: [String] = []
        let first = SwappingHandler(fd: a[0], loop: loop) { log.append($0) }
        let second = SwappingHandler(fd: b[0], loop: loop) { log.append($0) }
        let replacementA = ReadinessRecorder(fd: a[0]) { log.append("new \(a[0]) turn \(loop.iterations) \($0)") }
        let replacementB = ReadinessRecorder(fd: b[0]) { log.append("new \(b[0]) turn \(loop.iterations) \($0)") }
        try loop.register(a[0], handler: first, interest: .readable)
        try loop.register(b[0], handler: second, interest: .readable)
        // Whichever is dispatched first replaces the other's handler; the other's event is already
        // in the same batch, since both pipes are readable before the loop polls.
        first.swap = { second.swap = nil; loop.replaceHandler(b[0], with: replacementB) }
        second.swap = { first.swap = nil; loop.replaceHandler(a[0], with: replacementA) }
        var byte: UInt8 = 1
        _ = write(a[1], &byte, 1)
        _ = write(b[1], &byte, 1)
        let turn = loop.iterations + 1
        loop.run(until: { log.count == 2 }, timeoutNanos: 2_000_000_000)
        #expect(log.count == 2)
        #expect(log.filter { $0.hasPrefix("old") }.count == 1)
        #expect(log.filter { $0.hasPrefix("new") && $0.hasSuffix("readable") }.count == 1)
        #expect(log.allSatisfy { $0.contains("turn \(turn)") })   // both in the first turn: none dropped
        #expect(loop.interest(of: a[0]) == .readable && loop.interest(of: b[0]) == .readable)
        first.swap = nil
        second.swap = nil
        loop.unregister(a[0])
        loop.unregister(b[0])
    }
}

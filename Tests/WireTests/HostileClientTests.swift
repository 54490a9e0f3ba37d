#if canImport(Glibc)
import Glibc
#endif
import HTTP1
import Testing
@testable import Wire

/// A request shape that tries to make a proxy and our server disagree about where a message ends,
/// and the status the server must answer it with before closing.
struct SmugglingShape: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: String
    var status: Int
    var testDescription: String { name }
}

private let chunkedHead = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"

let smugglingShapes: [SmugglingShape] = [
    SmugglingShape(name: "CL.TE: Content-Length and Transfer-Encoding", bytes: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
    SmugglingShape(name: "TE.CL: Transfer-Encoding first", bytes: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n", status: 400),
    SmugglingShape(name: "duplicate Content-Length, same value", bytes: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi", status: 400),
    SmugglingShape(name: "duplicate Content-Length, different values", bytes: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 30\r\n\r\nhi", status: 400),
    SmugglingShape(name: "comma-joined Content-Length", bytes: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2, 30\r\n\r\nhi", status: 400),
    SmugglingShape(name: "Transfer-Encoding: gzip, chunked", bytes: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", status: 501),
    SmugglingShape(name: "Transfer-Encoding: chunked, identity", bytes: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", status: 400),
    SmugglingShape(name: "Transfer-Encoding in HTTP/1.0", bytes: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
    SmugglingShape(name: "chunk size overflowing 64 bits", bytes: chunkedHead + "10000000000000005\r\nhello\r\n0\r\n\r\n", status: 400),
    SmugglingShape(name: "chunk size with trailing white space", bytes: chunkedHead + "5 \r\nhello\r\n0\r\n\r\n", status: 400),
    SmugglingShape(name: "chunk extension without a name", bytes: chunkedHead + "2;\r\nhi\r\n0\r\n\r\n", status: 400),
    SmugglingShape(name: "bare LF ending a header line", bytes: "GET / HTTP/1.1\r\nHost: a\nContent-Length: 5\r\n\r\nhello", status: 400),
    SmugglingShape(name: "bare LF ending a chunk size line", bytes: chunkedHead + "5\nhello\r\n0\r\n\r\n", status: 400),
    SmugglingShape(name: "bare CR inside a header line", bytes: "GET / HTTP/1.1\r\nHost: a\r\nX: 1\rContent-Length: 5\r\n\r\nhello", status: 400),
    SmugglingShape(name: "obs-fold continuing Transfer-Encoding", bytes: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: x\r\n chunked\r\n\r\n0\r\n\r\n", status: 400),
    SmugglingShape(name: "white space before the colon", bytes: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n", status: 400),
    SmugglingShape(name: "NUL in a field name", bytes: "GET / HTTP/1.1\r\nHost: a\r\nX\u{0}: 1\r\n\r\n", status: 400),
    SmugglingShape(name: "NUL in a field value", bytes: "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n", status: 400),
    SmugglingShape(name: "control byte (ESC) in a field value", bytes: "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1B}b\r\n\r\n", status: 400),
    SmugglingShape(name: "two Host fields", bytes: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400),
    SmugglingShape(name: "comma-joined Host", bytes: "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", status: 400),
    SmugglingShape(name: "unknown method", bytes: "MKCOLA / HTTP/1.1\r\nHost: a\r\n\r\n", status: 501),
    SmugglingShape(name: "garbage in front of a request", bytes: "xyzGET / HTTP/1.1\r\nHost: a\r\n\r\n", status: 501),
    SmugglingShape(name: "binary garbage", bytes: "\u{16}\u{3}\u{1}\u{0}\u{A5}\u{1}\r\n\r\n", status: 400),
]

/// Clients that misbehave on purpose, over real loopback sockets. Each case checks three things: the
/// server answers as specified (a status and a close, or a clean close), it keeps serving another
/// client meanwhile, and afterwards the only socket left on its port is its listener.
@Suite("Hostile clients over real sockets", .serialized)
struct HostileClientTests {
    /// The bystander: a keep-alive client that must be served while a hostile one is at work.
    static func assertServesBystander(_ h: ServerHarness, _ bystander: RawConnection, expectedSoFar: Int) {
        bystander.send(get("/echo"))
        h.wait("the bystander's response") { bystander.responseCount == expectedSoFar + 1 }
        #expect(ServerHarness.responses(bystander.received).last?.head.status == 200)
    }

    @Test("smuggling shapes: one answer with the status and Connection: close, then EOF; what follows is never read", arguments: smugglingShapes)
    func smuggling(_ shape: SmugglingShape) throws {
        let h = try ServerHarness()
        let bystander = h.connect()
        let c = h.connect()
        // The request a front proxy might not see as a request of its own.
        c.send(shape.bytes + "GET /echo?smuggled=1 HTTP/1.1\r\nHost: a\r\n\r\n")
        h.wait("EOF after the refusal") { c.state == .peerClosed || c.state == .closed }
        let responses = ServerHarness.responses(c.received, ended: true)
        #expect(responses.count == 1, "\(c.text)")
        #expect(responses.first?.head.status == shape.status)
        #expect(responses.first?.head.headers["Connection"] == "close")
        #expect(h.server.stats.responses == 0, "no route answered anything on this connection")
        #expect(!h.requestTargets().contains("/echo?smuggled=1"), "the smuggled request must never be parsed")
        Self.assertServesBystander(h, bystander, expectedSoFar: 0)
        c.close()
        bystander.close()
        h.waitForBaselineSockets()
        #expect(h.closeReasons().first == .badRequest)
    }

    @Test("a valid request, then garbage on the same connection: 200, then 501 and a close")
    func garbageAfterValid() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send(get("/") + "XGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        h.wait("EOF") { c.state == .peerClosed }
        #expect(ServerHarness.responses(c.received, ended: true).map(\.head.status) == [200, 501])
        c.close()
        h.waitForBaselineSockets()
    }

    @Test("oversized parts: request line 414, header section 431, declared body 413, chunked body 413", arguments: [
        ("GET /" + String(repeating: "a", count: 20_000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414),
        ("GET / HTTP/1.1\r\nHost: a\r\n" + String(repeating: "X-Filler: 0123456789012345678901234567890123456789\r\n", count: 400) + "\r\n", 431),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\n", 413),
        (chunkedHead + String(repeating: "ffff\r\n" + String(repeating: "z", count: 0xffff) + "\r\n", count: 20), 413),
    ])
    func oversized(request: String, status: Int) throws {
        let h = try ServerHarness()
        let bystander = h.connect()
        let c = h.connect()
        c.send(request)
        h.wait("EOF after the refusal") { c.state == .peerClosed || c.state == .closed }
        #expect(ServerHarness.responses(c.received, ended: true).first?.head.status == status)
        Self.assertServesBystander(h, bystander, expectedSoFar: 0)
        c.close()
        bystander.close()
        h.waitForBaselineSockets()
    }

    @Test("slowloris: header bytes trickled every 20 ms still meet headersTimeout (408, close); others are served meanwhile")
    func slowloris() throws {
        let h = try ServerHarness { $0.headersTimeoutMs = 300 }
        let bystander = h.connect()
        let c = h.connect()
        c.send("GET / HTTP/1.1\r\nHost: a\r\n")
        let started = h.loop.now
        var sent = 0
        var trickle: LoopTimer?
        trickle = LoopTimer(loop: h.loop) {
            guard c.state == .open else { return }
            c.send("X-Slow-\(sent): 1\r\n")
            sent += 1
            trickle?.arm(afterNanos: 20_000_000)
        }
        trickle?.arm(afterNanos: 20_000_000)
        h.wait("a few trickled lines") { sent >= 5 }
        Self.assertServesBystander(h, bystander, expectedSoFar: 0)
        h.wait("EOF after the headers timeout") { c.state == .peerClosed || c.state != .open }
        trickle?.cancel()
        let elapsedMs = (h.loop.now - started) / 1_000_000
        #expect(elapsedMs >= 300 && elapsedMs < 3_000, "closed after \(elapsedMs) ms")
        #expect(sent >= 5, "the client kept sending all along")
        #expect(ServerHarness.responses(c.received, ended: true).first?.head.status == 408)
        c.close()
        bystander.close()
        h.waitForBaselineSockets()
        #expect(h.closeReasons().first == .headersTimeout)
    }

    @Test("a client that resets mid-request: the server closes its side; nothing is answered")
    func resetMidRequest() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly part of the body")
        h.wait("the head to arrive") { h.server.stats.requests == 1 }
        c.abort()
        let reason = h.waitForClose()
        #expect(reason == .reset || reason == .clientClosed)
        #expect(h.server.stats.responses == 0)
        h.waitForBaselineSockets()
    }

    @Test("a client that resets mid-response: the server stops writing and closes; others are served")
    func resetMidResponse() throws {
        let h = try ServerHarness()
        let bystander = h.connect()
        let c = h.connect()
        c.send(get("/bytes/33554432"))   // 32 MiB: far more than the socket buffers hold
        h.wait("the response to start") { c.received.count > 100_000 }
        c.abort()
        let reason = h.waitForClose()
        #expect(reason == .reset, "\(String(describing: reason))")
        #expect(h.server.stats.responses == 0, "the response never completed")
        Self.assertServesBystander(h, bystander, expectedSoFar: 0)
        bystander.close()
        h.waitForBaselineSockets()
    }

    @Test("1,000 pipelined requests in one write: 1,000 responses, in order, on one connection")
    func thousandPipelined() throws {
        let h = try ServerHarness()
        let c = h.connect()
        var all = ""
        for index in 0..<1_000 { all += "GET /echo?i=\(index) HTTP/1.1\r\nHost: a\r\n\r\n" }
        c.send(all)
        var counter = ResponseStartCounter()
        let arrived = h.wait("1,000 responses", timeoutMs: 20_000) { counter.count(in: c.received) >= 1_000 }
        if !arrived { Issue.record("\(counter.count(in: c.received)) responses; server: \(h.server.stats), client \(c.state)") }
        var parser = ResponseParser()
        parser.append(c.received)
        var targets: [String] = []
        var body: [UInt8] = []
        while let part = try parser.next() {
            switch part {
            case .head: body = []
            case .body(let piece): body += piece
            case .end:
                let text = String(decoding: body, as: UTF8.self)
                if let start = text.firstRange(of: "\"target\":\""), let end = text[start.upperBound...].firstIndex(of: "\"") {
                    targets.append(String(text[start.upperBound..<end]))
                }
            }
        }
        #expect(targets == (0..<1_000).map { "/echo?i=\($0)" })
        #expect(h.server.stats.accepted == 1)
        #expect(h.server.stats.responses == 1_000)
        c.close()
        h.waitForBaselineSockets()
    }

    @Test("connections opened and abandoned (FIN, RST, or silence): all closed, then back to baseline")
    func abandoned() throws {
        // `WIRELAB_ABANDON_COUNT=10000 swift test --filter abandoned` is the 10,000 run (see docs/hardening.md).
        let total = Int(environmentValue("WIRELAB_ABANDON_COUNT") ?? "") ?? 300
        Platform.raiseOpenFileLimit(to: 20_000)
        let h = try ServerHarness { $0.keepAliveTimeoutMs = 200; $0.headersTimeoutMs = 300; $0.lingerMs = 200 }
        let baselineDescriptors = SocketAccounting.openDescriptorCount()
        let baselineRSS = Platform.residentBytes() ?? 0
        var opened = 0, halfHeads = 0
        while opened < total {
            let batch = min(1_000, total - opened)
            var clients: [RawConnection] = []
            for _ in 0..<batch { clients.append(h.connect()) }
            opened += batch
            h.wait("the batch to be accepted", timeoutMs: 20_000) { h.server.stats.accepted == opened }
            for (index, client) in clients.enumerated() {
                switch index % 4 {
                case 0: client.close()                          // FIN before a byte
                case 1: client.abort()                          // RST before a byte
                case 2: client.send("GET / HTTP/1.1\r\nHo"); halfHeads += 1   // half a head, then silence
                default: break                                  // silence
                }
            }
            h.wait("the server to close every connection of the batch", timeoutMs: 20_000) { h.server.stats.open == 0 }
            for client in clients { client.close() }
        }
        #expect(h.server.stats.accepted == total)
        #expect(h.server.stats.closed == total)
        #expect(h.server.stats.closes[.headersTimeout] == halfHeads, "each half head got its 408 and a close")
        h.waitForBaselineSockets()
        print("abandoned: \(total) connections; server closes \(h.server.stats.closes.map { "\($0.key.key)=\($0.value)" }.sorted()); "
              + "fds \(baselineDescriptors) → \(SocketAccounting.openDescriptorCount()); RSS \(baselineRSS / 1024) KiB → \((Platform.residentBytes() ?? 0) / 1024) KiB")
        // The process as a whole is back where it started too. The count is process-wide, and suites
        // running beside this one open and close their own sockets meanwhile: allow them 64, and give
        // them a bounded while to let go of a burst (one such burst failed this check once).
        h.wait("the process's descriptors to be back near their baseline") {
            SocketAccounting.openDescriptorCount() <= baselineDescriptors + 64
        }
        #expect(SocketAccounting.openDescriptorCount() <= baselineDescriptors + 64)
        let good = h.connect()
        good.send(get("/"))
        h.wait("a good request afterwards") { good.responseCount == 1 }
        good.close()
    }
}

/// Counts the responses that have started in a growing buffer: each `HTTP/1.1 ` (with the space, which
/// only a status line has here; a response body follows straight on from the one before). It resumes
/// where it stopped, so a wait can call it on every turn of the loop.
struct ResponseStartCounter {
    private var scanned = 0
    private var total = 0
    private let marker = Array("HTTP/1.1 ".utf8)

    mutating func count(in bytes: [UInt8]) -> Int {
        while scanned + marker.count <= bytes.count {
            if bytes[scanned] == marker[0] && bytes[scanned..<(scanned + marker.count)].elementsEqual(marker) {
                total += 1
                scanned += marker.count
            } else {
                scanned += 1
            }
        }
        return total
    }
}

/// An environment variable, without Foundation.
func environmentValue(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}

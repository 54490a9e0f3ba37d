import HTTP1
import Testing
@testable import Wire

@Suite("Server: timeouts, limits, pipelining, bad input, shutdown")
struct ServerLimitsTests {
    @Test("an idle connection is closed by keepAliveTimeout")
    func idleTimeout() throws {
        let h = try ServerHarness { $0.keepAliveTimeoutMs = 100 }
        let c = h.connect()
        c.send(get("/"))
        h.wait("response") { c.responseCount == 1 }
        let sent = h.loop.now
        #expect(h.waitForClose() == .keepAliveTimeout)
        #expect(h.loop.now - sent >= 100_000_000)
        #expect(ServerHarness.responses(c.received)[0].head.headers["Keep-Alive"] == "timeout=0")
    }

    @Test("a connection that sends nothing is closed by the idle rule")
    func silentConnection() throws {
        let h = try ServerHarness { $0.keepAliveTimeoutMs = 50 }
        _ = h.connect()
        #expect(h.waitForClose() == .keepAliveTimeout)
    }

    @Test("keepAliveTimeout 0 sends no Keep-Alive header and starts no timer")
    func keepAliveDisabled() throws {
        let h = try ServerHarness { $0.keepAliveTimeoutMs = 0; $0.headersTimeoutMs = 100 }
        let c = h.connect()
        c.send(get("/"))
        h.wait("response") { c.responseCount == 1 }
        let head = ServerHarness.responses(c.received)[0].head
        #expect(head.headers["Keep-Alive"] == nil)
        #expect(head.headers["Connection"] == "keep-alive")
        // A later request still works; nothing closed the connection meanwhile.
        c.send(get("/delay/120"))
        h.wait("second response") { c.responseCount == 2 }
        #expect(h.closeReasons().isEmpty)
    }

    @Test("the idle timer never fires mid-request: a slow header section meets headersTimeout, with 408")
    func idleNotMidRequest() throws {
        let h = try ServerHarness { $0.keepAliveTimeoutMs = 50; $0.headersTimeoutMs = 300 }
        let c = h.connect()
        c.send("GET / HTTP/1.1\r\nHost: x\r\n")   // no blank line: the head never completes
        #expect(h.waitForClose() == .headersTimeout)
        h.wait("EOF at the client") { c.state == .peerClosed }
        #expect(ServerHarness.responses(c.received).first?.head.status == 408)
    }

    @Test("a slow response outlives the idle timeout: the timer is off while responding")
    func idleNotWhileResponding() throws {
        let h = try ServerHarness { $0.keepAliveTimeoutMs = 50 }
        let c = h.connect()
        c.send(get("/delay/200"))
        h.wait("response") { c.responseCount == 1 }
        #expect(h.closeReasons().isEmpty)
        #expect(h.waitForClose() == .keepAliveTimeout)
    }

    @Test("requestTimeout bounds a body that trickles in")
    func requestTimeout() throws {
        let h = try ServerHarness { $0.requestTimeoutMs = 150 }
        let c = h.connect()
        c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        #expect(h.waitForClose() == .requestTimeout)
        #expect(ServerHarness.responses(c.received).first?.head.status == 408)
    }

    @Test("maxRequestsPerSocket: response N says close, the server closes, request N+1 is not processed")
    func maxRequests() throws {
        let h = try ServerHarness { $0.maxRequestsPerSocket = 2 }
        let c = h.connect()
        c.send(get("/") + get("/") + get("/echo"))
        #expect(h.waitForClose() == .maxRequests)
        let r = ServerHarness.responses(c.received)
        #expect(r.count == 2)
        #expect(r[0].head.headers["Keep-Alive"] == "timeout=5, max=2")
        #expect(r[1].head.headers["Connection"] == "close")
        #expect(h.server.stats.requests == 2)
    }

    @Test("pipelined requests are answered strictly in order, even when the first is slow")
    func pipelining() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send(get("/delay/80") + get("/status/201") + get("/echo"))
        h.wait("three responses") { c.responseCount == 3 }
        let r = ServerHarness.responses(c.received)
        #expect(r.map(\.head.status) == [200, 201, 200])
        #expect(r[0].body == #"{"delayed_ms":80}"#)
        #expect(r[2].body.contains(#""request_on_connection":3"#))
    }

    @Test("bytes after a request that said close are ignored; earlier responses are delivered")
    func bytesAfterClose() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send(get("/status/202") + get("/", "Connection: close\r\n") + get("/echo"))
        #expect(h.waitForClose() == .clientRequestedClose)
        h.wait("EOF at the client") { c.state == .peerClosed }
        #expect(ServerHarness.responses(c.received).map(\.head.status) == [202, 200])
        #expect(h.server.stats.requests == 2)
    }

    @Test("an unread request body is drained and the connection reused")
    func bodyDrained() throws {
        let h = try ServerHarness()
        let c = h.connect()
        let body = String(repeating: "b", count: 100_000)
        c.send("POST /delay/1 HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)" + get("/echo"))
        h.wait("two responses") { c.responseCount == 2 }
        #expect(h.server.stats.accepted == 1)
        #expect(h.closeReasons().isEmpty)
    }

    @Test("a body over the drain cap gets 413 and a close")
    func bodyTooLarge() throws {
        let h = try ServerHarness { $0.maxBodyBytes = 1000 }
        let c = h.connect()
        c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + String(repeating: "z", count: 5000))
        #expect(h.waitForClose() == .badRequest)
        #expect(ServerHarness.responses(c.received).first?.head.status == 413)
    }

    @Test("bad input gets a status and a close, never a crash", arguments: [
        ("GET /\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n\r\n", 400),                                          // no Host
        ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 17_000) + "\r\n\r\n", 431),
    ])
    func badInput(request: String, status: Int) throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send(request)
        #expect(h.waitForClose() == .badRequest)
        h.wait("EOF at the client") { c.state == .peerClosed }
        let r = ServerHarness.responses(c.received)
        #expect(r.first?.head.status == status)
        #expect(r.first?.head.headers["Connection"] == "close")
        #expect(h.server.stats.closes[.badRequest] == 1)
    }

    @Test("a leading empty line before a request is ignored")
    func leadingEmptyLine() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send("\r\n" + get("/"))
        h.wait("response") { c.responseCount == 1 }
        #expect(ServerHarness.responses(c.received)[0].head.status == 200)
    }

    @Test("staged close: a last response survives pipelined bytes the server never reads")
    func stagedClose() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send(get("/bytes/200000", "Connection: close\r\n") + String(repeating: "GARBAGE ", count: 20_000))
        h.wait("EOF at the client") { c.state == .peerClosed }
        let r = ServerHarness.responses(c.received)
        #expect(r.count == 1)
        #expect(r.first?.body.count == 200_000)
    }

    @Test("graceful shutdown: idle close at once, in-flight finish with close, counts reported")
    func shutdown() throws {
        let h = try ServerHarness()
        let idle1 = h.connect(), idle2 = h.connect(), busy = h.connect()
        idle1.send(get("/")); idle2.send(get("/"))
        h.wait("idle connections answered") { idle1.responseCount == 1 && idle2.responseCount == 1 }
        busy.send(get("/delay/150"))
        h.wait("the busy request to arrive") { h.server.stats.requests == 3 }
        var report: ShutdownReport?
        h.server.shutdown(graceMs: 2_000) { report = $0 }
        h.wait("shutdown to complete") { report != nil }
        #expect(report?.idleClosed == 2)
        #expect(report?.drained == 1)
        #expect(report?.forced == 0)
        let r = ServerHarness.responses(busy.received)
        #expect(r.first?.head.headers["Connection"] == "close")
        #expect(!h.server.isListening)
    }

    @Test("graceful shutdown that begins while a body is still arriving: that response says close")
    func shutdownMidBody() throws {
        // What the head says about persistence is decided when the head arrives; draining is decided
        // when the whole request is in (ServerConnectionStateMachine.headReceived/requestReceived).
        let h = try ServerHarness()
        let busy = h.connect()
        busy.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\nhello")
        h.wait("the head to arrive") { h.server.stats.requests == 1 }
        var report: ShutdownReport?
        h.server.shutdown(graceMs: 2_000) { report = $0 }
        busy.send("world")
        h.wait("the response") { busy.responseCount == 1 }
        busy.close()   // the server's staged close ends at our FIN, not at the linger bound
        h.wait("shutdown to complete") { report != nil }
        #expect(report?.drained == 1)
        let r = ServerHarness.responses(busy.received, methods: ["POST"])
        #expect(r.count == 1)
        #expect(r.first?.head.status == 200)
        #expect(r.first?.head.headers["Connection"] == "close")
    }

    @Test("graceful shutdown with only idle connections reports them (it finishes during the closes)")
    func shutdownAllIdle() throws {
        let h = try ServerHarness()
        let idle = h.connect()
        idle.send(get("/"))
        h.wait("the idle connection answered") { idle.responseCount == 1 }
        var report: ShutdownReport?
        h.server.shutdown(graceMs: 2_000) { report = $0 }
        h.wait("shutdown to complete") { report != nil }
        #expect(report?.idleClosed == 1)
        #expect(report?.drained == 0)
    }

    @Test("graceful shutdown force-closes what outlives the deadline")
    func shutdownForced() throws {
        let h = try ServerHarness()
        let busy = h.connect()
        busy.send(get("/delay/5000"))
        h.wait("the request to arrive") { h.server.stats.requests == 1 }
        var report: ShutdownReport?
        h.server.shutdown(graceMs: 50) { report = $0 }
        h.wait("shutdown to complete") { report != nil }
        #expect(report?.forced == 1)
        #expect(h.server.stats.closes[.shutdownForced] == 1)
    }

    @Test("events arrive in order: opened, request, response, idle, closed")
    func eventOrder() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send(get("/", "Connection: close\r\n"))
        _ = h.waitForClose()
        let kinds = h.events.map { event -> String in
            switch event {
            case .opened: return "opened"
            case .request: return "request"
            case .response: return "response"
            case .refused: return "refused"
            case .streamReset: return "streamReset"
            case .idle: return "idle"
            case .closed: return "closed"
            }
        }
        #expect(kinds == ["opened", "idle", "request", "response", "closed"])
        // The request event is built from the head the connection keeps (only when observed).
        let heads = h.events.compactMap { if case .request(_, let index, let head) = $0 { return (index, head) } else { return nil } }
        #expect(heads.map(\.0) == [1])
        #expect(heads.first?.1 == HTTPRequestHeadSummary(method: "GET", target: "/", version: "HTTP/1.1"))
    }
}

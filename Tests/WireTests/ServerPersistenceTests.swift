import HTTP1
import Testing
@testable import Wire

@Suite("Server: persistence, close from either side, HTTP/1.0")
struct ServerPersistenceTests {
    @Test("binds 127.0.0.1 only, on a kernel-chosen port")
    func bindAddress() throws {
        let h = try ServerHarness()
        #expect(h.server.port != 0)
        #expect(h.server.boundAddress == "127.0.0.1")
        #expect(h.server.url == "http://127.0.0.1:\(h.server.port)")
    }

    @Test("HTTP/1.1 requests reuse one connection, with Keep-Alive: timeout=5")
    func reuse() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send(get("/"))
        h.wait("first response") { c.responseCount == 1 }
        c.send(get("/echo"))
        h.wait("second response") { c.responseCount == 2 }
        let responses = ServerHarness.responses(c.received)
        #expect(responses[0].head.status == 200)
        #expect(responses[0].head.headers["Connection"] == "keep-alive")
        #expect(responses[0].head.headers["Keep-Alive"] == "timeout=5")
        #expect(responses[1].body.contains(#""request_on_connection":2"#))
        #expect(h.server.stats.accepted == 1)
        #expect(h.server.stats.requests == 2)
        #expect(h.server.stats.reusedRequests == 1)
        #expect(c.isOpen)
    }

    @Test("Connection: close from the client: the response says close and the server closes")
    func clientSaysClose() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send(get("/", "Connection: Keep-Alive, CLOSE\r\n"))
        #expect(h.waitForClose() == .clientRequestedClose)
        h.wait("the client to see EOF") { c.state == .peerClosed }
        let responses = ServerHarness.responses(c.received)
        #expect(responses.count == 1)
        #expect(responses[0].head.headers["Connection"] == "close")
        #expect(responses[0].head.headers["Keep-Alive"] == nil)
    }

    @Test("the client closing an idle connection is counted as client closed")
    func clientCloses() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send(get("/"))
        h.wait("response") { c.responseCount == 1 }
        c.close()
        #expect(h.waitForClose() == .clientClosed)
        #expect(h.server.stats.closes[.clientClosed] == 1)
        #expect(h.server.stats.open == 0)
    }

    @Test("HTTP/1.0 without keep-alive closes after one response")
    func http10Closes() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send("GET / HTTP/1.0\r\n\r\n")
        #expect(h.waitForClose() == .http10)
        let responses = ServerHarness.responses(c.received)
        #expect(responses.count == 1)
        #expect(responses[0].head.headers["Connection"] == "close")
    }

    @Test("HTTP/1.0 with Connection: keep-alive persists")
    func http10KeepAlive() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        h.wait("first response") { c.responseCount == 1 }
        c.send("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        h.wait("second response") { c.responseCount == 2 }
        let responses = ServerHarness.responses(c.received)
        #expect(responses[0].head.headers["Connection"] == "keep-alive")
        #expect(responses[0].head.headers["Content-Length"] != nil)
        #expect(h.server.stats.accepted == 1)
        #expect(h.closeReasons().isEmpty)
    }

    @Test("HTTP/1.0 keep-alive with a stream of unknown length must close: no chunked in 1.0")
    func http10UnframedCloses() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send("GET /stream/3 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(h.waitForClose() == .responseClose)
        h.wait("EOF at the client") { c.state == .peerClosed }
        let responses = ServerHarness.responses(c.received, ended: true)
        #expect(responses.count == 1)
        #expect(responses.first?.body == "chunk 1\nchunk 2\nchunk 3\n")
        #expect(responses.first?.head.headers["Transfer-Encoding"] == nil)
    }

    @Test("the /close route answers with Connection: close and closes")
    func closeRoute() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send(get("/close"))
        #expect(h.waitForClose() == .responseClose)
        #expect(ServerHarness.responses(c.received).first?.head.headers["Connection"] == "close")
    }

    @Test("/stream/<n> is chunked on HTTP/1.1 and the connection persists")
    func chunkedStream() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send(get("/stream/3?interval=5") + get("/"))
        h.wait("two responses") { c.responseCount == 2 }
        let responses = ServerHarness.responses(c.received)
        #expect(responses[0].head.headers["Transfer-Encoding"] == "chunked")
        #expect(responses[0].body == "chunk 1\nchunk 2\nchunk 3\n")
        #expect(h.server.stats.accepted == 1)
    }

    @Test("built-in routes answer with their status and body")
    func routes() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send(get("/bytes/1000") + get("/status/418") + get("/status/204") + get("/nope") + get("/delay/10"))
        h.wait("five responses") { c.responseCount == 5 }
        let r = ServerHarness.responses(c.received)
        #expect(r[0].body.count == 1000)
        #expect(r[1].head.status == 418)
        #expect(r[2].head.status == 204 && r[2].body.isEmpty && r[2].head.headers["Content-Length"] == nil)
        #expect(r[3].head.status == 404)
        #expect(r[4].body == #"{"delayed_ms":10}"#)
    }

    @Test("/echo shows the request head exactly as parsed")
    func echo() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send("GET /echo?x=1 HTTP/1.1\r\nHost: here\r\nX-Odd-CASE:  spaced  \r\n\r\n")
        h.wait("response") { c.responseCount == 1 }
        let body = ServerHarness.responses(c.received)[0].body
        #expect(body.contains(#""target":"/echo?x=1""#))
        #expect(body.contains(#"["X-Odd-CASE","spaced"]"#))
        #expect(body.contains(#""version":"HTTP/1.1""#))
    }
}

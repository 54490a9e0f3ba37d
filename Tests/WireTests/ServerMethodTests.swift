import HTTP1
import Testing
@testable import Wire

/// Methods and Upgrade, answered over a real socket (RFC 9110 §9, §7.8). The parser-level decisions
/// are in HTTP1Tests/StrictParsingTests; these check what the connection does with them.
@Suite("Server: methods, OPTIONS, 405, 501 and Upgrade", .serialized)
struct ServerMethodTests {
    func exchange(_ h: ServerHarness, _ request: String, expecting count: Int = 1, methods: [String] = ["GET"]) -> (RawConnection, [(head: HTTPResponseHead, body: String)]) {
        let c = h.connect()
        c.send(request)
        h.wait("\(count) response(s)") { ServerHarness.responses(c.received, methods: methods).count >= count }
        return (c, ServerHarness.responses(c.received, methods: methods))
    }

    @Test("a method a route does not serve: 405 with Allow, and the connection carries on")
    func methodNotAllowed() throws {
        let h = try ServerHarness()
        let (c, r) = exchange(h, "PUT /delay/1 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi" + get("/"), expecting: 2)
        #expect(r.map(\.head.status) == [405, 200])
        #expect(r[0].head.headers["Allow"] == "GET, HEAD, POST, OPTIONS")
        #expect(r[0].head.headers["Connection"] == "keep-alive")
        #expect(r[0].body.contains("PUT is not served by /delay/1"))
        #expect(h.server.stats.accepted == 1)
        c.close()
    }

    @Test("/echo answers every method it can show back; CONNECT is not one of them")
    func echoMethods() throws {
        let h = try ServerHarness()
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "TRACE"] {
            let (c, r) = exchange(h, "\(method) /echo HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(r.first?.head.status == 200, "\(method)")
            #expect(r.first?.body.contains("\"method\":\"\(method)\"") == true)
            c.close()
        }
        let (c, r) = exchange(h, "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n")
        #expect(r.first?.head.status == 405, "CONNECT asks for a tunnel, which no route gives")
        #expect(r.first?.head.headers["Allow"] == "GET, HEAD, POST, OPTIONS")
        c.close()
    }

    @Test("OPTIONS on a route, and OPTIONS *, answer 204 with Allow")
    func options() throws {
        let h = try ServerHarness()
        let (c, r) = exchange(h, "OPTIONS /status/201 HTTP/1.1\r\nHost: a\r\n\r\nOPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", expecting: 2)
        #expect(r.map(\.head.status) == [204, 204])
        #expect(r[0].head.headers["Allow"] == "GET, HEAD, POST, OPTIONS")
        #expect(r[1].head.headers["Allow"] == "GET, HEAD, POST, PUT, DELETE, PATCH, TRACE, OPTIONS")
        c.close()
    }

    @Test("POST to a built-in route is served (its body is read and ignored)")
    func postServed() throws {
        let h = try ServerHarness()
        let (c, r) = exchange(h, "POST /status/201 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc")
        #expect(r.first?.head.status == 201)
        c.close()
    }

    @Test("an unknown method: 501, Connection: close, and the server closes")
    func unknownMethod() throws {
        let h = try ServerHarness()
        let (c, r) = exchange(h, "PROPFIND /echo HTTP/1.1\r\nHost: a\r\n\r\n" + get("/"))
        #expect(r.count == 1)
        #expect(r.first?.head.status == 501)
        #expect(r.first?.head.headers["Connection"] == "close")
        #expect(r.first?.body.contains(#""detail":"unknown method at byte 0: the method \"PROPFIND\" is not one WireLab knows"#) == true, "\(r.first?.body ?? "")")
        h.wait("EOF") { c.state == .peerClosed }
        c.close()
        #expect(h.waitForClose() == .badRequest)
    }

    @Test("an absolute-form target is routed by its path")
    func absoluteForm() throws {
        let h = try ServerHarness()
        let (c, r) = exchange(h, "GET http://wirelab.test:8080/status/202?x=1 HTTP/1.1\r\nHost: wirelab.test:8080\r\n\r\n")
        #expect(r.first?.head.status == 202)
        c.close()
    }

    @Test("Upgrade the server does not take: a plain HTTP/1.1 answer with Connection: close, then the close")
    func upgradeNotTaken() throws {
        let h = try ServerHarness()
        let upgrade = "GET /echo HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n"
        let (c, r) = exchange(h, upgrade + get("/status/203"))
        #expect(r.first?.head.status == 200)
        #expect(r.first?.head.headers["Connection"] == "close")
        h.wait("EOF") { c.state == .peerClosed }
        #expect(ServerHarness.responses(c.received, ended: true).count == 1, "the bytes after it are not read as a request")
        c.close()
        #expect(h.waitForClose() == .upgradeNotTaken)
        #expect(h.server.stats.requests == 1)
    }
}

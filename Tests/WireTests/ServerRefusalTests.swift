import HTTP1
import Testing
@testable import Wire

@Suite("Server: a refusal says its status and why; / ends with a newline", .serialized)
struct ServerRefusalTests {
    static func refusals(_ h: ServerHarness) -> [(status: Int, reason: String)] {
        h.events.compactMap { if case .refused(_, let status, let reason) = $0 { return (status, reason) } else { return nil } }
    }

    /// Sends `bytes`, waits for the answer and the close, and returns the refusals seen.
    static func refusal(_ bytes: [UInt8], _ configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> (events: [(status: Int, reason: String)], close: ServerCloseReason?) {
        let h = try ServerHarness(configure)
        let c = h.connect()
        c.send(bytes)
        h.wait("the error response and EOF") { c.state == .peerClosed }
        c.close()
        let close = h.waitForClose()
        return (refusals(h), close)
    }

    @Test("the HTTP/2 preface on a server without an HTTP/2 handler: 501, HTTP/2 preface on an HTTP/1.1 port")
    func preface() throws {
        let h = try ServerHarness()
        h.server.makeHTTP2Handler = nil
        let c = h.connect()
        c.send(ClientPrefaceDetector.preface)
        h.wait("the error response and EOF") { c.state == .peerClosed }
        c.close()
        let close = h.waitForClose()
        let events = Self.refusals(h)
        #expect(events.map(\.status) == [501])
        #expect(events.map(\.reason) == ["HTTP/2 preface on an HTTP/1.1 port"])
        #expect(close == .badRequest)
    }

    @Test("the HTTP/2 preface on the default server: no refusal, the connection is HTTP/2's (SETTINGS first)")
    func prefaceTakenOver() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send(ClientPrefaceDetector.preface)
        // The server's first frame is its SETTINGS: type 4 on stream 0.
        h.wait("the server's SETTINGS") { c.received.count >= 9 }
        #expect(c.received.count >= 9 && c.received[3] == 4)
        #expect(Self.refusals(h).isEmpty)
        #expect(h.server.handlerForTesting(id: 1) is H2ServerConnection)
    }

    @Test("a request the parser refuses: its status and the parser's words", arguments: [
        ("PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n", 501, "unknown method"),
        ("GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "bare LF"),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "unsupported version"),
    ])
    func parseErrors(text: String, status: Int, reason: String) throws {
        let (events, _) = try Self.refusal(Array(text.utf8))
        #expect(events.map(\.status) == [status])
        #expect(events.map(\.reason) == [reason])
    }

    @Test("a headers timeout: 408, headers timeout")
    func headersTimeout() throws {
        let (events, close) = try Self.refusal(Array("GET / HTTP/1.1\r\n".utf8)) { $0.headersTimeoutMs = 50 }
        #expect(events.map(\.status) == [408])
        #expect(events.map(\.reason) == ["headers timeout"])
        #expect(close == .headersTimeout)
    }

    @Test("a good request is never refused")
    func goodRequest() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send(get("/", "Connection: close\r\n"))
        _ = h.waitForClose()
        #expect(Self.refusals(h).isEmpty)
    }

    @Test("GET / ends its body with a newline, the fast path and the route alike (HEAD and POST)")
    func rootNewline() throws {
        let h = try ServerHarness()
        let c = h.connect()
        c.send(get("/") + "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
        h.wait("two responses") { c.responseCount == 2 }
        let r = ServerHarness.responses(c.received)
        #expect(r.map(\.body) == [#"{"hello":"wirelab"}"# + "\n", #"{"hello":"wirelab"}"# + "\n"])
        #expect(r.first?.head.headers["Content-Length"] == "20")
    }
}

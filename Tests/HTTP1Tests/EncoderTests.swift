import Testing
@testable import HTTP1

@Suite("HTTPEncoder")
struct EncoderTests {
    @Test("A response head is written as status line, header lines and an empty line")
    func responseHead() {
        var buffer: [UInt8] = []
        HTTPEncoder.writeResponseHead(
            HTTPResponseHead(status: 404, headers: headers(("Content-Length", "0"), ("x-Trace", "a b"))), into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nx-Trace: a b\r\n\r\n")
        buffer = []
        HTTPEncoder.writeResponseHead(HTTPResponseHead(version: .http1_0, status: 200, reason: ""), into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "HTTP/1.0 200 \r\n\r\n")
    }

    @Test("A request encoded then parsed gives back the same head and body")
    func requestRoundTrip() throws {
        let head = HTTPRequestHead(
            method: "POST", target: "/echo?x=1", headers: headers(("Host", "lab"), ("X-Order", "1"), ("accept", "*/*")))
        var buffer: [UInt8] = []
        HTTPEncoder.writeRequest(head, body: bytes("payload"), into: &buffer)
        var expected = head
        expected.headers.add(name: "Content-Length", value: "7")
        #expect(parseRequests([buffer]) == Outcome(parts: [.head(expected), .body(bytes("payload")), .end]))
    }

    @Test("A response encoded then parsed gives back the same head and body")
    func responseRoundTrip() {
        let head = HTTPResponseHead(status: 200, headers: headers(("Server", "lab"), ("Content-Length", "999")))
        var buffer: [UInt8] = []
        HTTPEncoder.writeResponse(head, body: bytes("hello"), requestMethod: "GET", into: &buffer)
        let expected = HTTPResponseHead(status: 200, reason: "OK", headers: headers(("Server", "lab"), ("Content-Length", "5")))
        #expect(parseResponses([buffer], methods: ["GET"]) == Outcome(parts: [
            .head(expected, framing: .contentLength(5)), .body(bytes("hello")), .end(closeDelimited: false),
        ]))
    }

    @Test("A chunked body written chunk by chunk parses back whole")
    func chunkedRoundTrip() {
        var buffer: [UInt8] = []
        let head = HTTPResponseHead(status: 200, headers: headers(("Transfer-Encoding", "chunked")))
        HTTPEncoder.writeResponseHead(head, into: &buffer)
        HTTPEncoder.writeChunk(bytes("abcdefghijklmnopqrstuvwxyz"), into: &buffer)
        HTTPEncoder.writeChunk([UInt8](), into: &buffer)
        HTTPEncoder.writeChunk(bytes("!").dropFirst(0), into: &buffer)
        HTTPEncoder.writeLastChunk(into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        #expect(text.hasSuffix("\r\n\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n1\r\n!\r\n0\r\n\r\n"))
        #expect(parseResponses([buffer]).parts == [
            .head(HTTPResponseHead(status: 200, reason: "OK", headers: headers(("Transfer-Encoding", "chunked"))), framing: .chunked),
            .body(bytes("abcdefghijklmnopqrstuvwxyz!")),
            .end(closeDelimited: false),
        ])
    }

    @Test("writeResponse replaces Content-Length and drops Transfer-Encoding")
    func writeResponseFrames() {
        var buffer: [UInt8] = []
        let head = HTTPResponseHead(
            status: 200, headers: headers(("content-length", "1"), ("Transfer-Encoding", "chunked"), ("CONTENT-LENGTH", "2")))
        HTTPEncoder.writeResponse(head, body: bytes("abc"), requestMethod: "GET", into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc")
    }

    @Test("Statuses without a body get no body and no Content-Length", arguments: [100, 204, 304])
    func noBodyStatus(_ status: Int) {
        var buffer: [UInt8] = []
        HTTPEncoder.writeResponse(
            HTTPResponseHead(status: status, headers: headers(("Content-Length", "4"), ("ETag", "\"x\""))),
            body: bytes("body"), requestMethod: "GET", into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self)
            == "HTTP/1.1 \(status) \(HTTPStatus.reasonPhrase(status))\r\nETag: \"x\"\r\n\r\n")
    }

    @Test("A HEAD response keeps an existing Content-Length, else adds the GET body's, and writes no body")
    func headResponse() {
        var buffer: [UInt8] = []
        HTTPEncoder.writeResponse(
            HTTPResponseHead(status: 200, headers: headers(("Content-Length", "42"))),
            body: bytes("ignored"), requestMethod: "HEAD", into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n")
        buffer = []
        HTTPEncoder.writeResponse(HTTPResponseHead(status: 200), body: bytes("ignored"), requestMethod: "HEAD", into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n")
    }

    @Test("writeRequest adds Content-Length for a body or for POST, PUT and PATCH only", arguments: [
        ("GET", "", nil),
        ("DELETE", "", nil),
        ("GET", "q", "1"),
        ("POST", "", "0"),
        ("PUT", "", "0"),
        ("PATCH", "abc", "3"),
    ] as [(String, String, String?)])
    func requestContentLength(_ method: String, _ body: String, _ length: String?) {
        var buffer: [UInt8] = []
        let head = HTTPRequestHead(method: method, target: "/", headers: headers(("Host", "a"), ("Content-Length", "9")))
        HTTPEncoder.writeRequest(head, body: bytes(body), into: &buffer)
        let outcome = parseRequests([buffer])
        guard case .head(let parsed)? = outcome.parts.first else {
            Issue.record("no head: \(outcome)")
            return
        }
        #expect(parsed.headers.values("Content-Length") == (length.map { [$0] } ?? []))
        #expect(outcome.parts.last == .end)
    }

    @Test("responseFraming: known length, else chunked for 1.1, else close", arguments: [
        (Optional(12), HTTPVersion.http1_1, ResponseFraming.contentLength(12)),
        (0, .http1_0, .contentLength(0)),
        (nil, .http1_1, .chunked),
        (nil, HTTPVersion(major: 1, minor: 2), .chunked),
        (nil, .http1_0, .closeDelimited),
    ])
    func framing(_ length: Int?, _ version: HTTPVersion, _ expected: ResponseFraming) {
        #expect(responseFraming(bodyLength: length, requestVersion: version) == expected)
    }
}

@Suite("isKeepAlive (RFC 9112 §9.3)")
struct KeepAliveTests {
    @Test("Persistence by version and Connection tokens", arguments: [
        (HTTPVersion.http1_1, [] as [(String, String)], true),
        (.http1_1, [("Connection", "close")], false),
        (.http1_1, [("Connection", "Keep-Alive, CLOSE")], false),
        (.http1_1, [("connection", "upgrade"), ("Connection", " Close ")], false),
        (.http1_1, [("Connection", "closed")], true),
        (.http1_0, [], false),
        (.http1_0, [("Connection", "keep-alive")], true),
        (.http1_0, [("Connection", "Keep-Alive")], true),
        (.http1_0, [("Connection", "keep-alive, close")], false),
        (HTTPVersion(major: 1, minor: 2), [], true),
    ])
    func keepAlive(_ version: HTTPVersion, _ fields: [(String, String)], _ expected: Bool) {
        #expect(isKeepAlive(version: version, headers: HTTPHeaders(fields)) == expected)
    }
}

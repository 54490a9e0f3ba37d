import Testing
@testable import HTTP1

@Suite("ResponseParser")
struct ResponseParserTests {
    @Test("A Content-Length response gives head, body and a framed end")
    func contentLength() {
        let outcome = parseResponses("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: lab\r\n\r\nhello")
        #expect(outcome.error == nil)
        #expect(outcome.parts == [
            .head(HTTPResponseHead(status: 200, reason: "OK", headers: headers(("Content-Length", "5"), ("Server", "lab"))),
                  framing: .contentLength(5)),
            .body(bytes("hello")),
            .end(closeDelimited: false),
        ])
    }

    @Test("An HTTP/2 SETTINGS frame where a status line belongs is named as soon as its 9-byte header is in, with or without a line feed in it")
    func http2Answer() {
        // What `serve --h2-only` sends an HTTP/1.1 request first: SETTINGS (3 settings, 18 bytes).
        let settings: [UInt8] = [0, 0, 18, 0x04, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100, 0, 4, 0, 0, 0xff, 0xff, 0, 5, 0, 0, 0x40, 0]
        // One whose payload holds a line feed (a window of 0x0a0a), so a "line" can be read.
        let withLineFeed: [UInt8] = [0, 0, 6, 0x04, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0x0a, 0x0a]
        for bytes in [settings, withLineFeed, Array(settings[0..<9])] {
            var parser = ResponseParser()
            parser.expectResponse(toMethod: "GET")
            parser.append(bytes)
            #expect(throws: HTTPParseError.self) { _ = try parser.next() }
            do { _ = try parser.next() } catch {
                #expect(error.kind == .badStatusLine)
                #expect(error.offset == 0)
                #expect(error.detail.hasPrefix("an HTTP/2 SETTINGS frame, not a status line"))
            }
        }
        // Eight bytes are not yet a frame header: wait for more, as for any status line.
        var parser = ResponseParser()
        parser.expectResponse(toMethod: "GET")
        parser.append(Array(settings[0..<8]))
        #expect((try? parser.next()) == .some(nil))
        // Garbage that is not a SETTINGS frame keeps its own error.
        #expect(parseResponses("XTTP/1.1 200 OK\r\n\r\n").error?.detail.contains("HTTP/2") == false)
    }

    @Test("A chunked response is decoded")
    func chunked() {
        let outcome = parseResponses("HTTP/1.1 201 Created\r\nTransfer-Encoding: Chunked\r\n\r\n4\r\nWire\r\n3\r\nLab\r\n0\r\n\r\n")
        #expect(outcome.parts == [
            .head(HTTPResponseHead(status: 201, reason: "Created", headers: headers(("Transfer-Encoding", "Chunked"))),
                  framing: .chunked),
            .body(bytes("WireLab")),
            .end(closeDelimited: false),
        ])
    }

    @Test("A response with neither header runs until the peer closes")
    func untilClose() throws {
        var parser = ResponseParser()
        parser.expectResponse(toMethod: "GET")
        parser.append(bytes("HTTP/1.0 200 OK\r\n\r\nsome"))
        #expect(try parser.next() == .head(HTTPResponseHead(version: .http1_0, status: 200, reason: "OK"), framing: .untilClose))
        #expect(try parser.next() == .body(bytes("some")))
        #expect(try parser.next() == nil)
        parser.append(bytes(" more"))
        #expect(try parser.next() == .body(bytes(" more")))
        #expect(parser.hasPartialMessage)
        #expect(try parser.inputEnded() == .end(closeDelimited: true))
        #expect(!parser.hasPartialMessage)
        #expect(try parser.next() == nil)
        #expect(try parser.inputEnded() == nil)
    }

    @Test("inputEnded when idle returns nil")
    func inputEndedIdle() throws {
        var parser = ResponseParser()
        #expect(try parser.inputEnded() == nil)
        var afterOne = ResponseParser()
        afterOne.append(bytes("HTTP/1.1 204 No Content\r\n\r\n\r\n"))
        #expect(try afterOne.next() != nil)
        #expect(try afterOne.next() == .end(closeDelimited: false))
        #expect(try afterOne.inputEnded() == nil)
    }

    @Test("A HEAD response has no body whatever its Content-Length says")
    func headResponse() throws {
        var parser = ResponseParser()
        parser.expectResponse(toMethod: "HEAD")
        parser.append(bytes("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"))
        #expect(try parser.next() == .head(
            HTTPResponseHead(status: 200, reason: "OK", headers: headers(("Content-Length", "1000"))), framing: .none))
        #expect(try parser.next() == .end(closeDelimited: false))
        #expect(!parser.hasPartialMessage)
    }

    @Test("Only a method spelled HEAD (case-sensitive) frames its response with no body; pipelined methods are matched in order")
    func methodsClassifiedWhenQueued() throws {
        var parser = ResponseParser()
        // Four bytes but not HEAD, HEAD in lower case, longer names starting with HEAD, then HEAD and GET.
        let methods = ["POST", "head", "HEADX", "HEA", "HEAD", "GET"]
        for method in methods { parser.expectResponse(toMethod: method) }
        // Each response says Content-Length: 1; only those to a method other than HEAD carry the byte.
        for method in methods {
            parser.append(bytes("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + (method == "HEAD" ? "" : "z")))
        }
        var framings: [BodyFraming] = []
        while let part = try parser.next() {
            if case .head(_, let framing) = part { framings.append(framing) }
        }
        #expect(framings == [.contentLength(1), .contentLength(1), .contentLength(1), .contentLength(1), .none, .contentLength(1)])
        #expect(!parser.hasPartialMessage)
        #expect(HTTPStatus.hasNoBody(status: 200, answersHEAD: true) && !HTTPStatus.hasNoBody(status: 200, answersHEAD: false))
        #expect(HTTPStatus.hasNoBody(status: 200, requestMethod: "HEAD") && !HTTPStatus.hasNoBody(status: 200, requestMethod: "head"))
    }

    @Test("204 and 304 responses have no body (RFC 9112 §6.3)", arguments: [204, 304])
    func noBodyStatuses(_ status: Int) {
        let outcome = parseResponses("HTTP/1.1 \(status) X\r\nContent-Length: 10\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz")
        #expect(outcome.error == nil)
        #expect(outcome.parts.count == 5)
        #expect(outcome.parts.first == .head(
            HTTPResponseHead(status: status, reason: "X", headers: headers(("Content-Length", "10"))), framing: .none))
        #expect(outcome.parts[1] == .end(closeDelimited: false))
        #expect(outcome.parts[3] == .body(bytes("z")))
    }

    @Test("100 Continue is consumed silently; 101 is returned")
    func interimResponses() {
        let outcome = parseResponses(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            methods: ["POST"])
        #expect(outcome.parts == [
            .head(HTTPResponseHead(status: 200, reason: "OK", headers: headers(("Content-Length", "2"))), framing: .contentLength(2)),
            .body(bytes("ok")),
            .end(closeDelimited: false),
        ])
        let upgrade = parseResponses("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", endInput: false)
        #expect(upgrade.parts == [
            .head(HTTPResponseHead(status: 101, headers: headers(("Upgrade", "x"))), framing: .none),
            .end(closeDelimited: false),
        ])
    }

    @Test("Pipelined responses are framed by the queued methods, in order")
    func pipelinedQueue() {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
            + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
        let outcome = parseResponses(text, methods: ["HEAD", "GET", "HEAD"])
        #expect(outcome.error == nil, "\(outcome)")
        let framings = outcome.parts.compactMap { part -> BodyFraming? in
            if case .head(_, let framing) = part { return framing }
            return nil
        }
        #expect(framings == [.none, .contentLength(3), .none])
        #expect(outcome.parts.contains(.body(bytes("abc"))))
        // Framed as GET, the first response would swallow the next one's status line as its body.
        let unqueued = parseResponses(text)
        #expect(unqueued.parts.first == .head(
            HTTPResponseHead(status: 200, reason: "OK", headers: headers(("Content-Length", "3"))), framing: .contentLength(3)))
        #expect(unqueued.parts[1] == .body(bytes("HTT")))
    }

    @Test("The peer closing mid-body is unexpectedEOF at the end of the input")
    func eofMidBody() throws {
        var parser = ResponseParser()
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"
        parser.append(bytes(text))
        _ = try parser.next()
        #expect(try parser.next() == .body(bytes("abc")))
        #expect(try parser.next() == nil)
        let error = #expect(throws: HTTPParseError.self) { try parser.inputEnded() }
        #expect(error?.kind == .unexpectedEOF)
        #expect(error?.offset == text.utf8.count)
        #expect(error?.status == 400)
    }

    @Test("The peer closing mid-chunk or mid-head is unexpectedEOF", arguments: [
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",
        "HTTP/1.1 200 OK\r\nServer: x",
        "HTTP/1.",
    ])
    func eofElsewhere(_ text: String) {
        #expect(parseResponses(text).error?.kind == .unexpectedEOF)
    }

    @Test("Status lines: an empty or missing reason is accepted", arguments: [
        ("HTTP/1.1 200 \r\n\r\n", ""),
        ("HTTP/1.1 200\r\n\r\n", ""),
        ("HTTP/1.1 404 Not  Found at all\r\n\r\n", "Not  Found at all"),
    ])
    func reasons(_ text: String, _ reason: String) {
        let outcome = parseResponses(text, endInput: false)
        #expect(outcome.error == nil)
        guard case .head(let head, _)? = outcome.parts.first else {
            Issue.record("no head: \(outcome)")
            return
        }
        #expect(head.reason == reason)
    }

    @Test("Malformed status lines are badStatusLine", arguments: [
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTX/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n",
        "HTTP/1.1  200 OK\r\n\r\n",
        "HTTP/1.1 099 Low\r\n\r\n",
        "HTTP/1.1 200 O\u{1}K\r\n\r\n",
        "200 OK\r\n\r\n",
    ])
    func badStatusLines(_ text: String) {
        let error = parseResponses(text).error
        #expect(error?.kind == .badStatusLine, "\(String(describing: error))")
    }

    @Test("Framing errors in responses are refused, strictly", arguments: [
        ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", HTTPParseErrorKind.contentLengthWithTransferEncoding),
        ("HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\n", .conflictingContentLength),
        ("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", .badContentLength),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", .badTransferEncoding),
        ("HTTP/1.1 200 OK\r\nX : y\r\n\r\n", .badHeader),
        ("HTTP/2.0 200 OK\r\n\r\n", .unsupportedVersion),
    ])
    func framingErrors(_ text: String, _ kind: HTTPParseErrorKind) {
        #expect(parseResponses(text).error?.kind == kind)
    }

    @Test("Responses have no Host rule")
    func noHostRule() {
        #expect(parseResponses("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").error == nil)
    }
}

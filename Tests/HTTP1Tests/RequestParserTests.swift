import Testing
@testable import HTTP1

@Suite("RequestParser: well-formed requests")
struct RequestParserTests {
    @Test("A GET without a body gives its head, then the end")
    func getWithoutBody() {
        let outcome = parseRequests("GET /delay/200?x=1 HTTP/1.1\r\nHost: lab\r\nAccept: */*\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(outcome.parts == [
            .head(HTTPRequestHead(
                method: "GET", target: "/delay/200?x=1", version: .http1_1,
                headers: headers(("Host", "lab"), ("Accept", "*/*")))),
            .end,
        ])
        if case .head(let head) = outcome.parts.first { #expect(head.path == "/delay/200") }
    }

    @Test("A POST with Content-Length gives its body, then the end")
    func postWithContentLength() {
        let outcome = parseRequests("POST /echo HTTP/1.1\r\nHost: lab\r\nContent-Length: 5\r\n\r\nhello")
        #expect(outcome.error == nil)
        #expect(outcome.parts == [
            .head(HTTPRequestHead(
                method: "POST", target: "/echo", headers: headers(("Host", "lab"), ("Content-Length", "5")))),
            .body(bytes("hello")),
            .end,
        ])
    }

    @Test("Content-Length: 0 gives the head then the end, with no body part")
    func zeroContentLength() {
        let outcome = parseRequests("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
        #expect(outcome.parts.count == 2)
        #expect(outcome.parts.last == .end)
    }

    @Test("A chunked body with extensions and trailers is decoded; trailers are not headers")
    func chunkedWithExtensionsAndTrailers() {
        let text = "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6 ; x ; y=\"z\"\r\n world\r\nA\r\n0123456789\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n"
        let outcome = parseRequests(text)
        #expect(outcome.error == nil)
        #expect(outcome.parts == [
            .head(HTTPRequestHead(
                method: "POST", target: "/up", headers: headers(("Host", "a"), ("Transfer-Encoding", "chunked")))),
            .body(bytes("hello world0123456789")),
            .end,
        ])
    }

    @Test("Three pipelined requests in one buffer come out one after another")
    func pipelined() throws {
        let text = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
            + "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n"
        var parser = RequestParser()
        parser.append(bytes(text))
        var outcome = Outcome<RequestPart>()
        while let part = try parser.next() { outcome.record(part) }
        let targets = outcome.parts.compactMap { part -> String? in
            if case .head(let head) = part { return head.target }
            return nil
        }
        #expect(targets == ["/1", "/2", "/3"])
        #expect(outcome.parts.filter { $0 == .end }.count == 3)
        #expect(outcome.parts[3] == .body(bytes("abc")))
        #expect(outcome.parts[6] == .body(bytes("xy")))
        #expect(parser.totalBytesConsumed == text.utf8.count)
        #expect(parser.bufferedByteCount == 0)
        #expect(!parser.hasPartialMessage)
    }

    @Test("Empty lines (CR LF) before a request line are ignored (RFC 9112 §2.2)")
    func leadingEmptyLines() throws {
        var parser = RequestParser()
        parser.append(bytes("\r\n\r\n\r"))
        #expect(try parser.next() == nil)
        #expect(!parser.hasPartialMessage)
        parser.append(bytes("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(try parser.next() == .head(HTTPRequestHead(method: "GET", target: "/", headers: headers(("Host", "a")))))
        #expect(try parser.next() == .end)
    }

    @Test("A bare LF ends no line of a request: refused at the LF, even as an empty line before one")
    func bareLineFeeds() {
        let text = "GET /x HTTP/1.1\r\nHost: a\nX-Smuggled: 1\r\n\r\n"
        #expect(parseRequests(text).error?.kind == .bareLineFeed)
        #expect(parseRequests(text).error?.offset == offset(of: "\nX-Smuggled", in: text))
        #expect(parseRequests("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").error?.kind == .bareLineFeed)
        var parser = RequestParser()
        parser.append(bytes("\n"))
        #expect(parser.hasPartialMessage, "a bare LF is the start of a (bad) request, not an empty line")
    }

    @Test("Header order and spelling are kept; lookups ignore case; OWS around values is trimmed")
    func headerOrderAndCase() {
        let outcome = parseRequests("GET / HTTP/1.1\r\nX-Zed: 1\r\nhOsT: a\r\nx-alpha:\t two  words \t\r\nX-Zed: 2\r\nX-Empty:\r\n\r\n")
        guard case .head(let head)? = outcome.parts.first else {
            Issue.record("no head: \(outcome)")
            return
        }
        #expect(head.headers.fields.map(\.name) == ["X-Zed", "hOsT", "x-alpha", "X-Zed", "X-Empty"])
        #expect(head.headers.fields.map(\.value) == ["1", "a", "two  words", "2", ""])
        #expect(head.headers["HOST"] == "a")
        #expect(head.headers.values("x-zed") == ["1", "2"])
    }

    @Test("Connection token lists are split and trimmed, in every field")
    func connectionTokenLists() {
        let outcome = parseRequests("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive,  Upgrade\r\nconnection: ,TE\r\n\r\n")
        guard case .head(let head)? = outcome.parts.first else {
            Issue.record("no head: \(outcome)")
            return
        }
        #expect(head.headers.listElements("Connection") == ["keep-alive", "Upgrade", "TE"])
        #expect(head.headers.containsToken("upgrade", in: "connection"))
        #expect(!head.headers.containsToken("close", in: "Connection"))
    }

    @Test("HTTP/1.x with x > 1 is accepted and keeps its minor version; HTTP/1.0 needs no Host")
    func versions() {
        let newer = parseRequests("GET / HTTP/1.2\r\nHost: a\r\n\r\n")
        #expect(newer.parts.first == .head(HTTPRequestHead(
            method: "GET", target: "/", version: HTTPVersion(major: 1, minor: 2), headers: headers(("Host", "a")))))
        let older = parseRequests("GET / HTTP/1.0\r\n\r\n")
        #expect(older.error == nil)
        #expect(older.parts == [.head(HTTPRequestHead(method: "GET", target: "/", version: .http1_0)), .end])
    }

    @Test("A Content-Length with leading zeros is one number")
    func leadingZeroContentLength() {
        let outcome = parseRequests("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 003\r\n\r\nabc")
        #expect(outcome.error == nil)
        #expect(outcome.parts.dropFirst() == [.body(bytes("abc")), .end])
    }

    @Test("A request's Content-Length repeated or as a list is refused even when the values agree", arguments: [
        "Content-Length: 3, 3\r\n",
        "Content-Length: 3\r\nContent-Length: 3\r\n",
        "Content-Length: 3,\r\n",
    ])
    func repeatedContentLengths(_ fields: String) {
        let outcome = parseRequests("PUT / HTTP/1.1\r\nHost: a\r\n\(fields)\r\nabc")
        #expect(outcome.error?.kind == .conflictingContentLength)
        #expect(outcome.error?.status == 400)
    }

    @Test("A body is delivered in pieces as it arrives")
    func bodyInPieces() throws {
        var parser = RequestParser()
        parser.append(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n012"))
        #expect(try parser.next() != nil)
        #expect(try parser.next() == .body(bytes("012")))
        #expect(try parser.next() == nil)
        #expect(parser.hasPartialMessage)
        parser.append(bytes("3456789GET"))
        #expect(try parser.next() == .body(bytes("3456789")))
        #expect(try parser.next() == .end)
        #expect(try parser.next() == nil)
        #expect(parser.bufferedByteCount == 3)
        #expect(parser.hasPartialMessage, "\"GET\" is the start of the next request")
    }

    @Test("hasPartialMessage turns on with the first byte of a request and off after its end")
    func partialMessage() throws {
        var parser = RequestParser()
        #expect(!parser.hasPartialMessage)
        parser.append(bytes("G"))
        #expect(try parser.next() == nil)
        #expect(parser.hasPartialMessage)
        parser.append(bytes("ET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        _ = try parser.next()
        #expect(parser.hasPartialMessage, "the head was returned but not the end")
        #expect(try parser.next() == .end)
        #expect(!parser.hasPartialMessage)
    }

    @Test("discardBuffered forgets pipelined bytes after a request that said close")
    func discardBuffered() throws {
        var parser = RequestParser()
        let first = "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        parser.append(bytes(first + "GET /next HTTP/1.1\r\n"))
        guard case .head(let head)? = try parser.next() else {
            Issue.record("no head")
            return
        }
        #expect(!isKeepAlive(version: head.version, headers: head.headers))
        #expect(try parser.next() == .end)
        #expect(parser.hasPartialMessage)
        parser.discardBuffered()
        #expect(!parser.hasPartialMessage)
        #expect(parser.bufferedByteCount == 0)
        #expect(parser.totalBytesConsumed == first.utf8.count + 20)
        #expect(try parser.next() == nil)
    }

    @Test("Bytes appended from an UnsafeRawBufferPointer parse like an array")
    func appendRawBuffer() throws {
        var parser = RequestParser()
        let stream = bytes("GET /raw HTTP/1.1\r\nHost: a\r\n\r\n")
        stream.withUnsafeBytes { parser.append($0) }
        #expect(try parser.next() == .head(HTTPRequestHead(method: "GET", target: "/raw", headers: headers(("Host", "a")))))
    }

    @Test("A long stream of small requests stays correct as the buffer compacts")
    func manyRequests() throws {
        var parser = RequestParser()
        var heads = 0
        for index in 0..<2_000 {
            parser.append(bytes("POST /\(index) HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody"))
            if index % 3 == 0 { continue }
            while let part = try parser.next() {
                if case .head(let head) = part {
                    #expect(head.target == "/\(heads)")
                    heads += 1
                }
            }
        }
        while let part = try parser.next() { if case .head = part { heads += 1 } }
        #expect(heads == 2_000)
        #expect(parser.bufferedByteCount == 0)
    }
}

@Suite("RequestParser: one parser, request after request (the server's keep-alive path)")
struct RequestParserReuseTests {
    /// Feeds `requests` one at a time into one parser, resetting it between them as the server does
    /// when a connection goes idle, and returns each head.
    func heads(_ requests: [String], holdingEach: Bool = false) throws -> [HTTPRequestHead] {
        var parser = RequestParser()
        var heads: [HTTPRequestHead] = []
        for request in requests {
            parser.append(Array(request.utf8))
            while let part = try parser.next() {
                if case .head(let head) = part { heads.append(head) }
            }
            if parser.isBetweenMessages { parser.reset() }
        }
        return heads
    }

    @Test("fields and targets equal to the previous request's are reused; anything else is read afresh")
    func reuseIsInvisible() throws {
        let got = try heads([
            "GET / HTTP/1.1\r\nHost: lab:1\r\nUser-Agent: ua\r\nAccept: */*\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: lab:1\r\nUser-Agent: ua\r\nAccept: */*\r\n\r\n",          // all the same
            "GET /x HTTP/1.1\r\nHost: lab:1\r\nUSER-AGENT: ua\r\nAccept: text/plain\r\n\r\n",  // name case, value, target
            "GET /x HTTP/1.1\r\nHost: lab:1\r\n\r\n",                                          // fewer fields
            "GET /x HTTP/1.1\r\nAccept: a\r\nHost: lab:1\r\nX-New: 1\r\n\r\n",                 // more, in another order
        ])
        #expect(got.map(\.target) == ["/", "/", "/x", "/x", "/x"])
        #expect(got[0].headers == headers(("Host", "lab:1"), ("User-Agent", "ua"), ("Accept", "*/*")))
        #expect(got[1].headers == got[0].headers)
        #expect(got[2].headers == headers(("Host", "lab:1"), ("USER-AGENT", "ua"), ("Accept", "text/plain")))
        #expect(got[3].headers == headers(("Host", "lab:1")))
        #expect(got[4].headers == headers(("Accept", "a"), ("Host", "lab:1"), ("X-New", "1")))
    }

    @Test("a bad Host after a good one at the same place is still refused, at its byte")
    func badHostAfterGoodOne() throws {
        var parser = RequestParser()
        parser.append(Array("GET / HTTP/1.1\r\nHost: lab:1\r\n\r\n".utf8))
        while try parser.next() != nil {}
        parser.reset()
        parser.append(Array("GET / HTTP/1.1\r\nHost: la b\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self) { while try parser.next() != nil {} }
        do {
            while try parser.next() != nil {}
        } catch {
            #expect(error.kind == .badHost)
            #expect(error.offset == 24)   // the space: "GET / HTTP/1.1\r\n" is 16 bytes, "Host: la" 8 more
        }
    }

    @Test("a head still held when the next one is parsed (pipelining) keeps its own fields")
    func heldHeadIsNotOverwritten() throws {
        var parser = RequestParser()
        parser.append(Array("GET /a HTTP/1.1\r\nHost: one\r\n\r\nGET /b HTTP/1.1\r\nHost: two\r\n\r\n".utf8))
        var held: [HTTPRequestHead] = []
        while let part = try parser.next() { if case .head(let head) = part { held.append(head) } }
        #expect(held.map(\.target) == ["/a", "/b"])
        #expect(held.map { $0.headers["Host"] ?? "" } == ["one", "two"])
    }
}

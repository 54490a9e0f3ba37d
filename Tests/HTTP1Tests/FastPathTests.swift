import Testing
@testable import HTTP1

// The response parser's fast paths against the general ones: each test parses inputs that take both
// and checks that they agree, for every way the input can be split.

/// Responses whose header sections differ in number of fields and in length, in an order where each
/// is written over the storage of the one before: more fields, fewer, the same, none, longer values,
/// shorter ones.
private let varyingResponses: [String] = [
    "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Sat, 01 Jan 2022 00:00:00 GMT\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Sat, 01 Jan 2022 00:00:01 GMT\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\ncd",
    "HTTP/1.1 404 Not Found\r\nServer: x\r\nContent-Length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz",
    "HTTP/1.0 200 OK\r\nServer: a-much-longer-server-name/1.2.3\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\nX-D: 4\r\nContent-Length: 3\r\n\r\nxyz",
    "HTTP/1.1 204 No Content\r\n\r\n",
    "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Sat, 01 Jan 2022 00:00:02 GMT\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nef",
    "HTTP/1.1 200 OK\r\nS: n\r\nD: Sat, 01 Jan 2022 00:00:02 GMT, and a longer value\r\nContent-Length: 2\r\nC: k\r\n\r\ngh",
]

/// The parts of `text` parsed by a new parser: a header list filled from empty storage.
private func freshParts(_ text: String, method: String = "GET") -> [ResponsePart] {
    parseResponses(text, methods: [method]).parts
}

@Suite("ResponseParser fast paths agree with the general paths")
struct FastPathTests {
    @Test("A header list written over the previous head's storage is the one a new parser builds: every split, with reuse()")
    func headerListsOverEarlierHeads() throws {
        var parser = ResponseParser()
        var kept: [(ResponsePart, expected: ResponsePart)] = []
        for (index, text) in varyingResponses.enumerated() {
            let expected = freshParts(text)
            #expect(expected.count >= 2, "\(expected)")
            for (name, chunks) in chunkings(of: bytes(text), randomCount: 10) {
                parser.reuse()
                parser.expectResponse(toMethod: "GET")
                var outcome = Outcome<ResponsePart>()
                for chunk in chunks {
                    parser.append(chunk)
                    while let part = try parser.next() { outcome.record(part) }
                }
                #expect(outcome.parts == expected, "response \(index), \(name)")
                if outcome.parts != expected { return }
                // Heads handed out earlier keep their fields when later heads are written over storage
                // they shared (copy-on-write).
                if name == "whole" { kept.append((outcome.parts[0], expected[0])) }
            }
        }
        for (index, (head, expected)) in kept.enumerated() { #expect(head == expected, "head \(index), checked at the end") }
    }

    @Test("The same responses pipelined in one stream, at every split, without reuse()")
    func headerListsPipelined() {
        let stream = varyingResponses.joined()
        let expected = varyingResponses.flatMap { freshParts($0) }
        for (name, chunks) in chunkings(of: bytes(stream), randomCount: 10) {
            let outcome = parseResponses(chunks, methods: Array(repeating: "GET", count: varyingResponses.count))
            #expect(outcome.parts == expected, "\(name)")
            #expect(outcome.error == nil, "\(name)")
            if outcome.parts != expected { break }
        }
    }

    @Test("A head refused halfway leaves nothing behind in the next one, after reuse()")
    func refusedHeadThenShorterOne() throws {
        var parser = ResponseParser()
        let long = "HTTP/1.1 200 OK\r\nServer: nginx\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\nX-Bad: a\u{1}b\r\n\r\n"
        parser.append(bytes(long))
        #expect(throws: HTTPParseError.self) { _ = try parser.next() }
        parser.reuse()
        let short = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        parser.append(bytes(short))
        var outcome = Outcome<ResponsePart>()
        while let part = try parser.next() { outcome.record(part) }
        #expect(outcome.parts == freshParts(short))
        guard case .head(let head, _)? = outcome.parts.first else { Issue.record("no head: \(outcome)"); return }
        #expect(head.headers.count == 1)
        #expect(head.headers.fields == [HTTPField(name: "Content-Length", value: "2")])
    }

    @Test("Requests share the header list's reuse: pipelined requests with more, fewer and no fields, at every split")
    func requestHeaderLists() {
        let requests = [
            "GET /1 HTTP/1.1\r\nHost: a\r\nUser-Agent: wirelab\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n",
            "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
            "POST /3 HTTP/1.1\r\nHost: a-longer-host\r\nContent-Length: 2\r\nX-Extra: 1\r\nX-More: 22\r\nAccept: */*\r\n\r\nhi",
            "GET /4 HTTP/1.1\r\nHost: b\r\nUser-Agent: wirelab\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n",
            "GET /5 HTTP/1.0\r\n\r\n",
        ]
        let expected = requests.flatMap { parseRequests($0).parts }
        #expect(expected.count >= requests.count)
        for (name, chunks) in chunkings(of: bytes(requests.joined()), randomCount: 10) {
            let outcome = parseRequests(chunks)
            #expect(outcome.parts == expected, "\(name)")
            #expect(outcome.error == nil, "\(name)")
            if outcome.parts != expected { break }
        }
    }

    @Test("Status lines: the HTTP/1.1 and \"200 OK\" shortcuts give what the byte-by-byte reading gives", arguments: [
        "HTTP/1.1 200 OK", "HTTP/1.0 200 OK", "HTTP/1.1 200 Ok", "HTTP/1.1 200 ok", "HTTP/1.1 200 OKAY", "HTTP/1.1 200 O",
        "HTTP/1.1 201 OK", "HTTP/1.1 200 OK ", "HTTP/1.1 200 ", "HTTP/1.1 200", "HTTP/1.1 404 Not Found", "HTTP/1.9 200 OK",
        "HTTP/1.1 302 Found", "HTTP/1.1 299 Whatever", "HTTP/1.1 200 \u{C9}t\u{E9}",
    ])
    func statusLines(_ line: String) throws {
        let raw = bytes(line)
        let parsed = try raw.withUnsafeBufferPointer { (all) throws(HTTPParseError) in try HeadSyntax.statusLine(all, at: 7) }
        let version = raw.withUnsafeBufferPointer { HeadSyntax.version(UnsafeBufferPointer(rebasing: $0[0..<8])) }
        #expect(parsed.version == version)
        #expect(parsed.status == Int(String(decoding: raw[9..<12], as: UTF8.self)))
        #expect(parsed.reason == (raw.count > 13 ? String(decoding: raw[13...], as: UTF8.self) : ""))
    }

    @Test("Status lines the shortcuts do not take are refused as before", arguments: [
        ("HTTP/1.1 200 OK\u{7F}", HTTPParseErrorKind.badStatusLine, 15),
        ("HTTP/1.1 200 O\u{1}", .badStatusLine, 14),
        ("HTTP/1.1x200 OK", .badStatusLine, 8),
        ("HTTP/1.1 200xOK", .badStatusLine, 12),
        ("HTTP/2.0 200 OK", .unsupportedVersion, 0),
        ("http/1.1 200 OK", .badStatusLine, 0),
        ("HTTP/1.", .badStatusLine, 0),
        ("HTTP/1.1 099 OK", .badStatusLine, 9),
    ])
    func badStatusLines(_ line: String, _ kind: HTTPParseErrorKind, _ offset: Int) {
        let raw = bytes(line)
        do {
            _ = try raw.withUnsafeBufferPointer { (all) throws(HTTPParseError) in try HeadSyntax.statusLine(all, at: 100) }
            Issue.record("\(line.debugDescription) was accepted")
        } catch {
            #expect(error.kind == kind)
            #expect(error.offset == 100 + offset)
        }
    }

    /// Streams and the parts they must give (bodies joined), for the complete-body shortcut.
    static let bodyStreams: [(name: String, text: String, methods: [String], parts: [ResponsePart])] = {
        let h = HTTPResponseHead(status: 200, reason: "OK", headers: headers(("Content-Length", "5")))
        let empty = HTTPResponseHead(status: 200, reason: "OK", headers: headers(("Content-Length", "0")))
        let none = HTTPResponseHead(status: 204, reason: "No Content")
        let notModified = HTTPResponseHead(status: 304, reason: "Not Modified", headers: headers(("Content-Length", "5")))
        let chunked = HTTPResponseHead(status: 200, reason: "OK", headers: headers(("Transfer-Encoding", "chunked")))
        let close = HTTPResponseHead(version: .http1_0, status: 200, reason: "OK")
        let cl = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
        return [
            ("Content-Length", cl, ["GET"], [.head(h, framing: .contentLength(5)), .body(bytes("hello")), .end(closeDelimited: false)]),
            ("Content-Length: 0", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", ["GET"],
             [.head(empty, framing: .contentLength(0)), .end(closeDelimited: false)]),
            ("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", ["HEAD"], [.head(h, framing: .none), .end(closeDelimited: false)]),
            ("204", "HTTP/1.1 204 No Content\r\n\r\n", ["GET"], [.head(none, framing: .none), .end(closeDelimited: false)]),
            ("304", "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", ["GET"],
             [.head(notModified, framing: .none), .end(closeDelimited: false)]),
            ("chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n", ["GET"],
             [.head(chunked, framing: .chunked), .body(bytes("hello")), .end(closeDelimited: false)]),
            ("until close", "HTTP/1.0 200 OK\r\n\r\nhello", ["GET"],
             [.head(close, framing: .untilClose), .body(bytes("hello")), .end(closeDelimited: true)]),
            ("pipelined", cl + "HTTP/1.1 204 No Content\r\n\r\n" + cl + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", ["GET", "GET", "GET", "HEAD"],
             [.head(h, framing: .contentLength(5)), .body(bytes("hello")), .end(closeDelimited: false),
              .head(none, framing: .none), .end(closeDelimited: false),
              .head(h, framing: .contentLength(5)), .body(bytes("hello")), .end(closeDelimited: false),
              .head(h, framing: .none), .end(closeDelimited: false)]),
        ]
    }()

    @Test("A complete body ends without the decoder: the same parts at every split (bodies in pieces, none, chunked, until close, pipelined)")
    func completeBodies() {
        for stream in Self.bodyStreams {
            for (name, chunks) in chunkings(of: bytes(stream.text), randomCount: 10) {
                let outcome = parseResponses(chunks, methods: stream.methods)
                #expect(outcome.parts == stream.parts, "\(stream.name), \(name)")
                #expect(outcome.error == nil, "\(stream.name), \(name)")
                if outcome.parts != stream.parts { break }
            }
        }
    }

    @Test("A body cut off keeps failing the same way, whatever was buffered when its head was read")
    func cutOffBodies() {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello"
        let whole = parseResponses(text)
        #expect(whole.error?.kind == .unexpectedEOF)
        #expect(whole.error?.offset == bytes(text).count)
        for (name, chunks) in chunkings(of: bytes(text), randomCount: 10) {
            #expect(parseResponses(chunks) == whole, "\(name)")
        }
    }
}

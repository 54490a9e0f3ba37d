import Testing
@testable import HTTP1

/// A request the parser must refuse, and how.
struct BadRequest: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var kind: HTTPParseErrorKind
    var status: Int
    var limits = ParserLimits()

    var testDescription: String { name }
}

let badRequests: [BadRequest] = [
    // Request line (RFC 9112 §3)
    BadRequest(name: "two spaces after the method", text: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", kind: .badRequestLine, status: 400),
    BadRequest(name: "no version (HTTP/0.9 style)", text: "GET /\r\n\r\n", kind: .badRequestLine, status: 400),
    BadRequest(name: "only a method", text: "GET\r\n\r\n", kind: .badRequestLine, status: 400),
    BadRequest(name: "method with a non-token character", text: "G@T / HTTP/1.1\r\nHost: a\r\n\r\n", kind: .badRequestLine, status: 400),
    BadRequest(name: "request line starting with a space", text: " GET / HTTP/1.1\r\nHost: a\r\n\r\n", kind: .badRequestLine, status: 400),
    BadRequest(name: "control character in the target", text: "GET /a\u{1}b HTTP/1.1\r\nHost: a\r\n\r\n", kind: .badRequestLine, status: 400),
    BadRequest(name: "space inside the target", text: "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", kind: .badRequestLine, status: 400),
    BadRequest(name: "trailing space after the version", text: "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", kind: .badRequestLine, status: 400),
    BadRequest(name: "lowercase protocol name", text: "GET / http/1.1\r\nHost: a\r\n\r\n", kind: .badVersion, status: 400),
    BadRequest(name: "two-digit version", text: "GET / HTTP/11\r\nHost: a\r\n\r\n", kind: .badVersion, status: 400),
    BadRequest(name: "a lone CR inside the request line", text: "GET / HTTP/1.1\rX\r\nHost: a\r\n\r\n", kind: .badVersion, status: 400),
    BadRequest(name: "HTTP/2.0", text: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", kind: .unsupportedVersion, status: 505),
    BadRequest(name: "HTTP/0.9", text: "GET / HTTP/0.9\r\n\r\n", kind: .unsupportedVersion, status: 505),
    // Field lines (RFC 9112 §5)
    BadRequest(name: "space between name and colon", text: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", kind: .badHeader, status: 400),
    BadRequest(name: "obsolete line folding", text: "GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\n\r\n", kind: .badHeader, status: 400),
    BadRequest(name: "white space before the first header", text: "GET / HTTP/1.1\r\n\tHost: a\r\n\r\n", kind: .badHeader, status: 400),
    BadRequest(name: "control character in a value", text: "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u{7}b\r\n\r\n", kind: .badHeader, status: 400),
    BadRequest(name: "a lone CR in a value", text: "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", kind: .badHeader, status: 400),
    BadRequest(name: "header line without a colon", text: "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", kind: .badHeader, status: 400),
    BadRequest(name: "empty header name", text: "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", kind: .badHeader, status: 400),
    BadRequest(name: "non-token character in a name", text: "GET / HTTP/1.1\r\nHost: a\r\nX(A): v\r\n\r\n", kind: .badHeader, status: 400),
    // Host (RFC 9112 §3.2)
    BadRequest(name: "HTTP/1.1 without Host", text: "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", kind: .missingHost, status: 400),
    BadRequest(name: "two Host fields", text: "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", kind: .missingHost, status: 400),
    BadRequest(name: "two Host fields in HTTP/1.0", text: "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", kind: .missingHost, status: 400),
    // Framing (RFC 9112 §6)
    BadRequest(name: "Content-Length with Transfer-Encoding", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", kind: .contentLengthWithTransferEncoding, status: 400),
    BadRequest(name: "Transfer-Encoding in HTTP/1.0", text: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", kind: .badHeader, status: 400),
    BadRequest(name: "Transfer-Encoding gzip", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", kind: .badTransferEncoding, status: 400),
    BadRequest(name: "Transfer-Encoding gzip, chunked", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", kind: .unsupportedTransferEncoding, status: 501),
    BadRequest(name: "Transfer-Encoding chunked, gzip", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", kind: .badTransferEncoding, status: 400),
    BadRequest(name: "chunked applied twice over two fields", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", kind: .badTransferEncoding, status: 400),
    BadRequest(name: "empty Transfer-Encoding", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n", kind: .badTransferEncoding, status: 400),
    BadRequest(name: "Content-Length not a number", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12a\r\n\r\n", kind: .badContentLength, status: 400),
    BadRequest(name: "negative Content-Length", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", kind: .badContentLength, status: 400),
    BadRequest(name: "empty Content-Length", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", kind: .badContentLength, status: 400),
    BadRequest(name: "Content-Length with a sign", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", kind: .badContentLength, status: 400),
    BadRequest(name: "Content-Length overflowing Int", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", kind: .badContentLength, status: 400),
    BadRequest(name: "differing Content-Length list", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", kind: .conflictingContentLength, status: 400),
    BadRequest(name: "differing Content-Length fields", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", kind: .conflictingContentLength, status: 400),
    // Chunked bodies (RFC 9112 §7.1)
    BadRequest(name: "chunk size that is not hex", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", kind: .badChunk, status: 400),
    BadRequest(name: "chunk size followed by junk", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\nhello\r\n0\r\n\r\n", kind: .badChunk, status: 400),
    BadRequest(name: "chunk data longer than its size", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", kind: .badChunk, status: 400),
    BadRequest(name: "chunk data followed by a bare LF", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n", kind: .badChunk, status: 400),
    BadRequest(name: "chunk size overflowing Int", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", kind: .badChunk, status: 400),
    BadRequest(name: "control character in a chunk extension", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;a\u{0}\r\nx\r\n0\r\n\r\n", kind: .badChunk, status: 400),
    BadRequest(name: "bad trailer line", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer: x\r\n\r\n", kind: .badHeader, status: 400),
    // Limits
    BadRequest(name: "header section over the limit", text: "GET / HTTP/1.1\r\nHost: a\r\nX-Long: \(String(repeating: "a", count: 80))\r\n\r\n", kind: .headersTooLarge, status: 431, limits: ParserLimits(maxHeaderBytes: 64)),
    BadRequest(name: "trailer section over the limit", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Long: \(String(repeating: "a", count: 80))\r\n\r\n", kind: .headersTooLarge, status: 431, limits: ParserLimits(maxHeaderBytes: 64)),
    BadRequest(name: "Content-Length over the body limit", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world", kind: .bodyTooLarge, status: 413, limits: ParserLimits(maxBodyBytes: 10)),
    BadRequest(name: "chunks adding up past the body limit", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n", kind: .bodyTooLarge, status: 413, limits: ParserLimits(maxBodyBytes: 10)),
]

@Suite("RequestParser: refused requests")
struct RequestParserErrorTests {
    @Test("Each bad request is refused with the right kind and status", arguments: badRequests)
    func refused(_ bad: BadRequest) {
        let outcome = parseRequests(bad.text, limits: bad.limits)
        #expect(outcome.error?.kind == bad.kind, "\(outcome)")
        #expect(outcome.error?.status == bad.status)
        if let error = outcome.error {
            #expect(error.offset >= 0 && error.offset <= bad.text.utf8.count)
            #expect(!error.detail.isEmpty)
            #expect(error.description.hasPrefix("\(error.kind) at byte \(error.offset): "))
        }
        #expect(!outcome.parts.contains(.end), "the first request is the bad one: it must not end")
    }

    @Test("A bad Content-Length names the header, its value and the byte of the first non-digit")
    func badContentLengthOffset() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 12a\r\n\r\n"
        let error = parseRequests(text).error
        #expect(error == HTTPParseError(
            kind: .badContentLength, offset: offset(of: "a\r\n\r\n", in: text),
            detail: "header \"Content-Length\": \"12a\" is not a number"))
        #expect(error?.description == "bad Content-Length at byte 43: header \"Content-Length\": \"12a\" is not a number")
    }

    @Test("White space before a colon is reported at the space, naming the header")
    func spaceBeforeColonOffset() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nX-Trace : 1\r\n\r\n"
        let error = parseRequests(text).error
        #expect(error?.offset == offset(of: " : 1", in: text))
        #expect(error?.detail.contains("\"X-Trace\"") == true)
    }

    @Test("Offsets count across pipelined requests and skipped empty lines")
    func offsetAcrossMessages() {
        let first = "\r\nGET /ok HTTP/1.1\r\nHost: a\r\n\r\n"
        let text = first + "GET /bad HTTP/1.1\r\nHost: a\r\nX-A: \u{1}\r\n\r\n"
        let outcome = parseRequests(text)
        #expect(outcome.parts.count == 2)
        #expect(outcome.error?.offset == offset(of: "\u{1}", in: text))
    }

    @Test("A missing Host is reported at the empty line ending the head")
    func missingHostOffset() {
        let text = "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"
        #expect(parseRequests(text).error?.offset == text.utf8.count - 2)
    }

    @Test("A second Host is reported at its line")
    func secondHostOffset() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"
        #expect(parseRequests(text).error?.offset == offset(of: "Host: b", in: text))
    }

    @Test("An oversized head is refused before its end arrives, at the first byte past the limit")
    func headersTooLargeWithoutTerminator() throws {
        var parser = RequestParser(limits: ParserLimits(maxHeaderBytes: 64))
        parser.append(bytes("\r\nGET / HTTP/1.1\r\nHost: a\r\nX-Long: " + String(repeating: "a", count: 30)))
        #expect(try parser.next() == nil, "63 bytes of head: still within the limit")
        parser.append(bytes(String(repeating: "a", count: 30)))
        #expect(throws: HTTPParseError(
            kind: .headersTooLarge, offset: 2 + 64, detail: "the header section is longer than the limit of 64 bytes")
        ) { try parser.next() }
    }

    @Test("A head of exactly the limit is accepted; one byte more is not")
    func headersExactlyAtLimit() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let size = text.utf8.count
        #expect(parseRequests(text, limits: ParserLimits(maxHeaderBytes: size)).error == nil)
        #expect(parseRequests(text, limits: ParserLimits(maxHeaderBytes: size - 1)).error?.offset == size - 1)
    }

    @Test("A body of exactly the limit is accepted, chunked or counted")
    func bodyExactlyAtLimit() {
        let limits = ParserLimits(maxBodyBytes: 5)
        #expect(parseRequests("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", limits: limits).error == nil)
        let chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n"
        #expect(parseRequests(chunked, limits: limits).error == nil)
    }

    @Test("After an error the parser stays failed and throws the same error")
    func staysFailed() throws {
        var parser = RequestParser()
        parser.append(bytes("BAD\r\n\r\n"))
        let first = #expect(throws: HTTPParseError.self) { try parser.next() }
        parser.append(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        let second = #expect(throws: HTTPParseError.self) { try parser.next() }
        #expect(first == second)
        #expect(first?.kind == .badRequestLine)
        #expect(parser.hasPartialMessage)
    }

    @Test("Error kinds map to the status a server sends")
    func statuses() {
        #expect(HTTPParseErrorKind.headersTooLarge.status == 431)
        #expect(HTTPParseErrorKind.unsupportedVersion.status == 505)
        #expect(HTTPParseErrorKind.bodyTooLarge.status == 413)
        #expect(HTTPParseErrorKind.unsupportedTransferEncoding.status == 501)
        #expect(HTTPParseErrorKind.missingHost.status == 400)
        #expect(HTTPParseError(kind: .badChunk, offset: 3, detail: "x").status == 400)
    }
}

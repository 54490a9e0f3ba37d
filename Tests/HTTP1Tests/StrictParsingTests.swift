import Testing
@testable import HTTP1

/// One row of docs/http-parsing.md: an input, and what the request parser makes of it.
struct ParsingDecision: Sendable, CustomTestStringConvertible {
    enum Answer: Sendable, Equatable {
        /// Parsed as a request: `heads` heads and as many ends, no error.
        case accepted(heads: Int)
        case refused(HTTPParseErrorKind, status: Int)
    }

    var name: String
    var text: String
    var answer: Answer
    var limits = ParserLimits()

    var testDescription: String { name }
}

private let chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
private let ok = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"

/// The decisions that were leniencies before issue 9, and the leniencies kept on purpose. The older
/// refusals (obs-fold, white space before a colon, CL+TE, ...) are rows of `badRequests`.
let parsingDecisions: [ParsingDecision] = [
    // Chunked coding (RFC 9112 §7.1, §7.1.1)
    ParsingDecision(name: "white space after a chunk size, no extension", text: chunked + "5 \r\nhello\r\n0\r\n\r\n", answer: .refused(.badChunk, status: 400)),
    ParsingDecision(name: "a tab after a chunk size", text: chunked + "5\t\r\nhello\r\n0\r\n\r\n", answer: .refused(.badChunk, status: 400)),
    ParsingDecision(name: "a chunk extension with no name", text: chunked + "2;\r\nhi\r\n0\r\n\r\n", answer: .refused(.badChunk, status: 400)),
    ParsingDecision(name: "a chunk extension with only a value", text: chunked + "2;=v\r\nhi\r\n0\r\n\r\n", answer: .refused(.badChunk, status: 400)),
    ParsingDecision(name: "a chunk extension with \"=\" and no value", text: chunked + "2;a=\r\nhi\r\n0\r\n\r\n", answer: .refused(.badChunk, status: 400)),
    ParsingDecision(name: "white space after a chunk extension", text: chunked + "2;a=b \r\nhi\r\n0\r\n\r\n", answer: .refused(.badChunk, status: 400)),
    ParsingDecision(name: "an unterminated quoted extension value", text: chunked + "2;a=\"b\r\nhi\r\n0\r\n\r\n", answer: .refused(.badChunk, status: 400)),
    ParsingDecision(name: "a NUL in a quoted extension value", text: chunked + "2;a=\"\u{0}\"\r\nhi\r\n0\r\n\r\n", answer: .refused(.badChunk, status: 400)),
    ParsingDecision(name: "a chunk size of 16 hex digits (leading zeros)", text: chunked + "0000000000000002\r\nhi\r\n0\r\n\r\n", answer: .refused(.badChunk, status: 400)),
    ParsingDecision(name: "a chunk size overflowing 64 bits", text: chunked + "10000000000000002\r\nhi\r\n0\r\n\r\n", answer: .refused(.badChunk, status: 400)),
    ParsingDecision(name: "a chunk size line ending in a bare LF", text: chunked + "2\nhi\r\n0\r\n\r\n", answer: .refused(.bareLineFeed, status: 400)),
    ParsingDecision(name: "a last chunk ending in a bare LF", text: chunked + "0\n\r\n", answer: .refused(.bareLineFeed, status: 400)),
    ParsingDecision(name: "a trailer line ending in a bare LF", text: chunked + "0\r\nX-T: 1\n\r\n", answer: .refused(.bareLineFeed, status: 400)),
    ParsingDecision(name: "extensions past the header limit in all", text: chunked + String(repeating: "1;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\nx\r\n", count: 3) + "0\r\n\r\n", answer: .refused(.badChunk, status: 400), limits: ParserLimits(maxHeaderBytes: 80)),
    ParsingDecision(name: "BWS before \";\" and around \"=\" (the grammar allows it)", text: chunked + "2 ; a = b ;c\r\nhi\r\n0\r\n\r\n", answer: .accepted(heads: 1)),
    ParsingDecision(name: "a quoted extension value with an escaped quote", text: chunked + "2;a=\"x\\\"y\"\r\nhi\r\n0\r\n\r\n", answer: .accepted(heads: 1)),
    ParsingDecision(name: "a framing field in the trailers (discarded)", text: chunked + "0\r\nContent-Length: 5\r\n\r\n", answer: .accepted(heads: 1)),
    // Line endings (RFC 9112 §2.2)
    ParsingDecision(name: "a bare LF ending a header line", text: "GET / HTTP/1.1\r\nHost: a\nX: 1\r\n\r\n", answer: .refused(.bareLineFeed, status: 400)),
    ParsingDecision(name: "a bare LF ending the request line", text: "GET / HTTP/1.1\nHost: a\r\n\r\n", answer: .refused(.bareLineFeed, status: 400)),
    ParsingDecision(name: "a bare LF ending the head", text: "GET / HTTP/1.1\r\nHost: a\r\n\n", answer: .refused(.bareLineFeed, status: 400)),
    ParsingDecision(name: "a bare LF as an empty line before a request", text: "\n" + ok, answer: .refused(.bareLineFeed, status: 400)),
    ParsingDecision(name: "a bare CR inside a header value", text: "GET / HTTP/1.1\r\nHost: a\r\nX: 1\rContent-Length: 5\r\n\r\n", answer: .refused(.badHeader, status: 400)),
    ParsingDecision(name: "a bare CR as a line ending", text: "GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n", answer: .refused(.badHeader, status: 400)),
    ParsingDecision(name: "CR LF empty lines before a request", text: "\r\n\r\n" + ok, answer: .accepted(heads: 1)),
    // Content-Length (RFC 9110 §8.6, RFC 9112 §6.3)
    ParsingDecision(name: "the same Content-Length twice", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi", answer: .refused(.conflictingContentLength, status: 400)),
    ParsingDecision(name: "a comma-joined Content-Length that agrees", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2, 2\r\n\r\nhi", answer: .refused(.conflictingContentLength, status: 400)),
    ParsingDecision(name: "a comma-joined Content-Length that differs", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2, 20\r\n\r\nhi", answer: .refused(.conflictingContentLength, status: 400)),
    ParsingDecision(name: "Content-Length and Transfer-Encoding: chunked", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", answer: .refused(.contentLengthWithTransferEncoding, status: 400)),
    ParsingDecision(name: "Transfer-Encoding before Content-Length", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n", answer: .refused(.contentLengthWithTransferEncoding, status: 400)),
    // Transfer-Encoding (RFC 9112 §6.1)
    ParsingDecision(name: "Transfer-Encoding: gzip, chunked", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", answer: .refused(.unsupportedTransferEncoding, status: 501)),
    ParsingDecision(name: "Transfer-Encoding: chunked, identity", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", answer: .refused(.badTransferEncoding, status: 400)),
    ParsingDecision(name: "Transfer-Encoding: xchunked", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", answer: .refused(.badTransferEncoding, status: 400)),
    ParsingDecision(name: "Transfer-Encoding: Chunked (case does not matter)", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", answer: .accepted(heads: 1)),
    // NUL and control bytes (RFC 9110 §5.5, §5.6.2)
    ParsingDecision(name: "a NUL in a field name", text: "GET / HTTP/1.1\r\nHost: a\r\nX\u{0}Y: 1\r\n\r\n", answer: .refused(.badHeader, status: 400)),
    ParsingDecision(name: "a NUL in a field value", text: "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n", answer: .refused(.badHeader, status: 400)),
    ParsingDecision(name: "a NUL in the target", text: "GET /a\u{0}b HTTP/1.1\r\nHost: a\r\n\r\n", answer: .refused(.badRequestLine, status: 400)),
    ParsingDecision(name: "a DEL in a field value", text: "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{7F}b\r\n\r\n", answer: .refused(.badHeader, status: 400)),
    ParsingDecision(name: "bytes above 0x7F in a value (obs-text, kept)", text: "GET / HTTP/1.1\r\nHost: a\r\nX: caf\u{E9}\r\n\r\n", answer: .accepted(heads: 1)),
    ParsingDecision(name: "bytes above 0x7F in the target (kept)", text: "GET /caf\u{E9} HTTP/1.1\r\nHost: a\r\n\r\n", answer: .accepted(heads: 1)),
    // Methods (RFC 9110 §9.1)
    ParsingDecision(name: "an unknown method token", text: "MKCOLA / HTTP/1.1\r\nHost: a\r\n\r\n", answer: .refused(.unknownMethod, status: 501)),
    ParsingDecision(name: "a lowercase method", text: "get / HTTP/1.1\r\nHost: a\r\n\r\n", answer: .refused(.unknownMethod, status: 501)),
    ParsingDecision(name: "garbage in front of a pipelined request", text: ok + "xyGET / HTTP/1.1\r\nHost: a\r\n\r\n", answer: .refused(.unknownMethod, status: 501)),
    ParsingDecision(name: "each known method", text: ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"].map { "\($0) / HTTP/1.1\r\nHost: a\r\n\r\n" }.joined(), answer: .accepted(heads: 8)),
    // Request target (RFC 9112 §3.2)
    ParsingDecision(name: "a target that is no form at all", text: "GET foo HTTP/1.1\r\nHost: a\r\n\r\n", answer: .refused(.badRequestLine, status: 400)),
    ParsingDecision(name: "the asterisk form with GET", text: "GET * HTTP/1.1\r\nHost: a\r\n\r\n", answer: .refused(.badRequestLine, status: 400)),
    ParsingDecision(name: "CONNECT with an origin-form target", text: "CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", answer: .refused(.badRequestLine, status: 400)),
    ParsingDecision(name: "OPTIONS *", text: "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", answer: .accepted(heads: 1)),
    ParsingDecision(name: "CONNECT host:port", text: "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", answer: .accepted(heads: 1)),
    ParsingDecision(name: "absolute-form", text: "GET http://a/x?y HTTP/1.1\r\nHost: a\r\n\r\n", answer: .accepted(heads: 1)),
    ParsingDecision(name: "a request line alone over the limit", text: "GET /" + String(repeating: "a", count: 100) + " HTTP/1.1\r\nHost: a\r\n\r\n", answer: .refused(.requestLineTooLong, status: 414), limits: ParserLimits(maxHeaderBytes: 64)),
    // Host (RFC 9112 §3.2)
    ParsingDecision(name: "two hosts joined by a comma", text: "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", answer: .refused(.badHost, status: 400)),
    ParsingDecision(name: "a Host with a path", text: "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", answer: .refused(.badHost, status: 400)),
    ParsingDecision(name: "a Host with user info", text: "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", answer: .refused(.badHost, status: 400)),
    ParsingDecision(name: "a Host with a port and an IPv6 literal", text: "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", answer: .accepted(heads: 1)),
    ParsingDecision(name: "an empty Host", text: "GET / HTTP/1.1\r\nHost:\r\n\r\n", answer: .accepted(heads: 1)),
]

@Suite("Strict request parsing: every decision in docs/http-parsing.md")
struct StrictParsingTests {
    @Test("Each input gets the answer the table gives, however it is split", arguments: parsingDecisions)
    func decision(_ row: ParsingDecision) {
        let stream = bytes(row.text)
        for (name, chunks) in chunkings(of: stream, randomCount: 5) {
            let outcome = parseRequests(chunks, limits: row.limits)
            switch row.answer {
            case .accepted(let heads):
                #expect(outcome.error == nil, "\(name): \(outcome)")
                #expect(outcome.parts.filter { if case .head = $0 { true } else { false } }.count == heads, "\(name)")
                #expect(outcome.parts.filter { $0 == .end }.count == heads, "\(name)")
            case .refused(let kind, let status):
                #expect(outcome.error?.kind == kind, "\(name): \(outcome)")
                #expect(outcome.error?.status == status, "\(name)")
            }
            if outcome.error?.kind != row.answer.refusedKind { break }   // one report per row is enough
        }
    }

    @Test("The response parser keeps two leniencies: a bare LF ends a line, and an agreeing Content-Length list counts once")
    func responseLeniencies() {
        let bareLF = parseResponses("HTTP/1.1 200 OK\nContent-Length: 2\n\nok")
        #expect(bareLF.error == nil)
        #expect(bareLF.parts.dropFirst() == [.body(bytes("ok")), .end(closeDelimited: false)])
        for fields in ["Content-Length: 2, 2\r\n", "Content-Length: 2\r\nContent-Length: 2\r\n"] {
            let outcome = parseResponses("HTTP/1.1 200 OK\r\n\(fields)\r\nok")
            #expect(outcome.error == nil, "\(fields)")
            #expect(outcome.parts.dropFirst() == [.body(bytes("ok")), .end(closeDelimited: false)])
        }
        #expect(parseResponses("HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok").error?.kind == .conflictingContentLength)
    }

    @Test("Error details say where and why, for a learner reading the 400")
    func details() {
        #expect(parseRequests(chunked + "5 \r\nhello\r\n0\r\n\r\n").error?.detail == "the chunk size line \"5 \" ends with white space")
        #expect(parseRequests(chunked + "2;\r\nhi\r\n0\r\n\r\n").error?.detail == "a chunk extension has no name")
        #expect(parseRequests("MKCOLA / HTTP/1.1\r\nHost: a\r\n\r\n").error?.detail
            == "the method \"MKCOLA\" is not one WireLab knows (methods are case-sensitive)")
        #expect(parseRequests("GET / HTTP/1.1\nHost: a\r\n\r\n").error?.detail.contains("nc -C") == true)
    }
}

extension ParsingDecision.Answer {
    var refusedKind: HTTPParseErrorKind? {
        if case .refused(let kind, _) = self { return kind }
        return nil
    }
}

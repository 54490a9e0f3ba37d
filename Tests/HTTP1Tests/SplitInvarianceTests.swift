import Testing
@testable import HTTP1

/// A stream and what parsing it whole must give, so the comparison across splits is not vacuous.
struct SplitCase: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var heads: Int
    var error: HTTPParseErrorKind?
    var limits = ParserLimits()
    var methods: [String] = []

    var testDescription: String { name }
}

let requestStreams: [SplitCase] = [
    SplitCase(name: "GET", text: "GET /a HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n", heads: 1),
    SplitCase(name: "POST with Content-Length", text: "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world", heads: 1),
    SplitCase(
        name: "chunked with extensions and trailers",
        text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-T: 1\r\n\r\n",
        heads: 1),
    SplitCase(
        name: "three pipelined requests",
        text: "\r\nGET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
            + "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n",
        heads: 3),
    SplitCase(name: "a complete request then half of one", text: "GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nabc", heads: 2),
    SplitCase(name: "valid then a space before a colon", text: "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost : a\r\n\r\n", heads: 1, error: .badHeader),
    SplitCase(name: "Content-Length and Transfer-Encoding", text: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", heads: 0, error: .contentLengthWithTransferEncoding),
    SplitCase(name: "obsolete line folding", text: "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", heads: 0, error: .badHeader),
    SplitCase(name: "bad request line", text: "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", heads: 0, error: .badRequestLine),
    SplitCase(name: "unsupported version", text: "GET / HTTP/3.0\r\n\r\n", heads: 0, error: .unsupportedVersion),
    SplitCase(name: "chunk data longer than its size", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", heads: 1, error: .badChunk),
    SplitCase(name: "chunk size overflow", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n", heads: 1, error: .badChunk),
    SplitCase(
        name: "head over the limit, unterminated",
        text: "GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + String(repeating: "b", count: 70),
        heads: 0, error: .headersTooLarge, limits: ParserLimits(maxHeaderBytes: 48)),
    SplitCase(
        name: "second request's head over the limit",
        text: "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /" + String(repeating: "p", count: 60) + " HTTP/1.1\r\n\r\n",
        heads: 1, error: .requestLineTooLong, limits: ParserLimits(maxHeaderBytes: 48)),
    SplitCase(
        name: "chunked body over the limit",
        text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n4\r\nefgh\r\n",
        heads: 1, error: .bodyTooLarge, limits: ParserLimits(maxBodyBytes: 6)),
    SplitCase(
        name: "many fields, then a bare LF in one",
        text: "GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: wirelab\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n"
            + "GET / HTTP/1.1\r\nHost: a\r\nAccept: */*\nX: y\r\n\r\n",
        heads: 1, error: .bareLineFeed),
    SplitCase(name: "missing Host", text: "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", heads: 0, error: .missingHost),
    SplitCase(name: "a bare LF after a valid request", text: "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\nHost: a\r\n\r\n", heads: 1, error: .bareLineFeed),
    SplitCase(name: "an unknown method after a valid request", text: "GET / HTTP/1.1\r\nHost: a\r\n\r\nxGET / HTTP/1.1\r\nHost: a\r\n\r\n", heads: 1, error: .unknownMethod),
    SplitCase(
        name: "chunk extensions with BWS and a quoted value",
        text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 ; a = \"x;\\\"y\" ;b\r\nhello\r\n0\r\n\r\n", heads: 1),
    SplitCase(name: "white space after a chunk size", text: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n", heads: 1, error: .badChunk),
]

let responseStreams: [SplitCase] = [
    SplitCase(name: "Content-Length", text: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", heads: 1),
    SplitCase(
        name: "chunked with trailers",
        text: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n",
        heads: 1),
    SplitCase(name: "until close", text: "HTTP/1.0 200 OK\r\nServer: lab\r\n\r\nall of this is body\r\n\r\n", heads: 1),
    SplitCase(
        name: "100 Continue, then pipelined HEAD and GET",
        text: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        heads: 3, methods: ["HEAD", "DELETE", "GET"]),
    SplitCase(name: "cut off mid-body", text: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", heads: 1, error: .unexpectedEOF),
    SplitCase(name: "cut off mid-head", text: "HTTP/1.1 200 OK\r\nContent-Le", heads: 0, error: .unexpectedEOF),
    SplitCase(name: "bad status line", text: "HTTP/1.1 2000 OK\r\n\r\n", heads: 0, error: .badStatusLine),
    SplitCase(
        name: "nginx's five fields, twice, bare LFs in the second",
        text: "HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nDate: Sat, 01 Jan 2022 00:00:00 GMT\r\nContent-Type: text/html\r\n"
            + "Content-Length: 3\r\nConnection: keep-alive\r\n\r\nabc"
            + "HTTP/1.1 200 OK\nServer: nginx\nContent-Type: text/html\nContent-Length: 2\nConnection: keep-alive\n\nde",
        heads: 2, methods: ["GET", "GET"]),
    SplitCase(
        name: "a control character in the third field",
        text: "HTTP/1.1 200 OK\r\nServer: a\r\nX-Long-Field-Name: b\r\nX-Bad: c\u{1}d\r\nContent-Length: 0\r\n\r\n",
        heads: 0, error: .badHeader),
    SplitCase(
        name: "header section over the limit, lines complete",
        text: "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n",
        heads: 0, error: .headersTooLarge, limits: ParserLimits(maxHeaderBytes: 40)),
    SplitCase(
        name: "until close over the body limit",
        text: "HTTP/1.1 200 OK\r\n\r\n0123456789abcdef",
        heads: 1, error: .bodyTooLarge, limits: ParserLimits(maxBodyBytes: 10)),
]

@Suite("Parsers give the same parts and error for any split of the input")
struct SplitInvarianceTests {
    @Test("Requests: whole, every 2-way split, byte by byte, 50 random chunkings", arguments: requestStreams)
    func requests(_ stream: SplitCase) {
        let whole = parseRequests(stream.text, limits: stream.limits)
        #expect(whole.parts.filter { if case .head = $0 { true } else { false } }.count == stream.heads, "\(whole)")
        #expect(whole.error?.kind == stream.error, "\(whole)")
        for (name, chunks) in chunkings(of: bytes(stream.text)) {
            let outcome = parseRequests(chunks, limits: stream.limits)
            #expect(outcome == whole, "\(name)")
            if outcome != whole { break }
        }
    }

    @Test("Responses: whole, every 2-way split, byte by byte, 50 random chunkings", arguments: responseStreams)
    func responses(_ stream: SplitCase) {
        let whole = parseResponses([bytes(stream.text)], methods: stream.methods, limits: stream.limits)
        #expect(whole.parts.filter { if case .head = $0 { true } else { false } }.count == stream.heads, "\(whole)")
        #expect(whole.error?.kind == stream.error, "\(whole)")
        for (name, chunks) in chunkings(of: bytes(stream.text)) {
            let outcome = parseResponses(chunks, methods: stream.methods, limits: stream.limits)
            #expect(outcome == whole, "\(name)")
            if outcome != whole { break }
        }
    }

    @Test("The chunkings cover the whole stream in order, in more than one way")
    func chunkingsAreFaithful() {
        let stream = bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        let all = chunkings(of: stream)
        #expect(all.count == 1 + (stream.count + 1) + 1 + 50)
        for (name, chunks) in all { #expect(Array(chunks.joined()) == stream, "\(name)") }
        #expect(Set(all.suffix(50).map { $0.chunks.count }).count > 1, "random chunkings differ")
    }
}

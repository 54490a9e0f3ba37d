// The agent's side of the codec: bytes in, response parts out (RFC 9112 §4–§7).

/// How the body of a parsed response is delimited (RFC 9112 §6.3).
public enum BodyFraming: Sendable, Equatable {
    /// No body: a HEAD response, 1xx, 204 or 304.
    case none
    case contentLength(Int)
    case chunked
    /// Neither header: the body runs until the server closes, and the connection cannot be reused.
    case untilClose
}

/// A piece of a response: its head with its framing, then body pieces, then the end.
public enum ResponsePart: Sendable, Equatable {
    case head(HTTPResponseHead, framing: BodyFraming)
    /// Body bytes as they arrived: never empty.
    case body([UInt8])
    /// `closeDelimited` is true when the body ended because the peer closed (framing untilClose).
    case end(closeDelimited: Bool)
}

/// ResponseParser turns the bytes a server sends into responses. Like RequestParser it gives the same
/// parts for any split of the input. A response's framing depends on the request it answers (a HEAD
/// response has no body), so the caller queues each request's method with `expectResponse(toMethod:)`
/// in the order the requests were sent.
///
/// It does not time out or close anything: the caller reports the peer's close with `inputEnded()`.
///
/// It is more lenient than RequestParser in two places, on purpose: a bare LF ends a line, and a
/// Content-Length repeated with the same value counts once (RFC 9112 §2.2, RFC 9110 §8.6 allow
/// both). The agent only reads what the server it chose sent, and never forwards those bytes as they
/// are (the reverse proxy re-frames every response), so being lenient here moves no boundary for anyone
/// else. See docs/http-parsing.md.
public struct ResponseParser: Sendable {
    /// Legal moves: idle → statusLine → headerLines → body → idle (a skipped 1xx goes from headerLines
    /// back to idle); any state → failed, which is final.
    @usableFromInline
    enum State: Sendable {
        case idle
        case statusLine
        case headerLines
        case body
        case failed(HTTPParseError)
    }

    @usableFromInline let limits: ParserLimits
    @usableFromInline var buffer = ByteQueue()
    @usableFromInline var state = State.idle
    private var headStart = 0
    private var version = HTTPVersion.http1_1
    private var status = 0
    private var reason = ""
    private var section = HeaderSection()
    private var body: BodyDecoder
    private var bodyIsCloseDelimited = false
    /// For each request sent whose response has not been parsed yet, oldest first: whether it was a
    /// HEAD request (the one method that changes a response's framing, RFC 9112 §6.3 rule 1). The method
    /// is classified once, when it is queued: a queue of Strings cost a String compare with "HEAD" and
    /// the String's retain and release per response (callgrind: ~60 instructions).
    private var expectedAnswersHEAD: [Bool] = []
    private var isInputEnded = false
    /// What the Connection, Keep-Alive and Upgrade fields of the head last returned by `next()` said
    /// (see `ConnectionFields`): the agent asks it at `.head` or `.end` instead of searching
    /// `head.headers`. It describes that head until the next one is returned.
    public private(set) var connectionFields = ConnectionFields()

    public init(limits: ParserLimits = ParserLimits()) {
        self.limits = limits
        self.body = BodyDecoder(.finished, limits: limits, lineEnding: .crlfOrBareLF)
    }

    /// Queues the method of a request sent, so the response answering it is framed correctly.
    /// A response that arrives with nothing queued is framed as a response to GET.
    public mutating func expectResponse(toMethod method: String) {
        // The length first: for any other method no String compare is made at all.
        expectedAnswersHEAD.append(method.utf8.count == 4 && method == "HEAD")
    }

    /// Back to a new parser's state with the same limits, in place, so the next response on a
    /// kept-alive connection is read without allocating: the input storage (when at most 64 KiB), the
    /// header list's storage and the method queue's are kept; nothing buffered or parsed is used again.
    /// (Assigning a new parser instead released and rebuilt every part: ~800 instructions a
    /// response, callgrind.) Every stored property is set here as `init` sets it.
    public mutating func reuse() {
        buffer.reset(keepingCapacityUpTo: 64 * 1024)
        state = .idle
        headStart = 0
        version = .http1_1
        status = 0
        reason = ""
        // `section` is emptied when the next status line is parsed (each `removeAll` of an array
        // costs ~100 instructions, so it is done once, there).
        body = BodyDecoder(.finished, limits: limits, lineEnding: .crlfOrBareLF)
        bodyIsCloseDelimited = false
        if !expectedAnswersHEAD.isEmpty { expectedAnswersHEAD.removeAll(keepingCapacity: true) }
        isInputEnded = false
        connectionFields = ConnectionFields()
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        buffer.append(bytes)
    }

    // The getters below are `@inlinable`, and what they read `@usableFromInline`: the agent keeps its
    // parser in a class, and calling an opaque getter on it copied the whole parser struct first
    // (retaining everything in it), ~75 instructions a call (callgrind).

    /// True while a response is under way: some of it is buffered or parsed, its end not yet returned.
    @inlinable
    public var hasPartialMessage: Bool {
        switch state {
        case .idle: return buffer.count > 0 && !buffer.holdsOnlyEmptyLines(.crlfOrBareLF)
        case .statusLine, .headerLines, .body, .failed: return true
        }
    }

    @inlinable public var bufferedByteCount: Int { buffer.count }

    /// The next part, or nil when more bytes are needed. Interim 1xx responses other than 101 are
    /// consumed and not returned (RFC 9110 §15.2). After a throw the parser stays failed.
    public mutating func next() throws(HTTPParseError) -> ResponsePart? {
        if case .failed(let error) = state { throw error }
        do throws(HTTPParseError) {
            return try step()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    /// The peer closed its side. Returns the next part: `.end(closeDelimited: true)` for a body that runs
    /// until close, or parts still buffered (keep calling `next()` until nil after it). Throws
    /// unexpectedEOF when a response was cut off; returns nil when idle.
    public mutating func inputEnded() throws(HTTPParseError) -> ResponsePart? {
        isInputEnded = true
        return try next()
    }

    /// Inlined into `next()`, its one caller: the call and the part copied out of it cost ~130
    /// instructions a response, `next()` being called 4 times for each (callgrind).
    @inline(__always)
    private mutating func step() throws(HTTPParseError) -> ResponsePart? {
        while true {
            switch state {
            case .idle:
                guard buffer.skipEmptyLines(.crlfOrBareLF) else {
                    if isInputEnded && !buffer.holdsOnlyEmptyLines(.crlfOrBareLF) { throw cutOff("a status line") }
                    return nil
                }
                headStart = buffer.readOffset
                state = .statusLine

            case .statusLine:
                guard let line = try nextHeadLine() else {
                    if let h2 = http2Answer() { throw h2 }
                    if isInputEnded { throw cutOff("the status line") }
                    return nil
                }
                do {
                    (version, status, reason) = try buffer.withBytes(line.content) {
                        (bytes) throws(HTTPParseError) -> (HTTPVersion, Int, String) in
                        try HeadSyntax.statusLine(bytes, at: line.start)
                    }
                } catch {
                    throw http2Answer() ?? error
                }
                buffer.consume(upTo: line.next)
                section.removeAll()
                state = .headerLines

            case .headerLines:
                guard try section.readFieldLines(
                    from: &buffer, sectionStart: headStart, limit: limits.maxHeaderBytes, lineEnding: .crlfOrBareLF) != nil
                else {
                    if isInputEnded { throw cutOff("the header section") }
                    return nil
                }
                if let part = try finishHead() { return part }

            case .body:
                // A body that is complete (all of it was buffered, or there is none) ends here, without
                // a call into the decoder, whose `.finished` state returns just that (one call fewer
                // a response: ~30 instructions, callgrind).
                if body.isFinished {
                    state = .idle
                    return .end(closeDelimited: bodyIsCloseDelimited)
                }
                guard let event = try body.next(from: &buffer, inputEnded: isInputEnded) else { return nil }
                switch event {
                case .bytes(let bytes):
                    return .body(bytes)
                case .end:
                    state = .idle
                    return .end(closeDelimited: bodyIsCloseDelimited)
                }

            case .failed(let error):
                throw error
            }
        }
    }

    private mutating func nextHeadLine() throws(HTTPParseError) -> LineSpan? {
        try buffer.nextLine(
            sectionStart: headStart, limit: limits.maxHeaderBytes, tooLong: .headersTooLarge, naming: "header section",
            lineEnding: .crlfOrBareLF)
    }

    /// The error for an HTTP/2 answer where a status line belongs, or nil: looked at only when no
    /// status line could be read, off the path of a well-formed response.
    private func http2Answer() -> HTTPParseError? {
        guard buffer.count >= 9, buffer.withUnreadBytes({ unread, _ in Self.startsWithHTTP2Settings(unread) }) else { return nil }
        return HTTPParseError(kind: .badStatusLine, offset: buffer.readOffset, detail:
            "an HTTP/2 SETTINGS frame, not a status line: the server speaks only HTTP/2 with prior knowledge (RFC 9113 §3.3)")
    }

    /// Whether `bytes` begin with an HTTP/2 SETTINGS frame header (RFC 9113 §4.1, §6.5): a length
    /// that is a multiple of 6, type 0x4, stream 0. What an h2-only server (nginx's `listen ...
    /// http2`, `serve --h2-only`) sends first to an HTTP/1.1 request. A status line begins with
    /// "H", and a frame this short with a zero first length byte, so one comparison rules it out.
    static func startsWithHTTP2Settings(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 9, bytes[0] != UInt8(ascii: "H"), bytes[3] == 0x04 else { return false }
        let length = Int(bytes[0]) << 16 | Int(bytes[1]) << 8 | Int(bytes[2])
        return length % 6 == 0 && bytes[5] & 0x7f == 0 && bytes[6] == 0 && bytes[7] == 0 && bytes[8] == 0
    }

    private func cutOff(_ what: String) -> HTTPParseError {
        HTTPParseError(kind: .unexpectedEOF, offset: buffer.endOffset, detail: "the input ended in the middle of \(what)")
    }

    /// finishHead decides the framing (RFC 9112 §6.3, rules in order) and returns the head, or nil for
    /// an interim response, which is dropped.
    private mutating func finishHead() throws(HTTPParseError) -> ResponsePart? {
        if (100..<200).contains(status) && status != 101 {
            // An interim response (100 Continue, 103 Early Hints) precedes the final one to the same request.
            state = .idle
            return nil
        }
        // Usually one request is in flight: `removeLast` then, which is cheap, where `removeFirst`
        // shifts through a generic `replaceSubrange` (~160 instructions a response, callgrind).
        // Nothing queued: framed as a response to GET.
        let answersHEAD = expectedAnswersHEAD.isEmpty ? false
            : expectedAnswersHEAD.count == 1 ? expectedAnswersHEAD.removeLast() : expectedAnswersHEAD.removeFirst()
        let framing: BodyFraming
        // Rule 1: HEAD responses, 1xx, 204 and 304 end at the header section, whatever the headers say.
        if HTTPStatus.hasNoBody(status: status, answersHEAD: answersHEAD) {
            framing = .none
        } else {
            switch try section.bodyLength(version: version, contentLengthLists: .acceptedWhenEqual) {
            case .absent: framing = .untilClose  // Rule 8.
            case .contentLength(let length): framing = .contentLength(length)  // Rule 6.
            case .chunked: framing = .chunked  // Rule 4.
            }
        }
        switch framing {
        case .none, .contentLength(0):
            body = BodyDecoder(.finished, limits: limits, lineEnding: .crlfOrBareLF)
        case .contentLength(let length):
            if length > limits.maxBodyBytes {
                let offset = section.framingNotes.first { $0.role == .contentLength }?.valueOffset ?? buffer.readOffset
                throw HTTPParseError(
                    kind: .bodyTooLarge, offset: offset,
                    detail: "header \"Content-Length\": \(length) is over the limit of \(limits.maxBodyBytes) bytes")
            }
            body = BodyDecoder(.counted(remaining: length), limits: limits, lineEnding: .crlfOrBareLF)
        case .chunked:
            body = BodyDecoder(.chunkSizeLine, limits: limits, lineEnding: .crlfOrBareLF)
        case .untilClose:
            body = BodyDecoder(.untilClose, limits: limits, lineEnding: .crlfOrBareLF)
        }
        bodyIsCloseDelimited = framing == .untilClose
        state = .body
        connectionFields = section.connection
        let head = HTTPResponseHead(version: version, status: status, reason: reason, headers: section.headers)
        return .head(head, framing: framing)
    }
}

// The server's side of the codec: bytes in, request parts out (RFC 9112 §2–§7).

/// A piece of a request: its head, then zero or more body pieces, then the end.
public enum RequestPart: Sendable, Equatable {
    case head(HTTPRequestHead)
    /// Body bytes as they arrived: never empty, but one body may come in many pieces.
    case body([UInt8])
    case end
}

/// RequestParser turns the bytes a client sends into requests, one part at a time. It is incremental:
/// any split of the input gives the same parts and the same error, so it can be fed whatever each
/// read returns. Several requests in one read (pipelining) come out one after another.
///
/// It does not read sockets, answer errors or decide persistence: the caller sends `error.status`
/// and closes, and asks `isKeepAlive(version:headers:)` after each request.
public struct RequestParser: Sendable {
    /// Where the parser is in the stream. Legal moves: idle → requestLine → headerLines → body → idle;
    /// any state → failed, which is final.
    @usableFromInline
    enum State: Sendable {
        /// Between requests: empty lines here are skipped (RFC 9112 §2.2).
        case idle
        case requestLine
        case headerLines
        case body
        case failed(HTTPParseError)
    }

    @usableFromInline let limits: ParserLimits
    @usableFromInline var buffer = ByteQueue()
    @usableFromInline var state = State.idle
    /// The stream offset of the current request line: the header section limit counts from here.
    private var headStart = 0
    private var method = ""
    private var target = ""
    private var version = HTTPVersion.http1_1
    private var section = HeaderSection()
    private var body: BodyDecoder
    /// What the Connection, Keep-Alive and Upgrade fields of the head last returned by `next()` said
    /// (see `ConnectionFields`): the server decides persistence from it instead of searching
    /// `head.headers`. It describes that head until the next one is returned.
    public private(set) var connectionFields = ConnectionFields()

    public init(limits: ParserLimits = ParserLimits()) {
        self.limits = limits
        self.body = BodyDecoder(.finished, limits: limits, lineEnding: .crlfOnly)
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        buffer.append(bytes)
    }

    // The getters below are `@inlinable`, and what they read `@usableFromInline`: the server and the
    // agent keep their parser in a class, and calling an opaque getter on it copied the whole parser
    // struct first (retaining everything in it), ~75 instructions a call (callgrind).

    /// True once any byte of a request not yet fully parsed (its `.end` not returned) is buffered or
    /// parsed. Empty lines before a request do not count. Also true after an error.
    @inlinable
    public var hasPartialMessage: Bool {
        switch state {
        case .idle: return buffer.count > 0 && !buffer.holdsOnlyEmptyLines(.crlfOnly)
        case .requestLine, .headerLines, .body, .failed: return true
        }
    }

    /// The body limit this parser enforces.
    @inlinable public var maxBodyBytes: Int { limits.maxBodyBytes }

    /// Bytes appended but not yet parsed.
    @inlinable public var bufferedByteCount: Int { buffer.count }

    /// Bytes parsed or discarded since the parser was made: the stream offset of the next unread byte.
    @inlinable public var totalBytesConsumed: Int { buffer.readOffset }

    /// The size in bytes of the head just returned (request line through the empty line; empty
    /// lines before it not counted). Valid right after `next()` returns its `.head`.
    public var headByteCount: Int { buffer.readOffset - headStart }

    /// Forgets the bytes not yet parsed, such as requests pipelined after one that said `close`.
    /// It does not change the state: call it between requests. Later offsets still count these bytes.
    public mutating func discardBuffered() {
        buffer.consumeAll()
    }

    /// Makes the parser as good as new for the next connection or request, keeping the storage it
    /// already has (its input buffer, when small, and its header list). Only valid between requests
    /// with nothing buffered. With it a busy keep-alive connection parses request after request
    /// without allocating.
    public mutating func reset() {
        precondition(isBetweenMessages, "reset is only for a parser between requests")
        buffer.reset(keepingCapacityUpTo: 16 * 1024)
        headStart = 0
        connectionFields = ConnectionFields()
        // `section` is emptied when the next request line arrives; `body` is set up by `finishHead`.
    }

    /// True when no request is under way and nothing is buffered: the one state `reset` accepts.
    @inlinable
    public var isBetweenMessages: Bool {
        if case .idle = state { return buffer.count == 0 }
        return false
    }

    /// The next part, or nil when more bytes are needed. After a throw the parser stays failed and
    /// throws the same error again.
    public mutating func next() throws(HTTPParseError) -> RequestPart? {
        if case .failed(let error) = state { throw error }
        do throws(HTTPParseError) {
            return try step()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private mutating func step() throws(HTTPParseError) -> RequestPart? {
        while true {
            switch state {
            case .idle:
                guard buffer.skipEmptyLines(.crlfOnly) else { return nil }
                headStart = buffer.readOffset
                state = .requestLine

            case .requestLine:
                guard let line = try nextHeadLine(tooLong: .requestLineTooLong) else { return nil }
                let previousTarget = target
                (method, target, version) = try buffer.withBytes(line.content) {
                    (bytes) throws(HTTPParseError) -> (String, String, HTTPVersion) in
                    try HeadSyntax.requestLine(bytes, at: line.start, previousTarget: previousTarget)
                }
                buffer.consume(upTo: line.next)
                section.removeAll()
                state = .headerLines

            case .headerLines:
                guard let end = try section.readFieldLines(
                    from: &buffer, sectionStart: headStart, limit: limits.maxHeaderBytes, lineEnding: .crlfOnly)
                else { return nil }
                return .head(try finishHead(at: end))

            case .body:
                guard let event = try body.next(from: &buffer, inputEnded: false) else { return nil }
                switch event {
                case .bytes(let bytes):
                    return .body(bytes)
                case .end:
                    state = .idle
                    return .end
                }

            case .failed(let error):
                throw error
            }
        }
    }

    /// The next line of the header section, which may be at most limits.maxHeaderBytes long in all.
    /// A request line that alone goes past the limit is refused as `requestLineTooLong` (414), like
    /// nginx; past it, `headersTooLarge` (431). Lines end with CR LF only (see LineEnding).
    private mutating func nextHeadLine(tooLong: HTTPParseErrorKind = .headersTooLarge) throws(HTTPParseError) -> LineSpan? {
        try buffer.nextLine(
            sectionStart: headStart, limit: limits.maxHeaderBytes, tooLong: tooLong, naming: "header section",
            lineEnding: .crlfOnly)
    }

    /// finishHead checks what needs the whole header section (Host, framing) and sets up the body.
    private mutating func finishHead(at endOffset: Int) throws(HTTPParseError) -> HTTPRequestHead {
        // RFC 9112 §3.2: 400 for an HTTP/1.1 request without Host, and for any request with two.
        if let second = section.secondHostOffset {
            throw HTTPParseError(kind: .missingHost, offset: second, detail: "the request has more than one \"Host\" header")
        }
        if section.hostCount == 0 && version.minor >= 1 {
            throw HTTPParseError(kind: .missingHost, offset: endOffset, detail: "the \(version) request has no \"Host\" header")
        }
        if let host = section.hostNote { try section.checkHost(host) }
        switch try section.bodyLength(version: version, contentLengthLists: .refused) {
        case .absent:
            // RFC 9112 §6.3 rule 7: a request with neither header has no body.
            body = BodyDecoder(.finished, limits: limits, lineEnding: .crlfOnly)
        case .contentLength(let length):
            if length > limits.maxBodyBytes {
                let offset = section.framingNotes.first { $0.role == .contentLength }?.valueOffset ?? endOffset
                throw HTTPParseError(
                    kind: .bodyTooLarge, offset: offset,
                    detail: "header \"Content-Length\": \(length) is over the limit of \(limits.maxBodyBytes) bytes")
            }
            body = BodyDecoder(length == 0 ? .finished : .counted(remaining: length), limits: limits, lineEnding: .crlfOnly)
        case .chunked:
            body = BodyDecoder(.chunkSizeLine, limits: limits, lineEnding: .crlfOnly)
        }
        state = .body
        connectionFields = section.connection
        let head = HTTPRequestHead(method: method, target: target, version: version, headers: section.headers)
        return head   // `section` keeps the list's storage for the next head (see HeaderSection.removeAll)
    }
}

// Reading a body once its framing is known (RFC 9112 §6.3, §7.1). Shared by both parsers.

/// BodyDecoder reads one message body from a ByteQueue: a counted body, a chunked body with its
/// trailers, or everything until the peer closes. It hands out whatever body bytes are buffered, so a
/// large body streams in pieces; it never holds body bytes itself.
struct BodyDecoder {
    enum State {
        /// The body is complete: the next call reports the end. Also the state of a message with no body.
        case finished
        case counted(remaining: Int)
        /// Waiting for `chunk-size [ chunk-ext ] CRLF`.
        case chunkSizeLine
        case chunkData(remaining: Int)
        /// Waiting for the CR LF that must follow chunk data.
        case chunkDataEnd
        /// Reading trailer field lines after the last chunk, until an empty line.
        case trailers(sectionStart: Int)
        /// The body ends when the peer closes (a response without framing, RFC 9112 §6.3 rule 8).
        case untilClose
    }

    enum Event: Equatable {
        case bytes([UInt8])
        case end
    }

    private(set) var state: State
    private let limits: ParserLimits
    /// Body bytes handed out so far (or announced by chunk sizes), against limits.maxBodyBytes.
    private var bodyBytes = 0

    init(_ state: State, limits: ParserLimits) {
        self.state = state
        self.limits = limits
    }

    /// next returns the next piece of the body or its end, or nil when more input is needed.
    /// With `inputEnded`, a body that still needs input throws unexpectedEOF instead, and an
    /// untilClose body ends.
    mutating func next(from queue: inout ByteQueue, inputEnded: Bool) throws(HTTPParseError) -> Event? {
        while true {
            switch state {
            case .finished:
                return .end

            case .counted(let remaining):
                guard queue.count > 0 else { return try needMore(queue, inputEnded, "the body") }
                let bytes = queue.read(atMost: remaining)
                state = remaining == bytes.count ? .finished : .counted(remaining: remaining - bytes.count)
                return .bytes(bytes)

            case .untilClose:
                guard queue.count > 0 else {
                    if inputEnded { state = .finished; return .end }
                    return nil
                }
                // Hand out bytes up to the limit first, then refuse the byte past it: the same parts
                // and the same error however the input was split.
                let allowed = limits.maxBodyBytes - bodyBytes
                guard allowed > 0 else {
                    throw HTTPParseError(
                        kind: .bodyTooLarge, offset: queue.readOffset,
                        detail: "the body is longer than the limit of \(limits.maxBodyBytes) bytes")
                }
                let bytes = queue.read(atMost: allowed)
                bodyBytes += bytes.count
                return .bytes(bytes)

            case .chunkSizeLine:
                let sectionStart = queue.readOffset
                guard let line = try queue.nextLine(
                    sectionStart: sectionStart, limit: limits.maxHeaderBytes, tooLong: .badChunk, naming: "chunk size line")
                else { return try needMore(queue, inputEnded, "a chunk size line") }
                let size = try queue.withBytes(line.content) { (bytes) throws(HTTPParseError) -> Int in
                    try Self.chunkSize(bytes, at: line.start)
                }
                if size > limits.maxBodyBytes - bodyBytes {
                    throw HTTPParseError(
                        kind: .bodyTooLarge, offset: line.start,
                        detail: "a chunk of \(size) bytes takes the body past the limit of \(limits.maxBodyBytes) bytes")
                }
                bodyBytes += size
                queue.consume(upTo: line.next)
                state = size == 0 ? .trailers(sectionStart: line.next) : .chunkData(remaining: size)

            case .chunkData(let remaining):
                guard queue.count > 0 else { return try needMore(queue, inputEnded, "chunk data") }
                let bytes = queue.read(atMost: remaining)
                state = remaining == bytes.count ? .chunkDataEnd : .chunkData(remaining: remaining - bytes.count)
                return .bytes(bytes)

            case .chunkDataEnd:
                // RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
                let start = queue.readOffset
                guard let first = queue.byte(at: start) else { return try needMore(queue, inputEnded, "the CRLF after chunk data") }
                guard first == ASCII.cr else {
                    throw HTTPParseError(
                        kind: .badChunk, offset: start,
                        detail: "chunk data is followed by \(describeByte(first)), not CRLF: the chunk is longer than its size")
                }
                guard let second = queue.byte(at: start + 1) else { return try needMore(queue, inputEnded, "the CRLF after chunk data") }
                guard second == ASCII.lf else {
                    throw HTTPParseError(
                        kind: .badChunk, offset: start + 1,
                        detail: "chunk data is followed by CR and \(describeByte(second)), not CRLF")
                }
                queue.consume(upTo: start + 2)
                state = .chunkSizeLine

            case .trailers(let sectionStart):
                // RFC 9112 §7.1.2: trailer fields are parsed like header fields; WireLab discards them.
                guard let line = try queue.nextLine(
                    sectionStart: sectionStart, limit: limits.maxHeaderBytes, tooLong: .headersTooLarge, naming: "trailer section")
                else { return try needMore(queue, inputEnded, "the trailer section") }
                if !line.isEmpty {
                    _ = try queue.withBytes(line.content) { (bytes) throws(HTTPParseError) -> FieldLine in
                        try HeadSyntax.fieldLine(bytes, at: line.start)
                    }
                }
                queue.consume(upTo: line.next)
                if line.isEmpty { state = .finished }
            }
        }
    }

    private func needMore(_ queue: ByteQueue, _ inputEnded: Bool, _ what: String) throws(HTTPParseError) -> Event? {
        guard inputEnded else { return nil }
        throw HTTPParseError(
            kind: .unexpectedEOF, offset: queue.endOffset, detail: "the input ended in the middle of \(what)")
    }

    /// Parses `chunk-size [ BWS ";" chunk-ext ]` (RFC 9112 §7.1, §7.1.1). Extensions are skipped but
    /// must not hold control characters.
    static func chunkSize(_ line: UnsafeBufferPointer<UInt8>, at offset: Int) throws(HTTPParseError) -> Int {
        var size = 0
        var index = 0
        while index < line.count, let digit = ASCII.hexValue(line[index]) {
            // 15 hex digits always fit in an Int; refuse more rather than overflow.
            guard index < 15 else {
                throw HTTPParseError(kind: .badChunk, offset: offset + index, detail: "the chunk size \(quoted(line)) is too large")
            }
            size = size * 16 + digit
            index += 1
        }
        guard index > 0 else {
            throw HTTPParseError(
                kind: .badChunk, offset: offset, detail: "the chunk size line \(quoted(line)) does not start with a hex number")
        }
        var rest = index
        while rest < line.count, ASCII.isWhitespace(line[rest]) { rest += 1 }
        if rest < line.count {
            guard line[rest] == ASCII.semicolon else {
                throw HTTPParseError(
                    kind: .badChunk, offset: offset + rest,
                    detail: "the chunk size \(quoted(UnsafeBufferPointer(rebasing: line[0..<index]))) is followed by \(describeByte(line[rest]))")
            }
            for spot in rest..<line.count where ASCII.isForbiddenControl(line[spot]) {
                throw HTTPParseError(
                    kind: .badChunk, offset: offset + spot, detail: "a chunk extension holds the control character \(describeByte(line[spot]))")
            }
        }
        return size
    }
}

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
    /// What ends a chunk size line or a trailer line: CR LF only for requests (see LineEnding).
    private let lineEnding: LineEnding
    /// Body bytes handed out so far (or announced by chunk sizes), against limits.maxBodyBytes.
    private var bodyBytes = 0
    /// Bytes of chunk extensions seen so far, against limits.maxHeaderBytes.
    private var extensionBytes = 0

    /// Whether the body is complete: the next call returns `.end` and changes nothing.
    var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    init(_ state: State, limits: ParserLimits, lineEnding: LineEnding) {
        self.state = state
        self.limits = limits
        self.lineEnding = lineEnding
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
                    sectionStart: sectionStart, limit: limits.maxHeaderBytes, tooLong: .badChunk, naming: "chunk size line",
                    lineEnding: lineEnding)
                else { return try needMore(queue, inputEnded, "a chunk size line") }
                let (size, lineExtensions) = try queue.withBytes(line.content) {
                    (bytes) throws(HTTPParseError) -> (Int, Int) in
                    try Self.chunkSize(bytes, at: line.start)
                }
                // Extensions are ignored, so they must not be a way to send unlimited bytes that count
                // against nothing (Node's CVE-2024-22019): one message's extensions share the header limit.
                extensionBytes += lineExtensions
                if extensionBytes > limits.maxHeaderBytes {
                    throw HTTPParseError(
                        kind: .badChunk, offset: line.start,
                        detail: "the chunk extensions add up to more than the limit of \(limits.maxHeaderBytes) bytes")
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
                    sectionStart: sectionStart, limit: limits.maxHeaderBytes, tooLong: .headersTooLarge, naming: "trailer section",
                    lineEnding: lineEnding)
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

    /// Parses `chunk-size [ chunk-ext ]` (RFC 9112 §7.1, §7.1.1) and returns the size and how many
    /// bytes of extensions followed it. Extensions are checked against their grammar, then ignored:
    ///
    ///     chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
    ///     chunk-ext-name = token
    ///     chunk-ext-val  = token / quoted-string
    ///
    /// So `5 ;a=b` is accepted (BWS must be parsed, RFC 9110 §5.6.3), while `5 ` (white space with no
    /// extension after it), `2;` (an extension with no name) and `5;a=b ` are refused: a parser that reads
    /// "digits, then skip to the end of the line" and one that refuses could frame the body differently.
    static func chunkSize(_ line: UnsafeBufferPointer<UInt8>, at offset: Int) throws(HTTPParseError) -> (size: Int, extensionBytes: Int) {
        func refuse(_ index: Int, _ detail: String) -> HTTPParseError {
            HTTPParseError(kind: .badChunk, offset: offset + index, detail: detail)
        }
        var size = 0
        var index = 0
        while index < line.count, let digit = ASCII.hexValue(line[index]) {
            // 15 hex digits always fit in an Int; refuse more rather than overflow (leading zeros too).
            guard index < 15 else { throw refuse(index, "the chunk size \(quoted(line)) is too large") }
            size = size * 16 + digit
            index += 1
        }
        guard index > 0 else {
            throw refuse(0, "the chunk size line \(quoted(line)) does not start with a hex number")
        }
        let sizeEnd = index
        func skipWhitespace() { while index < line.count, ASCII.isWhitespace(line[index]) { index += 1 } }
        func skipToken() -> Bool {
            let tokenStart = index
            while index < line.count, ASCII.isTokenChar(line[index]) { index += 1 }
            return index > tokenStart
        }
        while index < line.count {
            skipWhitespace()
            guard index < line.count else {
                throw refuse(index - 1, "the chunk size line \(quoted(line)) ends with white space")
            }
            guard line[index] == ASCII.semicolon else {
                if index == sizeEnd {
                    throw refuse(index, "the chunk size \(quoted(UnsafeBufferPointer(rebasing: line[0..<sizeEnd]))) is followed by \(describeByte(line[index]))")
                }
                throw refuse(index, "a chunk extension is followed by \(describeByte(line[index])), not \";\" or the end of the line")
            }
            index += 1
            skipWhitespace()
            guard skipToken() else {
                if index == line.count { throw refuse(index - 1, "a chunk extension has no name") }
                throw refuse(index, "a chunk extension name starts with \(describeByte(line[index])), not a token character")
            }
            let afterName = index
            skipWhitespace()
            guard index < line.count, line[index] == UInt8(ascii: "=") else {
                index = afterName   // no value: the loop's next turn sees what follows the name
                continue
            }
            index += 1
            skipWhitespace()
            guard index < line.count else { throw refuse(index - 1, "a chunk extension has \"=\" but no value") }
            if line[index] == UInt8(ascii: "\"") {
                try skipQuotedString(line, &index, refuse)
            } else if !skipToken() {
                throw refuse(index, "a chunk extension value starts with \(describeByte(line[index])), not a token or a quoted string")
            }
        }
        return (size, line.count - sizeEnd)
    }

    /// Moves `index` past `quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE` (RFC 9110 §5.6.4).
    private static func skipQuotedString(
        _ line: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ refuse: (Int, String) -> HTTPParseError
    ) throws(HTTPParseError) {
        let opening = index
        index += 1
        while index < line.count {
            let byte = line[index]
            if byte == UInt8(ascii: "\"") { index += 1; return }
            if ASCII.isForbiddenControl(byte) {
                throw refuse(index, "a chunk extension value holds the control character \(describeByte(byte))")
            }
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard index < line.count else { break }
                if ASCII.isForbiddenControl(line[index]) {
                    throw refuse(index, "a chunk extension value escapes the control character \(describeByte(line[index]))")
                }
            }
            index += 1
        }
        throw refuse(opening, "a chunk extension value opens a quoted string that does not close")
    }
}

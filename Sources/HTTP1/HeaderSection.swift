// A head's field lines as they are parsed, and the one decision they feed: how long the body is
// (RFC 9112 §6). Shared by the request and response parsers.

/// HeaderSection collects the field lines of one head, keeping order and spelling, and notes where the
/// fields that decide framing (Host, Content-Length, Transfer-Encoding) were.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct HeaderSection {
    struct Note {
        var role: FieldRole
        /// The field's index in `headers`.
        var index: Int
        var lineOffset: Int
        var valueOffset: Int
        /// For Host: the first byte of the value that no host name or port has.
        var badHostByte: (index: Int, byte: UInt8)? = nil
        /// For Content-Length: its value when it is a plain number (`FieldLine.plainNumber`).
        var plainNumber: Int? = nil
    }

    /// The head's fields. While its lines are read, `headers` may still hold fields and bytes of the
    /// previous head past `fieldCount` and `byteCount`: they are written over in place, and whatever
    /// is left of them is dropped when the empty line ends the section (`readFieldLines`), so the list
    /// is exact once the head is complete. Until then it is not to be read.
    var headers = HTTPHeaders()
    /// The fields of this head read so far: the first `fieldCount` spans of `headers`.
    var fieldCount = 0
    /// The bytes of this head's field lines copied so far: the first `byteCount` bytes of `headers`.
    var byteCount = 0
    var hostCount = 0
    /// The first Host field, to check its value once the head is complete.
    var hostNote: Note?
    /// The stream offset of the second Host line, if there is one.
    var secondHostOffset: Int?
    /// Content-Length and Transfer-Encoding fields; empty (no allocation) for most messages.
    var framingNotes: [Note] = []
    /// What the Connection, Keep-Alive and Upgrade fields said.
    var connection = ConnectionFields()

    /// Starts the section over for the next head, keeping the header list's storage. The previous
    /// head shares that storage until its response is written; by the time a keep-alive connection's
    /// next request starts it has usually let go, so the list is refilled in place (no allocation
    /// per request). If it has not (pipelining), copy-on-write gives this section new storage.
    ///
    /// The list itself is not emptied here: the next head's fields are written over the previous
    /// head's, and only what is left over is removed, when the section ends (`fieldCount`). Emptying
    /// both arrays went through Array's generic `replaceSubrange` twice (~165 instructions a head),
    /// and appending the lines' bytes to the empty array cost ~140 more; a keep-alive connection's
    /// heads are often the same length (nginx: every response), and then nothing is removed at all.
    /// Callgrind, agent against nginx: ~200 instructions a response fewer in all.
    mutating func removeAll() {
        fieldCount = 0
        byteCount = 0
        hostCount = 0
        hostNote = nil
        secondHostOffset = nil
        connection = ConnectionFields()
        // Most heads with a framing field have one: `removeLast` is cheaper than `removeAll`'s generic
        // `replaceSubrange` (~85 instructions, callgrind).
        if framingNotes.count == 1 {
            framingNotes.removeLast()
        } else if !framingNotes.isEmpty {
            framingNotes.removeAll(keepingCapacity: true)
        }
    }

    /// Reads the field lines buffered in `buffer`, up to and including the empty line that ends the
    /// section, and returns that empty line's stream offset once it has read it (nil: more bytes are
    /// needed). Each line is checked as soon as its line
    /// feed is buffered (so an error is thrown at the same place however the input was split), and
    /// consumed; an incomplete last line is left for the next call.
    ///
    /// The section that began at `sectionStart` may be at most `limit` bytes long: past that,
    /// `headersTooLarge` at offset `sectionStart + limit`, as soon as that byte is buffered (the rule
    /// `ByteQueue.nextLine` applies to one line). With `.crlfOnly` a bare LF is refused as there.
    ///
    /// One pass over the buffer for all the lines at hand, instead of one `nextLine` and one copy
    /// per line: the lines are read in place, and their bytes copied into `headers` in one append.
    /// Callgrind, agent against nginx (five fields a response): 19,598 -> 18,673 instructions a request
    /// in all, most of it the per-line `nextLine` calls and appends.
    mutating func readFieldLines(
        from buffer: inout ByteQueue, sectionStart: Int, limit: Int, lineEnding: LineEnding
    ) throws(HTTPParseError) -> Int? {
        let limitOffset = sectionStart + limit
        let searchStart = buffer.lineFeedSearchStart
        var next = buffer.readOffset
        let end: Int?
        do {
            end = try buffer.withUnreadBytes { (unread, firstOffset) throws(HTTPParseError) -> Int? in
                try readLines(unread, at: firstOffset, searchingFrom: searchStart, before: limitOffset, lineEnding, next: &next)
            }
        } catch {
            // Lines read before a bad one are consumed, as they were when each line was read on its own.
            buffer.consume(upTo: next)
            throw error
        }
        buffer.consume(upTo: next)
        if let end {
            // The section is complete: drop what the previous head left past this one's fields.
            headers.removeAll(afterFields: fieldCount, bytes: byteCount)
            return end
        }
        if buffer.endOffset > limitOffset {
            throw HTTPParseError(
                kind: .headersTooLarge, offset: limitOffset,
                detail: "the header section is longer than the limit of \(limit) bytes")
        }
        buffer.noLineFeed(before: buffer.endOffset)
        return nil
    }

    /// Reads the complete lines in `unread` (the buffered bytes, the first at stream offset
    /// `firstOffset`): one `memchr` per line for its line feed, searching only before `limitOffset`
    /// and not before `searchStart` (bytes already searched). Every field line is checked, noted and
    /// its span set in `headers`; the bytes of all of them are written at the end, in one piece.
    /// Returns the stream offset of the empty line that ends the section, if it was read; `next` is
    /// set to the stream offset of the first line not read, also when a line is refused.
    private mutating func readLines(
        _ unread: UnsafeBufferPointer<UInt8>, at firstOffset: Int, searchingFrom searchStart: Int, before limitOffset: Int,
        _ lineEnding: LineEnding, next: inout Int
    ) throws(HTTPParseError) -> Int? {
        guard let base = unread.baseAddress else { return nil }
        let searchEnd = min(limitOffset - firstOffset, unread.count)
        var lineStart = 0, searchFrom = max(searchStart - firstOffset, 0)
        // The bytes of the lines read go to `headers.bytes` at `copyBase`, from `unread[0]` on; they are
        // copied when the loop ends, however it ends (a refused line's head is never handed out).
        let copyBase = byteCount
        var copyEnd = 0
        defer {
            if copyEnd > 0 {
                headers.writeBytes(UnsafeBufferPointer(rebasing: unread[0..<copyEnd]), at: copyBase)
                byteCount = copyBase + copyEnd
            }
            next = firstOffset + lineStart
        }
        while searchFrom < searchEnd, let hit = memchr(base + searchFrom, Int32(ASCII.lf), searchEnd - searchFrom) {
            let lineFeed = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            var contentEnd = lineFeed
            if lineFeed > lineStart && unread[lineFeed - 1] == ASCII.cr {
                contentEnd -= 1
            } else if lineEnding == .crlfOnly {
                throw HTTPParseError(
                    kind: .bareLineFeed, offset: firstOffset + lineFeed,
                    detail: "a line of the header section ends with a bare LF, not CR LF (from nc, use nc -C)")
            }
            if contentEnd == lineStart {
                let end = firstOffset + lineStart
                lineStart = lineFeed + 1
                return end
            }
            let line = UnsafeBufferPointer(rebasing: unread[lineStart..<contentEnd])
            let field = try HeadSyntax.fieldLine(line, at: firstOffset + lineStart)
            note(field, lineOffset: firstOffset + lineStart)
            headers.setSpan(at: fieldCount, ofLineAt: copyBase + lineStart, field)
            fieldCount += 1
            copyEnd = contentEnd
            lineStart = lineFeed + 1
            searchFrom = lineStart
        }
        return nil
    }

    /// Takes note of a parsed field line that decides something (Host, framing, persistence). The caller adds it to
    /// `headers` right after (`HTTPHeaders.setSpan`), so its index is `fieldCount`.
    mutating func note(_ field: FieldLine, lineOffset: Int) {
        switch field.role {
        case .other:
            break
        case .host:
            hostCount += 1
            if hostCount == 1 {
                hostNote = Note(role: .host, index: fieldCount, lineOffset: lineOffset, valueOffset: field.valueOffset,
                                badHostByte: field.badHostByte)
            }
            if hostCount == 2 { secondHostOffset = lineOffset }
        case .connection:
            if field.connectionOptions.close { connection.close = true }
            if field.connectionOptions.keepAlive { connection.keepAlive = true }
        case .keepAlive:
            if connection.keepAliveFieldIndex == nil { connection.keepAliveFieldIndex = fieldCount }
        case .upgrade:
            connection.upgrade = true
        case .contentLength, .transferEncoding:
            framingNotes.append(Note(role: field.role, index: fieldCount, lineOffset: lineOffset, valueOffset: field.valueOffset,
                                     plainNumber: field.plainNumber))
        }
    }

    /// BodyLength is what the framing headers say, before any rule about status codes or methods.
    enum BodyLength: Equatable {
        case absent
        case contentLength(Int)
        case chunked
    }

    /// What to make of a Content-Length that holds a list, or appears more than once, with one value
    /// throughout (`5, 5`). RFC 9110 §8.6 lets a recipient either refuse it or use the value.
    enum ContentLengthLists {
        /// Requests: refused. A proxy in front that took such a field as invalid, and so as "no
        /// Content-Length", would see the body as the next request.
        case refused
        /// Responses: the value is used, as browsers and Node's client do.
        case acceptedWhenEqual
    }

    /// bodyLength applies RFC 9112 §6.1–§6.3 to the framing fields. It refuses rather than guesses:
    /// a message it cannot frame exactly could be read differently by another parser on the path
    /// (request smuggling), so WireLab is strict on purpose. It does not look at Host, methods or statuses.
    func bodyLength(version: HTTPVersion, contentLengthLists: ContentLengthLists) throws(HTTPParseError) -> BodyLength {
        if framingNotes.isEmpty { return .absent }
        // Most messages with a framing field have exactly one Content-Length: no lists built for them.
        if framingNotes.count == 1 && framingNotes[0].role == .contentLength {
            // A plain number was read with its field line: nothing to split or check again.
            // (Callgrind: ~215 -> ~30 instructions for an nginx response.)
            if let length = framingNotes[0].plainNumber { return .contentLength(length) }
            return .contentLength(try contentLength(framingNotes, refusingLists: contentLengthLists == .refused))
        }
        let lengths = framingNotes.filter { $0.role == .contentLength }
        let codings = framingNotes.filter { $0.role == .transferEncoding }
        if let firstCoding = codings.first {
            // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means the framing is faulty.
            if version.major == 1 && version.minor == 0 {
                throw HTTPParseError(
                    kind: .badHeader, offset: firstCoding.lineOffset,
                    detail: "header \"Transfer-Encoding\" is not allowed in an HTTP/1.0 message")
            }
            // RFC 9112 §6.1 and §6.3: a message with both must be treated as an attack; we refuse it.
            if let firstLength = lengths.first {
                throw HTTPParseError(
                    kind: .contentLengthWithTransferEncoding,
                    offset: max(firstLength.lineOffset, firstCoding.lineOffset),
                    detail: "the message has both \"Content-Length\" and \"Transfer-Encoding\"")
            }
            return try chunkedCoding(codings)
        }
        if contentLengthLists == .refused && lengths.count > 1 {
            throw HTTPParseError(
                kind: .conflictingContentLength, offset: lengths[1].lineOffset,
                detail: "header \"Content-Length\" appears more than once")
        }
        return .contentLength(try contentLength(lengths, refusingLists: contentLengthLists == .refused))
    }

    /// checkHost refuses a Host value that is not `uri-host [ ":" port ]` (RFC 9112 §3.2: 400 for "a
    /// Host header field with an invalid field value"). It checks characters, not DNS syntax: no white
    /// space, no "/", "?", "#" or "@" (pieces of a URL that is not just an authority), and no "," (two
    /// Host values joined into one). An empty value is allowed (RFC 9110 §7.2).
    func checkHost(_ note: Note) throws(HTTPParseError) {
        if let bad = note.badHostByte {
            let value = headers.withFieldBytes(at: note.index) { _, value in Array(value) }
            throw HTTPParseError(
                kind: .badHost, offset: note.valueOffset + bad.index,
                detail: "header \"Host\": \(quoted(value)) holds \(describeByte(bad.byte)), which no host name or port has")
        }
    }

    /// The first byte of a Host value that is not allowed there, and its index. Allowed: letters,
    /// digits and - . _ ~ : [ ] % ! $ & ' ( ) * + ; = (a reg-name, an IP literal and a port).
    static func firstBadHostByte(_ value: UnsafeBufferPointer<UInt8>) -> (index: Int, byte: UInt8)? {
        var index = 0
        while index < value.count {
            if !isHostByte(value[index]) { return (index, value[index]) }
            index += 1
        }
        return nil
    }

    /// One bit per ASCII byte, as for tchar (`ASCII.isTokenChar`): a switch over ranges compiled to a
    /// generic `ClosedRange` match here, ~11 instructions a byte of every request's Host (callgrind).
    @inline(__always)
    static func isHostByte(_ byte: UInt8) -> Bool {
        byte < 64 ? (hostBytesLow >> UInt64(byte)) & 1 == 1 : byte < 128 && (hostBytesHigh >> UInt64(byte - 64)) & 1 == 1
    }

    /// Host bytes 0-63: - . : ; = % ! $ & ' ( ) * + and the digits (a test checks both words against
    /// the list above).
    static let hostBytesLow: UInt64 = 0x2FFF6FF200000000
    /// Host bytes 64-127: the letters, [ ] _ ~.
    static let hostBytesHigh: UInt64 = 0x47FFFFFEAFFFFFFE

    /// The only transfer coding WireLab decodes is a single `chunked` (RFC 9112 §7). Codings may be
    /// split over several fields, which form one list. Refused, in this order:
    /// - a list that does not end in chunked, or is empty: the body's length cannot be known, so 400
    ///   (RFC 9112 §6.3 rule 4; for a response the rule would be "read until close", but the agent
    ///   refuses it the same way: it would hand out a body still in a coding it cannot undo);
    /// - chunked more than once: a sender must not do that (RFC 9112 §6.1), 400;
    /// - another coding before the final chunked: one WireLab does not decode, 501 (RFC 9112 §6.1).
    private func chunkedCoding(_ codings: [Note]) throws(HTTPParseError) -> BodyLength {
        var elements: [String] = []
        for note in codings { elements += listElements(headers.value(at: note.index)) }
        if elements.count == 1 && asciiEqualsIgnoringCase(elements[0], "chunked") { return .chunked }
        let offset = codings[codings.count - 1].valueOffset
        let list = quoted(Array(elements.joined(separator: ", ").utf8))
        guard let last = elements.last else {
            throw HTTPParseError(kind: .badTransferEncoding, offset: offset, detail: "header \"Transfer-Encoding\" is empty")
        }
        if !asciiEqualsIgnoringCase(last, "chunked") {
            throw HTTPParseError(
                kind: .badTransferEncoding, offset: offset,
                detail: "header \"Transfer-Encoding\": \(list) does not end with chunked, so the body length is unknown")
        }
        if elements.dropLast().contains(where: { asciiEqualsIgnoringCase($0, "chunked") }) {
            throw HTTPParseError(
                kind: .badTransferEncoding, offset: offset,
                detail: "header \"Transfer-Encoding\": \(list) applies chunked more than once")
        }
        throw HTTPParseError(
            kind: .unsupportedTransferEncoding, offset: offset,
            detail: "header \"Transfer-Encoding\": \(list) uses a coding other than chunked, which WireLab does not decode")
    }

    /// Content-Length is 1*DIGIT (RFC 9110 §8.6). A list of identical values, in one field or several,
    /// counts as one; differing values are refused. With `refusingLists` (requests) a value holding a
    /// comma is refused at its first byte that is not a digit.
    private func contentLength(_ lengths: [Note], refusingLists: Bool) throws(HTTPParseError) -> Int {
        var agreed: Int?
        for note in lengths {
            try headers.withFieldBytes(at: note.index) { (_, value) throws(HTTPParseError) in
                if refusingLists && value.contains(ASCII.comma) {
                    // Everything before the first non-digit is one ASCII digit per byte, so its index
                    // is its place on the wire.
                    let firstNonDigit = value.firstIndex { !ASCII.isDigit($0) } ?? 0
                    throw HTTPParseError(
                        kind: .conflictingContentLength, offset: note.valueOffset + firstNonDigit,
                        detail: "header \"Content-Length\": \(quoted(value)) is a list, not one number")
                }
                var elementCount = 0
                // Empty elements are skipped, unless the whole value is one (an empty value).
                try forEachListElement(in: value) { (range, isLast) throws(HTTPParseError) in
                    guard !range.isEmpty || (elementCount == 0 && isLast) else { return true }
                    elementCount += 1
                    let element = UnsafeBufferPointer(rebasing: value[range])
                    let number = try Self.number(element, at: note.valueOffset + range.lowerBound)
                    if let agreed, agreed != number {
                        throw HTTPParseError(
                            kind: .conflictingContentLength, offset: note.valueOffset + range.lowerBound,
                            detail: "header \"Content-Length\": \(quoted(element)) differs from the earlier value \(agreed)")
                    }
                    agreed = number
                    return true
                }
            }
        }
        guard let agreed else { preconditionFailure("contentLength called without a Content-Length field") }
        return agreed
    }

    private static func number(_ element: UnsafeBufferPointer<UInt8>, at offset: Int) throws(HTTPParseError) -> Int {
        guard !element.isEmpty else {
            throw HTTPParseError(kind: .badContentLength, offset: offset, detail: "header \"Content-Length\" is empty")
        }
        var number = 0
        for (position, byte) in element.enumerated() {
            guard ASCII.isDigit(byte) else {
                throw HTTPParseError(
                    kind: .badContentLength, offset: offset + position,
                    detail: "header \"Content-Length\": \(quoted(element)) is not a number")
            }
            let (times10, overflow1) = number.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - ASCII.zero))
            guard !overflow1 && !overflow2 else {
                throw HTTPParseError(
                    kind: .badContentLength, offset: offset + position,
                    detail: "header \"Content-Length\": \(quoted(element)) is too large")
            }
            number = sum
        }
        return number
    }

    /// The non-empty, OWS-trimmed elements of a comma-separated list (RFC 9110 §5.6.1).
    private func listElements(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingOWS() }.filter { !$0.isEmpty }
    }
}

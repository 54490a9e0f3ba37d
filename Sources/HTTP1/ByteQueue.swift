#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The parsers' input buffer. Internal: the parsers are its only users.

/// ByteQueue holds bytes received but not yet parsed. Reading moves an index instead of removing bytes
/// from the front (which would move every remaining byte each time); the consumed prefix is dropped
/// only when it is empty or large, so compaction costs O(1) per byte on average.
///
/// Positions are *stream offsets*: counted from the first byte ever appended, so an error can name
/// the byte, and so they stay valid when the storage is compacted.
///
/// `@usableFromInline`, like the fields `count` reads: the parsers' small getters are `@inlinable`
/// (see `RequestParser.bufferedByteCount`).
@usableFromInline
struct ByteQueue: Sendable {
    private var storage: [UInt8] = []
    /// How many bytes at the front of `storage` are ones appended; the rest, up to `storage.count`, are
    /// left over from earlier messages and get overwritten. So emptying the queue is `filled = 0`:
    /// `storage.removeAll(keepingCapacity: true)` went through Array's generic `replaceSubrange`, ~130
    /// instructions a message on each side (callgrind).
    @usableFromInline private(set) var filled = 0
    /// The storage index of the first unread byte.
    @usableFromInline private(set) var readIndex = 0
    /// The stream offset of `storage[0]`.
    @usableFromInline private(set) var base = 0
    /// No line feed lies in `readOffset..<scannedUpTo`: a line search resumes here instead of
    /// re-scanning a long unterminated line on every append.
    private var scannedUpTo = 0

    /// The stream offset of the first unread byte: everything before it is consumed.
    @inlinable var readOffset: Int { base + readIndex }
    /// The stream offset just past the last byte appended.
    var endOffset: Int { base + filled }
    /// How many bytes are buffered and unread.
    @inlinable var count: Int { filled - readIndex }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        // Over the left-over bytes first, then past the end of `storage`.
        let reused = min(bytes.count, storage.count - filled)
        if reused > 0 {
            storage.withUnsafeMutableBytes { all in
                UnsafeMutableRawBufferPointer(rebasing: all[filled..<filled + reused])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<reused]))
            }
        }
        // Only when every left-over byte was overwritten, so `storage.count == filled + reused` here.
        if reused < bytes.count { storage.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[reused...])) }
        filled += bytes.count
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// compact drops consumed bytes when that is cheap (nothing left) or worth it (over half).
    private mutating func compact() {
        guard readIndex > 0 else { return }
        if readIndex == filled {
            base += readIndex
            filled = 0
            readIndex = 0
        } else if readIndex >= 4096 && readIndex * 2 >= filled {
            base += readIndex
            storage.removeSubrange(0..<readIndex)
            filled -= readIndex
            readIndex = 0
        }
    }

    /// The byte at a stream offset, or nil when it has not arrived yet. The offset must not be consumed.
    func byte(at offset: Int) -> UInt8? {
        let index = offset - base
        assert(index >= readIndex, "byte \(offset) was already consumed")
        return index < filled ? storage[index] : nil
    }

    /// Consumes every byte before `offset`.
    mutating func consume(upTo offset: Int) {
        let index = offset - base
        precondition(index >= readIndex && index <= filled, "consume(upTo: \(offset)) outside the buffer")
        readIndex = index
    }

    /// Consumes and returns up to `limit` bytes (fewer when fewer are buffered).
    ///
    /// Copied from a buffer pointer over the storage rather than from `storage[a..<b]`: the slice
    /// retained and released the storage around the copy. (`Array(unsafeUninitializedCapacity:)`
    /// was worse: its allocation went through an unspecialised generic, ~590 instead of ~256
    /// instructions for an nginx body, callgrind.)
    mutating func read(atMost limit: Int) -> [UInt8] {
        let length = min(limit, count)
        let start = readIndex
        let bytes = storage.withUnsafeBufferPointer { Array(UnsafeBufferPointer(rebasing: $0[start..<start + length])) }
        readIndex = start + length
        return bytes
    }

    /// Back to a new queue at stream offset 0, keeping the storage when it is at most `limit` bytes
    /// (a big one, left by a large request, is let go).
    mutating func reset(keepingCapacityUpTo limit: Int) {
        if storage.capacity > limit { storage = [] }
        filled = 0
        readIndex = 0
        base = 0
        scannedUpTo = 0
    }

    /// Consumes everything buffered. The stream offsets of later bytes still count these.
    mutating func consumeAll() {
        readIndex = filled
    }

    /// Calls `body` with the bytes at stream offsets `start..<end`, which must all be buffered.
    func withBytes<R, E: Error>(
        _ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R
    ) throws(E) -> R {
        let lower = range.lowerBound - base, upper = range.upperBound - base
        precondition(lower >= readIndex && upper <= filled, "bytes \(range) are not buffered")
        return try storage.withUnsafeBufferPointer { (all) throws(E) -> R in
            try body(UnsafeBufferPointer(rebasing: all[lower..<upper]))
        }
    }

    /// Calls `body` with every unread byte, in place, and the stream offset of the first of them.
    /// The pointer is only valid inside `body`, and `body` cannot change this queue (it is not
    /// `mutating`), so the storage cannot move under it.
    func withUnreadBytes<R, E: Error>(
        _ body: (_ unread: UnsafeBufferPointer<UInt8>, _ firstOffset: Int) throws(E) -> R
    ) throws(E) -> R {
        try storage.withUnsafeBufferPointer { (all) throws(E) -> R in
            try body(UnsafeBufferPointer(rebasing: all[readIndex..<filled]), readOffset)
        }
    }

    /// Where a search for the next line feed may start: bytes before it were already searched.
    var lineFeedSearchStart: Int { max(scannedUpTo, readOffset) }

    /// Records that no line feed lies between the read offset and `offset`, so the next search
    /// starts there (see `scannedUpTo`).
    mutating func noLineFeed(before offset: Int) {
        scannedUpTo = max(scannedUpTo, offset)
    }

    /// The stream offset of the first line feed at or after `readOffset` and before `limitOffset`, or
    /// nil. Remembers how far it looked, so the next call only scans bytes appended since.
    mutating func firstLineFeed(before limitOffset: Int) -> Int? {
        let start = max(scannedUpTo, readOffset) - base
        let end = min(limitOffset, endOffset) - base
        guard start < end else { return nil }
        // memchr, not a byte loop: it scans a word (or a vector) at a time. Callgrind: the loop cost
        // ~7 instructions a byte, ~290 for each request's head from wrk.
        let found: Int? = storage.withUnsafeBufferPointer { all in
            guard let base = all.baseAddress, let hit = memchr(base + start, Int32(ASCII.lf), end - start) else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        if let found { return base + found }
        scannedUpTo = base + end
        return nil
    }
}

/// LineEnding says what ends a line of a head, a chunk size line or a trailer.
///
/// RFC 9112 §2.2 lets a recipient accept a bare LF as a line terminator, but a bare LF is also how a
/// request is smuggled past a proxy that does not treat it as one: `X: a\nContent-Length: 5` is one
/// field to such a proxy and two to us. So the server's parser wants CR LF; the agent's, which only
/// ever reads what a server sent it, accepts both.
@usableFromInline
enum LineEnding: Sendable {
    case crlfOnly
    case crlfOrBareLF
}

/// A line of a header section, chunk size line or trailer, as stream offsets.
struct LineSpan {
    /// The first byte of the line.
    var start: Int
    /// Just past the line's content: its CR LF (or bare LF) excluded.
    var contentEnd: Int
    /// Just past the line feed: where the next line starts.
    var next: Int

    var content: Range<Int> { start..<contentEnd }
    var isEmpty: Bool { start == contentEnd }
}

extension ByteQueue {
    /// nextLine finds the complete line starting at `readOffset`, without consuming it, or returns nil
    /// when its line feed has not arrived. A line ends at CR LF; with `.crlfOrBareLF` a bare LF ends it
    /// too, and with `.crlfOnly` a bare LF is refused (`bareLineFeed`). Any other CR stays in the content
    /// for the caller to refuse.
    ///
    /// The section that began at `sectionStart` may be at most `limit` bytes long, terminators included.
    /// When it is longer, nextLine throws `tooLong` at offset `sectionStart + limit`: as soon as that
    /// byte is buffered, not when the line finally ends, and so at the same place however the input was
    /// split.
    mutating func nextLine(
        sectionStart: Int, limit: Int, tooLong kind: HTTPParseErrorKind, naming section: String,
        lineEnding: LineEnding
    ) throws(HTTPParseError) -> LineSpan? {
        let limitOffset = sectionStart + limit
        guard let lineFeed = firstLineFeed(before: limitOffset) else {
            if endOffset > limitOffset {
                throw HTTPParseError(
                    kind: kind, offset: limitOffset,
                    detail: "the \(section) is longer than the limit of \(limit) bytes")
            }
            return nil
        }
        let start = readOffset
        var contentEnd = lineFeed
        if lineFeed > start, byte(at: lineFeed - 1) == ASCII.cr {
            contentEnd -= 1
        } else if lineEnding == .crlfOnly {
            throw HTTPParseError(
                kind: .bareLineFeed, offset: lineFeed,
                detail: "a line of the \(section) ends with a bare LF, not CR LF (from nc, use nc -C)")
        }
        return LineSpan(start: start, contentEnd: contentEnd, next: lineFeed + 1)
    }
}

extension ByteQueue {
    /// Consumes empty lines (CRLF, or a bare LF under `.crlfOrBareLF`) before a start line (RFC 9112 §2.2). Returns true when a
    /// line with content begins at the read offset, false when more bytes are needed to know.
    mutating func skipEmptyLines(_ lineEnding: LineEnding) -> Bool {
        while let current = byte(at: readOffset) {
            if current == ASCII.lf {
                // Under .crlfOnly a bare LF is the start of a (bad) line: nextLine refuses it.
                if lineEnding == .crlfOnly { return true }
                consume(upTo: readOffset + 1)
            } else if current == ASCII.cr {
                guard let following = byte(at: readOffset + 1) else { return false }
                guard following == ASCII.lf else { return true }
                consume(upTo: readOffset + 2)
            } else {
                return true
            }
        }
        return false
    }

    /// True when the buffer holds nothing but empty lines (and perhaps the CR of one more).
    @usableFromInline
    func holdsOnlyEmptyLines(_ lineEnding: LineEnding) -> Bool {
        var offset = readOffset
        while let current = byte(at: offset) {
            if current == ASCII.lf {
                if lineEnding == .crlfOnly { return false }
                offset += 1
            } else if current == ASCII.cr {
                guard let following = byte(at: offset + 1) else { return true }
                guard following == ASCII.lf else { return false }
                offset += 2
            } else {
                return false
            }
        }
        return true
    }
}

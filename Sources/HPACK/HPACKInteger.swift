// RFC 7541 §5.1: integers with an N-bit prefix. The first byte's low N bits hold the value if it is
// below 2^N - 1; otherwise they are all ones and the rest follows, 7 bits a byte, least significant
// group first, every byte but the last with its top bit set.

/// HPACKInteger encodes and decodes prefixed integers. Decoding never traps: a value past `maxValue`
/// is an error, whatever the peer sends.
public enum HPACKInteger {
    /// The largest integer the decoder accepts: 2^32 - 1. Indices, lengths and table sizes in a real
    /// header block are far smaller; capping here keeps every sum that follows inside `Int`.
    public static let maxValue = Int(UInt32.max)
    /// The most continuation bytes `maxValue` needs (32 bits, 7 a byte). More are refused even when
    /// they are zero (0x80 0x80 ... 0x00), so a peer cannot make the decoder walk a long run of them.
    static let maxContinuationBytes = 5

    /// Appends `value` with a `prefixBits`-bit prefix (1...8). `flags` holds the bits of the first byte
    /// above the prefix (the representation's pattern); its prefix bits must be zero.
    public static func encode(_ value: Int, prefixBits: Int, flags: UInt8 = 0, into bytes: inout [UInt8]) {
        precondition((1...8).contains(prefixBits) && value >= 0, "HPACKInteger.encode(\(value), prefixBits: \(prefixBits))")
        let limit = (1 << prefixBits) - 1
        if value < limit {
            bytes.append(flags | UInt8(value))
            return
        }
        bytes.append(flags | UInt8(limit))
        var rest = value - limit
        while rest >= 128 {
            bytes.append(UInt8(rest & 0x7f) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Reads an integer with a `prefixBits`-bit prefix at `reader`'s position, ignoring the bits above
    /// the prefix, and moves past it. Throws `.truncatedInteger` or `.integerTooLarge` at the
    /// integer's first byte.
    static func decode(prefixBits: Int, from reader: inout ByteReader) throws(HPACKError) -> Int {
        let start = reader.offset
        guard let first = reader.next() else {
            throw HPACKError(kind: .truncatedInteger, offset: start, detail: "the block ends where an integer should start")
        }
        let limit = (1 << prefixBits) - 1
        var value = Int(first) & limit
        if value < limit { return value }
        var shift = 0
        for _ in 0..<maxContinuationBytes {
            guard let byte = reader.next() else {
                throw HPACKError(kind: .truncatedInteger, offset: start,
                                 detail: "the block ends inside an integer (\(reader.offset - start) bytes read)")
            }
            // shift is at most 28 here, so the sum stays below 2^36: no overflow in a 64-bit Int.
            value += (Int(byte) & 0x7f) << shift
            if value > maxValue {
                throw HPACKError(kind: .integerTooLarge, offset: start, detail: "an integer above \(maxValue)")
            }
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        throw HPACKError(kind: .integerTooLarge, offset: start,
                         detail: "an integer of more than \(maxContinuationBytes) continuation bytes")
    }
}

/// ByteReader walks a header block one byte at a time. It never reads past the end: `next()` returns nil there.
struct ByteReader {
    let bytes: [UInt8]
    /// The offset of the next byte to read.
    private(set) var offset: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
    }

    var isAtEnd: Bool { offset >= bytes.count }
    var remaining: Int { bytes.count - offset }

    /// The next byte without moving past it, or nil at the end.
    func peek() -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

    mutating func next() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// The next `count` bytes, moving past them; nil (and no move) if fewer are left.
    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, count <= remaining else { return nil }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }
}

// RFC 7541 §5.2: a string literal is a flag (H: Huffman-coded or not), a length with a 7-bit prefix,
// and that many bytes.

/// HuffmanPolicy says when the encoder Huffman-codes a string literal.
public enum HuffmanPolicy: Sendable, Equatable {
    /// Never: every string goes as it is.
    case never
    /// Always, even when the coding is longer (a test can compare with a peer that does this).
    case always
    /// When the coding is no longer than the string itself: what RFC 7541's examples do (C.4, C.6)
    /// and the default.
    case unlessLonger
}

enum StringLiteral {
    /// Appends `bytes` as a string literal, Huffman-coded or not as `policy` decides.
    static func encode(_ bytes: [UInt8], policy: HuffmanPolicy, into output: inout [UInt8]) {
        let huffmanCount = policy == .never ? Int.max : Huffman.encodedCount(bytes)
        if policy == .always || huffmanCount <= bytes.count {
            HPACKInteger.encode(huffmanCount, prefixBits: 7, flags: 0x80, into: &output)
            Huffman.encode(bytes, count: huffmanCount, into: &output)
        } else {
            HPACKInteger.encode(bytes.count, prefixBits: 7, into: &output)
            output.append(contentsOf: bytes)
        }
    }

    /// Reads a string literal at `reader`'s position and moves past it. Errors name the literal's first byte.
    static func decode(from reader: inout ByteReader) throws(HPACKError) -> [UInt8] {
        let start = reader.offset
        let isHuffman = (reader.peek() ?? 0) & 0x80 != 0
        let length = try HPACKInteger.decode(prefixBits: 7, from: &reader)
        guard let body = reader.take(length) else {
            throw HPACKError(kind: .truncatedString, offset: start,
                             detail: "a string of \(length) bytes, but the block has \(reader.remaining) left")
        }
        guard isHuffman else { return Array(body) }
        return try Huffman.decode(body, offset: start)
    }
}

// What the HPACK decoder refuses, and where. Every refusal has a name (HPACKErrorKind), the offset of
// the byte in the header block where it was found, and a sentence naming the place.

/// HPACKErrorKind names why a header block was refused.
public enum HPACKErrorKind: Sendable, Equatable, CustomStringConvertible {
    /// The block ended inside an integer (RFC 7541 §5.1): a prefix of all ones, or a continuation
    /// byte with its top bit set, was the last byte.
    case truncatedInteger
    /// An integer larger than `HPACKInteger.maxValue`, or one spelt with more continuation bytes than
    /// such a value needs. No header block needs either; a peer sending one is hostile or broken.
    case integerTooLarge
    /// A string literal's length runs past the end of the block (§5.2).
    case truncatedString
    /// A Huffman-coded string contains the EOS symbol (§5.2: MUST be treated as a decoding error).
    case huffmanEOS
    /// A Huffman-coded string ends with padding longer than 7 bits (§5.2).
    case huffmanPaddingTooLong
    /// A Huffman-coded string ends with padding that is not the most significant bits of EOS, all ones (§5.2).
    case huffmanPaddingNotOnes
    /// An indexed representation names index 0 (§6.1: MUST be treated as a decoding error).
    case indexZero
    /// An index past the static table and the dynamic table's current entries (§2.3.3).
    case indexOutOfRange
    /// A dynamic table size update after the first field representation of a block (§4.2, §6.3).
    case sizeUpdateNotAtStart
    /// A dynamic table size update above the limit the decoder's side announced (SETTINGS_HEADER_TABLE_SIZE, §6.3).
    case sizeUpdateAboveLimit
    /// The limit was lowered below the table's size, and the next block did not start with the size
    /// update §4.2 requires.
    case missingSizeUpdate
    /// The decoded header list is larger than the configured limit (SETTINGS_MAX_HEADER_LIST_SIZE,
    /// RFC 9113 §6.5.2). The whole block was still decoded, so the dynamic table is in step with the
    /// peer's: this one alone is not a connection error.
    case headerListTooLarge
    /// The decoder refused an earlier block with a connection error and decodes nothing more.
    case decoderFailed

    /// A few words for messages: "index out of range".
    public var description: String {
        switch self {
        case .truncatedInteger: return "truncated integer"
        case .integerTooLarge: return "integer too large"
        case .truncatedString: return "truncated string"
        case .huffmanEOS: return "EOS in a Huffman string"
        case .huffmanPaddingTooLong: return "Huffman padding longer than 7 bits"
        case .huffmanPaddingNotOnes: return "Huffman padding not all ones"
        case .indexZero: return "index 0"
        case .indexOutOfRange: return "index out of range"
        case .sizeUpdateNotAtStart: return "table size update not at the start of the block"
        case .sizeUpdateAboveLimit: return "table size update above the limit"
        case .missingSizeUpdate: return "missing table size update"
        case .headerListTooLarge: return "header list too large"
        case .decoderFailed: return "decoder failed earlier"
        }
    }
}

/// HPACKError is a refused header block: what was wrong, and at which byte of the block.
public struct HPACKError: Error, Sendable, Equatable, CustomStringConvertible {
    public var kind: HPACKErrorKind
    /// The 0-based offset, in the header block, of the first byte of the representation (or string,
    /// or integer) found wrong.
    public var offset: Int
    /// A sentence naming the place, e.g. `index 70, but the tables hold 61 static and 2 dynamic entries`.
    public var detail: String

    public init(kind: HPACKErrorKind, offset: Int, detail: String) {
        self.kind = kind
        self.offset = offset
        self.detail = detail
    }

    /// Whether the HPACK context is lost, so the HTTP/2 connection must end with GOAWAY
    /// COMPRESSION_ERROR (RFC 9113 §4.3). Every kind is, except a header list over the size limit:
    /// that block was decoded in full, and the stream alone can be refused.
    public var isConnectionError: Bool { kind != .headerListTooLarge }

    /// Reads like `index out of range at byte 4: index 70, but the tables hold 61 static and 2 dynamic entries`.
    public var description: String { "\(kind) at byte \(offset): \(detail)" }
}

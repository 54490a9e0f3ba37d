// RFC 7541 §3, §6: decoding a header block into a header list, keeping the dynamic table in step
// with the peer's encoder.

/// HPACKDecoder turns header blocks into header lists. One per connection direction: every block the
/// peer sends must pass through it in order, even for a stream that will be refused, or the dynamic
/// table drifts from the peer's and every later block decodes wrong (RFC 9113 §4.3).
///
/// A refused block throws an `HPACKError`. Every kind but `.headerListTooLarge` is a connection error
/// (COMPRESSION_ERROR): the table may hold part of the block's changes, so the decoder keeps the first
/// error and throws `.decoderFailed` for every later block. A list over `maxHeaderListSize` is decoded
/// to the end first, so the table stays in step and the decoder stays usable.
public struct HPACKDecoder: Sendable {
    /// The dynamic table, as the peer's encoder has built it so far.
    public private(set) var table: DynamicTable
    /// The largest table size a size update may ask for: the SETTINGS_HEADER_TABLE_SIZE our side
    /// announced, and the peer acknowledged (RFC 9113 §6.5.3).
    public private(set) var maxTableSizeLimit: Int
    /// The largest decoded header list, counted as RFC 9113 §6.5.2 does (name + value + 32 a field).
    public var maxHeaderListSize: Int
    /// Set when the limit drops below the table's maximum size: the next block must start with a
    /// size update to at most the new limit (§4.2).
    private var isSizeUpdateRequired = false
    /// The connection error that stopped this decoder.
    public private(set) var failure: HPACKError?
    /// Huffman strings decoded lately: their coded bytes and their text, the oldest replaced first.
    /// A peer that sends the same values as literals in every block (nginx does, for `server`,
    /// `content-type`, `content-length`: it does not index them) has each decoded once, then found
    /// by one comparison. Bounded: `recentCapacity` strings of at most `recentMaxLength` bytes.
    private var recentHuffman: [(coded: [UInt8], text: [UInt8])] = []
    private var recentNext = 0
    private static let recentCapacity = 8
    private static let recentMaxLength = 64

    /// A decoder for a connection where our side announced `maxTableSizeLimit` (4,096 is HTTP/2's
    /// default) and accepts header lists up to `maxHeaderListSize` bytes.
    public init(maxTableSizeLimit: Int = 4096, maxHeaderListSize: Int = 64 * 1024) {
        precondition(maxTableSizeLimit >= 0 && maxHeaderListSize >= 0, "HPACKDecoder(\(maxTableSizeLimit), \(maxHeaderListSize))")
        self.table = DynamicTable(maxSize: maxTableSizeLimit)
        self.maxTableSizeLimit = maxTableSizeLimit
        self.maxHeaderListSize = maxHeaderListSize
    }

    /// Records a new SETTINGS_HEADER_TABLE_SIZE once the peer has acknowledged it. Lowered below the
    /// table's maximum size, it obliges the peer to start its next block with a size update (§4.2).
    public mutating func setMaxTableSizeLimit(_ limit: Int) {
        precondition(limit >= 0, "HPACKDecoder.setMaxTableSizeLimit(\(limit))")
        maxTableSizeLimit = limit
        if table.maxSize > limit { isSizeUpdateRequired = true }
    }

    /// Decodes one whole header block (a HEADERS or PUSH_PROMISE fragment and its CONTINUATIONs,
    /// joined) into its header list, in order. The result depends only on the block and the table:
    /// decoding the same block from the same state gives the same list and the same table.
    public mutating func decode(_ block: [UInt8]) throws(HPACKError) -> [HeaderField] {
        if let failure {
            throw HPACKError(kind: .decoderFailed, offset: 0, detail: "an earlier block was refused: \(failure)")
        }
        do {
            return try decodeFields(block)
        } catch {
            if error.isConnectionError { failure = error }
            throw error
        }
    }

    private mutating func decodeFields(_ block: [UInt8]) throws(HPACKError) -> [HeaderField] {
        var reader = ByteReader(block)
        var fields: [HeaderField] = []
        fields.reserveCapacity(min(block.count, 16))   // a field takes a byte at least; no regrowth for the usual lists
        var listSize = 0
        var isAtStart = true
        var isOverLimit = false
        while let first = reader.peek() {
            let start = reader.offset
            if first & 0xe0 == 0x20 {
                // §6.3: 001xxxxx, a dynamic table size update, only before the first field.
                guard isAtStart else {
                    throw HPACKError(kind: .sizeUpdateNotAtStart, offset: start,
                                     detail: "a table size update after the block's first field")
                }
                let newSize = try HPACKInteger.decode(prefixBits: 5, from: &reader)
                guard newSize <= maxTableSizeLimit else {
                    throw HPACKError(kind: .sizeUpdateAboveLimit, offset: start,
                                     detail: "a table size update to \(newSize), above the limit of \(maxTableSizeLimit)")
                }
                table.setMaxSize(newSize)
                isSizeUpdateRequired = false
                continue
            }
            if isSizeUpdateRequired {
                throw HPACKError(kind: .missingSizeUpdate, offset: start,
                                 detail: "the limit fell to \(maxTableSizeLimit), below the table's \(table.maxSize), and the block does not start with a size update")
            }
            isAtStart = false
            let field = try decodeField(first, from: &reader)
            listSize += field.size
            if listSize > maxHeaderListSize { isOverLimit = true }
            if !isOverLimit { fields.append(field) }
        }
        if isSizeUpdateRequired {
            throw HPACKError(kind: .missingSizeUpdate, offset: 0,
                             detail: "the limit fell to \(maxTableSizeLimit), below the table's \(table.maxSize), and the block has no size update")
        }
        if isOverLimit {
            throw HPACKError(kind: .headerListTooLarge, offset: 0,
                             detail: "a header list of \(listSize) bytes, above the limit of \(maxHeaderListSize)")
        }
        return fields
    }

    /// Reads one field representation (§6.1, §6.2), `first` being its first byte, and applies its
    /// change to the table.
    private mutating func decodeField(_ first: UInt8, from reader: inout ByteReader) throws(HPACKError) -> HeaderField {
        let start = reader.offset
        if first & 0x80 != 0 {
            // §6.1: 1xxxxxxx, an indexed field.
            let index = try HPACKInteger.decode(prefixBits: 7, from: &reader)
            return try field(at: index, offset: start)
        }
        // §6.2.1: 01xxxxxx, incremental indexing (6-bit index); §6.2.2: 0000xxxx, without indexing;
        // §6.2.3: 0001xxxx, never indexed (4-bit index).
        let isIncremental = first & 0x40 != 0
        let isNeverIndexed = !isIncremental && first & 0x10 != 0
        let nameIndex = try HPACKInteger.decode(prefixBits: isIncremental ? 6 : 4, from: &reader)
        let name = nameIndex == 0
            ? try decodeString(from: &reader)
            : try field(at: nameIndex, offset: start).name
        let value = try decodeString(from: &reader)
        let field = HeaderField(name: name, value: value, isNeverIndexed: isNeverIndexed)
        if isIncremental { table.insert(field) }
        return field
    }

    /// A string literal, as `StringLiteral.decode` reads it; a short Huffman one seen lately is
    /// taken from `recentHuffman` instead of being decoded again.
    private mutating func decodeString(from reader: inout ByteReader) throws(HPACKError) -> [UInt8] {
        let start = reader.offset
        var probe = reader
        guard (reader.peek() ?? 0) & 0x80 != 0,
              let length = try? HPACKInteger.decode(prefixBits: 7, from: &probe),
              length <= HPACKDecoder.recentMaxLength, let coded = probe.take(length) else {
            return try StringLiteral.decode(from: &reader)
        }
        for entry in recentHuffman where entry.coded.count == coded.count && entry.coded[...] == coded {
            reader = probe
            return entry.text
        }
        let text = try Huffman.decode(coded, offset: start)
        reader = probe
        if recentHuffman.count < HPACKDecoder.recentCapacity {
            recentHuffman.append((Array(coded), text))
        } else {
            recentHuffman[recentNext] = (Array(coded), text)
            recentNext = (recentNext + 1) % HPACKDecoder.recentCapacity
        }
        return text
    }

    /// The field at `index` of the address space (§2.3.3): 1...61 static, then the dynamic table, newest first.
    private func field(at index: Int, offset: Int) throws(HPACKError) -> HeaderField {
        if index == 0 {
            throw HPACKError(kind: .indexZero, offset: offset, detail: "index 0 names no field")
        }
        if index <= StaticTable.count { return StaticTable.field(at: index) }
        guard let entry = table.entry(at: index - StaticTable.count - 1) else {
            throw HPACKError(kind: .indexOutOfRange, offset: offset,
                             detail: "index \(index), but the tables hold \(StaticTable.count) static and \(table.count) dynamic entries")
        }
        return entry
    }
}

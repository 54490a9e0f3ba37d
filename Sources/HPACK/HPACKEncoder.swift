// RFC 7541 §2, §4, §6, §7.1: encoding header lists into header blocks, keeping a dynamic table the
// peer's decoder mirrors.

/// FieldIndexing is how a literal representation treats the dynamic table (§6.2).
public enum FieldIndexing: Sendable, Equatable {
    /// §6.2.1: the field is added to the table (pattern 01).
    case incremental
    /// §6.2.2: the table is left alone (pattern 0000).
    case none
    /// §6.2.3: the table is left alone, and any intermediary must not index it either (pattern 0001).
    case never
}

/// HPACKEncoder turns header lists into header blocks. One per connection direction; every block it
/// makes must be sent, in order, or the peer's table drifts from ours.
///
/// Its choice for each field, in order:
/// 1. a field marked never-indexed, or a sensitive one (`isSensitive`): a never-indexed literal, its
///    name by index when a table has it;
/// 2. a field a table holds (name and value): the index (§6.1), the static table first;
/// 3. otherwise a literal with incremental indexing, its name by index when a table has it (the
///    static table first), unless the entry would take more than three quarters of the table:
///    then without indexing, so one large field does not empty the table for nothing.
/// Strings are Huffman-coded as `huffman` says (by default unless that is longer).
public struct HPACKEncoder: Sendable {
    /// The dynamic table as the peer's decoder will hold it after the blocks made so far.
    public private(set) var table: DynamicTable
    /// The largest size the peer's decoder allows (its SETTINGS_HEADER_TABLE_SIZE).
    public private(set) var maxTableSizeLimit: Int
    /// The most table this encoder uses, whatever the peer allows: a peer announcing 1 GiB does not
    /// get us to hold 1 GiB of our own fields. 4,096 by default, where Go's and nghttp2's stop too.
    public let tableSizeCap: Int
    public var huffman: HuffmanPolicy {
        didSet { cachedBlock = nil }
    }
    /// Names whose fields always go never-indexed (lowercase, as HTTP/2 sends them). The default:
    /// credentials, which a compression oracle could otherwise guess a byte at a time (§7.1.3).
    public var sensitiveNames: Set<String> {
        didSet {
            sensitiveNameBytes = sensitiveNames.map { Array($0.utf8) }
            cachedBlock = nil
        }
    }
    /// `sensitiveNames` as bytes, compared with each field's name (a few, so a scan beats a hash).
    private var sensitiveNameBytes: [[UInt8]]
    /// Cookies whose value is shorter than this go never-indexed: §7.1.3 says a short cookie is
    /// easy to guess. 0 turns it off.
    public var shortCookieLength: Int {
        didSet { cachedBlock = nil }
    }
    /// The smallest and the last table size set since the last block: §4.2 has the next block start
    /// with the smallest, then the last if different, so the peer evicts what we evicted.
    private var pendingSizeUpdate: (smallest: Int, last: Int)?
    /// The last block `encode` made and its fields, kept while it is what encoding them again would
    /// give: the encoding left the table as it was (every field indexed, or not indexed), and
    /// nothing changed the table or the policy since. A client sending the same request again and
    /// again (the second time, every field is in the table) then encodes each with one comparison.
    private var cachedBlock: (fields: [HeaderField], block: [UInt8])?
    /// Bumped whenever the table changes (an insertion, a size change).
    private var tableChanges = 0

    public static let defaultSensitiveNames: Set<String> = ["authorization", "proxy-authorization"]
    private static let defaultSensitiveNameBytes: [[UInt8]] = defaultSensitiveNames.map { Array($0.utf8) }

    /// An encoder for a peer whose decoder starts with a table of `maxTableSize` (HTTP/2: 4,096
    /// until its SETTINGS say otherwise). A `tableSizeCap` below it has the first block shrink the table.
    public init(maxTableSize: Int = 4096, tableSizeCap: Int = 4096, huffman: HuffmanPolicy = .unlessLonger,
                sensitiveNames: Set<String> = HPACKEncoder.defaultSensitiveNames, shortCookieLength: Int = 20) {
        precondition(maxTableSize >= 0 && tableSizeCap >= 0, "HPACKEncoder(maxTableSize: \(maxTableSize), tableSizeCap: \(tableSizeCap))")
        self.table = DynamicTable(maxSize: maxTableSize)
        self.maxTableSizeLimit = maxTableSize
        self.tableSizeCap = tableSizeCap
        self.huffman = huffman
        self.sensitiveNames = sensitiveNames
        // The default list's bytes are shared by every encoder (no arrays of its own per connection).
        self.sensitiveNameBytes = sensitiveNames == HPACKEncoder.defaultSensitiveNames
            ? HPACKEncoder.defaultSensitiveNameBytes : sensitiveNames.map { Array($0.utf8) }
        self.shortCookieLength = shortCookieLength
        if tableSizeCap < maxTableSize { setMaxTableSize(tableSizeCap) }
    }

    /// Records the peer's SETTINGS_HEADER_TABLE_SIZE and uses as much of it as `tableSizeCap` allows.
    /// If that changes the table's size, the next block starts with the size update (§6.3).
    public mutating func setMaxTableSizeLimit(_ limit: Int) {
        precondition(limit >= 0, "HPACKEncoder.setMaxTableSizeLimit(\(limit))")
        maxTableSizeLimit = limit
        setMaxTableSize(min(limit, tableSizeCap))
    }

    /// Uses a table of `size` bytes (at most the peer's limit; an encoder may use less, §4.2). The
    /// table shrinks now; the next block starts with the size update(s) that tell the peer.
    public mutating func setMaxTableSize(_ size: Int) {
        let size = min(max(size, 0), maxTableSizeLimit)
        if size == table.maxSize && pendingSizeUpdate == nil { return }
        pendingSizeUpdate = (min(pendingSizeUpdate?.smallest ?? size, size), size)
        table.setMaxSize(size)
        tableChanges &+= 1
        cachedBlock = nil
    }

    /// Encodes `fields` as one header block.
    public mutating func encode(_ fields: [HeaderField]) -> [UInt8] {
        if pendingSizeUpdate == nil, let cached = cachedBlock, cached.fields == fields { return cached.block }
        cachedBlock = nil
        let changesBefore = tableChanges
        let hadSizeUpdate = pendingSizeUpdate != nil
        var block: [UInt8] = []
        block.reserveCapacity(fields.count * 8)
        appendSizeUpdates(into: &block)
        for field in fields { append(field, into: &block) }
        if tableChanges == changesBefore && !hadSizeUpdate { cachedBlock = (fields, block) }
        return block
    }

    /// Appends any size update owed (§4.2, §6.3): the smallest size since the last block, then the
    /// current one if it differs. Called at the start of a block only; `encode` does it.
    public mutating func appendSizeUpdates(into block: inout [UInt8]) {
        guard let pending = pendingSizeUpdate else { return }
        pendingSizeUpdate = nil
        HPACKInteger.encode(pending.smallest, prefixBits: 5, flags: 0x20, into: &block)
        if pending.last != pending.smallest {
            HPACKInteger.encode(pending.last, prefixBits: 5, flags: 0x20, into: &block)
        }
    }

    /// Appends `field` as the policy above chooses.
    public mutating func append(_ field: HeaderField, into block: inout [UInt8]) {
        let staticMatch = StaticTable.match(name: field.name, value: field.value)
        if field.isNeverIndexed || isSensitive(field) {
            let nameIndex = staticMatch.name ?? dynamicNameIndex(field)
            appendLiteral(field, nameIndex: nameIndex, indexing: .never, into: &block)
            return
        }
        if let index = staticMatch.field {
            appendIndexed(index, into: &block)
            return
        }
        let dynamic = table.find(name: field.name, value: field.value)
        if let position = dynamic.field {
            appendIndexed(StaticTable.count + 1 + position, into: &block)
            return
        }
        let nameIndex = staticMatch.name ?? dynamic.name.map { StaticTable.count + 1 + $0 }
        let isWorthIndexing = field.size * 4 <= table.maxSize * 3
        appendLiteral(field, nameIndex: nameIndex, indexing: isWorthIndexing ? .incremental : .none, into: &block)
    }

    /// Whether `field` goes never-indexed whatever its flag: a sensitive name, or a short cookie.
    public func isSensitive(_ field: HeaderField) -> Bool {
        for name in sensitiveNameBytes where name == field.name { return true }
        return field.value.count < shortCookieLength && field.name == HPACKEncoder.cookie
    }

    private static let cookie = Array("cookie".utf8)

    /// Appends an indexed field (§6.1). `index` must name a field the tables hold.
    public func appendIndexed(_ index: Int, into block: inout [UInt8]) {
        precondition(index >= 1 && index <= StaticTable.count + table.count, "HPACKEncoder.appendIndexed(\(index))")
        HPACKInteger.encode(index, prefixBits: 7, flags: 0x80, into: &block)
    }

    /// Appends `field` as a literal (§6.2) with this indexing, its name by index when a table has it
    /// (the static table first), and adds it to the table when `.incremental`.
    public mutating func appendLiteral(_ field: HeaderField, indexing: FieldIndexing, into block: inout [UInt8]) {
        let nameIndex = StaticTable.index(name: field.name) ?? dynamicNameIndex(field)
        appendLiteral(field, nameIndex: nameIndex, indexing: indexing, into: &block)
    }

    private func dynamicNameIndex(_ field: HeaderField) -> Int? {
        table.find(name: field.name, value: field.value).name.map { StaticTable.count + 1 + $0 }
    }

    private mutating func appendLiteral(_ field: HeaderField, nameIndex: Int?, indexing: FieldIndexing, into block: inout [UInt8]) {
        switch indexing {
        case .incremental: HPACKInteger.encode(nameIndex ?? 0, prefixBits: 6, flags: 0x40, into: &block)
        case .none: HPACKInteger.encode(nameIndex ?? 0, prefixBits: 4, flags: 0x00, into: &block)
        case .never: HPACKInteger.encode(nameIndex ?? 0, prefixBits: 4, flags: 0x10, into: &block)
        }
        if nameIndex == nil { StringLiteral.encode(field.name, policy: huffman, into: &block) }
        StringLiteral.encode(field.value, policy: huffman, into: &block)
        if indexing == .incremental {
            table.insert(field)
            tableChanges &+= 1
            cachedBlock = nil
        }
    }
}

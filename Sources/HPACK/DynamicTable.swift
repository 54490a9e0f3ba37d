// RFC 7541 §2.3.2, §4: the dynamic table. New entries go in front (index 62 in the address space);
// when the table is over its size, the oldest entries leave first.

/// DynamicTable is the FIFO of fields a peer's encoder told our decoder (or our encoder tells a
/// peer) to remember. Its size is the sum of its entries' sizes (name + value + 32, §4.1) and never
/// exceeds `maxSize`. It does not decide `maxSize`: the encoder's size updates do, within the limit
/// the decoder's side announced.
public struct DynamicTable: Sendable {
    /// The entries, oldest first: `storage[first...]` holds them; `storage[..<first]` were evicted
    /// and are dropped when they are half the array (so eviction does not shift every entry).
    private var storage: [HeaderField] = []
    private var first = 0
    /// The sum of the entries' sizes.
    public private(set) var size = 0
    /// The largest `size` may be: the last size update's value (§6.3), or the initial 4,096.
    public private(set) var maxSize: Int

    public init(maxSize: Int = 4096) {
        self.maxSize = maxSize
    }

    /// How many entries the table holds.
    public var count: Int { storage.count - first }

    /// The entries, newest first: `entries[0]` is index 62 of the address space (§2.3.3).
    public var entries: [HeaderField] { Array(storage[first...].reversed()) }

    /// The entry at `position` (0 = newest), or nil past the end.
    public func entry(at position: Int) -> HeaderField? {
        guard position >= 0, position < count else { return nil }
        return storage[storage.count - 1 - position]
    }

    /// Adds `field` as the newest entry, first evicting the oldest until it fits (§4.4). A field
    /// larger than `maxSize` empties the table and is not added: that is not an error.
    public mutating func insert(_ field: HeaderField) {
        let entrySize = field.size
        guard entrySize <= maxSize else {
            removeAll()
            return
        }
        evict(toFit: maxSize - entrySize)
        var stored = field
        stored.isNeverIndexed = false
        storage.append(stored)
        size += entrySize
    }

    /// Sets the maximum size (§4.3), evicting the oldest entries until the table fits.
    public mutating func setMaxSize(_ newMaxSize: Int) {
        precondition(newMaxSize >= 0, "DynamicTable.setMaxSize(\(newMaxSize))")
        maxSize = newMaxSize
        evict(toFit: newMaxSize)
    }

    /// The position (0 = newest) of the newest entry with this name and value, and of the newest
    /// with this name; nil where there is none. A linear scan: the table holds at most
    /// maxSize / 32 entries (128 at the default size).
    func find(name: [UInt8], value: [UInt8]) -> (field: Int?, name: Int?) {
        var nameMatch: Int?
        var position = 0
        var index = storage.count - 1
        while index >= first {
            let entry = storage[index]
            if entry.name == name {
                if entry.value == value { return (position, nameMatch ?? position) }
                if nameMatch == nil { nameMatch = position }
            }
            position += 1
            index -= 1
        }
        return (nil, nameMatch)
    }

    private mutating func evict(toFit limit: Int) {
        while size > limit, first < storage.count {
            size -= storage[first].size
            first += 1
        }
        if first == storage.count {
            storage.removeAll(keepingCapacity: true)
            first = 0
        } else if first > 16, first * 2 > storage.count {
            storage.removeFirst(first)
            first = 0
        }
    }

    private mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        first = 0
        size = 0
    }
}

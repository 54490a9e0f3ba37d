import Testing
@testable import HPACK

@Suite("Static table (Appendix A) and dynamic table (§2.3.2, §4)")
struct TableTests {
    @Test("The static table has Appendix A's 61 entries at their indices")
    func staticTable() {
        #expect(StaticTable.fields.count == 61)
        #expect(StaticTable.field(at: 1) == HeaderField(":authority", ""))
        #expect(StaticTable.field(at: 2) == HeaderField(":method", "GET"))
        #expect(StaticTable.field(at: 16) == HeaderField("accept-encoding", "gzip, deflate"))
        #expect(StaticTable.field(at: 32) == HeaderField("cookie", ""))
        #expect(StaticTable.field(at: 55) == HeaderField("set-cookie", ""))
        #expect(StaticTable.field(at: 61) == HeaderField("www-authenticate", ""))
        // The indices the Appendix C blocks use.
        #expect(StaticTable.index(name: bytes(":status")) == 8)
        #expect(StaticTable.index(name: bytes(":status"), value: bytes("404")) == 13)
        #expect(StaticTable.index(name: bytes("cache-control")) == 24)
        #expect(StaticTable.index(name: bytes("location")) == 46)
        #expect(StaticTable.index(name: bytes(":status"), value: bytes("302")) == nil)
        #expect(StaticTable.index(name: bytes("x-unknown")) == nil)
    }

    @Test("Entries count name + value + 32; the oldest leave first; the newest is position 0")
    func eviction() {
        var table = DynamicTable(maxSize: 100)
        table.insert(HeaderField("a", "1"))          // 34
        table.insert(HeaderField("bb", "22"))        // 36
        #expect(table.size == 70 && table.count == 2)
        #expect(table.entry(at: 0) == HeaderField("bb", "22") && table.entry(at: 1) == HeaderField("a", "1"))
        #expect(table.entry(at: 2) == nil && table.entry(at: -1) == nil)
        table.insert(HeaderField("ccc", "333"))      // 38: 108 > 100, so "a" goes
        #expect(table.entries == [HeaderField("ccc", "333"), HeaderField("bb", "22")] && table.size == 74)
        #expect(table.find(name: bytes("bb"), value: bytes("22")) == (1, 1))
        #expect(table.find(name: bytes("bb"), value: bytes("x")) == (nil, 1))
        // A smaller maximum evicts until it fits.
        table.setMaxSize(40)
        #expect(table.entries == [HeaderField("ccc", "333")] && table.size == 38)
        // An entry larger than the maximum empties the table and is not added (§4.4).
        table.insert(HeaderField("big", String(repeating: "x", count: 20)))
        #expect(table.count == 0 && table.size == 0)
        // The never-indexed flag is not kept in a table.
        table.setMaxSize(100)
        table.insert(HeaderField("d", "4", isNeverIndexed: true))
        #expect(table.entry(at: 0)?.isNeverIndexed == false)
    }

    @Test("Many insertions keep the size the sum of the entries and never above the maximum")
    func manyInsertions() {
        var table = DynamicTable(maxSize: 300)
        var rng = SeededGenerator(seed: 4)
        for number in 0..<2000 {
            table.insert(HeaderField("n\(number % 7)", String(repeating: "v", count: Int.random(in: 0...120, using: &rng))))
            #expect(table.size <= 300)
            #expect(table.entries.reduce(0) { $0 + $1.size } == table.size)
        }
        #expect(table.entry(at: 0)?.nameString == "n\(1999 % 7)")
    }
}

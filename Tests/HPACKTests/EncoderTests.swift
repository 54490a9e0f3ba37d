import Testing
@testable import HPACK

@Suite("HPACKEncoder: choices, size updates, and round trips through the decoder")
struct EncoderTests {
    @Test("Static matches are indexed; a known name with a new value is a literal naming the static index")
    func staticChoices() {
        var encoder = HPACKEncoder(huffman: .never)
        #expect(encoder.encode([HeaderField(":status", "200")]) == [0x88])
        #expect(encoder.encode([HeaderField(":status", "302")]) == hex("4803 3330 32"))
        // Now in the dynamic table: indexed at 62.
        #expect(encoder.encode([HeaderField(":status", "302")]) == [0xbe])
    }

    @Test("Sensitive fields go never-indexed and stay out of the table; short cookies too")
    func sensitive() throws {
        var encoder = HPACKEncoder(huffman: .never)
        let block = encoder.encode([HeaderField("authorization", "Basic dXNlcjpwYXNz"), HeaderField("cookie", "id=1"),
                                    HeaderField("cookie", "session=0123456789abcdefghij")])
        #expect(block.first == 0x1f && block[1] == 0x08)   // never indexed, name index 23 (15 + 8)
        #expect(encoder.table.entries == [HeaderField("cookie", "session=0123456789abcdefghij")])
        var decoder = HPACKDecoder()
        let fields = try decoder.decode(block)
        #expect(fields.map(\.isNeverIndexed) == [true, true, false])
        #expect(decoder.table.entries == encoder.table.entries)
    }

    @Test("A field larger than three quarters of the table is sent without indexing")
    func largeField() {
        var encoder = HPACKEncoder(maxTableSize: 256, huffman: .never)
        let big = HeaderField("x-big", String(repeating: "v", count: 200))
        let block = encoder.encode([big])
        #expect(block.first == 0x00 && encoder.table.count == 0)
    }

    @Test("Size changes are announced at the start of the next block: the smallest, then the last (§4.2)")
    func sizeUpdates() throws {
        var encoder = HPACKEncoder(huffman: .never)
        var decoder = HPACKDecoder()
        _ = try decoder.decode(encoder.encode([HeaderField("a", "1")]))
        encoder.setMaxTableSize(0)
        encoder.setMaxTableSize(1000)
        let block = encoder.encode([HeaderField(":method", "GET")])
        #expect(block == [0x20, 0x3f, 0xc9, 0x07, 0x82])   // 0, then 1000 (31 + 969)
        #expect(try decoder.decode(block) == [HeaderField(":method", "GET")])
        #expect(decoder.table.maxSize == 1000 && decoder.table.count == 0 && encoder.table.count == 0)
        // No change: no update.
        #expect(encoder.encode([HeaderField(":method", "GET")]) == [0x82])
        // The peer lowers its limit: the encoder shrinks and says so; the decoder requires it.
        encoder.setMaxTableSizeLimit(64)
        decoder.setMaxTableSizeLimit(64)
        let lowered = encoder.encode([HeaderField(":method", "GET")])
        #expect(lowered == [0x3f, 0x21, 0x82])
        #expect(try decoder.decode(lowered).count == 1)
        // Above the peer's limit is clamped to it.
        encoder.setMaxTableSize(5000)
        #expect(encoder.table.maxSize == 64)
        // A peer allowing 1 GiB gets the cap, 4,096.
        encoder.setMaxTableSizeLimit(1 << 30)
        #expect(encoder.table.maxSize == 4096)
        #expect(encoder.encode([]) == [0x3f, 0xe1, 0x1f])
        // A cap below the initial size shrinks the table in the first block.
        var small = HPACKEncoder(tableSizeCap: 0)
        #expect(small.table.maxSize == 0 && small.encode([HeaderField(":method", "GET")]) == [0x20, 0x82])
    }

    @Test("Random header lists round-trip, tables in step after every block (seeded)", arguments: [0, 256, 4096])
    func roundTrips(tableSize: Int) throws {
        var rng = SeededGenerator(seed: UInt64(1000 + tableSize))
        let names = [":method", ":path", ":authority", "accept", "user-agent", "cookie", "authorization", "x-trace",
                     "content-type", "x-\u{e9}t\u{e9}", "set-cookie", "cache-control"]
        let values = ["GET", "/", "/index.html", "example.com", "text/html", "", "gzip, deflate", "\u{1F600}", "no-cache"]
        var encoder = HPACKEncoder(maxTableSize: tableSize, huffman: [.never, .always, .unlessLonger].randomElement(using: &rng)!)
        var decoder = HPACKDecoder(maxTableSizeLimit: tableSize)
        for round in 0..<300 {
            var fields: [HeaderField] = []
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                let name = Bool.random(using: &rng) ? names.randomElement(using: &rng)!
                    : "x-" + String(Int.random(in: 0...50, using: &rng))
                var value = values.randomElement(using: &rng)!
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    value = String((0..<Int.random(in: 0...80, using: &rng)).map { _ in Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &rng))) })
                }
                var field = HeaderField(name, value, isNeverIndexed: Int.random(in: 0..<10, using: &rng) == 0)
                if Int.random(in: 0..<20, using: &rng) == 0 { field.value = [0x00, 0xff, 0x80, 0x0a] }   // any octets
                fields.append(field)
            }
            if Int.random(in: 0..<25, using: &rng) == 0 { encoder.setMaxTableSize(Int.random(in: 0...tableSize, using: &rng)) }
            if Int.random(in: 0..<10, using: &rng) == 0 { encoder.huffman = [.never, .always, .unlessLonger].randomElement(using: &rng)! }
            let block = encoder.encode(fields)
            let decoded = try decoder.decode(block)
            let expectedFlags = fields.map { $0.isNeverIndexed || encoder.isSensitive($0) }
            #expect(decoded.map { HeaderField(name: $0.name, value: $0.value) } == fields.map { HeaderField(name: $0.name, value: $0.value) },
                    "round \(round)")
            #expect(decoded.map(\.isNeverIndexed) == expectedFlags, "round \(round)")
            #expect(decoder.table.entries == encoder.table.entries && decoder.table.size == encoder.table.size, "round \(round)")
            #expect(decoder.table.maxSize == encoder.table.maxSize)
        }
    }

    @Test("A repeated list gives the block a fresh encoder in the same state would; a size change or a policy change is not hidden by the kept block")
    func repeatedBlock() throws {
        let list = [HeaderField(":method", "GET"), HeaderField(":authority", "example.com"), HeaderField("user-agent", "lab")]
        var encoder = HPACKEncoder(huffman: .never)
        let first = encoder.encode(list)
        let second = encoder.encode(list)   // every field now indexed
        #expect(second == [0x82, 0xbf, 0xbe])
        #expect(encoder.encode(list) == second)
        #expect(encoder.table.count == 2)
        encoder.setMaxTableSize(0)
        let afterShrink = encoder.encode(list)
        #expect(afterShrink.first == 0x20)   // the size update comes first, then literals
        #expect(afterShrink != second)
        var decoder = HPACKDecoder()
        for block in [first, second, second, afterShrink] { #expect(try decoder.decode(block) == list) }
        var policy = HPACKEncoder(huffman: .never)
        _ = policy.encode([HeaderField("authorization", "x")])
        let plain = policy.encode([HeaderField("authorization", "x")])
        policy.sensitiveNames = []
        #expect(policy.encode([HeaderField("authorization", "x")]) != plain)
    }
}

import Testing
@testable import HPACK

@Suite("HPACKDecoder: hostile blocks are errors, never traps; the table stays in step")
struct DecoderTests {
    func error(_ block: [UInt8], decoder: HPACKDecoder = HPACKDecoder()) -> HPACKError? {
        var decoder = decoder
        return thrownError { () throws(HPACKError) in try decoder.decode(block) }
    }

    @Test("Index 0 is an error, indexed and as a literal's name")
    func indexZero() {
        #expect(error([0x80])?.kind == .indexZero)
        // A literal with name index 0 has a literal name: index 0 there is not an error.
        #expect(error([0x40, 0x01, 0x61, 0x01, 0x62]) == nil)
    }

    @Test("An index past the static and dynamic tables is an error naming both counts")
    func indexOutOfRange() {
        let e = error([0x82, 0xbe])   // 62, and the dynamic table is empty
        #expect(e?.kind == .indexOutOfRange && e?.offset == 1)
        #expect(e?.detail == "index 62, but the tables hold 61 static and 0 dynamic entries")
        #expect(error([0x7f, 0x80, 0x01, 0x01, 0x62])?.kind == .indexOutOfRange)   // literal, name index 191
        #expect(error([0xff, 0xff, 0xff, 0xff, 0xff, 0x07])?.kind == .indexOutOfRange)   // index near 2^31
        // After one insertion, 62 is fine and 63 is not.
        var decoder = HPACKDecoder()
        #expect(throws: Never.self) { try decoder.decode([0x41, 0x01, 0x61]) }
        #expect(throws: Never.self) { try decoder.decode([0xbe]) }
        #expect(error([0xbf], decoder: decoder)?.kind == .indexOutOfRange)
    }

    @Test("A block cut anywhere inside a representation is an error, never a trap")
    func truncatedBlocks() {
        let block = hex(requestSteps(huffman: true)[2].block)
        var errors = 0
        for cut in 0..<block.count {
            var decoder = HPACKDecoder()
            _ = try? decoder.decode(hex(requestSteps(huffman: true)[0].block))
            _ = try? decoder.decode(hex(requestSteps(huffman: true)[1].block))
            if (try? decoder.decode(Array(block[..<cut]))) == nil { errors += 1 }
        }
        // Cuts between whole representations decode (fewer fields); cuts inside them fail.
        #expect(errors == block.count - 5)
        #expect(error([0x0f])?.kind == .truncatedInteger)
        #expect(error([0x7f, 0x80])?.kind == .truncatedInteger)
        #expect(error([0x40, 0x05, 0x61])?.kind == .truncatedString)
    }

    @Test("Huge integers, bad Huffman padding and EOS inside a block are errors")
    func hostileStrings() {
        #expect(error([0x40, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x7f])?.kind == .integerTooLarge)
        #expect(error([0x40, 0x81, 0x1e, 0x00])?.kind == .huffmanPaddingNotOnes)
        #expect(error([0x40, 0x82, 0x1f, 0xff, 0x00])?.kind == .huffmanPaddingTooLong)
        #expect(error([0x40, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00])?.kind == .huffmanEOS)
        // The offset is the string's first byte.
        #expect(error([0x82, 0x40, 0x81, 0x1e, 0x00])?.offset == 2)
    }

    @Test("Size updates: several at the start are fine; one after a field, or above the limit, is an error")
    func sizeUpdates() throws {
        var decoder = HPACKDecoder()
        // 0x20 (size 0) then 0x3f e1 1f (size 4096), then :method GET.
        #expect(try decoder.decode([0x20, 0x3f, 0xe1, 0x1f, 0x82]) == [HeaderField(":method", "GET")])
        #expect(decoder.table.maxSize == 4096)
        let midBlock = error([0x82, 0x20])
        #expect(midBlock?.kind == .sizeUpdateNotAtStart && midBlock?.offset == 1)
        let above = error([0x3f, 0xe2, 0x1f])   // 4097
        #expect(above?.kind == .sizeUpdateAboveLimit && above?.detail == "a table size update to 4097, above the limit of 4096")
        // A smaller update evicts.
        _ = try decoder.decode([0x41, 0x01, 0x61])
        #expect(decoder.table.count == 1)
        _ = try decoder.decode([0x20])
        #expect(decoder.table.count == 0 && decoder.table.maxSize == 0)
        // Inserting into a table of size 0 keeps it empty and is not an error.
        _ = try decoder.decode([0x41, 0x01, 0x61])
        #expect(decoder.table.count == 0)
    }

    @Test("A lowered limit requires a size update at the start of the next block (§4.2)")
    func loweredLimit() throws {
        var decoder = HPACKDecoder()
        decoder.setMaxTableSizeLimit(100)
        #expect(error([0x82], decoder: decoder)?.kind == .missingSizeUpdate)
        #expect(error([0x3f, 0x61], decoder: decoder)?.kind == .sizeUpdateAboveLimit)   // 128 > 100
        #expect(try decoder.decode([0x3f, 0x45, 0x82]) == [HeaderField(":method", "GET")])   // 100
        #expect(decoder.table.maxSize == 100)
        // Raised again: no update needed.
        decoder.setMaxTableSizeLimit(4096)
        #expect(try decoder.decode([0x82]).count == 1)
    }

    @Test("A connection error sticks: the next block is refused as decoderFailed")
    func stickyFailure() {
        var decoder = HPACKDecoder()
        #expect(thrownError { () throws(HPACKError) in try decoder.decode([0x80]) }?.kind == .indexZero)
        let again = thrownError { () throws(HPACKError) in try decoder.decode([0x82]) }
        #expect(again?.kind == .decoderFailed && again?.isConnectionError == true)
        #expect(decoder.failure?.kind == .indexZero)
    }

    @Test("A header list over the limit is refused after the whole block is decoded: the table stays in step")
    func headerListLimit() throws {
        // Limit 100: :authority www.example.com (57) fits, then custom-key custom-value (54) does not.
        var decoder = HPACKDecoder(maxHeaderListSize: 100)
        let block = hex("418c f1e3 c2e5 f23a 6ba0 ab90 f4ff 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf")
        let e = thrownError { () throws(HPACKError) in try decoder.decode(block) }
        #expect(e?.kind == .headerListTooLarge && e?.isConnectionError == false)
        #expect(e?.detail == "a header list of 111 bytes, above the limit of 100")
        // Both insertions happened, so the peer's next block, indexing them, decodes.
        #expect(decoder.table.count == 2 && decoder.table.size == 111)
        #expect(try decoder.decode([0xbf]) == [HeaderField(":authority", "www.example.com")])
        #expect(try decoder.decode([0xbe]) == [HeaderField("custom-key", "custom-value")])
        // Exactly at the limit is fine.
        var exact = HPACKDecoder(maxHeaderListSize: 111)
        #expect(try exact.decode(block).count == 2)
    }

    @Test("Decoding the same block from the same state gives the same list, table and error (seeded random blocks)")
    func deterministic() {
        var rng = SeededGenerator(seed: 20)
        var seen = 0
        for _ in 0..<2000 {
            let block = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var first = HPACKDecoder(maxTableSizeLimit: 256, maxHeaderListSize: 200)
            var second = first
            let a = Result { () throws(HPACKError) in try first.decode(block) }
            let b = Result { () throws(HPACKError) in try second.decode(block) }
            #expect(a == b, "block \(block)")
            #expect(first.table.entries == second.table.entries && first.table.size == second.table.size)
            #expect(first.table.size <= first.table.maxSize && first.table.maxSize <= 256)
            if case .success = a { seen += 1 }
        }
        #expect(seen > 0)   // some random blocks are valid, so both paths are exercised
    }

    @Test("The same Huffman literal in block after block decodes the same each time, beside others")
    func repeatedHuffmanLiterals() throws {
        var encoder = HPACKEncoder(huffman: .always)
        var decoder = HPACKDecoder()
        for round in 0..<20 {
            let list = [HeaderField(":status", "200"), HeaderField("server", "nginx/1.22.1"),
                        HeaderField("date", "Sun, 06 Dec 2026 22:\(round) GMT"), HeaderField("x-a", "v\(round % 3)")]
            for field in list where field.name != Array(":status".utf8) {
                var block: [UInt8] = []
                encoder.appendLiteral(field, indexing: .none, into: &block)
                #expect(try decoder.decode(block) == [field])
            }
            #expect(try decoder.decode(encoder.encode(list)) == list)
        }
    }
}

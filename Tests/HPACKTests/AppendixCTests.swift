import Testing
@testable import HPACK

/// One header block of an Appendix C sequence: the bytes, the list, and the dynamic table after it
/// as the RFC prints it (newest first) with its size.
struct RFCStep: Sendable {
    var block: String
    var fields: [(String, String)]
    var table: [(String, String)]
    var tableSize: Int
}

/// The requests of C.3 (raw) and C.4 (Huffman): the same lists and tables, different bytes.
func requestSteps(huffman: Bool) -> [RFCStep] {
    let first = [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")]
    let second = first + [("cache-control", "no-cache")]
    let third = [(":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"),
                 ("custom-key", "custom-value")]
    let blocks = huffman
        ? ["8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
           "8286 84be 5886 a8eb 1064 9cbf",
           "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"]
        : ["8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
           "8286 84be 5808 6e6f 2d63 6163 6865",
           "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"]
    return [
        RFCStep(block: blocks[0], fields: first, table: [(":authority", "www.example.com")], tableSize: 57),
        RFCStep(block: blocks[1], fields: second,
                table: [("cache-control", "no-cache"), (":authority", "www.example.com")], tableSize: 110),
        RFCStep(block: blocks[2], fields: third,
                table: [("custom-key", "custom-value"), ("cache-control", "no-cache"), (":authority", "www.example.com")],
                tableSize: 164),
    ]
}

/// The responses of C.5 (raw) and C.6 (Huffman), with a 256-byte table: evictions happen.
func responseSteps(huffman: Bool) -> [RFCStep] {
    let date1 = "Mon, 21 Oct 2013 20:13:21 GMT", date2 = "Mon, 21 Oct 2013 20:13:22 GMT"
    let location = "https://www.example.com"
    let cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"
    let blocks = huffman
        ? ["""
           4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
           2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3
           """,
           "4883 640e ffc1 c0bf",
           """
           88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
           77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
           9587 3160 65c0 03ed 4ee5 b106 3d50 07
           """]
        : ["""
           4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
           2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70
           6c65 2e63 6f6d
           """,
           "4803 3330 37c1 c0bf",
           """
           88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
           54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
           5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e
           3d31
           """]
    return [
        RFCStep(block: blocks[0],
                fields: [(":status", "302"), ("cache-control", "private"), ("date", date1), ("location", location)],
                table: [("location", location), ("date", date1), ("cache-control", "private"), (":status", "302")],
                tableSize: 222),
        RFCStep(block: blocks[1],
                fields: [(":status", "307"), ("cache-control", "private"), ("date", date1), ("location", location)],
                table: [(":status", "307"), ("location", location), ("date", date1), ("cache-control", "private")],
                tableSize: 222),
        RFCStep(block: blocks[2],
                fields: [(":status", "200"), ("cache-control", "private"), ("date", date2), ("location", location),
                         ("content-encoding", "gzip"), ("set-cookie", cookie)],
                table: [("set-cookie", cookie), ("content-encoding", "gzip"), ("date", date2)],
                tableSize: 215),
    ]
}

func headerFields(_ pairs: [(String, String)]) -> [HeaderField] { pairs.map { HeaderField($0.0, $0.1) } }

@Suite("RFC 7541 Appendix C: every example, decoded and encoded, the dynamic table checked after each")
struct AppendixCTests {
    static let sequences: [(String, [RFCStep], Int, HuffmanPolicy)] = [
        ("C.3 requests without Huffman", requestSteps(huffman: false), 4096, .never),
        ("C.4 requests with Huffman", requestSteps(huffman: true), 4096, .unlessLonger),
        ("C.5 responses without Huffman", responseSteps(huffman: false), 256, .never),
        ("C.6 responses with Huffman", responseSteps(huffman: true), 256, .unlessLonger),
    ]

    @Test("Decoding gives the RFC's header lists and tables", arguments: sequences)
    func decode(name: String, steps: [RFCStep], tableSize: Int, huffman: HuffmanPolicy) throws {
        var decoder = HPACKDecoder(maxTableSizeLimit: tableSize)
        for (number, step) in steps.enumerated() {
            let fields = try decoder.decode(hex(step.block))
            #expect(fields == headerFields(step.fields), "\(name) block \(number + 1)")
            #expect(decoder.table.entries == headerFields(step.table), "\(name) block \(number + 1) table")
            #expect(decoder.table.size == step.tableSize, "\(name) block \(number + 1) table size")
        }
    }

    @Test("Encoding gives the RFC's bytes and tables", arguments: sequences)
    func encode(name: String, steps: [RFCStep], tableSize: Int, huffman: HuffmanPolicy) {
        // The RFC's encoder indexes set-cookie; ours would too, so no sensitive names are needed off.
        var encoder = HPACKEncoder(maxTableSize: tableSize, huffman: huffman)
        for (number, step) in steps.enumerated() {
            let block = encoder.encode(headerFields(step.fields))
            #expect(block == hex(step.block), "\(name) block \(number + 1)")
            #expect(encoder.table.entries == headerFields(step.table), "\(name) block \(number + 1) table")
            #expect(encoder.table.size == step.tableSize, "\(name) block \(number + 1) table size")
        }
    }

    @Test("C.2.1: a literal with indexing, new name, is added to the table")
    func c21() throws {
        let block = hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")
        var decoder = HPACKDecoder()
        #expect(try decoder.decode(block) == [HeaderField("custom-key", "custom-header")])
        #expect(decoder.table.entries == [HeaderField("custom-key", "custom-header")] && decoder.table.size == 55)
        var encoder = HPACKEncoder(huffman: .never)
        var out: [UInt8] = []
        encoder.appendLiteral(HeaderField("custom-key", "custom-header"), indexing: .incremental, into: &out)
        #expect(out == block && encoder.table.size == 55)
        #expect(HPACKEncoder(huffman: .never).encodeOnce([HeaderField("custom-key", "custom-header")]) == block)
    }

    @Test("C.2.2: a literal without indexing leaves the table empty")
    func c22() throws {
        let block = hex("040c 2f73 616d 706c 652f 7061 7468")
        var decoder = HPACKDecoder()
        #expect(try decoder.decode(block) == [HeaderField(":path", "/sample/path")])
        #expect(decoder.table.count == 0 && decoder.table.size == 0)
        var encoder = HPACKEncoder(huffman: .never)
        var out: [UInt8] = []
        encoder.appendLiteral(HeaderField(":path", "/sample/path"), indexing: .none, into: &out)
        #expect(out == block && encoder.table.count == 0)
    }

    @Test("C.2.3: a never-indexed literal keeps its flag and leaves the table empty")
    func c23() throws {
        let block = hex("1008 7061 7373 776f 7264 0673 6563 7265 74")
        var decoder = HPACKDecoder()
        let fields = try decoder.decode(block)
        #expect(fields == [HeaderField("password", "secret", isNeverIndexed: true)])
        #expect(fields.first?.isNeverIndexed == true && decoder.table.count == 0)
        // The flag is kept on re-encoding.
        #expect(HPACKEncoder(huffman: .never).encodeOnce(fields) == block)
    }

    @Test("C.2.4: an indexed field from the static table")
    func c24() throws {
        var decoder = HPACKDecoder()
        #expect(try decoder.decode([0x82]) == [HeaderField(":method", "GET")])
        #expect(decoder.table.count == 0)
        #expect(HPACKEncoder().encodeOnce([HeaderField(":method", "GET")]) == [0x82])
    }
}

extension HPACKEncoder {
    /// The block a fresh copy of this encoder makes for `fields`.
    func encodeOnce(_ fields: [HeaderField]) -> [UInt8] {
        var copy = self
        return copy.encode(fields)
    }
}

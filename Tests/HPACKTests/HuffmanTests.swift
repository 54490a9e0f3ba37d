import Testing
@testable import HPACK

@Suite("Huffman code (RFC 7541 §5.2, Appendix B)")
struct HuffmanTests {
    func decode(_ coded: [UInt8]) throws(HPACKError) -> [UInt8] {
        try Huffman.decode(coded[...], offset: 0)
    }

    @Test("The typed table is Appendix B's canonical code: codes follow from the lengths alone")
    func tableIsCanonical() {
        let table = HuffmanTable.codes
        #expect(table.count == 257)
        // Canonical code: sort by (length, symbol); each code is the previous plus one, shifted
        // left by the growth in length. A mistyped code or length breaks the chain.
        let order = (0..<257).sorted { (table[$0].length, $0) < (table[$1].length, $1) }
        var code: UInt32 = 0
        var length = table[order[0]].length
        for (position, symbol) in order.enumerated() {
            if position > 0 {
                code += 1
                code <<= UInt32(table[symbol].length - length)
                length = table[symbol].length
            }
            #expect(table[symbol].code == code, "symbol \(symbol): typed \(table[symbol].code), canonical \(code)")
        }
        // Complete: the last code is all ones (EOS, 30 bits), and the Kraft sum is exactly 1.
        #expect(code == (1 << 30) - 1 && order.last == 256)
        let kraft = table.reduce(UInt64(0)) { $0 + (UInt64(1) << UInt64(30 - $1.length)) }
        #expect(kraft == 1 << 30)
        // A few rows read straight off the RFC.
        #expect(table[0] == (0x1ff8, 13) && table[Int(UInt8(ascii: "a"))] == (0x3, 5) && table[255] == (0x3ffffee, 26))
    }

    @Test("The decoding tree is full: 256 internal nodes, every child set")
    func treeIsFull() {
        let tree = HuffmanTable.tree
        #expect(tree.count == 256)
        #expect(tree.allSatisfy { $0.zero != 0 && $0.one != 0 })
    }

    static let rfcExamples: [(String, String)] = [
        ("www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff"),                       // C.4.1
        ("no-cache", "a8eb 1064 9cbf"),                                             // C.4.2
        ("custom-key", "25a8 49e9 5ba9 7d7f"),                                      // C.4.3
        ("custom-value", "25a8 49e9 5bb8 e8b4 bf"),
        ("302", "6402"),                                                            // C.6.1
        ("private", "aec3 771a 4b"),
        ("Mon, 21 Oct 2013 20:13:21 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff"),
        ("https://www.example.com", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3"),
        ("307", "640e ff"),                                                         // C.6.2
        ("gzip", "9bd9 ab"),                                                        // C.6.3
        ("foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
         "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07"),
    ]

    @Test("Appendix C's Huffman strings encode and decode to the RFC's bytes", arguments: rfcExamples)
    func rfcStrings(text: String, coded: String) throws {
        var out: [UInt8] = []
        Huffman.encode(bytes(text), into: &out)
        #expect(out == hex(coded))
        #expect(Huffman.encodedCount(bytes(text)) == hex(coded).count)
        #expect(try decode(hex(coded)) == bytes(text))
    }

    @Test("Every byte value, alone and in random strings, round-trips (seeded)")
    func roundTrips() throws {
        for byte in 0...255 {
            var out: [UInt8] = []
            Huffman.encode([UInt8(byte)], into: &out)
            #expect(try decode(out) == [UInt8(byte)], "byte \(byte)")
        }
        var rng = SeededGenerator(seed: 7541)
        for _ in 0..<500 {
            let input = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var out: [UInt8] = []
            Huffman.encode(input, into: &out)
            #expect(out.count == Huffman.encodedCount(input))
            #expect(try decode(out) == input)
        }
    }

    @Test("The nibble table decodes as the bit-by-bit walk does: same bytes, same errors (seeded random strings)")
    func nibbleTableMatchesTree() {
        var rng = SeededGenerator(seed: 9113)
        var outcomes: Set<String> = []
        for round in 0..<5000 {
            var coded: [UInt8]
            if round % 2 == 0 {
                // Valid codings with their last byte disturbed now and then.
                coded = []
                Huffman.encode((0..<Int.random(in: 0...12, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, into: &coded)
                if !coded.isEmpty, Bool.random(using: &rng) { coded[coded.count - 1] ^= UInt8.random(in: 1...255, using: &rng) }
            } else {
                coded = (0..<Int.random(in: 0...(round % 10 == 1 ? 64 : 8), using: &rng)).map { _ in [0xff, 0xfe, 0x7f, 0x00, UInt8.random(in: 0...255, using: &rng)].randomElement(using: &rng)! }
            }
            let a = Result { () throws(HPACKError) in try Huffman.decode(coded[...], offset: 0) }
            let b = Result { () throws(HPACKError) in try Huffman.decodeBitByBit(coded[...], offset: 0) }
            #expect(a == b, "\(coded)")
            switch a {
            case .success: outcomes.insert("ok")
            case .failure(let error): outcomes.insert("\(error.kind)")
            }
        }
        // Both ways and every kind of failure were exercised.
        #expect(outcomes.count >= 4, "\(outcomes)")
    }

    @Test("EOS in a string is an error, whole or followed by more bits")
    func eos() {
        // EOS is 30 ones: 0xff 0xff 0xff 0xfc holds it (and two bits of padding-like zeros after).
        #expect(thrownError { () throws(HPACKError) in try decode([0xff, 0xff, 0xff, 0xff]) }?.kind == .huffmanEOS)
        // 'a' (00011) then EOS.
        #expect(thrownError { () throws(HPACKError) in try decode([0x1f, 0xff, 0xff, 0xff, 0xff]) }?.kind == .huffmanEOS)
    }

    @Test("Padding longer than 7 bits is an error, even all ones")
    func paddingTooLong() throws {
        // 'a' = 00011 then 111 pads the first byte; a whole 0xff more is 11 bits of padding.
        #expect(thrownError { () throws(HPACKError) in try decode([0x1f, 0xff]) }?.kind == .huffmanPaddingTooLong)
        #expect(thrownError { () throws(HPACKError) in try decode([0xff]) }?.kind == .huffmanPaddingTooLong)
        #expect(try decode([0x1f]) == bytes("a"))
    }

    @Test("Padding that is not all ones is an error")
    func paddingNotOnes() {
        // 'a' = 00011, then 110: not the high bits of EOS.
        #expect(thrownError { () throws(HPACKError) in try decode([0x1e]) }?.kind == .huffmanPaddingNotOnes)
        // '0' = 00000, then 000: zeros where padding must be ones.
        #expect(thrownError { () throws(HPACKError) in try decode([0x00]) }?.kind == .huffmanPaddingNotOnes)
    }
}

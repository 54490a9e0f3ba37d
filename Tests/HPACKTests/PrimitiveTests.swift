import Testing
@testable import HPACK

@Suite("Integers (RFC 7541 §5.1) and string literals (§5.2)")
struct PrimitiveTests {
    func decodeInteger(_ bytes: [UInt8], prefixBits: Int) throws(HPACKError) -> (Int, Int) {
        var reader = ByteReader(bytes)
        let value = try HPACKInteger.decode(prefixBits: prefixBits, from: &reader)
        return (value, reader.offset)
    }

    @Test("C.1.1: 10 with a 5-bit prefix is one byte, 0a")
    func c11() throws {
        var out: [UInt8] = []
        HPACKInteger.encode(10, prefixBits: 5, into: &out)
        #expect(out == [0x0a])
        #expect(try decodeInteger([0x0a], prefixBits: 5) == (10, 1))
    }

    @Test("C.1.2: 1337 with a 5-bit prefix is 1f 9a 0a; the bits above the prefix are ignored")
    func c12() throws {
        var out: [UInt8] = []
        HPACKInteger.encode(1337, prefixBits: 5, flags: 0xe0, into: &out)
        #expect(out == [0xff, 0x9a, 0x0a])
        #expect(try decodeInteger([0x1f, 0x9a, 0x0a], prefixBits: 5) == (1337, 3))
        #expect(try decodeInteger([0xbf, 0x9a, 0x0a, 0x02], prefixBits: 5) == (1337, 3))
    }

    @Test("C.1.3: 42 starting at an octet boundary (8-bit prefix) is 2a")
    func c13() throws {
        var out: [UInt8] = []
        HPACKInteger.encode(42, prefixBits: 8, into: &out)
        #expect(out == [0x2a])
        #expect(try decodeInteger([0x2a], prefixBits: 8) == (42, 1))
    }

    @Test("Every prefix size round-trips values around its limit and up to the maximum", arguments: 1...8)
    func roundTrips(prefixBits: Int) throws {
        let limit = (1 << prefixBits) - 1
        for value in [0, 1, limit - 1, limit, limit + 1, limit + 127, limit + 128, 16_383, 1 << 21, HPACKInteger.maxValue] where value >= 0 {
            var out: [UInt8] = []
            HPACKInteger.encode(value, prefixBits: prefixBits, into: &out)
            #expect(try decodeInteger(out, prefixBits: prefixBits) == (value, out.count), "value \(value)")
        }
    }

    @Test("A truncated integer is an error at its first byte, at every cut")
    func truncated() {
        var out: [UInt8] = [0x00]
        HPACKInteger.encode(1_000_000, prefixBits: 5, into: &out)
        for cut in 1..<out.count {
            var reader = ByteReader(Array(out[..<cut]))
            _ = reader.next()
            let error = thrownError { () throws(HPACKError) in try HPACKInteger.decode(prefixBits: 5, from: &reader) }
            #expect(error?.kind == .truncatedInteger && error?.offset == 1, "cut \(cut): \(String(describing: error))")
        }
        #expect(thrownError { () throws(HPACKError) in try decodeInteger([], prefixBits: 7) }?.kind == .truncatedInteger)
    }

    @Test("A huge integer, or a long run of zero continuation bytes, is an error, never a trap")
    func huge() {
        let above = [0x1f, 0xff, 0xff, 0xff, 0xff, 0x0f] as [UInt8]      // 31 + 2^32 - 1 + ...: above 2^32 - 1
        #expect(thrownError { () throws(HPACKError) in try decodeInteger(above, prefixBits: 5) }?.kind == .integerTooLarge)
        let sixtyFourBits = [0xff] + [UInt8](repeating: 0xff, count: 10) + [0x01]
        #expect(thrownError { () throws(HPACKError) in try decodeInteger(sixtyFourBits, prefixBits: 8) }?.kind == .integerTooLarge)
        let zeros = [0x7f] + [UInt8](repeating: 0x80, count: 100) + [0x00]
        #expect(thrownError { () throws(HPACKError) in try decodeInteger(zeros, prefixBits: 7) }?.kind == .integerTooLarge)
    }

    @Test("String literals: raw and Huffman both decode; the encoder picks Huffman unless longer")
    func strings() throws {
        var raw: [UInt8] = []
        StringLiteral.encode(bytes("custom-key"), policy: .never, into: &raw)
        #expect(raw == hex("0a 6375 7374 6f6d 2d6b 6579"))
        var coded: [UInt8] = []
        StringLiteral.encode(bytes("custom-key"), policy: .unlessLonger, into: &coded)
        #expect(coded == hex("88 25a8 49e9 5ba9 7d7f"))
        var reader = ByteReader(raw + coded)
        #expect(try StringLiteral.decode(from: &reader) == bytes("custom-key"))
        #expect(try StringLiteral.decode(from: &reader) == bytes("custom-key"))
        #expect(reader.isAtEnd)
        // Bytes with long codes are longer Huffman-coded: sent raw unless asked.
        var long: [UInt8] = []
        StringLiteral.encode([0x00, 0x01, 0xff], policy: .unlessLonger, into: &long)
        #expect(long == [0x03, 0x00, 0x01, 0xff])
        var empty: [UInt8] = []
        StringLiteral.encode([], policy: .always, into: &empty)
        #expect(empty == [0x80])
    }

    @Test("A string longer than what is left of the block is an error at the literal")
    func truncatedString() {
        var reader = ByteReader([0x00, 0x05, 0x61, 0x62])
        _ = reader.next()
        let error = thrownError { () throws(HPACKError) in try StringLiteral.decode(from: &reader) }
        #expect(error?.kind == .truncatedString && error?.offset == 1)
        var huge = ByteReader([0x7f, 0xff, 0xff, 0xff, 0x0f])
        #expect(thrownError { () throws(HPACKError) in try StringLiteral.decode(from: &huge) }?.kind == .truncatedString)
    }
}

import Testing
@testable import HPACK

/// `HPACKEncoder.encode` reuses its last block when it was indexes only and neither the list nor
/// the table changed (a server's repeated response head). Every block is checked by a decoder that
/// mirrors the encoder, so a reused block that no longer matches the table would show.
@Suite("HPACKEncoder: a repeated all-index block is reused only while it still means the same list")
struct EncoderReuseTests {
    static let head = [HeaderField(":status", "200"), HeaderField("content-type", "application/json"),
                       HeaderField("date", "Sun, 06 Dec 2026 22:00:00 GMT"), HeaderField("content-length", "20")]

    @Test("the second block is indexes only, the third is the same bytes; each decodes to the list")
    func reused() throws {
        var encoder = HPACKEncoder()
        var decoder = HPACKDecoder()
        let first = encoder.encode(Self.head)
        #expect(try decoder.decode(first) == Self.head)
        let second = encoder.encode(Self.head)
        #expect(second.allSatisfy { $0 & 0x80 != 0 })   // one indexed representation per field
        #expect(second.count == Self.head.count)
        #expect(try decoder.decode(second) == Self.head)
        let third = encoder.encode(Self.head)
        #expect(third == second)
        #expect(try decoder.decode(third) == Self.head)
    }

    @Test("after the table moved (another field inserted, or a size change) the block is made again and still decodes")
    func notReusedAfterChange() throws {
        var encoder = HPACKEncoder()
        var decoder = HPACKDecoder()
        _ = try decoder.decode(encoder.encode(Self.head))
        let indexed = encoder.encode(Self.head)
        _ = try decoder.decode(indexed)
        // A new field goes in front of the table: every dynamic index moves by one.
        let other = [HeaderField("x-trace", "abc")]
        #expect(try decoder.decode(encoder.encode(other)) == other)
        let after = encoder.encode(Self.head)
        #expect(after != indexed)
        #expect(try decoder.decode(after) == Self.head)
        // A size update is owed: the next block starts with it.
        encoder.setMaxTableSize(256)
        let resized = encoder.encode(Self.head)
        #expect(resized.first.map { $0 & 0xe0 == 0x20 } == true)
        #expect(try decoder.decode(resized) == Self.head)
        #expect(try decoder.decode(encoder.encode(Self.head)) == Self.head)
    }

    @Test("a policy change (Huffman, sensitive names) drops the reused block")
    func policyChange() throws {
        var encoder = HPACKEncoder()
        var decoder = HPACKDecoder()
        _ = try decoder.decode(encoder.encode(Self.head))
        _ = try decoder.decode(encoder.encode(Self.head))
        encoder.sensitiveNames = ["content-type"]
        let block = encoder.encode(Self.head)
        let decoded = try decoder.decode(block)
        #expect(decoded.map(\.name) == Self.head.map(\.name))
        #expect(decoded.first { $0.nameString == "content-type" }?.isNeverIndexed == true)
    }
}

import Testing
@testable import Stepper

@Suite("KeyDecoder: terminal bytes to keys")
struct KeyDecoderTests {
    private func decode(_ chunks: [UInt8]...) -> [Key] {
        var decoder = KeyDecoder()
        return chunks.flatMap { decoder.decode($0) }
    }

    @Test("arrows in normal and application cursor mode")
    func arrows() {
        #expect(decode(Array("\u{1B}[A\u{1B}[B\u{1B}[C\u{1B}[D".utf8)) == [.up, .down, .right, .left])
        #expect(decode(Array("\u{1B}OA\u{1B}OB".utf8)) == [.up, .down])
    }

    @Test("PgUp, PgDn, Home and End")
    func paging() {
        #expect(decode(Array("\u{1B}[5~\u{1B}[6~\u{1B}[H\u{1B}[F\u{1B}[1~\u{1B}[4~".utf8)) == [.pageUp, .pageDown, .home, .end, .home, .end])
    }

    @Test("control keys: Ctrl-C is byte 3, Enter is CR or LF, Backspace is DEL or BS")
    func controls() {
        #expect(decode([3, 13, 10, 127, 8, 9, 32]) == [.ctrlC, .enter, .enter, .backspace, .backspace, .tab, .space])
    }

    @Test("letters, digits and UTF-8 text are characters")
    func characters() {
        #expect(decode(Array("r?7é✔".utf8)) == [.char("r"), .char("?"), .char("7"), .char("é"), .char("✔")])
    }

    @Test("a sequence split across reads is joined")
    func split() {
        #expect(decode([0x1B, UInt8(ascii: "[")], [UInt8(ascii: "5")], [UInt8(ascii: "~")]) == [.pageUp])
        let check = Array("✔".utf8)
        #expect(decode([check[0]], [check[1], check[2]]) == [.char("✔")])
    }

    @Test("a lone Esc at the end of a read is the Escape key; Esc before a letter is Esc then the letter")
    func escape() {
        #expect(decode([0x1B]) == [.escape])
        #expect(decode([0x1B, UInt8(ascii: "q")]) == [.escape, .char("q")])
    }

    @Test("unknown sequences and other control bytes are dropped")
    func unknown() {
        #expect(decode(Array("\u{1B}[15~x\u{1B}[1;5Cy".utf8) + [0x01, 0x1A]) == [.char("x"), .char("y")])
    }
}

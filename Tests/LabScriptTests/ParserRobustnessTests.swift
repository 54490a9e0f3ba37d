import Testing
@testable import LabScript

/// Damaged scripts must give diagnostics with real positions, never a crash or a hang.
@Suite("Parser robustness: damaged scripts")
struct ParserRobustnessTests {
    struct Random {
        var state: UInt64
        mutating func below(_ n: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(n))
        }
    }

    static let valid = """
        on server.connection { print "[server] #{event.id}" }
        agent pool keepAlive=true maxSockets=3 scheduling=fifo
        repeat 5 as i { let r = pool GET /delay/{i * 10} "X-Id: {i}" }
        parallel { pool GET /a; { sleep 10ms; fetch GET / } }
        measure m { fetch GET "/echo" body="\\{\\}" }
        print "took {m.ms:>8.2}ms" ; expect m.ms > 0 "positive"
        if server.requests > 3 { print "many" } else { print "few" }
        open c
        send c "GET / HTTP/1.1\\r\\n\\r\\n"
        let t = recv c until="\\r\\n\\r\\n" timeout=1s
        """

    @Test("2000 damaged copies of a valid script parse or fail with in-range positions")
    func damagedScripts() {
        var random = Random(state: 42)
        let pieces = ["{", "}", "\"", "(", ")", "=", "==", ".", ":", "\\", "\n", " ", "GET", "/", "#", ";", "let", "on", "5s", "{x:", "x"]
        let base = Array(Self.valid)
        let lineCount = Self.valid.split(separator: "\n", omittingEmptySubsequences: false).count
        for _ in 0..<2000 {
            var text = base
            for _ in 0..<(1 + random.below(4)) {
                let at = random.below(text.count + 1)
                switch random.below(3) {
                case 0: text.insert(contentsOf: Array(pieces[random.below(pieces.count)]), at: at)
                case 1: if at < text.count { text.remove(at: at) }
                default: if at < text.count { text[at] = Array(pieces[random.below(pieces.count)]).first ?? " " }
                }
            }
            let source = String(text)
            do {
                _ = try LabScriptParser.parse(source, lineOffset: 10)
            } catch {
                #expect(!error.diagnostics.isEmpty)
                for diagnostic in error.diagnostics {
                    #expect(diagnostic.line > 10 && diagnostic.line <= 10 + lineCount + 4, "line out of range: \(diagnostic) in\n\(source)")
                    #expect(diagnostic.column >= 1)
                }
            }
        }
    }
}

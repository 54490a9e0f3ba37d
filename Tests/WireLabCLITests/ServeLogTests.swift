import Testing
import Wire
@testable import WireLabCLI

/// `wirelab serve`'s log: lines built as bytes, written once per turn of the loop.
@Suite("The serve log")
struct ServeLogTests {
    @Test("stamps are seconds with three decimals, rounded to the millisecond, right-aligned in 8")
    func stamps() {
        func stamp(_ nanos: Int64) -> String {
            var text = LogText()
            text.stamp(nanos: nanos)
            return String(decoding: text.bytes, as: UTF8.self)
        }
        #expect(stamp(0) == "[   0.000s]")
        #expect(stamp(502_400_000) == "[   0.502s]")
        #expect(stamp(502_500_000) == "[   0.503s]")
        #expect(stamp(1_234_567_890) == "[   1.235s]")
        #expect(stamp(59_999_600_000) == "[  60.000s]")
        #expect(stamp(12_345_678_000_000) == "[12345.678s]")
        #expect(stamp(-5) == "[   0.000s]")
    }

    @Test("numbers, as the String interpolation printed them")
    func numbers() {
        for value in [0, 7, 10, 200, 404, 1_000_000, -3, Int.max, Int.min] {
            var text = LogText()
            text.number(value)
            #expect(String(decoding: text.bytes, as: UTF8.self) == "\(value)")
        }
    }

    @Test("the lines of one turn are written together, after the turn, in order")
    func oneWritePerTurn() throws {
        final class CountingConsole: Console {
            var writes: [String] = []
            let input: LineInput = ScriptedInput(lines: [], isTerminal: false)
            func out(_ text: String) { writes.append(text) }
            func err(_ text: String) { writes.append(text) }
        }
        let loop = try EventLoop()
        defer { loop.close() }
        let console = CountingConsole()
        let log = TurnLog(console: console, loop: loop, started: loop.now)
        log.line { $0.connection(1); $0.text(" opened") }
        log.line { $0.connection(1); $0.text(" → "); $0.number(200) }
        #expect(console.writes.isEmpty, "written before the turn ended")
        #expect(loop.run(until: { !console.writes.isEmpty }, timeoutNanos: 2_000_000_000))
        #expect(console.writes.count == 1)
        let lines = console.writes.joined().split(separator: "\n").map { String($0.dropFirst(11)) }
        #expect(lines == [" #1 opened", " #1 → 200"])
        log.line { $0.text(" later") }
        log.flush()
        #expect(console.writes.count == 2, "flush writes at once")
        #expect(loop.run(until: { false }, timeoutNanos: 20_000_000) == false)
        #expect(console.writes.count == 2, "nothing is written twice")
    }
}

import LabKit
import LabScript
import Testing
import Wire
@testable import LabRun

/// Runs `source` with `options`, collecting its trace events.
private func traced(_ source: String, expected: String? = nil, options: RunOptions = RunOptions()) -> (ExperimentOutcome, [TraceEvent]) {
    var events: [TraceEvent] = []
    let outcome = ExperimentRunner.run(source: source, expected: expected, options: options, onTrace: { events.append($0) })
    return (outcome, events)
}

@Suite("Runs under a simulated RTT: the expected output assumes none", .serialized)
struct SimulatedRTTVerdictTests {
    static func options(rttMs: Double) -> RunOptions {
        var options = RunOptions()
        options.network = SimulatedNetwork(rttMs: rttMs)
        options.limitMs = 10_000
        return options
    }

    /// Prints how many whole round trips a request took: 0 on loopback, more under a delay.
    static let script = """
        let r = fetch GET /
        print "round trips: {floor(r.ms / 100)}"
        expect r.status == 200
        """

    @Test("a difference the delay caused is not judged: exit 0, the expects still counted")
    func differenceUnderRTT() {
        let outcome = run(Self.script, expected: "round trips: 0", options: Self.options(rttMs: 100))
        #expect(outcome.output != ["round trips: 0"])
        #expect(outcome.verdict == .notJudged)
        #expect(outcome.verdict.exitCode == 0)
        #expect(outcome.expectsChecked == 1)
        #expect(outcome.notJudgedExplanation.contains("simulated RTT of 100ms"))
        #expect(outcome.notJudgedExplanation.contains("1 line differs"))
        #expect(outcome.delayChangesRendered(color: false).hasPrefix("What the simulated delay changed: first at expected line 1"))
    }

    @Test("without the delay the same difference is a mismatch")
    func differenceWithoutRTT() {
        let outcome = run(Self.script, expected: "round trips: 5")
        #expect(outcome.verdict == .mismatch)
        #expect(outcome.verdict.exitCode == 1)
    }

    @Test("under a delay a matching output still matches, and a failed expect still fails")
    func judgedUnderRTT() {
        let matched = run("print \"same\"", expected: "same", options: Self.options(rttMs: 100))
        #expect(matched.verdict == .match)
        let failed = run("let r = fetch GET /\nexpect r.ms < 1", expected: "", options: Self.options(rttMs: 100))
        #expect(failed.verdict == .expectFailed)
        #expect(failed.verdict.exitCode == 1)
    }

    @Test("a script's own network statement is part of its expected output: a difference stays a mismatch")
    func scriptNetworkIsJudged() {
        let outcome = run("network rtt=100ms\n" + Self.script, expected: "round trips: 0")
        #expect(outcome.verdict == .mismatch)
    }

    private func run(_ source: String, expected: String, options: RunOptions = RunOptions()) -> ExperimentOutcome {
        ExperimentRunner.run(source: source, expected: expected, options: options)
    }
}

@Suite("Trace events: who, which connection, which statement", .serialized)
struct TraceEventTests {
    @Test("server and agent events carry their connection and the lines running then")
    func eventsCarrySourceAndLines() {
        let (outcome, events) = traced("""
            agent ka keepAlive=true
            repeat 2 {
              ka GET /
            }
            fetch GET / "Connection: close"
            """)
        #expect(outcome.runtimeError == nil)
        let opened = events.filter { $0.source == .server && $0.kind == .opened }
        #expect(opened.map(\.connection) == [1, 2])
        let kaSent = events.filter { $0.source == .agent("ka") && $0.kind == .sent }
        #expect(kaSent.map(\.detail) == ["on a new socket", "on a reused socket"])
        #expect(kaSent.allSatisfy { $0.lines == [2, 3] })
        let fetchEvents = events.filter { $0.source == .agent("fetch") }
        #expect(!fetchEvents.isEmpty)
        #expect(fetchEvents.allSatisfy { $0.lines.last == 5 })
        // The server answered the second connection's request saying it would close.
        #expect(events.contains { $0.source == .server && $0.connection == 2 && $0.kind == .response && $0.detail == "said Connection: close" })
        #expect(events.allSatisfy { $0.rendered.hasPrefix("[") && $0.rendered.contains("ms] ") })
    }

    @Test("the tally counts per source and kind, with details, and the busiest statement")
    func tally() {
        let (_, events) = traced("""
            agent ka keepAlive=true
            repeat 3 { ka GET / }
            """)
        var tally = TraceTally()
        for event in events { tally.add(event) }
        #expect(tally.total == events.count)
        let lines = tally.lines()
        #expect(lines.contains("  server"))
        #expect(lines.contains("  agent ka"))
        #expect(lines.contains { $0.contains("request") && $0.contains("3") && $0.contains("2 on a reused connection") })
        #expect(lines.contains { $0.contains("sent") && $0.contains("1 on a new socket") })
        #expect(lines.last == "  most events happened while line 2 ran (\(events.count))")
    }
}

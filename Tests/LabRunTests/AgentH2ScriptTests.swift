import LabKit
import LabScript
import Testing
@testable import LabRun

/// `agent NAME protocol=h2` in a lab script: streams on one connection, the result's `stream` and
/// `version`, the agent's `streams` beside `created`, trace events naming the stream.
@Suite("Lab script: agent protocol=h2")
struct AgentH2ScriptTests {
    @Test("a slow and a fast GET in parallel on one h2 connection: the fast one finishes first")
    func headOfLine() {
        var events: [TraceEvent] = []
        var options = RunOptions()
        options.limitMs = 10_000
        let outcome = ExperimentRunner.run(source: """
            agent p protocol=h2
            let a = none
            let b = none
            parallel {
              a = p GET /delay/300
              b = p GET /
            }
            print "{a.stream} {b.stream} {a.version} {b.connection == a.connection}"
            print b.ms < a.ms
            print "{p.created} {p.streams} {p.protocol}"
            agent q
            let c = q GET /
            print "{c.stream} {c.version} {q.streams} {q.protocol}"
            """, expected: nil, options: options, onTrace: { events.append($0) })
        #expect(outcome.runtimeError == nil)
        #expect(outcome.verdict != .broken, "\(outcome)")
        #expect(outcome.output == ["1 3 HTTP/2 true", "true", "1 2 h2", "0 HTTP/1.1 0 http1"])
        let sent = events.filter { $0.kind == .sent && $0.source == .agent("p") }
        #expect(sent.map(\.stream) == [1, 3])
        #expect(sent.map(\.connection) == [1, 1])
    }

    @Test("pool settings on an h2 agent, and h2 settings on an HTTP/1.1 one, are errors at the key")
    func mismatchedSettings() {
        let pooled = run("agent p protocol=h2 maxSockets=3")
        #expect(pooled.runtimeError?.location == SourceLocation(line: 1, column: 21))
        #expect(pooled.runtimeError?.message.hasPrefix("maxSockets is an HTTP/1.1 pool setting") == true)
        let h1 = run("agent q streamsBeforeSettings=10")
        #expect(h1.runtimeError?.message == "streamsBeforeSettings needs protocol=h2")
        #expect(run("agent r protocol=h2 timeout=2s streamsBeforeSettings=100").runtimeError == nil)
    }

    @Test("protocol=h3 is an error at the value, naming the allowed values")
    func wrongProtocol() {
        let outcome = run("agent p protocol=h3")
        #expect(outcome.runtimeError?.location == SourceLocation(line: 1, column: 18))
        #expect(outcome.runtimeError?.message == "protocol is http1 or h2 (HTTP/2 with prior knowledge), got 'h3'")
    }
}

@Suite("Lab script: h2 under a simulated round trip")
struct AgentH2RTTScriptTests {
    @Test("the second request waits for the server's SETTINGS by default; streamsBeforeSettings=100 sends it at once")
    func streamsBeforeSettings() {
        func third(_ settings: String) -> Double? {
            let outcome = run("""
                network rtt=40ms
                agent p protocol=h2 \(settings)
                let a = none
                let b = none
                parallel {
                  a = p GET /
                  b = p GET /
                }
                print b.ms - a.ms
                """)
            #expect(outcome.runtimeError == nil)
            return outcome.output.first.flatMap(Double.init)
        }
        // Labelled simulation: the round trip is the delay lines', 40 ms.
        let waiting = third("")
        let eager = third("streamsBeforeSettings=100")
        #expect((waiting ?? 0) >= 35)
        #expect((eager ?? 99) < 35)
    }
}

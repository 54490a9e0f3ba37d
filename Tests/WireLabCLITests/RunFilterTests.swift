import Foundation
import LabRun
import Testing
@testable import WireLabCLI

/// A .lab script with two agents: ka makes two requests on one socket (lines 2-3), fetch one that
/// closes (line 4).
private func twoAgentScript() throws -> String {
    let path = NSTemporaryDirectory() + "wirelab-\(UUID().uuidString).lab"
    try """
        agent ka keepAlive=true
        ka GET /
        ka GET /
        fetch GET / "Connection: close"

        """.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// The trace lines (`  · [ ... ]`) of a run's output.
private func traceLines(_ out: String) -> [String] {
    out.split(separator: "\n").map(String.init).filter { $0.hasPrefix("  · [") }
}

@Suite("RunFilter: --trace and --waterfall filters")
struct RunFilterParseTests {
    @Test("the filter words parse into who, lines and summary")
    func parses() throws {
        let filter = try RunFilter.parse("conn:3-4,agent:ka#2,agent,line:60,line:70-75,summary", option: "trace")
        #expect(filter.who == [.serverConnections(3...4), .agent("ka", connection: 2), .agents])
        #expect(filter.lines == [60...60, 70...75])
        #expect(filter.isSummary)
    }

    @Test("a who filter and a line filter must both hold; several of one kind keep any")
    func keeps() throws {
        let filter = try RunFilter.parse("conn:2,agent:ka,line:10-12", option: "trace")
        func event(_ source: TraceEvent.Source, _ connection: Int?, lines: [Int]) -> TraceEvent {
            TraceEvent(source: source, connection: connection, kind: .opened, text: "", lines: lines)
        }
        #expect(filter.keeps(event(.server, 2, lines: [11])))
        #expect(filter.keeps(event(.agent("ka"), 7, lines: [3, 12])))
        #expect(!filter.keeps(event(.server, 3, lines: [11])))
        #expect(!filter.keeps(event(.agent("pool"), 1, lines: [11])))
        #expect(!filter.keeps(event(.server, 2, lines: [13])))
        #expect(!filter.keeps(event(.server, 2, lines: [])))
    }

    @Test("bad filters are usage errors naming what is accepted", arguments: [
        ("lin:3", "Did you mean '--trace=line:...'?"), ("conn:x", "expected conn:N or conn:N-M"),
        ("line:9-3", "expected line:N or line:N-M"), ("agent:", "expected agent:NAME"), ("agent:ka#0", "socket number from 1"),
    ])
    func badFilters(text: String, wanted: String) {
        #expect(throws: UsageError.self) { try RunFilter.parse(text, option: "trace") }
        do { _ = try RunFilter.parse(text, option: "trace") } catch { #expect(error.message.contains(wanted)) }
    }
}

@Suite("CLI: run --trace and --waterfall filters", .serialized)
struct RunFilterCLITests {
    @Test("--trace=conn:N keeps the server's connection N, and says how many events it kept")
    func traceConnection() throws {
        let path = try twoAgentScript()
        let all = traceLines(runLessonCLI(["run", path, "--trace"]).out)
        let result = runLessonCLI(["run", path, "--trace=conn:2"])
        #expect(result.status == 0)
        let kept = traceLines(result.out)
        #expect(!kept.isEmpty)
        #expect(kept.allSatisfy { $0.contains("server   #2 ") })
        #expect(kept.count < all.count)
        #expect(result.out.contains("  · trace: \(kept.count) of \(all.count) events shown (conn:2)"))
    }

    @Test("--trace=agent:NAME keeps that agent; line:N keeps what happened while line N ran")
    func traceAgentAndLine() throws {
        let path = try twoAgentScript()
        let ka = traceLines(runLessonCLI(["run", path, "--trace=agent:ka"]).out)
        #expect(!ka.isEmpty && ka.allSatisfy { $0.contains("agent ka ") })
        let line4 = traceLines(runLessonCLI(["run", path, "--trace=line:4"]).out)
        #expect(line4.contains { $0.contains("agent fetch") })
        #expect(!line4.contains { $0.contains("agent ka") })
    }

    @Test("--trace=summary counts the events instead of listing them")
    func traceSummary() throws {
        let path = try twoAgentScript()
        let result = runLessonCLI(["run", path, "--trace=summary"])
        #expect(result.status == 0)
        #expect(traceLines(result.out).isEmpty)
        #expect(result.out.contains("Trace summary: "))
        #expect(result.out.contains("  agent ka"))
        #expect(result.out.contains("(1 on a reused socket, 1 on a new socket)") || result.out.contains("(1 on a new socket, 1 on a reused socket)"))
        #expect(result.out.contains("(2 on a new connection, 1 on a reused connection)"))
    }

    @Test("an agent the run never had is pointed out, with a suggestion")
    func traceUnknownAgent() throws {
        let result = runLessonCLI(["run", try twoAgentScript(), "--trace=agent:kaa"])
        #expect(result.out.contains("no agent named 'kaa' made an event in this run (did you mean 'ka'?)"))
    }

    @Test("--waterfall=requests,agent:NAME draws only that agent's requests")
    func waterfallAgent() throws {
        let result = runLessonCLI(["run", try twoAgentScript(), "--waterfall=requests,agent:ka"])
        #expect(result.status == 0)
        #expect(result.out.contains("Waterfall of 2 of 3 requests (requests,agent:ka)"))
        #expect(!result.out.contains("fetch #"))
    }

    @Test("filters that do not apply are refused before the run, exit 64",
          arguments: [["--trace=bogus"], ["--waterfall=conn:1"], ["--waterfall=summary"], ["--trace=line:0"]])
    func refused(arguments: [String]) throws {
        let result = runLessonCLI(["run", try twoAgentScript()] + arguments)
        #expect(result.status == 64)
        #expect(result.out.isEmpty)
        #expect(result.err.contains("Usage: wirelab run"))
    }
}

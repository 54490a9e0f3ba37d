import Foundation
import Testing
import Wire
@testable import WireLabCLI

@Suite("wirelab bench", .serialized)
struct BenchCommandTests {
    @Test("a tiny run prints a table with every phase and the speedup")
    func table() {
        let run = runCLI(["bench", "--sequential", "20", "--connections", "2", "--requests", "40"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("WireLab bench against http://127.0.0.1:") == true)
        #expect(lines.contains { $0.hasPrefix("  phase ") && $0.contains("req/s") && $0.contains("p50 ms") && $0.contains("p99 ms") })
        let keepAlive = lines.first { $0.hasPrefix("  sequential, keep-alive ") }
        let fresh = lines.first { $0.hasPrefix("  sequential, new connection each ") }
        let concurrent = lines.first { $0.hasPrefix("  concurrent, keep-alive ") }
        // Columns: phase, requests, conns, seconds, req/s, p50, p99, errors.
        #expect(keepAlive.map(cells)?.suffix(7).first == "20")
        #expect(keepAlive.map(cells)?.suffix(6).first == "1")
        #expect(fresh.map(cells)?.suffix(6).first == "20")
        #expect(concurrent.map(cells)?.suffix(7).first == "40")
        #expect([keepAlive, fresh, concurrent].allSatisfy { $0.map(cells)?.last == "0" })
        #expect(run.stdout.contains("speedup of keep-alive over a new connection per request: "))
        #if DEBUG
        #expect(run.stdout.contains("note: these numbers are from a debug build"))
        #endif
    }

    private func cells(_ line: String) -> [String] { line.split(separator: " ").map(String.init) }

    @Test("--json prints one object with the expected keys")
    func json() throws {
        let run = runCLI(["bench", "--sequential", "10", "--connections", "3", "--requests", "30", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let report = try jsonObject(run.stdout)
        #expect(member(report, "embedded_server") as? Bool == true)
        #expect(["debug", "release"].contains(member(report, "build") as? String ?? ""))
        for phase in ["sequential.keep_alive", "sequential.new_connection", "concurrent"] {
            for key in ["requests", "errors", "connections", "seconds", "requests_per_second", "p50_ms", "p99_ms"] {
                #expect(member(report, "\(phase).\(key)") is NSNumber, "\(phase).\(key)")
            }
        }
        #expect(member(report, "sequential.keep_alive.requests") as? Int == 10)
        #expect(member(report, "sequential.keep_alive.connections") as? Int == 1)
        #expect(member(report, "sequential.new_connection.connections") as? Int == 10)
        #expect(member(report, "concurrent.requests") as? Int == 30)
        #expect(member(report, "concurrent.connections") as? Int == 3)
        #expect(member(report, "sequential.speedup") is NSNumber)
        let p50 = try #require(member(report, "concurrent.p50_ms") as? Double)
        let p99 = try #require(member(report, "concurrent.p99_ms") as? Double)
        #expect(p50 <= p99)
    }

    @Test("a duration-bound concurrent phase stops by itself")
    func duration() throws {
        let run = runCLI(["bench", "--sequential", "0", "--connections", "2", "--duration", "200ms", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let report = try jsonObject(run.stdout)
        #expect(member(report, "sequential") == nil)
        let seconds = try #require(member(report, "concurrent.seconds") as? Double)
        // Bounded by the duration (plus the requests in flight at the end), not by the 60 s limit.
        #expect(seconds >= 0.2 && seconds < 10)
        #expect((member(report, "concurrent.requests") as? Int ?? 0) > 0)
    }

    @Test("--idle-connections holds N idle connections and reports RSS per connection")
    func idleConnections() throws {
        let run = runCLI(["bench", "--idle-connections", "50", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let report = try jsonObject(run.stdout)
        #expect(member(report, "idle_connections.requested") as? Int == 50)
        #expect(member(report, "idle_connections.idle") as? Int == 50)
        #expect(member(report, "idle_connections.server_open") as? Int == 50)
        let before = try #require(member(report, "idle_connections.rss_before_bytes") as? Int)
        let after = try #require(member(report, "idle_connections.rss_after_bytes") as? Int)
        let per = try #require(member(report, "idle_connections.bytes_per_connection") as? Double)
        #expect(before > 0 && after > 0)
        #expect(abs(per * 50 - Double(after - before)) < 50)
    }

    @Test("--url to a port where nothing listens is an error, exit 1")
    func refused() throws {
        let server = try backgroundServer()
        let port = server.port
        server.stop()
        let run = runCLI(["bench", "--url", "http://127.0.0.1:\(port)/", "--sequential", "5", "--connections", "0"])
        #expect(run.status == 1)
        #expect(run.stderr == "Error: nothing is listening on 127.0.0.1:\(port)\n")
    }

    @Test("--h2: one stream at a time, then --streams in flight, all on one h2 connection")
    func h2() throws {
        let run = runCLI(["bench", "--h2", "--streams", "4", "--sequential", "10", "--requests", "40", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let report = try jsonObject(run.stdout)
        #expect(member(report, "protocol") as? String == "h2")
        #expect(member(report, "streams") as? Int == 4)
        #expect(member(report, "sequential.keep_alive.requests") as? Int == 10)
        #expect(member(report, "sequential.keep_alive.connections") as? Int == 1)
        #expect(member(report, "sequential.new_connection") is NSNull)
        #expect(member(report, "concurrent.requests") as? Int == 40)
        #expect(member(report, "concurrent.errors") as? Int == 0)
        #expect(member(report, "concurrent.connections") as? Int == 1)
        let table = runCLI(["bench", "--h2", "--streams", "2", "--sequential", "5", "--requests", "10"])
        #expect(table.stdout.contains("  concurrent, h2 (2 streams in flight) "))
    }

    @Test("usage errors exit 64", arguments: [
        ["bench", "--idle-connections", "10", "--url", "http://127.0.0.1:1/"], ["bench", "--duration", "fast"],
        ["bench", "extra"], ["bench", "--url", "ftp://x/"], ["bench", "--streams", "4"], ["bench", "--h2", "--connections", "2"],
        ["bench", "--h2", "--streams", "0"],
    ])
    func usage(arguments: [String]) {
        let run = runCLI(arguments)
        #expect(run.status == 64)
        #expect(run.stderr.contains("Usage: wirelab bench"))
    }
}

import Foundation
import Testing
import Wire
@testable import WireLabCLI

/// Runs the `wirelab` command line in this process and returns what it printed and its status.
func runCLI(_ arguments: [String]) -> (status: Int32, stdout: String, stderr: String) {
    let console = RecordingConsole()
    let status = CLI.main(arguments, console: console)
    return (status, console.stdout, console.stderr)
}

/// Parses `text` as one JSON object (Foundation's parser: the tests check WireLab's writer with it).
func jsonObject(_ text: String) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(value as? [String: Any])
}

func member(_ object: [String: Any], _ path: String) -> Any? {
    var current: Any? = object
    for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
    return current
}

/// The embedded server on its own thread, configured for one test.
func backgroundServer(_ change: (inout ServerConfiguration) -> Void = { _ in }) throws -> BenchServer {
    var configuration = ServerConfiguration()
    change(&configuration)
    return try BenchServer(configuration: configuration)
}

@Suite("wirelab probe", .serialized)
struct ProbeCommandTests {
    @Test("finds keep-alive, the headers, the max requests and in-order pipelining of the embedded server")
    func findings() throws {
        let server = try backgroundServer { $0.keepAliveTimeoutMs = 2_000; $0.maxRequestsPerSocket = 7 }
        defer { server.stop() }
        let run = runCLI(["probe", server.url + "/echo", "--max-wait", "100ms", "--max-requests", "50", "--requests", "5", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let report = try jsonObject(run.stdout)
        #expect(member(report, "keep_alive.http1_1.persistent") as? Bool == true)
        #expect(member(report, "keep_alive.http1_0.persistent") as? Bool == true)
        #expect(member(report, "keep_alive_header") as? String == "timeout=2, max=7")
        #expect(member(report, "connection_header") as? String == "keep-alive")
        #expect(member(report, "connection_header_http1_0") as? String == "keep-alive")
        // The server keeps an idle connection 2 s; the probe was allowed to wait 100 ms.
        #expect(member(report, "idle_timeout.outcome") as? String == "open past max wait")
        #expect(member(report, "max_requests.count") as? Int == 7)
        #expect(member(report, "max_requests.ending") as? String == "said close")
        #expect(member(report, "pipelining.verdict") as? String == "in order")
        #expect((member(report, "pipelining.detail") as? String)?.contains("each echoed its own target") == true)
        // The 5 timed requests fit in the server's 7 per connection.
        #expect(member(report, "reuse.requests") as? Int == 5)
        #expect(member(report, "reuse.keep_alive_connections") as? Int == 1)
        #expect((member(report, "reuse.speedup") as? Double).map { $0 > 0 } == true)
        // 1 idle + 2 + 2 + 7 (until the limit) + 3 pipelined + 5 new connections.
        #expect(member(report, "requests_sent") as? Int == 20)
        // Then the h2c check: 1 GET on stream 1 and 10 at once, counted apart.
        #expect(member(report, "h2.requests_sent") as? Int == 11)
        let stats = try #require(server.stats)
        #expect(stats.requests == 31)
    }

    @Test("measures the idle timeout by waiting for the server's FIN")
    func idleTimeout() throws {
        let server = try backgroundServer { $0.keepAliveTimeoutMs = 300 }
        defer { server.stop() }
        let run = runCLI(["probe", server.url + "/", "--max-wait", "3s", "--max-requests", "20", "--requests", "3", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let report = try jsonObject(run.stdout)
        #expect(member(report, "idle_timeout.outcome") as? String == "closed")
        let seconds = try #require(member(report, "idle_timeout.seconds") as? Double)
        // A semantic check with a generous window: the FIN comes from the 300 ms timer, not from
        // the 3 s bound and not at once.
        #expect(seconds > 0.2 && seconds < 1.5, "measured \(seconds) s")
        #expect(member(report, "max_requests.ending") as? String == "no limit found")
        #expect(member(report, "max_requests.count") as? Int == 20)
    }

    @Test("reports a server that closes after every response: no keep-alive, limit 1, reuse needs N connections")
    func closingServer() throws {
        let server = try backgroundServer()
        defer { server.stop() }
        let run = runCLI(["probe", server.url + "/close", "--max-wait", "1s", "--requests", "4", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let report = try jsonObject(run.stdout)
        #expect(member(report, "keep_alive.http1_1.persistent") as? Bool == false)
        #expect(member(report, "keep_alive.http1_1.detail") as? String == "response 1 said Connection: close")
        #expect(member(report, "keep_alive_header") is NSNull)
        #expect(member(report, "connection_header") as? String == "close")
        #expect(member(report, "idle_timeout.outcome") as? String == "not measured")
        #expect(member(report, "max_requests.count") as? Int == 1)
        #expect(member(report, "max_requests.ending") as? String == "said close")
        #expect(member(report, "pipelining.verdict") as? String == "server closed instead")
        #expect(member(report, "reuse.keep_alive_connections") as? Int == 4)
    }

    @Test("the report for people has a heading and one aligned line per finding")
    func textReport() throws {
        let server = try backgroundServer { $0.keepAliveTimeoutMs = 5_000 }
        defer { server.stop() }
        let run = runCLI(["probe", server.url, "--max-wait", "50ms", "--max-requests", "10", "--requests", "3"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "WireLab probe of \(server.url)")
        let labels = ["keep-alive, HTTP/1.1", "keep-alive, HTTP/1.0 + keep-alive", "Keep-Alive header", "Connection header",
                      "idle timeout (measured)", "max requests per connection", "pipelining (3 in one write)",
                      "3 requests, kept alive", "3 requests, new connection each", "speedup of reuse", "requests sent"]
        let h2Labels = ["h2c, prior knowledge", "  SETTINGS_HEADER_TABLE_SIZE", "  SETTINGS_ENABLE_PUSH", "  SETTINGS_MAX_CONCURRENT_STREAMS",
                        "  SETTINGS_INITIAL_WINDOW_SIZE", "  SETTINGS_MAX_FRAME_SIZE", "  SETTINGS_MAX_HEADER_LIST_SIZE",
                        "  SETTINGS_ENABLE_CONNECT_PROTOCOL", "  SETTINGS_NO_RFC7540_PRIORITIES", "h2 max concurrent streams",
                        "h2 GET / on stream 1", "h2 windows for the client's DATA", "h2 10 GETs at once, one connection", "h2 idle", "h2 requests sent"]
        #expect(lines.count == labels.count + h2Labels.count + 1)
        // Labels are padded to one width, so every value starts in the same column.
        let column = 2 + (labels + h2Labels).map(\.count).max()! + 2
        for (label, line) in zip(h2Labels, lines.dropFirst(1 + labels.count)) {
            #expect(line.hasPrefix("  " + label + " "), "\(line)")
            #expect(line.count > column && line.dropFirst(column - 1).first == " " && line.dropFirst(column).first != " ", "\(line)")
        }
        for (label, line) in zip(labels, lines.dropFirst()) {
            #expect(line.hasPrefix("  " + label + " "), "\(line)")
            #expect(line.count > column && line.dropFirst(column - 1).first == " " && line.dropFirst(column).first != " ", "\(line)")
        }
        func row(_ label: String, _ value: String) -> String { "  " + label + String(repeating: " ", count: column - 2 - label.count) + value }
        #expect(run.stdout.contains(row("Keep-Alive header", "timeout=5\n")))
        #expect(run.stdout.contains(row("idle timeout (measured)", "longer than 0.05 s")))
        #expect(run.stdout.contains("at least 10  (no limit found)"))
    }

    @Test("on a terminal a long idle wait is announced first, on standard error; without one, nothing is")
    func announcesTheWait() throws {
        let server = try backgroundServer { $0.keepAliveTimeoutMs = 100 }   // the idle checks end at 0.1 s
        defer { server.stop() }
        let arguments = ["probe", server.url, "--max-wait", "2s", "--max-requests", "3", "--requests", "2", "--json"]
        let person = RecordingConsole(input: ScriptedInput(lines: [], isTerminal: true))
        #expect(CLI.main(arguments, console: person) == 0, "\(person.stderr)")
        #expect(person.stderr == "Probing \(server.url): up to 2 s while the idle checks wait for the server to close (--max-wait, --idle-wait).\n")
        _ = try jsonObject(person.stdout)   // --json stays one object on standard output
        let pipe = runCLI(arguments)
        #expect(pipe.status == 0)
        #expect(pipe.stderr.isEmpty, "\(pipe.stderr)")
        let short = RecordingConsole(input: ScriptedInput(lines: [], isTerminal: true))
        #expect(CLI.main(["probe", server.url, "--max-wait", "1s", "--max-requests", "3", "--requests", "2"], console: short) == 0)
        #expect(short.stderr.isEmpty, "a wait under 2 s is not announced")
    }

    @Test("connection refused is an error that names the address, exit 1")
    func refused() throws {
        let server = try backgroundServer()
        let port = server.port
        server.stop()
        let run = runCLI(["probe", "http://127.0.0.1:\(port)/"])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.hasPrefix("Error: nothing is listening on 127.0.0.1:\(port)"))
    }

    @Test("https is a usage error (plain HTTP only), exit 64, for probe and bench alike",
          arguments: [["probe", "https://127.0.0.1:8443/"], ["bench", "--url", "https://127.0.0.1:8443/"]])
    func https(arguments: [String]) {
        let run = runCLI(arguments)
        #expect(run.status == 64)
        #expect(run.stderr.hasPrefix("Error: https:// is not supported: WireLab speaks plain HTTP"))
        #expect(run.stderr.contains("Usage: wirelab \(arguments[0])"))
    }

    @Test("a host that does not resolve is not a usage error: exit 1")
    func unresolvable() {
        let run = runCLI(["probe", "http://wirelab-no-such-host.invalid/"])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("Error: cannot resolve host"))
        #expect(!run.stderr.contains("Usage:"))
    }

    @Test("a bad URL or a missing one is a usage error, exit 64", arguments: [
        ["probe", "ftp://127.0.0.1/"], ["probe", "http://127.0.0.1:99999/"], ["probe"], ["probe", "--max-wait", "soon", "http://127.0.0.1/"],
    ])
    func badURL(arguments: [String]) {
        let run = runCLI(arguments)
        #expect(run.status == 64)
        #expect(run.stderr.hasPrefix("Error: "))
        #expect(run.stderr.contains("Usage: wirelab probe <http-url> [options]"))
    }

    @Test("an unknown option gets a 'Did you mean'")
    func didYouMean() {
        let run = runCLI(["probe", "--max-wiat", "1s", "http://127.0.0.1/"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("Did you mean '--max-wait'?"))
    }
}

import Wire
import Bench

/// `wirelab bench`: how fast the agent is, and what keep-alive is worth, against the embedded server
/// (on its own thread) or any `--url`. Every phase is bounded in count and time and stops by itself.
enum BenchCommand {
    static let options: [OptionSpec] = [
        OptionSpec(name: "url", valueName: "http-url", help: "Benchmark this server instead of the embedded one"),
        OptionSpec(name: "sequential", valueName: "n", help: "Requests in each sequential phase (default 2000; 0 skips them)"),
        OptionSpec(name: "new-connections", valueName: "n", help: "Requests in the new-connection phase (default: as --sequential; 0 skips it)"),
        OptionSpec(name: "connections", valueName: "n", help: "Sockets in the concurrent phase (default 50; 0 skips it)", short: "c"),
        OptionSpec(name: "duration", valueName: "duration", help: "Length of the concurrent phase (default 5s)", short: "d"),
        OptionSpec(name: "requests", valueName: "n", help: "End the concurrent phase after this many requests instead"),
        OptionSpec(name: "h2", valueName: nil, help: "Speak HTTP/2 (h2c, prior knowledge): one connection, requests as streams"),
        OptionSpec(name: "streams", valueName: "n", help: "With --h2: streams in flight in the concurrent phase (default 10), like h2load -c1 -m N"),
        OptionSpec(name: "idle-connections", valueName: "n", help: "Instead: hold N idle keep-alive connections and report RSS per connection"),
        OptionSpec(name: "json", valueName: nil, help: "Print one JSON object instead of the table"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static let summary = "Benchmark the agent: sequential with and without keep-alive, concurrent throughput, idle memory"
    static let usage = "wirelab bench [--url <http-url>] [options]"

    /// No phase runs longer than this, whatever its count or duration says.
    static let phaseLimitNanos: Int64 = 60_000_000_000

    static func run(_ arguments: [String], console: Console) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "bench")
        if parsed.has("help") {
            console.out(HelpText.command("bench", summary: summary, usage: usage, options: options, discussion: """
                Phases, in order:
                  sequential, keep-alive       one socket, each request after the previous one
                  sequential, new connection   keep-alive off: connect + Connection: close each time
                  concurrent, keep-alive       --connections requests in flight for --duration
                Reports req/s, p50 and p99 latency (submission to last byte) and the speedup of reuse.
                The embedded server runs on its own thread (127.0.0.1); build with -c release.
                With --h2 (HTTP/2, cleartext with prior knowledge): sequential is one stream at a time
                on one connection, there is no new-connection phase, and the concurrent phase keeps
                --streams requests in flight on one connection (compare with h2load -c1 -m N).
                --idle-connections N opens N connections (one request each), leaves them idle and
                compares the process's RSS before and after: both ends are in this process.
                """))
            return 0
        }
        if let extra = parsed.positionals.first { throw UsageError("Unexpected argument '\(extra)'", command: "bench") }
        let sequential = try requireInt(parsed, "sequential", command: "bench", range: 0...10_000_000) ?? 2_000
        let fresh = try requireInt(parsed, "new-connections", command: "bench", range: 0...10_000_000) ?? sequential
        let connections = try requireInt(parsed, "connections", command: "bench", range: 0...10_000) ?? 50
        let durationMs = try requireDuration(parsed, "duration", command: "bench") ?? 5_000
        let requests = try requireInt(parsed, "requests", command: "bench", range: 1...100_000_000)
        let idleCount = try requireInt(parsed, "idle-connections", command: "bench", range: 1...1_000_000)
        if idleCount != nil && parsed.value("url") != nil {
            throw UsageError("'--idle-connections' measures the embedded server; it cannot be combined with '--url'", command: "bench")
        }
        let isH2 = parsed.has("h2")
        let streams = try requireInt(parsed, "streams", command: "bench", range: 1...10_000) ?? 10
        if !isH2 && parsed.value("streams") != nil { throw UsageError("'--streams' needs '--h2'", command: "bench") }
        if isH2 && parsed.value("connections") != nil {
            throw UsageError("with '--h2' the agent opens one connection per origin: use '--streams' for concurrency", command: "bench")
        }
        if isH2 && idleCount != nil { throw UsageError("'--idle-connections' measures HTTP/1.1 connections; it cannot be combined with '--h2'", command: "bench") }
        let isJSON = parsed.has("json")
        #if DEBUG
        let isDebugBuild = true
        #else
        let isDebugBuild = false
        #endif

        var origin = HTTPOrigin(host: "127.0.0.1", port: 0), target = "/"
        if let url = parsed.value("url") {
            guard let resolved = try resolveURL(url, command: "bench", console: console) else { return 1 }
            (origin, target) = resolved
        }
        let loop: EventLoop
        var server: BenchServer?
        do {
            loop = try EventLoop()
            if parsed.value("url") == nil {
                var configuration = ServerConfiguration()
                // Idle connections must stay open while they are counted.
                if idleCount != nil { configuration.keepAliveTimeoutMs = 0 }
                server = try BenchServer(configuration: configuration)
                origin = HTTPOrigin(host: "127.0.0.1", port: server!.port)
            }
        } catch {
            console.errorLine("Error: cannot start: \(error)")
            return 1
        }
        defer { server?.stop() }
        var report = BenchReport(target: "\(origin)\(target)", isEmbeddedServer: server != nil, isDebugBuild: isDebugBuild)
        report.h2Streams = isH2 ? streams : nil

        if let idleCount, let server {
            do {
                report.idle = try BenchIdle.measure(count: idleCount, server: server, loop: loop)
            } catch {
                console.errorLine("Error: \(error.message)")
                return 1
            }
            console.out(isJSON ? report.json().text() + "\n" : report.text())
            return 0
        }

        let runner = BenchRunner(loop: loop, origin: origin, target: target)
        runner.limitNanos = phaseLimitNanos
        if isH2 { runner.httpProtocol = .h2 }
        // Warm up (and find out early whether anything is listening).
        let warmup = runner.sequential(count: min(200, max(sequential, 20)), keepAlive: true)
        if warmup.completed == 0 {
            let why = warmup.firstError.map { $0.kind == "refused" ? "nothing is listening on \(origin.host):\(origin.port)" : $0.description } ?? "no response"
            console.errorLine("Error: \(why)")
            return 1
        }
        if sequential > 0 { report.sequentialKeepAlive = runner.sequential(count: sequential, keepAlive: true) }
        if isH2 {
            report.concurrent = runner.streams(streams, count: requests, durationNanos: requests == nil ? Int64(durationMs) * 1_000_000 : nil)
            report.concurrentConnections = report.concurrent?.connectionsOpened ?? 1
            console.out(isJSON ? report.json().text() + "\n" : report.text())
            return 0
        }
        if fresh > 0 { report.sequentialNewConnection = runner.sequential(count: fresh, keepAlive: false) }
        if connections > 0 {
            report.concurrentConnections = connections
            report.concurrent = runner.concurrent(connections: connections, count: requests,
                                                  durationNanos: requests == nil ? Int64(durationMs) * 1_000_000 : nil)
        }
        console.out(isJSON ? report.json().text() + "\n" : report.text())
        return 0
    }
}

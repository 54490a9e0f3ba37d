import Probe
import Wire

/// `wirelab probe <url>`: measures how a real server treats connections (does it keep them alive,
/// for how long, for how many requests, does it answer pipelined requests) and what reuse saves.
/// Every finding comes from a live exchange, none from what the server merely advertises.
enum ProbeCommand {
    static let options: [OptionSpec] = [
        OptionSpec(name: "max-wait", valueName: "duration", help: "How long to wait for the server to close an idle connection (default 30s)"),
        OptionSpec(name: "max-requests", valueName: "n", help: "Most requests to send on one connection looking for a limit (default 1000)"),
        OptionSpec(name: "requests", valueName: "n", help: "Requests timed each way for the reuse speedup (default 50)", short: "n"),
        OptionSpec(name: "timeout", valueName: "duration", help: "Bound on connecting and on each response (default 5s)"),
        OptionSpec(name: "json", valueName: nil, help: "Print one JSON object instead of the report"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static let summary = "Measure a server's keep-alive behaviour: idle timeout, max requests, pipelining, reuse speedup"
    static let usage = "wirelab probe <http-url> [options]"

    static func run(_ arguments: [String], console: Console) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "probe")
        if parsed.has("help") {
            console.out(HelpText.command("probe", summary: summary, usage: usage,
                                         arguments: [("<http-url>", "The server to probe, e.g. http://127.0.0.1:8080/ (plain HTTP only)")],
                                         options: options, discussion: """
                Findings, each measured live:
                  keep-alive       2 requests on one connection (HTTP/1.1, then HTTP/1.0 + keep-alive):
                                   was the 2nd answered on the same socket?
                  headers          the Keep-Alive and Connection headers the server sends
                  idle timeout     one request, then wait for the server's FIN (up to --max-wait)
                  max requests     sequential requests on one connection until the server closes
                  pipelining       3 requests in one write (<path>?wirelab-probe=1..3): in order?
                  reuse speedup    N requests on one kept-alive connection against N new connections
                The idle wait runs while the other checks do. At most max(--max-requests, N) + N + 8
                requests are sent, then the probe stops by itself.
                """))
            return 0
        }
        guard let url = parsed.positionals.first else { throw UsageError("Missing the URL to probe, e.g. http://127.0.0.1:8080/", command: "probe") }
        if let extra = parsed.positionals.dropFirst().first { throw UsageError("Unexpected argument '\(extra)'", command: "probe") }
        var settings = Probe.Settings()
        if let ms = try requireDuration(parsed, "max-wait", command: "probe") { settings.maxWaitMs = ms }
        if let n = try requireInt(parsed, "max-requests", command: "probe", range: 1...1_000_000) { settings.maxRequests = n }
        if let n = try requireInt(parsed, "requests", command: "probe", range: 1...100_000) { settings.requests = n }
        if let ms = try requireDuration(parsed, "timeout", command: "probe") {
            guard ms > 0 else { throw UsageError("Option '--timeout' must be more than 0", command: "probe") }
            settings.timeoutMs = ms
        }
        guard let (origin, target) = try resolveURL(url, command: "probe", console: console) else { return 1 }
        switch Probe.run(origin: origin, target: target, url: url, settings: settings) {
        case .success(let findings):
            console.out(parsed.has("json") ? findings.json : findings.text)
            return 0
        case .failure(let error):
            console.errorLine("Error: \(error.message)")
            return 1
        }
    }
}

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
        OptionSpec(name: "protocol", valueName: "which", help: "Which checks run: both (default), http1, or h2 (the h2c check alone)"),
        OptionSpec(name: "streams", valueName: "n", help: "GETs the h2c check opens at once on one connection (default 10; fewer if the server allows fewer)"),
        OptionSpec(name: "idle-wait", valueName: "duration", help: "How long to watch the idle h2c connection for GOAWAY (default: --max-wait)"),
        OptionSpec(name: "json", valueName: nil, help: "Print one JSON object instead of the report"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static let summary = "Measure a server's keep-alive behaviour (idle timeout, max requests, pipelining, reuse speedup) and its h2c support"
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
                  h2c              the HTTP/2 preface with prior knowledge (RFC 9113 §3.3): is the
                                   answer SETTINGS? Each setting named (defaults marked), the max
                                   concurrent streams, a GET on stream 1, --streams GETs at once
                                   on the same connection, then GOAWAY when idle (up to --idle-wait)
                The idle waits run while the other checks do. At most max(--max-requests, N) + N + 8
                HTTP/1.x requests are sent, and 1 + --streams over h2c, then the probe stops by itself.
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
        if let n = try requireInt(parsed, "streams", command: "probe", range: 1...1_000) { settings.h2Streams = n }
        if let ms = try requireDuration(parsed, "idle-wait", command: "probe") { settings.h2IdleWaitMs = ms }
        switch parsed.value("protocol") {
        case nil, "both": break
        case "http1": settings.h2 = false
        case "h2": settings.http1 = false
        case let other?: throw UsageError("Option '--protocol' takes both, http1 or h2, not '\(other)'", command: "probe")
        }
        guard let (origin, target) = try resolveURL(url, command: "probe", console: console) else { return 1 }
        if console.input.isTerminal {
            // The report comes at the end, and the idle checks may take the whole wait: say so
            // first, or a person sees nothing for half a minute (on standard error: --json stays clean).
            let waitMs = max(settings.http1 ? settings.maxWaitMs : 0, settings.h2 ? settings.h2IdleWaitMs ?? settings.maxWaitMs : 0)
            if waitMs >= 2_000 {
                console.errorLine("Probing \(url): up to \(waitMs % 1000 == 0 ? "\(waitMs / 1000)" : "\(Double(waitMs) / 1000)") s while the idle checks wait for the server to close (--max-wait, --idle-wait).")
            }
        }
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

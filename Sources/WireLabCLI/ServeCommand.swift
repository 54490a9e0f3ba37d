import CSystem
import Wire

/// `wirelab serve`: the embedded server on its own, logging every connection and request, so a
/// learner can point `curl -v`, a browser or their own code at it.
enum ServeCommand {
    static let options: [OptionSpec] = [
        OptionSpec(name: "port", valueName: "n", help: "Port on 127.0.0.1 (default 0: the kernel picks one)", short: "p"),
        OptionSpec(name: "keep-alive-timeout", valueName: "duration", help: "Idle time before a keep-alive connection is closed (default 5s; 0 disables)"),
        OptionSpec(name: "headers-timeout", valueName: "duration", help: "Time allowed for a request's headers, from its first byte (default 60s)"),
        OptionSpec(name: "request-timeout", valueName: "duration", help: "Time allowed for a whole request (default 300s; 0 disables)"),
        OptionSpec(name: "max-requests-per-socket", valueName: "n", help: "Requests per connection before the server closes it (default 0: unlimited)"),
        OptionSpec(name: "mystery", valueName: "n", help: "Mystery server n: settings you find by measuring, not by reading (lesson mystery-server)"),
        OptionSpec(name: "grace", valueName: "duration", help: "How long Ctrl-C lets in-flight requests finish (default 5s)"),
        OptionSpec(name: "for", valueName: "duration", help: "Stop by itself (drain gracefully) after this long"),
        OptionSpec(name: "quiet", valueName: nil, help: "Log nothing per connection or request", short: "q"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static let summary = "Run the embedded HTTP/1.1 server on 127.0.0.1 and log what happens"

    static func run(_ arguments: [String], console: Console) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "serve")
        if parsed.has("help") {
            console.out(HelpText.command("serve", summary: summary, usage: "wirelab serve [options]", options: options, discussion: """
                Routes: /  /echo  /delay/<ms>  /bytes/<n>  /status/<code>  /stream/<chunks>[?interval=<ms>]  /close
                They serve GET, HEAD and POST (/echo every method it can show back); OPTIONS gets 204 and
                Allow, another known method 405 and Allow, an unknown one 501. Requests are parsed
                strictly (CR LF line ends, one framing): see docs/http-parsing.md.
                Every connection is logged when it opens and closes (with the reason), and every
                request with the connection that carried it: new, or reused.
                Ctrl-C drains gracefully: idle connections close at once, in-flight requests finish.
                """))
            return 0
        }
        if let extra = parsed.positionals.first { throw UsageError("Unexpected argument '\(extra)'", command: "serve") }
        var config = ServerConfiguration()
        if let port = try requireInt(parsed, "port", command: "serve", range: 0...65535) { config.port = UInt16(port) }
        if let ms = try requireDuration(parsed, "keep-alive-timeout", command: "serve") { config.keepAliveTimeoutMs = ms }
        if let ms = try requireDuration(parsed, "headers-timeout", command: "serve") { config.headersTimeoutMs = ms }
        if let ms = try requireDuration(parsed, "request-timeout", command: "serve") { config.requestTimeoutMs = ms }
        if let n = try requireInt(parsed, "max-requests-per-socket", command: "serve") { config.maxRequestsPerSocket = n }
        let mystery = try requireInt(parsed, "mystery", command: "serve", range: 1...1_000_000)
        if let mystery {
            if let other = ["keep-alive-timeout", "headers-timeout", "request-timeout", "max-requests-per-socket"].first(where: { parsed.value($0) != nil }) {
                throw UsageError("Option '--mystery' takes no server settings: they are the mystery (remove --\(other))", command: "serve")
            }
            let port = config.port
            config = .mystery(mystery)
            config.port = port
        }
        let graceMs = try requireDuration(parsed, "grace", command: "serve") ?? 5_000
        let runForMs = try requireDuration(parsed, "for", command: "serve")
        let quiet = parsed.has("quiet")

        let loop: EventLoop
        let server: LoopbackServer
        do {
            loop = try EventLoop()
            server = LoopbackServer(loop: loop, configuration: config)
            try server.start()
        } catch {
            console.errorLine("Error: cannot start the server: \(error)")
            return 1
        }
        let started = loop.now
        func stamp() -> String {
            let seconds = Double(loop.now - started) / 1e9
            return "[" + Format.fixed(seconds, 3).leftPadded(to: 8) + "s]"
        }
        if let mystery {
            // The settings and the close reasons would give the answers away: they are not shown.
            console.line("WireLab mystery server \(mystery) listening on \(server.url)  (127.0.0.1 only)")
            console.line("  its connection settings are yours to find by measuring: wirelab probe \(server.url)/")
        } else {
            console.line("WireLab server listening on \(server.url)  (127.0.0.1 only)")
            console.line("  keepAliveTimeout=\(config.keepAliveTimeoutMs)ms headersTimeout=\(config.headersTimeoutMs)ms "
                + "requestTimeout=\(config.requestTimeoutMs)ms maxRequestsPerSocket=\(config.maxRequestsPerSocket)"
                + (config.maxRequestsPerSocket == 0 ? " (unlimited)" : ""))
        }
        console.line("  try: curl -v \(server.url)/   (also /echo /delay/500 /stream/5?interval=200 /close)")
        console.line(runForMs.map { "  stops by itself after \($0)ms; Ctrl-C drains now" } ?? "  Ctrl-C drains gracefully")
        if !quiet {
            server.addObserver { event in
                switch event {
                case .opened(let id):
                    console.line("\(stamp()) #\(id) opened")
                case .request(let id, let index, let head):
                    let how = index == 1 ? "new connection" : "reused, request \(index) on this connection"
                    console.line("\(stamp()) #\(id) \(head.method) \(head.target) \(head.version)  (\(how))")
                case .response(let id, let status, let willClose):
                    console.line("\(stamp()) #\(id) → \(status)\(willClose ? ", Connection: close" : ", kept alive")")
                case .idle:
                    break
                case .closed(let id, let reason, let requests):
                    let why = mystery == nil ? ": \(reason)" : ""
                    console.line("\(stamp()) #\(id) closed\(why) (\(requests) request\(requests == 1 ? "" : "s"))")
                }
            }
        }
        csys_install_interrupt_waker(loop.wakerDescriptor)
        let deadline = runForMs.map { started + Int64($0) * 1_000_000 }
        if let runForMs { loop.schedule(afterMs: Double(runForMs)) {} }   // wakes the loop at the deadline
        loop.run(until: { csys_interrupt_count() > 0 || (deadline.map { loop.now >= $0 } ?? false) }, timeoutNanos: Int64.max / 4)
        console.line("\(stamp()) shutting down: no new connections; in-flight requests get \(graceMs)ms")
        var report: ShutdownReport?
        server.shutdown(graceMs: graceMs) { report = $0 }
        let interruptsBefore = csys_interrupt_count()
        loop.run(until: { report != nil || csys_interrupt_count() > interruptsBefore }, timeoutNanos: Int64(graceMs + 5_000) * 1_000_000)
        if let report {
            console.line("\(stamp()) shutdown complete: \(report)")
        } else {
            server.closeAll()
            console.line("\(stamp()) shutdown interrupted: closed everything")
        }
        let s = server.stats
        console.line("  \(s.accepted) connections, \(s.requests) requests (\(s.reusedRequests) on reused connections)")
        return 0
    }
}

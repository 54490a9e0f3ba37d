import CSystem
import Foundation
import LabRun
import Wire

/// `wirelab observe`: the lab server, watching a client the learner brings — a command it runs
/// (`-- COMMAND ARGS...`, with `WIRELAB_URL` and `{url}`), or a browser or program started by
/// hand until Ctrl-C or `--for`. It reports what the server saw of that client and says in words
/// what it means (docs/observe.md).
enum ObserveCommand {
    /// The server's knobs are `serve`'s own options.
    static let serverOptionNames = ["port", "keep-alive-timeout", "headers-timeout", "request-timeout", "max-requests-per-socket",
                                     "h2-max-concurrent-streams", "h2-initial-window-size", "h2-max-frame-size", "mystery"]

    static let options: [OptionSpec] = ServeCommand.options.filter { serverOptionNames.contains($0.name) } + [
        OptionSpec(name: "limit", valueName: "duration", help: "How long COMMAND may run before it is stopped (default 60s; exit 2)"),
        OptionSpec(name: "for", valueName: "duration", help: "Without COMMAND: observe this long, then report (default: until Ctrl-C)"),
        OptionSpec(name: "rtt", valueName: "duration", help: "Simulate this round trip between the client and the server (a relay delays every byte; labelled simulated)"),
        OptionSpec(name: "json", valueName: nil, help: "Print one JSON object (docs/observe.md) instead of the report"),
        OptionSpec(name: "har", valueName: "file", help: "Also write what was observed as HAR 1.2 (DevTools can import it)"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static let summary = "Run a client of yours against the lab server and report what it did on the wire"
    static let usage = "wirelab observe [options] [-- COMMAND ARGS...]"

    static func run(_ arguments: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        let split = arguments.firstIndex(of: "--")
        let optionPart = split.map { Array(arguments[..<$0]) } ?? arguments
        let command = split.map { Array(arguments[arguments.index(after: $0)...]) } ?? []
        let parsed = try parseArguments(optionPart, options: options, command: "observe")
        if parsed.has("help") {
            console.out(HelpText.command("observe", summary: summary, usage: usage, options: options, discussion: """
                Starts the lab server on 127.0.0.1 (the same knobs as 'wirelab serve'), runs COMMAND with
                WIRELAB_URL set to the server's URL and every '{url}' in its arguments replaced by it, waits
                for it (at most --limit), then reports what the server saw: requests, connections, the
                requests on each, reuse, the most connections open at once, requests sent after the server
                said Connection: close, HTTP versions, User-Agents, a lane per connection, and a diagnosis.
                COMMAND's exit status and output are reported. Without COMMAND it prints the URL and
                observes until Ctrl-C or --for: for a browser or a program you start yourself.
                  wirelab observe -- curl -s {url}/ {url}/echo
                  wirelab observe --json -- python3 my_client.py
                  wirelab observe --port 8080 --for 30s
                EXIT STATUS: 0 observed (COMMAND exited 0), 1 COMMAND exited non-zero or a file could not
                be written, 2 COMMAND not found or still running at --limit, 64 a usage error.
                """))
            return 0
        }
        if let extra = parsed.positionals.first {
            throw UsageError("Unexpected argument '\(extra)' (put the command to run after '--': wirelab observe -- \(extra) ...)", command: "observe")
        }
        if split != nil && command.isEmpty { throw UsageError("Nothing after '--': give the command to run, or leave out '--' to observe by hand", command: "observe") }
        let config = try serverConfiguration(parsed)
        let limitMs = try requireDuration(parsed, "limit", command: "observe") ?? 60_000
        let forMs = try requireDuration(parsed, "for", command: "observe")
        if !command.isEmpty, parsed.value("for") != nil {
            throw UsageError("Option '--for' is for observing by hand; with a COMMAND, '--limit' bounds it", command: "observe")
        }
        if command.isEmpty, parsed.value("limit") != nil {
            throw UsageError("Option '--limit' bounds a COMMAND; without one, use '--for'", command: "observe")
        }
        if limitMs == 0 { throw UsageError("Option '--limit' must be more than 0", command: "observe") }
        let harPath = parsed.value("har")
        if let harPath, harPath.isEmpty { throw UsageError("Option '--har' needs a file name", command: "observe") }
        let json = parsed.has("json")
        let rttMs = try requireDuration(parsed, "rtt", command: "observe") ?? 0
        let mystery = parsed.value("mystery") != nil

        let session: ClientSession
        var relay: ObserveRelay?
        do {
            var serverConfig = config
            if rttMs > 0 { serverConfig.port = 0 }   // the relay takes the client's port
            session = try ClientSession(configuration: serverConfig)
        } catch {
            console.errorLine("Error: cannot start the server on 127.0.0.1:\(config.port): \(error)")
            return 1
        }
        let loop = session.loop, server = session.server, started = session.started
        if rttMs > 0 {
            do {
                relay = try ObserveRelay(loop: loop, upstreamPort: server.port, port: config.port, rttMs: Double(rttMs))
            } catch {
                console.errorLine("Error: cannot start the simulated-RTT relay on 127.0.0.1:\(config.port): \(error)")
                shutDown(session, relay: nil)
                return 1
            }
        }
        let url = relay.map { "http://127.0.0.1:\($0.port)" } ?? server.url
        if !json {
            if mystery {
                console.line("WireLab observe: mystery server on \(url)  (127.0.0.1 only; its settings are yours to find)")
            } else {
                console.line("WireLab observe: server on \(url)  (127.0.0.1 only)")
                console.line("  keepAliveTimeout=\(config.keepAliveTimeoutMs)ms headersTimeout=\(config.headersTimeoutMs)ms "
                    + "requestTimeout=\(config.requestTimeoutMs)ms maxRequestsPerSocket=\(config.maxRequestsPerSocket)"
                    + (config.maxRequestsPerSocket == 0 ? " (unlimited)" : ""))
                if config.http2Settings != ServerConfiguration().http2Settings {
                    console.line("  HTTP/2: " + config.http2Settings.map { "\($0.name)=\($0.value)" }.joined(separator: " "))
                }
            }
        }
        if rttMs > 0 && !json {
            console.line("  simulated RTT \(rttMs)ms between the client and the server: a relay delays each direction by \(Format.fixed(Double(rttMs) / 2, 1))ms,")
            console.line("  a new connection's first bytes by one RTT more (the handshake); times below are the server's, after the delay")
        }
        csys_install_interrupt_waker(loop.wakerDescriptor)
        let interruptsBefore = csys_interrupt_count()

        var commandJSON: JSONValue = .null
        var exitStatus: Int32 = 0
        var failure: String?
        var timedOut = false
        if command.isEmpty {
            if !json {
                console.line("  observing: point your browser or program at \(url)/  (also WIRELAB_URL=\(url))")
                console.line(forMs.map { "  reports after \($0)ms, or at Ctrl-C" } ?? "  Ctrl-C stops and reports")
            }
            // Observing by hand: a line per connection and request as they happen, as `serve` logs.
            var log: TurnLog?
            if !json {
                let turnLog = TurnLog(console: console, loop: loop, started: started)
                log = turnLog
                server.addObserver { event in
                    if case .opened(let id) = event { turnLog.line { $0.connection(id); $0.text(" opened") } }
                    if case .request(let id, let index, let head) = event {
                        turnLog.line {
                            $0.connection(id); $0.text(" "); $0.text(head.method); $0.text(" "); $0.text(head.target)
                            $0.text(index == 1 ? "  (new connection)" : "  (reused)")
                        }
                    }
                    if case .closed(let id, let reason, _) = event, !mystery {
                        turnLog.line { $0.connection(id); $0.text(" closed: "); $0.text(reason.rawValue) }
                    }
                }
            }
            defer { log?.flush() }
            session.wait(forMs: forMs) { csys_interrupt_count() > interruptsBefore }
        } else {
            let argv = command.map { $0.replacingOccurrences(of: "{url}", with: url) }
            if !json { console.line("  running: " + argv.map(shellWord).joined(separator: " ") + "   (limit \(limitMs)ms)") }
            let run: ClientSession.CommandRun
            do {
                // The client's closes reach the server around its exit: let them land (bounded).
                run = try session.run(command, url: url, environment: ProcessEnvironment.all.merging(environment) { _, given in given },
                                      limitMs: limitMs, settleMs: 1_000 + 2 * rttMs) { csys_interrupt_count() > interruptsBefore }
            } catch {
                switch error {
                case .notFound(let name): console.errorLine("Error: command not found: '\(name)' (not on PATH; nothing was run)")
                case .failed(let why): console.errorLine("Error: cannot run '\(argv[0])': \(why)")
                }
                shutDown(session, relay: relay)
                return 2
            }
            let ranMs = run.ranMs
            timedOut = run.timedOut
            if run.timedOut || run.interrupted {
                failure = run.interrupted ? "interrupted: stopped '\(argv[0])'"
                    : "'\(argv[0])' was still running after \(limitMs)ms (--limit): stopped it"
                exitStatus = 2
            } else if run.status != 0 || run.signalled {
                exitStatus = 1
            }
            let output = (out: run.stdout, err: run.stderr, droppedOut: run.droppedOut, droppedErr: run.droppedErr)
            let statusText = run.statusText
            let child = run
            commandJSON = .object([
                ("argv", .array(argv.map(JSONValue.string))),
                ("exitStatus", child.exited && !child.signalled ? .integer(Int(child.status)) : .null),
                ("signal", child.exited && child.signalled ? .integer(Int(child.status)) : .null),
                ("timedOut", .bool(timedOut)),
                ("ranMs", .number((ranMs * 10).rounded() / 10)),
                ("stdout", .string(output.out)),
                ("stderr", .string(output.err)),
            ])
            if !json {
                console.line("  '\(argv[0])' \(statusText) after \(Format.fixed(ranMs, 1))ms")
                for (name, text, dropped) in [("stdout", output.out, output.droppedOut), ("stderr", output.err, output.droppedErr)] where !text.isEmpty {
                    console.line("  --- its \(name) ---")
                    console.out(text.hasSuffix("\n") ? text : text + "\n")
                    if dropped > 0 { console.line("  (\(dropped) more bytes of \(name) not kept)") }
                }
            }
        }
        shutDown(session, relay: relay)
        var observation = session.finish()
        if mystery {
            // As in `serve --mystery`: why the server closed would give its settings away.
            for i in observation.connections.indices where observation.connections[i].closedBy == "server" {
                observation.connections[i].closeReason = "mystery"
            }
        }
        var extra: [(String, JSONValue)] = [("url", .string(url)), ("simulatedRttMs", rttMs > 0 ? .integer(rttMs) : .null)]
        if !mystery { extra.append(("server", .object(config.settings.map { ($0.name, .integer($0.value)) }))) }
        extra.append(("command", commandJSON))
        if json {
            console.line(observation.json(extra: extra).text(pretty: true))
        } else {
            console.line("")
            console.out(observation.report())
        }
        if let harPath {
            let har = observation.har(.init(creatorVersion: CLI.version, origin: url, simulatedRttMs: rttMs > 0 ? Double(rttMs) : nil)).text(pretty: true) + "\n"
            do {
                try Data(har.utf8).write(to: URL(fileURLWithPath: harPath))
                if !json { console.line("HAR 1.2 written to \(harPath) (\(observation.requests.count) entries)") }
            } catch {
                console.errorLine("Error: cannot write the HAR file '\(harPath)': \(error.localizedDescription)")
                if exitStatus == 0 { exitStatus = 1 }
            }
        }
        if let failure {
            console.errorLine("Error: \(failure)")
        }
        return exitStatus
    }

    /// The server settings `serve` would take from the same options.
    static func serverConfiguration(_ parsed: ParsedArguments) throws(UsageError) -> ServerConfiguration {
        var config = ServerConfiguration()
        if let port = try requireInt(parsed, "port", command: "observe", range: 0...65535) { config.port = UInt16(port) }
        if let ms = try requireDuration(parsed, "keep-alive-timeout", command: "observe") { config.keepAliveTimeoutMs = ms }
        if let ms = try requireDuration(parsed, "headers-timeout", command: "observe") { config.headersTimeoutMs = ms }
        if let ms = try requireDuration(parsed, "request-timeout", command: "observe") { config.requestTimeoutMs = ms }
        if let n = try requireInt(parsed, "max-requests-per-socket", command: "observe") { config.maxRequestsPerSocket = n }
        if let mystery = try requireInt(parsed, "mystery", command: "observe", range: 1...1_000_000) {
            if let other = ["keep-alive-timeout", "headers-timeout", "request-timeout", "max-requests-per-socket"].first(where: { parsed.value($0) != nil }) {
                throw UsageError("Option '--mystery' takes no server settings: they are the mystery (remove --\(other))", command: "observe")
            }
            let port = config.port
            config = .mystery(mystery)
            config.port = port
        }
        try ServeCommand.applyHTTP2Options(parsed, to: &config, command: "observe")
        return config
    }

    /// The session's shutdown, with the relay (if any) stopped before and closed after.
    static func shutDown(_ session: ClientSession, relay: ObserveRelay?) {
        session.shutDown(beforeShutdown: { relay?.stopAccepting() }, afterShutdown: { relay?.close() })
    }

    /// A word as a shell would need it written, for echoing the command.
    static func shellWord(_ word: String) -> String {
        let plain = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=,@%+{}".contains($0) }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

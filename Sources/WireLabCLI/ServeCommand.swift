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
        OptionSpec(name: "h2-only", valueName: nil, help: "Speak only HTTP/2 with prior knowledge (no HTTP/1.1): a connection that does not start with the preface gets GOAWAY PROTOCOL_ERROR"),
        OptionSpec(name: "h2-max-concurrent-streams", valueName: "n", help: "HTTP/2: streams open at once per connection; more get REFUSED_STREAM (default 100)"),
        OptionSpec(name: "h2-initial-window-size", valueName: "bytes", help: "HTTP/2: request body bytes per stream before a WINDOW_UPDATE (default 65535)"),
        OptionSpec(name: "h2-max-frame-size", valueName: "bytes", help: "HTTP/2: the largest frame payload accepted, 16384-16777215 (default 16384)"),
        OptionSpec(name: "mystery", valueName: "n", help: "Mystery server n: settings you find by measuring, not by reading (lesson mystery-server)"),
        OptionSpec(name: "close-silently-after", valueName: "n", help: "Misbehave: close each connection right after its nth response, which said keep-alive"),
        OptionSpec(name: "drop-reused", valueName: "n|all", help: "Misbehave: read the first n (or all) requests on reused connections and close unanswered"),
        OptionSpec(name: "grace", valueName: "duration", help: "How long Ctrl-C lets in-flight requests finish (default 5s)"),
        OptionSpec(name: "for", valueName: "duration", help: "Stop by itself (drain gracefully) after this long"),
        OptionSpec(name: "quiet", valueName: nil, help: "Log nothing per connection or request", short: "q"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static let summary = "Run the embedded HTTP/1.1 and h2c server on 127.0.0.1 and log what happens"

    static func run(_ arguments: [String], console: Console) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "serve")
        if parsed.has("help") {
            console.out(HelpText.command("serve", summary: summary, usage: "wirelab serve [options]", options: options, discussion: """
                Routes: /  /echo  /delay/<ms>  /bytes/<n>  /status/<code>  /stream/<chunks>[?interval=<ms>]  /close
                  /page/<n>[?delay=<d>]  an HTML page of n images (1-500) for a browser; each image
                  answered after <d> (200ms, 1.5s): open it and watch the connections it opens
                They serve GET, HEAD and POST (/echo every method it can show back); OPTIONS gets 204 and
                Allow, another known method 405 and Allow, an unknown one 501. Requests are parsed
                strictly (CR LF line ends, one framing): see docs/http-parsing.md.
                Every connection is logged when it opens and closes (with the reason), and every
                request with the connection that carried it: new, or reused. A refused request is logged
                with its status and why (400: bare LF; 501: unknown method).
                HTTP/2 with prior knowledge (h2c, RFC 9113 §3.3) on the same port: a connection that
                starts with the client preface speaks HTTP/2 (`curl --http2-prior-knowledge`, h2load);
                its requests are logged with their stream, and it answers every route the same.
                The --h2-* options are its SETTINGS (RFC 9113 §6.5.2), announced and enforced; its idle
                timeout is --keep-alive-timeout (GOAWAY, then close). /close over HTTP/2: the response,
                then GOAWAY with the last stream id; streams in flight finish, then the server closes.
                --h2-only makes the port speak HTTP/2 alone, as nginx's `listen ... http2` without TLS:
                anything but the preface gets GOAWAY PROTOCOL_ERROR and a close (RFC 9113 §3.4).
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
        try applyHTTP2Options(parsed, to: &config, command: "serve")
        config.h2Only = parsed.has("h2-only")
        try applyMisbehaviour(parsed, to: &config, command: "serve")
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
            console.line("  HTTP/2: maxConcurrentStreams=\(config.h2MaxConcurrentStreams) initialWindowSize=\(config.h2InitialWindowSize) "
                + "maxFrameSize=\(config.h2MaxFrameSize), idle timeout = keepAliveTimeout (GOAWAY, then close)")
        }
        if let misbehaviour = misbehaviourLine(config) { console.line(misbehaviour) }
        if config.h2Only {
            console.line("  HTTP/2 only (h2c, prior knowledge): curl --http2-prior-knowledge -v \(server.url)/   (also /echo /delay/500 /stream/5?interval=200 /close)")
        } else {
            console.line("  try: curl -v \(server.url)/   (also /echo /delay/500 /stream/5?interval=200 /close)")
            console.line("  HTTP/2 (h2c) on the same port: curl --http2-prior-knowledge -v \(server.url)/")
        }
        console.line(runForMs.map { "  stops by itself after \($0)ms; Ctrl-C drains now" } ?? "  Ctrl-C drains gracefully")
        let log = TurnLog(console: console, loop: loop, started: started)
        if !quiet {
            let lines = ServeEventLines(isMystery: mystery != nil)
            server.addObserver { event in
                guard lines.hasLine(for: event) else { return }
                log.line { lines.write(event, into: &$0) }
            }
        }
        csys_install_interrupt_waker(loop.wakerDescriptor)
        let deadline = runForMs.map { started + Int64($0) * 1_000_000 }
        if let runForMs { loop.schedule(afterMs: Double(runForMs)) {} }   // wakes the loop at the deadline
        loop.run(until: { csys_interrupt_count() > 0 || (deadline.map { loop.now >= $0 } ?? false) }, timeoutNanos: Int64.max / 4)
        log.flush()
        console.line("\(stamp()) shutting down: no new connections; in-flight requests get \(graceMs)ms")
        var report: ShutdownReport?
        server.shutdown(graceMs: graceMs) { report = $0 }
        let interruptsBefore = csys_interrupt_count()
        loop.run(until: { report != nil || csys_interrupt_count() > interruptsBefore }, timeoutNanos: Int64(graceMs + 5_000) * 1_000_000)
        log.flush()
        if let report {
            console.line("\(stamp()) shutdown complete: \(report)")
        } else {
            server.closeAll()
            log.flush()
            console.line("\(stamp()) shutdown interrupted: closed everything")
        }
        let s = server.stats
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        console.line("  \(count(s.accepted, "connection")), \(count(s.requests, "request")) (\(s.reusedRequests) on reused connections)"
            + (s.h2Connections > 0 ? "; HTTP/2: \(count(s.streams, "stream")) on \(count(s.h2Connections, "connection"))" : ""))
        return 0
    }

    /// The HTTP/2 knobs `serve` and `observe` share: each a SETTINGS value our connections announce
    /// and enforce, refused outside what RFC 9113 §6.5.2 allows, naming the flag and the range.
    static func applyHTTP2Options(_ parsed: ParsedArguments, to config: inout ServerConfiguration, command: String) throws(UsageError) {
        func setting(_ name: String, _ range: ClosedRange<Int>, _ rfcName: String) throws(UsageError) -> Int? {
            guard let text = parsed.value(name) else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw UsageError("Option '--\(name)' expects a whole number in \(range.lowerBound)...\(range.upperBound) "
                    + "(\(rfcName), RFC 9113 §6.5.2), got '\(text)'", command: command)
            }
            return value
        }
        if let n = try setting("h2-max-concurrent-streams", ServerConfiguration.h2MaxConcurrentStreamsRange, "SETTINGS_MAX_CONCURRENT_STREAMS") {
            config.h2MaxConcurrentStreams = n
        }
        if let n = try setting("h2-initial-window-size", ServerConfiguration.h2InitialWindowSizeRange, "SETTINGS_INITIAL_WINDOW_SIZE") {
            config.h2InitialWindowSize = n
        }
        if let n = try setting("h2-max-frame-size", ServerConfiguration.h2MaxFrameSizeRange, "SETTINGS_MAX_FRAME_SIZE") {
            config.h2MaxFrameSize = n
        }
    }
}

/// What `serve` logs for each server event: one line per connection opened and closed (with the
/// reason, except for a mystery server, whose close reasons would give its settings away), per
/// request (new or reused connection), per response, and per refusal, with its status and why:
/// `#1 refused → 501: unknown method`. A connection closed after a refusal says so with the status
/// (`closed: refused with 501`), never a "bad request" for a 501. An HTTP/2 connection's request
/// lines name their stream (`#1 GET / HTTP/2 stream 3  (request 2 on this connection)`), and so
/// do its responses (`#1 → 200 HTTP/2 stream 3 ended`) and its close (`(2 streams)`).
final class ServeEventLines {
    let isMystery: Bool
    /// The connections that speak HTTP/2 (seen from their requests), until they close.
    private var h2Connections: Set<Int> = []
    /// The status each connection was refused with, until it closes.
    private var refusedStatus: [Int: Int] = [:]

    init(isMystery: Bool) {
        self.isMystery = isMystery
    }

    /// Whether `event` makes a line (an idle connection does not).
    func hasLine(for event: ServerEvent) -> Bool {
        if case .idle = event { return false }
        return true
    }

    /// Writes the line of `event`, after the stamp.
    func write(_ event: ServerEvent, into text: inout LogText) {
        switch event {
        case .opened(let id):
            text.connection(id); text.text(" opened")
        case .request(let id, let index, let head):
            text.connection(id)
            text.text(" "); text.text(head.method); text.text(" "); text.text(head.target); text.text(" "); text.text(head.version)
            if let stream = head.stream {
                h2Connections.insert(id)
                text.text(" stream "); text.number(stream)
                if index == 1 { text.text("  (new connection)") } else { text.text("  (request "); text.number(index); text.text(" on this connection)") }
            } else if index == 1 {
                text.text("  (new connection)")
            } else {
                text.text("  (reused, request "); text.number(index); text.text(" on this connection)")
            }
        case .response(let id, let status, let willClose, let stream):
            text.connection(id); text.text(" → "); text.number(status)
            if let stream {
                text.text(" HTTP/2 stream "); text.number(stream); text.text(" ended")
            } else {
                text.text(willClose ? ", Connection: close" : ", kept alive")
            }
        case .refused(let id, let status, let reason):
            refusedStatus[id] = status
            text.connection(id); text.text(" refused → "); text.number(status)
            // A mystery server's timeouts are what the learner measures: their names stay hidden.
            if !(isMystery && status == 408) { text.text(": "); text.text(reason) }
            text.text(", Connection: close")
        case .streamReset(let id, let stream, let code):
            text.connection(id); text.text(" HTTP/2 stream "); text.number(stream); text.text(" reset: "); text.text(code)
            if code == "REFUSED_STREAM" { text.text(" (past --h2-max-concurrent-streams; not processed, the client may retry it)") }
        case .idle:
            break
        case .closed(let id, let reason, let requests):
            let refused = refusedStatus.removeValue(forKey: id)
            let isHTTP2 = h2Connections.remove(id) != nil
            text.connection(id)
            text.text(" closed")
            if !isMystery {
                text.text(": ")
                if let refused, reason == .badRequest {
                    text.text("refused with "); text.number(refused)
                } else {
                    text.text(reason.rawValue)
                }
            }
            let noun = isHTTP2 ? " stream" : " request"
            text.text(" ("); text.number(requests); text.text(noun); text.text(requests == 1 ? ")" : "s)")
        }
    }
}

/// The log lines of one turn of the loop, built as bytes and written together when the turn's
/// events have been handled. A person still sees each line as it happens: a turn takes microseconds
/// to milliseconds.
///
/// Two costs made logging every request halve the server's rate, and both are gone: one `write` per
/// line, two more system calls a request than the request itself needs (a turn under `wrk -t1 -c50`
/// handles ~45 requests, and now makes one write), and building each line as a `String` by
/// interpolation, which took a quarter of the process's time in the Swift runtime's string code
/// (perf: libswiftCore 26% -> 15%). Under `wrk -t1 -c50`, logging to a terminal went from 0.43x to
/// 0.77x of `--quiet`, to a file from 0.63x to 0.93x (docs/benchmarks.md, fifth pass).
final class TurnLog {
    private let console: Console
    private let loop: EventLoop
    private let started: Int64
    private var pending = LogText()
    private var flushTimer: LoopTimer!

    init(console: Console, loop: EventLoop, started: Int64) {
        self.console = console
        self.loop = loop
        self.started = started
        // Due at once: the loop fires it after the events of the turn in which it was armed.
        flushTimer = LoopTimer(loop: loop) { [unowned self] in self.flush() }
    }

    /// Adds one line, `[  12.345s]` (seconds since the server started) then what `build` writes.
    func line(_ build: (inout LogText) -> Void) {
        if pending.bytes.isEmpty { flushTimer.arm(afterNanos: 0) }
        pending.stamp(nanos: loop.now - started)
        build(&pending)
        pending.bytes.append(UInt8(ascii: "\n"))
        if pending.bytes.count >= 64 * 1024 { flush() }
    }

    /// Writes what is pending now (before other output, and before the process ends).
    func flush() {
        guard !pending.bytes.isEmpty else { return }
        flushTimer.cancel()
        console.out(String(decoding: pending.bytes, as: UTF8.self))
        pending.bytes.removeAll(keepingCapacity: true)
    }
}

/// A log line's bytes, appended piece by piece.
struct LogText {
    var bytes: [UInt8] = []

    mutating func text(_ string: String) { bytes.append(contentsOf: string.utf8) }

    /// The decimal digits of `value`, written last digit first and turned around in place: no
    /// array of digits per number (a `[UInt8]` each was a malloc and a free per field).
    mutating func number(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let start = bytes.count
        var magnitude = value.magnitude
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    /// ` #<id>`, as every line names its connection after the stamp.
    mutating func connection(_ id: Int) {
        text(" #")
        number(id)
    }

    /// `[   0.502s]`: seconds with three decimals (rounded to the millisecond), right-aligned in 8.
    mutating func stamp(nanos: Int64) {
        let ms = (max(nanos, 0) + 500_000) / 1_000_000
        let seconds = Int(ms / 1000), fraction = Int(ms % 1000)
        var width = 5   // the whole seconds' digits, ".", three decimals
        var rest = seconds / 10
        while rest > 0 { width += 1; rest /= 10 }
        bytes.append(UInt8(ascii: "["))
        if width < 8 { bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 8 - width)) }
        number(seconds)
        bytes.append(UInt8(ascii: "."))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction / 100))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction % 10))
        bytes.append(UInt8(ascii: "s"))
        bytes.append(UInt8(ascii: "]"))
    }
}

extension ServeCommand {
    /// `--close-silently-after N` and `--drop-reused N|all`, for `serve` and `observe`.
    static func applyMisbehaviour(_ parsed: ParsedArguments, to config: inout ServerConfiguration, command: String) throws(UsageError) {
        if let n = try requireInt(parsed, "close-silently-after", command: command, range: 1...1_000_000) { config.closeSilentlyAfter = n }
        if let text = parsed.value("drop-reused") {
            if text == "all" {
                config.dropReusedRequests = .max
            } else if let n = Int(text), n >= 1 {
                config.dropReusedRequests = n
            } else {
                throw UsageError("Option '--drop-reused' expects a whole number from 1, or all, got '\(text)'", command: command)
            }
        }
    }

    /// The banner's line for a misbehaving server, or nil.
    static func misbehaviourLine(_ config: ServerConfiguration) -> String? {
        var parts: [String] = []
        if config.closeSilentlyAfter > 0 {
            parts.append("closes each connection after response \(config.closeSilentlyAfter) without saying so")
        }
        if config.dropReusedRequests > 0 {
            let which = config.dropReusedRequests == .max ? "every request" : "the first \(config.dropReusedRequests) request\(config.dropReusedRequests == 1 ? "" : "s")"
            parts.append("drops \(which) on a reused connection (read, never answered)")
        }
        return parts.isEmpty ? nil : "  misbehaving: " + parts.joined(separator: "; ")
    }
}

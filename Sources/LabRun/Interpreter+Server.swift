import LabScript
import Wire

// Statements that act on the lab's servers: the embedded one (its settings, restart, reset,
// shutdown) and named ones (`server NAME`). The server settings have one parser, which a proxy's
// settings use too.

extension Interpreter {
    func configureServer(_ settings: [Setting], _ scope: Scope, done: Done) throws(LabRuntimeError) {
        var config = lab.server.configuration
        for setting in settings { try applyServerSetting(setting, to: &config, scope, of: "server") }
        lab.server.configuration = config
        done(nil)
    }

    func restartServer(at: SourceLocation, done: Done) throws(LabRuntimeError) {
        do { try lab.restartServer() } catch { throw LabRuntimeError("cannot restart the server: \(error)", at: at) }
        done(nil)
    }

    /// `server shutdown grace=D`: the server's graceful shutdown; a binding gets its report.
    func shutdownServer(_ settings: [Setting], _ bindTo: Binding?, _ scope: Scope, at: SourceLocation,
                        done: @escaping Done) throws(LabRuntimeError) {
        try checkBinding(bindTo, scope, at: at)
        var graceMs = 5_000.0
        for setting in settings {
            guard setting.key == "grace" else { throw unknownSetting(setting, ["grace"], of: "server shutdown") }
            graceMs = try number(setting.value, scope, what: "grace")
        }
        if lab.shutdownStartedNanos == nil { lab.shutdownStartedNanos = lab.loop.now }
        lab.server.shutdown(graceMs: Int(graceMs)) { [weak self] report in
            guard let self, !self.isFinished else { return }
            if let bindTo {
                self.bind(bindTo, in: scope, .object(RecordObject("shutdown report", [
                    ("idleClosed", .number(Double(report.idleClosed))), ("drained", .number(Double(report.drained))),
                    ("forced", .number(Double(report.forced))), ("ms", .number(report.elapsedMs)),
                ])))
            }
            done(nil)
        }
    }

    static let serverKeys = ["keepAliveTimeout", "headersTimeout", "requestTimeout", "maxRequestsPerSocket", "maxBodyBytes", "keepAliveHint",
                             "h2MaxConcurrentStreams", "h2InitialWindowSize", "h2MaxFrameSize", "h2Only",
                             "closeSilentlyAfter", "dropReusedRequests"]

    /// The HTTP/2 settings, each a SETTINGS value (RFC 9113 §6.5.2) with the whole numbers it may take.
    static let h2SettingRanges: [String: (range: ClosedRange<Int>, name: String)] = [
        "h2MaxConcurrentStreams": (ServerConfiguration.h2MaxConcurrentStreamsRange, "SETTINGS_MAX_CONCURRENT_STREAMS"),
        "h2InitialWindowSize": (ServerConfiguration.h2InitialWindowSizeRange, "SETTINGS_INITIAL_WINDOW_SIZE"),
        "h2MaxFrameSize": (ServerConfiguration.h2MaxFrameSizeRange, "SETTINGS_MAX_FRAME_SIZE"),
    ]

    /// One `server` setting (or a server setting of a proxy, which takes `keys`, some of them).
    /// `keepAliveHint` takes a duration (what `Keep-Alive: timeout=` says) or `none` (no
    /// `Keep-Alive` header); the `h2` ones a whole number in the range RFC 9113 allows; the others
    /// a number of 0 or more. Two are misbehaviour: `closeSilentlyAfter=N` (close after the Nth
    /// response on a connection, which said keep-alive) and `dropReusedRequests=N` (read the first N
    /// requests that arrive on reused connections and close without answering).
    func applyServerSetting(_ setting: Setting, to config: inout ServerConfiguration, _ scope: Scope, of owner: String,
                            keys: [String] = serverKeys) throws(LabRuntimeError) {
        guard keys.contains(setting.key) else { throw unknownSetting(setting, keys, of: owner) }
        if setting.key == "keepAliveHint", case .none = try evaluate(setting.value, scope) {
            config.sendsKeepAliveHeader = false
            return
        }
        if setting.key == "h2Only" {
            // The port speaks only HTTP/2 with prior knowledge, like nginx's `listen ... http2`.
            guard case .bool(let only) = try evaluate(setting.value, scope) else {
                throw LabRuntimeError("h2Only is true or false", at: setting.location)
            }
            config.h2Only = only
            return
        }
        let value = try number(setting.value, scope, what: setting.key)
        if let h2 = Self.h2SettingRanges[setting.key] {
            guard value == value.rounded(), value >= Double(h2.range.lowerBound), value <= Double(h2.range.upperBound) else {
                throw LabRuntimeError("\(setting.key) is a whole number from \(h2.range.lowerBound) to \(h2.range.upperBound) "
                    + "(\(h2.name), RFC 9113 §6.5.2), got \(LabValue.format(value))", at: setting.location)
            }
            switch setting.key {
            case "h2MaxConcurrentStreams": config.h2MaxConcurrentStreams = Int(value)
            case "h2InitialWindowSize": config.h2InitialWindowSize = Int(value)
            default: config.h2MaxFrameSize = Int(value)
            }
            return
        }
        guard value >= 0 else { throw LabRuntimeError("\(setting.key) must be 0 or more", at: setting.location) }
        switch setting.key {
        case "keepAliveTimeout": config.keepAliveTimeoutMs = Int(value)
        case "headersTimeout": config.headersTimeoutMs = Int(value)
        case "requestTimeout": config.requestTimeoutMs = Int(value)
        case "maxRequestsPerSocket": config.maxRequestsPerSocket = Int(value)
        case "maxBodyBytes": config.maxBodyBytes = Int(value)
        case "closeSilentlyAfter": config.closeSilentlyAfter = Int(value)
        case "dropReusedRequests": config.dropReusedRequests = Int(value)
        default:
            config.sendsKeepAliveHeader = true
            config.advertisedKeepAliveTimeoutMs = Int(value)
        }
    }

    /// `server NAME settings`: starts (or replaces) a named server on its own port. `mystery=N`
    /// takes the settings of mystery server N and hides them; it stands alone.
    func startNamedServer(_ name: String, _ settings: [Setting], _ scope: Scope, at: SourceLocation) throws(LabRuntimeError) {
        if lab.agents[name] != nil || lab.proxies[name] != nil || lab.sockets[name] != nil {
            throw LabRuntimeError("'\(name)' already names an agent, a proxy or a socket; give the server another name", at: at)
        }
        var config = ServerConfiguration()
        var mystery: Int?
        if let setting = settings.first(where: { $0.key == "mystery" }) {
            if let other = settings.first(where: { $0.key != "mystery" }) {
                throw LabRuntimeError("a mystery server takes no other settings: its settings are the mystery (remove \(other.key)=)", at: other.location)
            }
            let value = try number(setting.value, scope, what: "mystery")
            guard value >= 1, value <= 1_000_000, value == value.rounded() else {
                throw LabRuntimeError("mystery is a whole number from 1 to 1000000, got \(LabValue.format(value))", at: setting.location)
            }
            mystery = Int(value)
            config = .mystery(Int(value))
        } else {
            for setting in settings {
                try applyServerSetting(setting, to: &config, scope, of: "server \(name)")
            }
        }
        lab.servers[name]?.server.closeAll()
        let server = LoopbackServer(loop: lab.loop, configuration: config)
        do { try server.start() } catch { throw LabRuntimeError("cannot start server \(name): \(error)", at: at) }
        lab.noteStrangers(onPort: server.port)
        lab.servers[name] = NamedServer(name: name, server: server, mystery: mystery)
    }
}

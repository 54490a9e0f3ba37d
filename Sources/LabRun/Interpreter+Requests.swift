import HTTP1
import LabScript
import Pooling
import Wire

// Statements that act on agents and what they send: `agent`, `agent reset`, `network`, and a
// request (`pool GET /`).

extension Interpreter {
    func startAgent(_ name: String, _ settings: [Setting], _ scope: Scope, done: Done) throws(LabRuntimeError) {
        let configuration = try agentConfiguration(settings, scope)
        lab.agents[name]?.agent.destroy()
        lab.agents[name] = lab.makeAgent(name: name, configuration: configuration)
        done(nil)
    }

    func resetAgent(_ name: String, at: SourceLocation, done: Done) throws(LabRuntimeError) {
        guard let handle = lab.agents[name] else { throw unknownAgent(name, at: at) }
        handle.baseline = handle.agent.stats
        handle.streamsBaseline = handle.agent.h2Stats?.streams ?? 0
        done(nil)
    }

    /// `network rtt=D tls=N`: the simulated network every agent's connections go through.
    func configureNetwork(_ settings: [Setting], _ scope: Scope, done: Done) throws(LabRuntimeError) {
        var network = SimulatedNetwork()
        for setting in settings {
            let value = try number(setting.value, scope, what: setting.key)
            switch setting.key {
            case "rtt": network.rttMs = value
            case "tls":
                guard value == 0 || value == 1 || value == 2 else { throw LabRuntimeError("tls is the number of handshake round trips: 0, 1 (TLS 1.3) or 2 (TLS 1.2)", at: setting.location) }
                network.tlsRoundTrips = Int(value)
            default: throw unknownSetting(setting, ["rtt", "tls"], of: "network")
            }
        }
        setNetwork(network)
        done(nil)
    }

    static let agentKeys = ["keepAlive", "maxSockets", "maxTotalSockets", "maxFreeSockets", "timeout", "freeSocketTimeout", "scheduling", "keepAliveMsecs",
                            "hintMargin", "ignoreHint", "checkBeforeReuse", "retryStale", "protocol", "streamsBeforeSettings",
                            "h2ConnectionWindow", "h2ReadDelay"]

    func setNetwork(_ network: SimulatedNetwork) {
        lab.network = network
        for handle in lab.agents.values { handle.agent.network = network }
    }

    func sendRequest(_ request: Request, scope: Scope, bindTo: Binding?, at: SourceLocation, done: @escaping Done) throws(LabRuntimeError) {
        guard let handle = lab.agents[request.agent] else { throw unknownAgent(request.agent, at: at) }
        try checkBinding(bindTo, scope, at: at)
        let targetText = try evaluate(request.target, scope).description
        var origin: HTTPOrigin
        let target: String
        if targetText.hasPrefix("/") || targetText == "*" {
            origin = HTTPOrigin(host: "127.0.0.1", port: lab.server.port)
            target = targetText
        } else {
            do {
                (origin, target) = try HTTPOrigin.parse(targetText)
            } catch {
                throw LabRuntimeError("\(error)", at: request.target.location)
            }
        }
        var headers = HTTPHeaders()
        for header in request.headers {
            let text = try evaluate(header, scope).description
            guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
                throw LabRuntimeError("a header is written \"Name: value\", got \"\(text)\"", at: header.location)
            }
            headers.add(name: String(text[..<colon]).trimmingSpaces(), value: String(text[text.index(after: colon)...]).trimmingSpaces())
        }
        var body: [UInt8] = []
        var readsBody = true
        var stallMs = 0.0
        for setting in request.settings {
            switch setting.key {
            case "body": body = Array(try evaluate(setting.value, scope).description.utf8)
            case "to":
                origin = HTTPOrigin(host: "127.0.0.1", port: try port(to: setting, scope, owner: ""))
            case "readBody":
                // false: the caller takes the head and leaves the body unread (the pool then closes
                // the socket: closedBy.bodyUnread).
                readsBody = try flag(setting, scope)
            case "stall":
                // Simulated: the first segment the connection receives after this request is lost
                // and resent this much later; nothing behind it is delivered before.
                guard lab.network.isOn else {
                    throw LabRuntimeError("stall= simulates a lost segment on the simulated network; switch it on first (network rtt=100ms)", at: setting.location)
                }
                stallMs = try number(setting.value, scope, what: "stall")
                guard stallMs > 0 else { throw LabRuntimeError("stall is how late the lost segment's retransmission arrives, a duration above 0 like 300ms", at: setting.location) }
            default: throw unknownSetting(setting, ["body", "to", "readBody", "stall"], of: "a request")
            }
        }
        var agentRequest = AgentRequest(method: request.method, origin: origin, target: target, headers: headers, body: body,
                                        readsBody: readsBody)
        if stallMs > 0 { agentRequest.stallMs = stallMs }
        let agentName = handle.name
        let generation = handle.generation
        handle.agent.send(agentRequest) { [weak self] result in
            guard let self, !self.isFinished else { return }
            self.lab.requestLog.append(RequestRecord(agent: agentName, result: result, line: at.line, generation: generation,
                                                     destination: self.lab.destination(of: result)))
            if let bindTo { self.bind(bindTo, in: scope, .object(Self.resultObject(result))) }
            done(nil)
        }
    }

    static func resultObject(_ result: AgentResult) -> RecordObject {
        let t = result.timings
        func optional(_ v: Double?) -> LabValue { v.map { .number($0) } ?? LabValue.none }
        return RecordObject("request result", [
            ("status", result.status.map { .number(Double($0)) } ?? LabValue.none),
            ("ok", .bool(result.isSuccess)),
            ("reason", result.head.map { .string($0.reason) } ?? LabValue.none),
            ("version", result.head.map { .string($0.version.major == 2 ? "HTTP/2" : $0.version.description) } ?? LabValue.none),
            ("stream", .number(Double(result.stream))),
            ("headers", .object(HeadersObject((result.head?.headers.fields ?? []).map { (name: $0.name, value: $0.value) }))),
            ("body", .string(result.bodyText)),
            ("bytes", .number(Double(result.body.count))),
            ("connection", result.connection.map { .number(Double($0)) } ?? LabValue.none),
            ("reused", .bool(result.isReused)),
            ("retried", .bool(result.isRetried)),
            ("retryReason", result.retryReason.map { .string($0) } ?? LabValue.none),
            ("error", result.error.map { .string($0.description) } ?? LabValue.none),
            ("errorKind", result.error.map { .string($0.kind) } ?? LabValue.none),
            ("ms", .number(t.done)),
            ("timing", .object(RecordObject("timing", [
                ("assigned", optional(t.assigned)), ("connect", optional(t.connect)), ("sent", optional(t.sent)),
                ("firstByte", optional(t.firstByte)), ("done", .number(t.done)),
            ]))),
        ])
    }

    private func agentConfiguration(_ settings: [Setting], _ scope: Scope) throws(LabRuntimeError) -> AgentConfiguration {
        var config = AgentConfiguration()
        for setting in settings {
            switch setting.key {
            case "keepAlive":
                config.pool.keepAlive = try evaluate(setting.value, scope).isTruthy
            case "scheduling":
                let word = try settingWord(setting, scope)
                guard let scheduling = PoolConfiguration.Scheduling(rawValue: word) else {
                    throw LabRuntimeError("scheduling is lifo or fifo, got '\(word)'", at: setting.location)
                }
                config.pool.scheduling = scheduling
            case "maxSockets", "maxTotalSockets", "maxFreeSockets":
                let value = try evaluate(setting.value, scope)
                let n: Int
                if case .string(let s) = value, s == "Infinity" { n = Int.max }
                else {
                    guard case .number(let d) = value, d >= 0, d == d.rounded() else {
                        throw LabRuntimeError("\(setting.key) must be a whole number, got \(value.typeName)", at: setting.location)
                    }
                    n = Int(d)
                }
                if setting.key == "maxSockets" { config.pool.maxSockets = n }
                else if setting.key == "maxTotalSockets" { config.pool.maxTotalSockets = n }
                else { config.pool.maxFreeSockets = n }
            case "timeout":
                let ms = try number(setting.value, scope, what: "timeout")
                config.timeoutMs = ms > 0 ? Int(ms) : nil
            case "freeSocketTimeout":
                let value = try evaluate(setting.value, scope)
                if case .none = value { config.pool.freeSocketTimeoutMs = nil }
                else {
                    let ms = try number(setting.value, scope, what: "freeSocketTimeout")
                    config.pool.freeSocketTimeoutMs = ms > 0 ? Int(ms) : nil
                }
            case "keepAliveMsecs":
                config.keepAliveMsecs = Int(try number(setting.value, scope, what: "keepAliveMsecs"))
            case "hintMargin":
                let ms = try number(setting.value, scope, what: "hintMargin")
                guard ms >= 0 else { throw LabRuntimeError("hintMargin must be 0ms or more", at: setting.location) }
                config.pool.keepAliveHintMarginMs = Int(ms)
            case "ignoreHint":
                config.pool.ignoresKeepAliveHint = try flag(setting, scope)
            case "checkBeforeReuse":
                config.pool.checksBeforeReuse = try flag(setting, scope)
            case "retryStale":
                config.pool.retriesStaleRequests = try flag(setting, scope)
            case "protocol":
                // h2: HTTP/2 over cleartext TCP with prior knowledge, one connection per origin.
                let word = try settingWord(setting, scope)
                switch word.lowercased() {
                case "http1", "http1.1", "http/1.1", "h1": config.httpProtocol = .http1
                case "h2", "http2", "http/2", "h2c": config.httpProtocol = .h2
                default:
                    throw LabRuntimeError("protocol is http1 or h2 (HTTP/2 with prior knowledge), got '\(word)'", at: setting.value.location)
                }
            case "h2ConnectionWindow":
                // HTTP/2: the connection's receive window; above 65,535 a WINDOW_UPDATE on stream 0
                // follows the agent's SETTINGS (RFC 9113 §6.9.2: no setting changes it).
                let n = try number(setting.value, scope, what: "h2ConnectionWindow")
                guard n == n.rounded(), n >= 65_535, n <= 2_147_483_647 else {
                    throw LabRuntimeError("h2ConnectionWindow is a whole number of bytes from 65535 (the initial window) to 2147483647, got \(LabValue.number(n))", at: setting.location)
                }
                config.http2.connectionWindowSize = Int(n)
            case "h2ReadDelay":
                // HTTP/2: a slow reader. Each DATA frame is taken (and its bytes given back to the
                // server's windows) this long after it arrives.
                let ms = try number(setting.value, scope, what: "h2ReadDelay")
                guard ms >= 0 else { throw LabRuntimeError("h2ReadDelay must be 0ms or more", at: setting.location) }
                config.h2ReadDelayMs = ms
                config.http2.automaticWindowUpdates = ms == 0
            case "streamsBeforeSettings":
                let n = try number(setting.value, scope, what: "streamsBeforeSettings")
                guard n >= 1, n == n.rounded(), n <= 1_000_000 else {
                    throw LabRuntimeError("streamsBeforeSettings is a whole number of streams, 1 or more", at: setting.value.location)
                }
                config.http2StreamsBeforeSettings = Int(n)
            default:
                throw unknownSetting(setting, Self.agentKeys, of: "agent")
            }
        }
        if config.httpProtocol != .h2, let h2Only = settings.first(where: { $0.key == "h2ConnectionWindow" || $0.key == "h2ReadDelay" }) {
            throw LabRuntimeError("\(h2Only.key) is an HTTP/2 setting; add protocol=h2 to the agent", at: h2Only.location)
        }
        if config.pool.maxSockets == 0 { throw LabRuntimeError("maxSockets must be at least 1", at: settings.first { $0.key == "maxSockets" }!.location) }
        // An h2 agent has one connection per origin and no pool: the pool's settings would be ignored.
        let h2Keys: Set<String> = ["protocol", "timeout", "streamsBeforeSettings", "h2ConnectionWindow", "h2ReadDelay"]
        if config.httpProtocol == .h2, let pooled = settings.first(where: { !h2Keys.contains($0.key) }) {
            throw LabRuntimeError("\(pooled.key) is an HTTP/1.1 pool setting; an agent with protocol=h2 takes only protocol, timeout, streamsBeforeSettings, h2ConnectionWindow and h2ReadDelay",
                                  at: pooled.location)
        }
        if config.httpProtocol != .h2, let h2Only = settings.first(where: { $0.key == "streamsBeforeSettings" }) {
            throw LabRuntimeError("streamsBeforeSettings needs protocol=h2", at: h2Only.location)
        }
        return config
    }

    /// A setting that is true or false: `retryStale=false`. Anything else is a mistake worth naming
    /// (`retryStale=no` would otherwise read as a variable that does not exist).
    private func flag(_ setting: Setting, _ scope: Scope) throws(LabRuntimeError) -> Bool {
        let value = try evaluate(setting.value, scope)
        guard case .bool(let flag) = value else {
            throw LabRuntimeError("\(setting.key) is true or false, got \(value.typeName)", at: setting.location)
        }
        return flag
    }
}

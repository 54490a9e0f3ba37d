import HTTP1
import LabScript
import Pooling
import Wire

extension Interpreter {
    /// Runs one statement; `done` is called exactly once (possibly before this returns).
    func execute(_ statement: Statement, scope: Scope, done: @escaping Done) {
        currentLocation = statement.location
        let token = statementStarted(statement.location)
        let finished: Done = { [weak self] error in
            self?.statementEnded(token)
            done(error)
        }
        do {
            try executeThrowing(statement, scope: scope, done: finished)
        } catch {
            finished(error)
        }
    }

    private func executeThrowing(_ statement: Statement, scope: Scope, done: @escaping Done) throws(LabRuntimeError) {
        let at = statement.location
        switch statement.kind {
        case .let(let name, let value):
            scope.define(name, try evaluate(value, scope))
            done(nil)
        case .assign(let name, let value):
            let result = try evaluate(value, scope)
            guard scope.assign(name, result) else { throw undefinedName(name, scope, at: at) }
            done(nil)
        case .print(let value):
            emitLine(try value.map { (v) throws(LabRuntimeError) -> String in try evaluate(v, scope).description } ?? "")
            done(nil)
        case .expect(let condition, let message):
            let holds = try evaluate(condition, scope).isTruthy
            expectsChecked += 1
            if !holds {
                var text = "expect failed: \(condition)"
                var observed: String?
                var values: [String?]
                if case .binary(let op, let left, let right) = condition.kind, op != .and, op != .or {
                    let (l, r) = (try evaluate(left, scope), try evaluate(right, scope))
                    observed = "\(l) \(op.rawValue) \(r)"
                    text += " (\(observed!))"
                    values = [Self.shown(l), Self.shown(r)]
                } else if case .unary(.not, let operand) = condition.kind {
                    values = [Self.shown(try evaluate(operand, scope))]
                } else {
                    values = [Self.shown(try evaluate(condition, scope))]
                }
                let note = try message.map { (m) throws(LabRuntimeError) -> String in try evaluate(m, scope).description }
                if let note { text += " — \(note)" }
                expectFailures.append(ExpectFailure(location: at, message: text, observed: observed, note: note,
                                                    condition: condition, values: values))
            }
            done(nil)
        case .block(let body):
            runSequence(body, from: 0, scope: Scope(parent: scope), done: done)
        case .if(let branches, let elseBody):
            for branch in branches where try evaluate(branch.condition, scope).isTruthy {
                runSequence(branch.body, from: 0, scope: Scope(parent: scope), done: done)
                return
            }
            if let elseBody { runSequence(elseBody, from: 0, scope: Scope(parent: scope), done: done) } else { done(nil) }
        case .repeat(let count, let index, let body):
            let n = try wholeNumber(count, scope, what: "repeat count")
            runRepeat(body, count: n, from: 1, index: index, scope: scope, done: done)
        case .parallel(let count, let index, let body):
            if let count {
                let n = try wholeNumber(count, scope, what: "parallel count")
                let branches = (0..<n).map { i -> (Scope, [Statement]) in
                    let inner = Scope(parent: scope)
                    if let index { inner.define(index, .number(Double(i + 1))) }
                    return (inner, body)
                }
                runConcurrently(branches, done: done)
            } else {
                runConcurrently(body.map { (Scope(parent: scope), [$0]) }, done: done)
            }
        case .sleep(let duration):
            let ms = try number(duration, scope, what: "sleep duration")
            guard ms >= 0 else { throw LabRuntimeError("sleep needs a duration of 0 or more", at: at) }
            lab.loop.schedule(afterMs: ms) { [weak self] in
                guard let self, !self.isFinished else { return }
                done(nil)
            }
        case .measure(let name, let body):
            let start = lab.loop.now
            let requestsBefore = lab.server.stats.requests, connectionsBefore = lab.server.stats.accepted
            runSequence(body, from: 0, scope: Scope(parent: scope)) { [weak self] error in
                guard let self else { return }
                let ms = Double(self.lab.loop.now - start) / 1e6
                scope.define(name, .object(RecordObject("measurement \(name)", [
                    ("ms", .number(ms)),
                    ("requests", .number(Double(self.lab.server.stats.requests - requestsBefore))),
                    ("connections", .number(Double(self.lab.server.stats.accepted - connectionsBefore))),
                ])))
                done(error)
            }
        case .on(let event, let body):
            hooks.append((event, body))
            done(nil)
        case .limit(let duration):
            let ms = try number(duration, scope, what: "time limit")
            guard ms > 0 else { throw LabRuntimeError("limit needs a positive duration", at: at) }
            armDeadline(Int(ms), at: at)
            done(nil)

        case .configureServer(let settings):
            var config = lab.server.configuration
            for setting in settings { try applyServerSetting(setting, to: &config, scope, of: "server") }
            lab.server.configuration = config
            done(nil)
        case .namedServer(let name, let settings):
            try startNamedServer(name, settings, scope, at: at)
            done(nil)
        case .restartServer:
            do { try lab.restartServer() } catch { throw LabRuntimeError("cannot restart the server: \(error)", at: at) }
            done(nil)
        case .resetServer:
            lab.resetServerStats()
            done(nil)
        case .resetAgent(let name):
            guard let handle = lab.agents[name] else { throw unknownAgent(name, at: at) }
            handle.baseline = handle.agent.stats
            done(nil)
        case .shutdownServer(let settings, let bindTo):
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
        case .agent(let name, let settings):
            let configuration = try agentConfiguration(settings, scope)
            lab.agents[name]?.agent.destroy()
            lab.agents[name] = lab.makeAgent(name: name, configuration: configuration)
            done(nil)
        case .network(let settings):
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
        case .networkOff:
            setNetwork(.off)
            done(nil)
        case .proxy(let name, let settings):
            var upstream: AgentHandle?
            var closesUpstream = false
            var config = ServerConfiguration()
            for setting in settings {
                switch setting.key {
                case "upstream":
                    let agentName = try settingWord(setting, scope)
                    guard let handle = lab.agents[agentName] else { throw unknownAgent(agentName, at: setting.location) }
                    upstream = handle
                case "closesUpstream":
                    closesUpstream = try evaluate(setting.value, scope).isTruthy
                case "keepAliveTimeout", "headersTimeout", "requestTimeout", "maxRequestsPerSocket":
                    let value = Int(try number(setting.value, scope, what: setting.key))
                    switch setting.key {
                    case "keepAliveTimeout": config.keepAliveTimeoutMs = value
                    case "headersTimeout": config.headersTimeoutMs = value
                    case "requestTimeout": config.requestTimeoutMs = value
                    default: config.maxRequestsPerSocket = value
                    }
                default:
                    throw unknownSetting(setting, ["upstream", "closesUpstream"] + Self.serverKeys.filter { $0 != "maxBodyBytes" && $0 != "keepAliveHint" }, of: "proxy")
                }
            }
            guard let upstream else {
                throw LabRuntimeError("a proxy needs its upstream agent: proxy \(name) upstream=AGENT", at: at)
            }
            lab.proxies[name]?.close()
            do {
                let proxy = try ReverseProxy(loop: lab.loop, upstream: upstream.agent,
                                             upstreamOrigin: HTTPOrigin(host: "127.0.0.1", port: lab.server.port),
                                             closesUpstream: closesUpstream, configuration: config)
                lab.proxies[name] = proxy
                // The requests the proxy forwards are the upstream agent's: the waterfall draws them
                // on its lanes (they are not the script's own requests, so `run` does not count them).
                let line = at.line
                proxy.onUpstreamResult = { [weak lab, weak upstream] result in
                    guard let lab, let upstream else { return }
                    lab.forwardedLog.append(RequestRecord(agent: upstream.name, result: result, line: line, generation: upstream.generation,
                                                          destination: lab.destination(of: result)))
                }
            } catch {
                throw LabRuntimeError("cannot start proxy \(name): \(error)", at: at)
            }
            done(nil)

        case .request(let request, let bindTo):
            try sendRequest(request, scope: scope, bindTo: bindTo, at: at, done: done)

        case .open(let name, let settings):
            var port = lab.server.port
            for setting in settings {
                switch setting.key {
                case "port":
                    let value = try number(setting.value, scope, what: "port")
                    guard value >= 1, value <= 65535 else { throw LabRuntimeError("port must be 1...65535", at: setting.location) }
                    port = UInt16(value)
                case "to":
                    port = try self.port(to: setting, scope, owner: "open \(name) ")
                default:
                    throw LabRuntimeError("open takes to= or port=, not \(setting.key)=", at: setting.location)
                }
            }
            lab.sockets[name]?.close()
            let socket = RawConnection(loop: lab.loop)
            lab.sockets[name] = socket
            lab.socketOpened(name, socket)
            socket.onChange = { [weak self, weak socket] in
                guard let self, let socket, socket.state != .connecting else { return }
                socket.onChange = nil
                if case .failed(let error) = socket.state {
                    self.abort(LabRuntimeError("open \(name): \(error)", at: at))
                    return
                }
                self.lab.socketConnected(socket)
                done(nil)
            }
            socket.connect(port: port)
        case .send(let name, let data):
            guard let socket = lab.sockets[name] else { throw unknownSocket(name, at: at) }
            socket.send(try evaluate(data, scope).description)
            done(nil)
        case .receive(let receive, let bindTo):
            try receiveBytes(receive, scope: scope, bindTo: bindTo, at: at, done: done)
        case .close(let name):
            guard let socket = lab.sockets[name] else { throw unknownSocket(name, at: at) }
            socket.shutdownWrite()
            done(nil)
        case .abort(let name):
            guard let socket = lab.sockets[name] else { throw unknownSocket(name, at: at) }
            socket.abort()
            done(nil)
        }
    }

    static let serverKeys = ["keepAliveTimeout", "headersTimeout", "requestTimeout", "maxRequestsPerSocket", "maxBodyBytes", "keepAliveHint"]

    /// One `server` setting. `keepAliveHint` takes a duration (what `Keep-Alive: timeout=` says) or
    /// `none` (no `Keep-Alive` header); the others take a number of 0 or more.
    private func applyServerSetting(_ setting: Setting, to config: inout ServerConfiguration, _ scope: Scope, of owner: String) throws(LabRuntimeError) {
        if setting.key == "keepAliveHint", case .none = try evaluate(setting.value, scope) {
            config.sendsKeepAliveHeader = false
            return
        }
        guard Self.serverKeys.contains(setting.key) else { throw unknownSetting(setting, Self.serverKeys, of: owner) }
        let value = try number(setting.value, scope, what: setting.key)
        guard value >= 0 else { throw LabRuntimeError("\(setting.key) must be 0 or more", at: setting.location) }
        switch setting.key {
        case "keepAliveTimeout": config.keepAliveTimeoutMs = Int(value)
        case "headersTimeout": config.headersTimeoutMs = Int(value)
        case "requestTimeout": config.requestTimeoutMs = Int(value)
        case "maxRequestsPerSocket": config.maxRequestsPerSocket = Int(value)
        case "maxBodyBytes": config.maxBodyBytes = Int(value)
        default:
            config.sendsKeepAliveHeader = true
            config.advertisedKeepAliveTimeoutMs = Int(value)
        }
    }

    /// `server NAME settings`: starts (or replaces) a named server on its own port. `mystery=N`
    /// takes the settings of mystery server N and hides them; it stands alone.
    private func startNamedServer(_ name: String, _ settings: [Setting], _ scope: Scope, at: SourceLocation) throws(LabRuntimeError) {
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
        lab.servers[name] = NamedServer(name: name, server: server, mystery: mystery)
    }

    /// The port a `to=` setting names: the embedded `server`, a proxy, or a named server.
    private func port(to setting: Setting, _ scope: Scope, owner: String) throws(LabRuntimeError) -> UInt16 {
        let target = try settingWord(setting, scope)
        if target == "server" { return lab.server.port }
        if let proxy = lab.proxies[target] { return proxy.port }
        if let named = lab.servers[target] { return named.server.port }
        var message = "\(owner)to=\(target): there is no proxy or server named '\(target)' (to= takes server, a proxy or a named server)"
        if let guess = closestName(target, ["server"] + Array(lab.proxies.keys) + Array(lab.servers.keys)) {
            message += "; did you mean '\(guess)'?"
        }
        throw LabRuntimeError(message, at: setting.location)
    }
    static let agentKeys = ["keepAlive", "maxSockets", "maxTotalSockets", "maxFreeSockets", "timeout", "freeSocketTimeout", "scheduling", "keepAliveMsecs",
                            "hintMargin", "ignoreHint", "checkBeforeReuse", "retryStale"]

    private func setNetwork(_ network: SimulatedNetwork) {
        lab.network = network
        for handle in lab.agents.values { handle.agent.network = network }
    }

    // MARK: Requests

    private func sendRequest(_ request: Request, scope: Scope, bindTo: Binding?, at: SourceLocation, done: @escaping Done) throws(LabRuntimeError) {
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
        for setting in request.settings {
            switch setting.key {
            case "body": body = Array(try evaluate(setting.value, scope).description.utf8)
            case "to":
                origin = HTTPOrigin(host: "127.0.0.1", port: try port(to: setting, scope, owner: ""))
            default: throw unknownSetting(setting, ["body", "to"], of: "a request")
            }
        }
        let agentRequest = AgentRequest(method: request.method, origin: origin, target: target, headers: headers, body: body)
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
            ("version", result.head.map { .string($0.version.description) } ?? LabValue.none),
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
            default:
                throw unknownSetting(setting, Self.agentKeys, of: "agent")
            }
        }
        if config.pool.maxSockets == 0 { throw LabRuntimeError("maxSockets must be at least 1", at: settings.first { $0.key == "maxSockets" }!.location) }
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

    /// A setting whose value is a word: `scheduling=fifo` (a bare name) or `scheduling="fifo"`.
    private func settingWord(_ setting: Setting, _ scope: Scope) throws(LabRuntimeError) -> String {
        if case .variable(let name) = setting.value.kind, scope.lookup(name) == nil { return name }
        return try evaluate(setting.value, scope).description
    }

    // MARK: Raw sockets

    private func receiveBytes(_ receive: Receive, scope: Scope, bindTo: Binding?, at: SourceLocation, done: @escaping Done) throws(LabRuntimeError) {
        guard let socket = lab.sockets[receive.socket] else { throw unknownSocket(receive.socket, at: at) }
        try checkBinding(bindTo, scope, at: at)
        let timeoutMs = try receive.timeout.map { (t) throws(LabRuntimeError) -> Double in try number(t, scope, what: "timeout") } ?? 2_000
        var delimiter: [UInt8]?
        var byteCount: Int?
        switch receive.stop {
        case .delimiter(let text): delimiter = Array(try evaluate(text, scope).description.utf8)
        case .byteCount(let count): byteCount = try wholeNumber(count, scope, what: "bytes")
        case .close, .firstRead: break
        }
        let stop = receive.stop
        // How many received bytes the recv takes, or nil while it must keep waiting.
        func ready() -> Int? {
            let buffered = socket.received
            let ended = socket.state != .open && socket.state != .connecting
            switch stop {
            case .firstRead: return buffered.isEmpty ? (ended ? 0 : nil) : buffered.count
            case .close: return ended ? buffered.count : nil
            case .byteCount: return buffered.count >= byteCount! ? byteCount! : (ended ? buffered.count : nil)
            case .delimiter:
                if let range = find(delimiter!, in: buffered) { return range }
                return ended ? buffered.count : nil
            }
        }
        var finished = false
        // Weak: the timer's action holds `complete`, which would otherwise hold the timer, a cycle
        // that kept the whole lab alive after the run. The loop's heap holds the timer while it is armed.
        weak var timer: LoopTimer?
        let complete = { [weak self, weak socket] (timedOut: Bool) in
            guard let self, let socket, !finished, !self.isFinished else { return }
            finished = true
            timer?.release()   // and with it this closure, not only when the deadline comes
            socket.onChange = nil
            let count = timedOut ? socket.received.count : (ready() ?? socket.received.count)
            let all = socket.take()
            let taken = Array(all.prefix(count))
            if count < all.count { socket.putBack(Array(all[count...])) }
            if let bindTo { self.bind(bindTo, in: scope, .string(String(decoding: taken, as: UTF8.self))) }
            done(nil)
        }
        if ready() != nil { complete(false); return }
        socket.onChange = { if ready() != nil { complete(false) } }
        timer = lab.loop.schedule(afterMs: timeoutMs) { complete(true) }
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start + needle.count }
        }
        return nil
    }

    // MARK: Helpers

    /// Before a statement whose result is assigned (`r = pool GET /`) starts: the name must exist
    /// already, so the mistake is reported before anything is sent.
    private func checkBinding(_ binding: Binding?, _ scope: Scope, at: SourceLocation) throws(LabRuntimeError) {
        guard case .assign(let name)? = binding, scope.lookup(name) == nil else { return }
        throw undefinedName(name, scope, at: at)
    }

    /// Stores a finished statement's result: a new name for `let`, the existing one (in this scope
    /// or an enclosing one, checked by `checkBinding`) for an assignment.
    private func bind(_ binding: Binding, in scope: Scope, _ value: LabValue) {
        switch binding {
        case .let(let name): scope.define(name, value)
        case .assign(let name): _ = scope.assign(name, value)
        }
    }

    /// An assignment to a name that no enclosing scope defines: a misspelling, or a missing `let`.
    private func undefinedName(_ name: String, _ scope: Scope, at: SourceLocation) -> LabRuntimeError {
        if let guess = closestName(name, scope.allNames) {
            return LabRuntimeError("'\(name)' is not defined; did you mean '\(guess)'? (use 'let \(name) = ...' to create it)", at: at)
        }
        return LabRuntimeError("'\(name)' is not defined; use 'let \(name) = ...' to create it", at: at)
    }

    func number(_ expression: Expression, _ scope: Scope, what: String) throws(LabRuntimeError) -> Double {
        let value = try evaluate(expression, scope)
        guard case .number(let n) = value else { throw LabRuntimeError("\(what) must be a number, got \(value.typeName)", at: expression.location) }
        return n
    }

    func wholeNumber(_ expression: Expression, _ scope: Scope, what: String) throws(LabRuntimeError) -> Int {
        let n = try number(expression, scope, what: what)
        guard n >= 0, n == n.rounded(), n <= 1_000_000 else {
            throw LabRuntimeError("\(what) must be a whole number from 0 to 1000000, got \(LabValue.format(n))", at: expression.location)
        }
        return Int(n)
    }

    private func unknownSetting(_ setting: Setting, _ known: [String], of what: String) -> LabRuntimeError {
        var message = "\(what) has no setting '\(setting.key)'"
        if let guess = closestName(setting.key, known) { message += "; did you mean '\(guess)'?" } else { message += " (settings: \(known.joined(separator: ", ")))" }
        return LabRuntimeError(message, at: setting.location)
    }

    private func unknownAgent(_ name: String, at: SourceLocation) -> LabRuntimeError {
        var message = "there is no agent named '\(name)'"
        if let guess = closestName(name, Array(lab.agents.keys)) { message += "; did you mean '\(guess)'?" } else { message += "; create one with 'agent \(name) keepAlive=true'" }
        return LabRuntimeError(message, at: at)
    }

    private func unknownSocket(_ name: String, at: SourceLocation) -> LabRuntimeError {
        LabRuntimeError("there is no socket named '\(name)'; open one with 'open \(name)'", at: at)
    }
}

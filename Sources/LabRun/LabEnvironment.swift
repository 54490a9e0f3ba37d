// One file past 400 lines on purpose: the names a script reads (`server.requests`, `pool.reused`,
// `run.seen`) are built from the environment's counters and baselines, which stay private to it;
// the events that fill them are here too, so what a name counts and what feeds it are read together.

import Foundation
import HTTP1
import LabScript
import Pooling
import Wire

/// One agent as a script sees it: the agent, and a baseline so `reset NAME` can zero its counters.
final class AgentHandle {
    let name: String
    var agent: Agent
    var baseline = PoolStats()
    /// h2 streams opened when `reset NAME` ran.
    var streamsBaseline = 0
    func h2StreamsBaseline(_ wholeRun: Bool) -> Int { wholeRun ? 0 : streamsBaseline }
    /// 1 for the first agent of this name, 2 once `agent NAME` made it again, and so on.
    let generation: Int
    init(name: String, agent: Agent, generation: Int = 1) {
        self.name = name
        self.agent = agent
        self.generation = generation
    }
}

/// A second server a script made by name: `server box keepAliveTimeout=1500ms`, or a mystery server
/// (`server box mystery=7`) whose settings and counters a script may not read — only measure. A
/// challenge key's answer and conditions may read them (`LabEnvironment.revealsMysteries`).
final class NamedServer {
    let name: String
    let server: LoopbackServer
    let mystery: Int?
    init(name: String, server: LoopbackServer, mystery: Int?) {
        self.name = name
        self.server = server
        self.mystery = mystery
    }
}

/// LabEnvironment: the lab an experiment runs in — one event loop, the embedded server, the agents,
/// raw sockets and the simulated network — and the script-visible objects for them.
final class LabEnvironment {
    let loop: EventLoop
    private(set) var server: LoopbackServer
    var agents: [String: AgentHandle] = [:]
    var sockets: [String: RawConnection] = [:]
    var proxies: [String: ReverseProxy] = [:]
    /// Servers made with `server NAME ...`, besides the embedded `server`.
    var servers: [String: NamedServer] = [:]
    /// When true, a mystery server's settings and counters can be read: a challenge key's answer and
    /// conditions check the learner's findings against them. A script never sees them.
    var revealsMysteries = false
    /// Every request a script statement made, in completion order, for the waterfall.
    var requestLog: [RequestRecord] = []
    /// Every request head the lab's `server` parsed (across restarts), for challenge keys (`run.seen`).
    var seenRequests: [SeenRequest] = []
    /// When the lab's server first began a graceful shutdown (loop clock), for `run.afterShutdown`.
    var shutdownStartedNanos: Int64?
    /// The requests proxies forwarded through their upstream agents, for the waterfall only.
    var forwardedLog: [RequestRecord] = []
    /// The loop-clock instant the run started (the waterfall's zero).
    var startedNanos: Int64 = 0
    var network: SimulatedNetwork
    weak var interpreter: Interpreter?
    /// Connection events as they happen, for `wirelab run --trace` (not part of the matched output).
    var trace: ((TraceEvent) -> Void)?
    private var serverObserver = 0
    /// When true, `server` and agent objects count the whole run: `reset` no longer hides what
    /// happened before it. A challenge key's conditions are evaluated this way, so a learner's
    /// script can't zero the counters a condition reads.
    var countsWholeRun = false
    /// Server counters from before each `reset server` and each server restart.
    private(set) var serverStatsBefore = ServerStats()
    /// How many agents of each name were made: a re-created agent is a new one (its generation).
    private var agentGenerations: [String: Int] = [:]
    /// The embedded server's connections and the raw sockets, for the waterfall's socket lanes.
    private var connectionLog = ConnectionLog()

    init(loop: EventLoop, serverConfiguration: ServerConfiguration, network: SimulatedNetwork) throws(SystemError) {
        self.loop = loop
        self.network = network
        server = LoopbackServer(loop: loop, configuration: serverConfiguration)
        try server.start()
        noteStrangers(onPort: server.port)
        observeServer()
        agents["fetch"] = makeAgent(name: "fetch", configuration: AgentConfiguration())
    }

    /// Closes everything the run opened.
    func tearDown() {
        for handle in agents.values { handle.agent.destroy() }
        for socket in sockets.values {
            // A `recv` still waiting (a run stopped by its time limit) left its callback on the
            // socket, and the callback holds the script's scope, which holds the socket: a cycle
            // that kept the loop alive. The run is over, so nothing needs to hear about the close.
            socket.onChange = nil
            socket.close()
        }
        for proxy in proxies.values { proxy.close() }
        for named in servers.values { named.server.closeAll() }
        server.closeAll()
    }

    /// Zeroes the server's counters for the script, keeping them for the whole-run view.
    func resetServerStats() {
        serverStatsBefore = serverStatsBefore.adding(server.stats)
        server.resetStats()
    }

    /// The server's counters as the script sees them: since the last reset, or the whole run.
    var visibleServerStats: ServerStats {
        countsWholeRun ? serverStatsBefore.adding(server.stats, keepingGaugesOf: server.stats) : server.stats
    }

    func restartServer() throws(SystemError) {
        serverStatsBefore = serverStatsBefore.adding(server.stats)
        server.removeObserver(serverObserver)
        server.closeAll()
        server = LoopbackServer(loop: loop, configuration: server.configuration)
        try server.start()
        noteStrangers(onPort: server.port)
        observeServer()
    }

    /// Sockets of this process already connected to a port when a lab server has just taken it:
    /// a client something else in the process (a test suite around the lab) left open towards an
    /// earlier server with the same port number. `process.labSockets` does not count them.
    private(set) var strangerSockets: Set<String> = []

    func noteStrangers(onPort port: UInt16) {
        for socket in Platform.tcpSockets(onPorts: [port]) ?? [] where socket.remotePort == port {
            strangerSockets.insert(socket.inode)
        }
    }

    func makeAgent(name: String, configuration: AgentConfiguration) -> AgentHandle {
        var configuration = configuration
        configuration.network = network
        let agent = Agent(loop: loop, name: name, configuration: configuration)
        agentGenerations[name, default: 0] += 1
        let handle = AgentHandle(name: name, agent: agent, generation: agentGenerations[name]!)
        // The agent keeps its observers: capturing `agent` itself here made a cycle that kept every
        // agent, and through it the loop, alive after the run. Its identity is enough to compare.
        let agentID = ObjectIdentifier(agent)
        agent.addObserver { [weak self, weak handle] event in
            guard let self, let handle, ObjectIdentifier(handle.agent) == agentID else { return }
            self.agentEvent(handle.name, event)
        }
        return handle
    }

    // MARK: Events → hooks and trace

    /// Hands one event to `trace`, with the statements running now; builds nothing without a trace.
    private func traced(_ source: TraceEvent.Source, _ connection: Int?, _ kind: TraceEvent.Kind, detail: String? = nil,
                        stream: Int? = nil, _ text: @autoclosure () -> String) {
        guard let trace else { return }
        trace(TraceEvent(source: source, connection: connection, kind: kind, detail: detail, text: text(),
                         lines: interpreter?.runningLines ?? [], stream: stream))
    }

    private func observeServer() {
        connectionLog.serverStarted(port: server.port)
        serverObserver = server.addObserver { [weak self] event in self?.serverEvent(event) }
    }

    private func serverEvent(_ event: ServerEvent) {
        if case .request(_, _, let head) = event { noteSeen(head) }
        let server = self.server
        connectionLog.record(event, now: loop.now) { server.peerPort(ofConnection: $0) }
        guard let interpreter else { return }
        switch event {
        case .opened(let id):
            traced(.server, id, .opened, "server   #\(id) opened")
            interpreter.fire(["server", "connection"], [("id", .number(Double(id)))])
        case .request(let id, let index, let head):
            let stream = head.stream.map { " stream \($0)" } ?? ""
            traced(.server, id, .request, detail: index == 1 ? "on a new connection" : "on a reused connection",
                   "server   #\(id) \(head.method) \(head.target) \(head.version)\(stream) (\(index == 1 ? "new connection" : "reused, request \(index)"))")
            interpreter.fire(["server", "request"], [
                ("connection", .number(Double(id))), ("reused", .bool(index > 1)), ("index", .number(Double(index))),
                ("method", .string(head.method)), ("path", .string(head.target)), ("version", .string(head.version)),
                ("protocol", .string(Self.protocolName(stream: head.stream))), ("stream", .number(Double(head.stream ?? 0))),
            ])
        case .response(let id, let status, let willClose, let stream):
            traced(.server, id, .response, detail: willClose ? "said Connection: close" : nil,
                   "server   #\(id) → \(status)\(stream.map { " stream \($0)" } ?? "")\(willClose ? " (Connection: close)" : "")")
            interpreter.fire(["server", "response"], [
                ("connection", .number(Double(id))), ("status", .number(Double(status))), ("close", .bool(willClose)),
                ("protocol", .string(Self.protocolName(stream: stream))), ("stream", .number(Double(stream ?? 0))),
            ])
        case .refused:
            break   // the close that follows says it (reason "bad request" or the timeout)
        case .streamReset:
            break   // the agent's side says it: the request failed or was retried (REFUSED_STREAM)
        case .idle(let id):
            interpreter.fire(["server", "idle"], [("connection", .number(Double(id)))])
        case .closed(let id, let reason, let requests):
            let isHTTP2 = server.isHTTP2(connection: id)
            traced(.server, id, .closed, detail: "\(reason)", "server   #\(id) closed: \(reason) after \(requests) "
                   + (isHTTP2 ? "HTTP/2 stream\(requests == 1 ? "" : "s")" : "request\(requests == 1 ? "" : "s")"))
            interpreter.fire(["server", "close"], [
                ("connection", .number(Double(id))), ("reason", .string(reason.description)),
                ("key", .string(reason.key)), ("requests", .number(Double(requests))),
                ("protocol", .string(isHTTP2 ? "HTTP/2" : "HTTP/1.1")), ("streams", .number(Double(isHTTP2 ? requests : 0))),
            ])
        }
    }

    /// What `event.protocol` says: the connection's framing, `HTTP/2` for a request or response on
    /// a stream, else `HTTP/1.1` (whose parser also takes HTTP/1.0 requests: `event.version` says which).
    static func protocolName(stream: Int?) -> String { stream == nil ? "HTTP/1.1" : "HTTP/2" }

    private func agentEvent(_ name: String, _ event: AgentEvent) {
        guard let interpreter else { return }
        switch event {
        case .queued(let request):
            let what = agents[name]?.agent.configuration.httpProtocol == .h2 ? "its connection" : "a socket"
            traced(.agent(name), nil, .waited, "agent \(name) request \(request) waits for \(what)")
        case .connecting(let connection, let origin):
            traced(.agent(name), connection, .connecting, "agent \(name) #\(connection) connecting to \(origin)\(network.isOn ? " (\(network))" : "")")
            interpreter.fire(["agent", name, "connect"], [("connection", .number(Double(connection)))])
        case .connected(let connection, let ms):
            traced(.agent(name), connection, .connected, "agent \(name) #\(connection) connected in \(LabValue.fixed(ms, 2))ms")
        case .connectFailed(let connection, let error):
            traced(.agent(name), connection, .connectFailed, detail: error, "agent \(name) #\(connection) connect failed: \(error)")
        case .sent(let request, let connection, let reused):
            // An h2 agent's `sent` is traced with its stream, at `.streamOpened` just after.
            if agents[name]?.agent.configuration.httpProtocol != .h2 {
                traced(.agent(name), connection, .sent, detail: reused ? "on a reused socket" : "on a new socket",
                       "agent \(name) #\(connection) \(reused ? "reused" : "new") for request \(request)")
            }
            if reused { interpreter.fire(["agent", name, "reuse"], [("connection", .number(Double(connection))), ("request", .number(Double(request)))]) }
        case .streamOpened(let request, let connection, let stream):
            let reused = stream > 1
            traced(.agent(name), connection, .sent, detail: reused ? "on a reused connection (h2 stream)" : "on a new connection (h2 stream)",
                   stream: stream, "agent \(name) #\(connection) stream \(stream) for request \(request)")
        case .response(let request, let connection, let status):
            traced(.agent(name), connection, .response, "agent \(name) #\(connection) request \(request) → \(status)")
        case .retrying(let request, let reason):
            traced(.agent(name), nil, .retried, detail: reason, "agent \(name) request \(request) retried: \(reason)")
        case .failed(let request, let error):
            traced(.agent(name), nil, .failed, detail: error, "agent \(name) request \(request) failed: \(error)")
        case .closed(let connection, let reason):
            traced(.agent(name), connection, .closed, detail: reason, "agent \(name) #\(connection) closed: \(reason)")
            interpreter.fire(["agent", name, "close"], [("connection", .number(Double(connection))), ("reason", .string(reason))])
        }
    }

    // MARK: Connections, for the waterfall (see `ConnectionLog`)

    /// `open NAME` made `socket`.
    func socketOpened(_ name: String, _ socket: RawConnection) { connectionLog.socketOpened(name, socket, now: loop.now) }

    /// `socket` finished its connect.
    func socketConnected(_ socket: RawConnection) { connectionLog.socketConnected(socket, now: loop.now) }

    /// The raw sockets with what the embedded server saw of them.
    func socketRecords() -> [SocketRecord] { connectionLog.socketRecords() }

    /// Where `result`'s request went, when not to the embedded server: a named server's or a
    /// proxy's name, else `port N`.
    func destination(of result: AgentResult) -> String? {
        let port = result.request.origin.port
        if connectionLog.isEmbeddedServer(port: port) { return nil }
        if let named = servers.first(where: { $0.value.server.port == port }) { return named.key }
        if let proxy = proxies.first(where: { $0.value.port == port }) { return proxy.key }
        return "port \(port)"
    }

    /// Connections the embedded server accepted over the whole run (every restart included).
    var serverConnectionsAccepted: Int { serverStatsBefore.accepted + server.stats.accepted }

    // MARK: Script-visible names

    var builtinNames: [String] {
        ["server", "network", "agents", "run", "process"] + Array(agents.keys) + Array(sockets.keys) + Array(proxies.keys) + Array(servers.keys)
    }

    func builtinValue(_ name: String) -> LabValue? {
        switch name {
        case "server": return .object(serverObject())
        case "network": return .object(networkObject())
        default:
            if let handle = agents[name] { return .object(agentObject(handle)) }
            if let socket = sockets[name] { return .object(socketObject(name, socket)) }
            if let proxy = proxies[name] { return .object(proxyObject(name, proxy)) }
            if let named = servers[name] { return .object(namedServerObject(named)) }
            if name == "agents" { return .object(agentsObject()) }
            if name == "process" { return .object(processObject()) }
            if name == "run" { return .object(runObject()) }
            return nil
        }
    }

    /// The fields every server object has: counters, address and settings.
    static let serverFields = ["requests", "connections", "open", "idle", "reused", "responses", "closed", "closedBy", "port", "url",
                               "streams", "h2Connections",
                               "keepAliveTimeout", "headersTimeout", "requestTimeout", "maxRequestsPerSocket", "keepAliveHint", "listening",
                               "timeWait", "timeWaitAtServer", "h2MaxConcurrentStreams", "h2InitialWindowSize", "h2MaxFrameSize", "h2Only"]

    func serverObject() -> LabObject {
        let server = self.server
        return LiveObject("the server", fields: Self.serverFields, display: { server.url }) { [unowned self] name in
            Self.serverField(name, of: server, stats: self.visibleServerStats, owner: "the server")
        }
    }

    /// A named server: the same fields as `server` (counted since it started), plus `name` and
    /// `mystery`. A mystery server shows only `name`, `mystery`, `port`, `url` and `listening`
    /// unless `revealsMysteries` is on.
    func namedServerObject(_ named: NamedServer) -> LabObject {
        let server = named.server
        let open: Set<String> = ["name", "mystery", "port", "url", "listening"]
        let hidden: (String) -> String? = { [unowned self] field in
            guard let number = named.mystery, !self.revealsMysteries, !open.contains(field),
                  Self.serverFields.contains(field) else { return nil }
            return "\(named.name) is mystery server \(number): its \(field) is yours to find by measuring, not to read "
                + "(a mystery server shows only \(open.sorted().joined(separator: ", ")))"
        }
        return LiveObject("server \(named.name)", fields: ["name", "mystery"] + Self.serverFields, display: { server.url },
                          hidden: hidden) { name in
            switch name {
            case "name": return .string(named.name)
            case "mystery": return named.mystery.map { .number(Double($0)) } ?? LabValue.none
            default: return Self.serverField(name, of: server, stats: server.stats, owner: "server \(named.name)")
            }
        }
    }

    private static func serverField(_ name: String, of server: LoopbackServer, stats s: ServerStats, owner: String) -> LabValue? {
        let c = server.configuration
        switch name {
        case "requests": return .number(Double(s.requests))
        case "connections": return .number(Double(s.accepted))
        case "open": return .number(Double(s.open))
        case "idle": return .number(Double(s.idle))
        case "reused": return .number(Double(s.reusedRequests))
        case "responses": return .number(Double(s.responses))
        case "streams": return .number(Double(s.streams))
        case "h2Connections": return .number(Double(s.h2Connections))
        case "closed": return .number(Double(s.closed))
        case "closedBy":
            return .object(RecordObject("\(owner)'s close reasons", ServerCloseReason.allCases.map { ($0.key, .number(Double(s.closes[$0] ?? 0))) }))
        case "port": return .number(Double(server.port))
        case "url": return .string(server.url)
        case "keepAliveTimeout": return .number(Double(c.keepAliveTimeoutMs))
        case "headersTimeout": return .number(Double(c.headersTimeoutMs))
        case "requestTimeout": return .number(Double(c.requestTimeoutMs))
        case "maxRequestsPerSocket": return .number(Double(c.maxRequestsPerSocket))
        case "h2MaxConcurrentStreams": return .number(Double(c.h2MaxConcurrentStreams))
        case "h2InitialWindowSize": return .number(Double(c.h2InitialWindowSize))
        case "h2MaxFrameSize": return .number(Double(c.h2MaxFrameSize))
        case "h2Only": return .bool(c.h2Only)
        case "keepAliveHint":
            guard c.sendsKeepAliveHeader, c.keepAliveTimeoutMs > 0 else { return LabValue.none }
            return .number(Double(c.advertisedKeepAliveTimeoutMs ?? c.keepAliveTimeoutMs))
        case "listening": return .bool(server.isListening)
        case "timeWait":
            // Read live from the kernel, like `open`: `reset server` does not change it.
            return KernelTCPTable.timeWaitCount(onPorts: [server.port]).map { .number(Double($0)) } ?? LabValue.none
        case "timeWaitAtServer":
            return KernelTCPTable.timeWaitCount(onPorts: [server.port], localOnly: true).map { .number(Double($0)) } ?? LabValue.none
        default: return nil
        }
    }

    func agentObject(_ handle: AgentHandle) -> LabObject {
        let fields = ["name", "inUse", "free", "waiting", "open", "created", "reused", "closed", "retried", "requests", "closedBy",
                      "keepAlive", "maxSockets", "maxTotalSockets", "maxFreeSockets", "timeout", "freeSocketTimeout",
                      "scheduling", "keepAliveMsecs", "hintMargin", "ignoreHint", "checkBeforeReuse", "retryStale",
                      "tcpKeepAlive", "tcpKeepAliveIdle", "protocol", "streams", "peakStreams", "goAways", "goAwayLastStream"]
        return LiveObject("agent \(handle.name)", fields: fields, display: { "agent \(handle.name)" }) { [unowned self] name in
            let agent = handle.agent, s = agent.stats, p = agent.configuration.pool
            let b = self.countsWholeRun ? PoolStats() : handle.baseline
            func number(_ n: Int) -> LabValue { .number(Double(n)) }
            func limit(_ n: Int) -> LabValue { n == Int.max ? .string("Infinity") : number(n) }
            switch name {
            case "name": return .string(handle.name)
            case "inUse": return number(s.total.inUse)
            case "free": return number(s.total.free)
            case "waiting": return number(s.total.waiting)
            case "open": return number(s.total.open)
            case "created": return number(s.created - b.created)
            case "reused": return number(s.reused - b.reused)
            case "closed": return number(s.closed - b.closed)
            case "retried": return number(s.retried - b.retried)
            case "requests": return number(s.submitted - b.submitted)
            case "closedBy":
                return .object(RecordObject("agent \(handle.name)'s close reasons", CloseReason.allCases.map {
                    ($0.key, number((s.closedByReason[$0] ?? 0) - (b.closedByReason[$0] ?? 0)))
                }))
            case "keepAlive": return .bool(p.keepAlive)
            case "maxSockets": return limit(p.maxSockets)
            case "maxTotalSockets": return limit(p.maxTotalSockets)
            case "maxFreeSockets": return limit(p.maxFreeSockets)
            case "timeout": return agent.configuration.timeoutMs.map { number($0) } ?? LabValue.none
            case "freeSocketTimeout": return p.freeSocketTimeoutMs.map { number($0) } ?? LabValue.none
            case "scheduling": return .string(p.scheduling.rawValue)
            case "keepAliveMsecs": return number(agent.configuration.keepAliveMsecs)
            case "hintMargin": return number(p.keepAliveHintMarginMs)
            case "ignoreHint": return .bool(p.ignoresKeepAliveHint)
            case "checkBeforeReuse": return .bool(p.checksBeforeReuse)
            case "retryStale": return .bool(p.retriesStaleRequests)
            case "tcpKeepAlive": return agent.tcpKeepAliveOfAnOpenSocket.map { .bool($0.enabled) } ?? LabValue.none
            case "tcpKeepAliveIdle": return agent.tcpKeepAliveOfAnOpenSocket.map { .number(Double($0.idleSeconds)) } ?? LabValue.none
            case "protocol": return .string(agent.configuration.httpProtocol == .h2 ? "h2" : "http1")
            // Streams opened: one per request sent over h2 (HTTP/1.1 has none). `created` counts connections.
            case "streams": return number((agent.h2Stats?.streams ?? 0) - handle.h2StreamsBaseline(self.countsWholeRun))
            case "peakStreams": return number(agent.h2Stats?.peakStreams ?? 0)
            // GOAWAY frames received over h2 since the agent was made, and the latest one's last-stream-id.
            case "goAways": return number(agent.h2Stats?.goAways ?? 0)
            case "goAwayLastStream": return agent.h2Stats?.lastGoAwayStream.map { number($0) } ?? LabValue.none
            default: return nil
            }
        }
    }

    /// Every agent's counters added up, for the whole run (a challenge key reads these without
    /// knowing which agents the learner made).
    func agentsObject() -> LabObject {
        let handles = Array(agents.values)
        let fields = ["count", "created", "reused", "closed", "retried", "requests", "streams", "closedBy"]
        return LiveObject("all agents", fields: fields, display: { "all agents" }) { name in
            func sum(_ value: (PoolStats) -> Int) -> LabValue { .number(Double(handles.reduce(0) { $0 + value($1.agent.stats) })) }
            switch name {
            case "count": return .number(Double(handles.count))
            case "created": return sum(\.created)
            case "reused": return sum(\.reused)
            case "closed": return sum(\.closed)
            case "retried": return sum(\.retried)
            case "requests": return sum(\.submitted)
            case "streams": return .number(Double(handles.reduce(0) { $0 + ($1.agent.h2Stats?.streams ?? 0) }))
            case "closedBy":
                return .object(RecordObject("all agents' close reasons", CloseReason.allCases.map { reason in
                    (reason.key, sum { $0.closedByReason[reason] ?? 0 })
                }))
            default: return nil
            }
        }
    }

    /// What the run did, in a few lines: the server's counts and close reasons, and each agent's
    /// (whole run, resets ignored). Shown after a prediction, so a wrong guess meets what happened.
    func summaryLines() -> [String] {
        var stats = serverStatsBefore.adding(server.stats, keepingGaugesOf: server.stats)
        stats.open = server.stats.open
        func reasons<R: Hashable>(_ counts: [R: Int], _ key: (R) -> String) -> String {
            let parts = counts.filter { $0.value > 0 }.map { "\(key($0.key)) \($0.value)" }.sorted()
            return parts.isEmpty ? "" : "; closed: " + parts.joined(separator: ", ")
        }
        var lines = ["server: \(stats.accepted) connection\(stats.accepted == 1 ? "" : "s") accepted, \(stats.requests) request\(stats.requests == 1 ? "" : "s")"
            + " (\(stats.reusedRequests) on a reused connection)"
            + (stats.h2Connections > 0 ? ", \(stats.streams) HTTP/2 stream\(stats.streams == 1 ? "" : "s") on \(stats.h2Connections)" : "")
            + reasons(stats.closes) { $0.key }]
        for name in agents.keys.sorted() {
            guard let handle = agents[name] else { continue }
            let s = handle.agent.stats
            guard s.submitted > 0 else { continue }
            lines.append("agent \(name): \(s.submitted) request\(s.submitted == 1 ? "" : "s"), \(s.created) socket\(s.created == 1 ? "" : "s") opened, "
                + "\(s.reused) reuse\(s.reused == 1 ? "" : "s"), \(s.retried) retried" + reasons(s.closedByReason) { $0.key })
        }
        return lines
    }

    /// This process as the kernel sees it: the open-files limit, descriptors open now, memory.
    func processObject() -> LabObject {
        let fields = ["fdLimit", "fdHardLimit", "openFiles", "labSockets", "rssKiB", "timeWait", "ephemeralPorts"]
        return LiveObject("the process", fields: fields, display: { "the wirelab process" }) { [unowned self] name in
            switch name {
            case "labSockets":
                // Both ends of every connection to the lab's servers, and their listeners: counted by
                // port, so other work in the process (a test suite around the lab) does not move it.
                let ports = Set([server.port] + servers.values.map(\.server.port))
                let sockets = Platform.tcpSockets(onPorts: ports)?.filter { !strangerSockets.contains($0.inode) }
                return sockets.map { .number(Double($0.count)) } ?? LabValue.none
            case "timeWait":
                // Closed connections the kernel still remembers (TIME_WAIT), on a port of the lab's
                // servers or proxies: no descriptor holds them, so they are matched by port.
                let ports = Set([server.port] + servers.values.map(\.server.port) + proxies.values.map(\.port))
                return KernelTCPTable.timeWaitCount(onPorts: ports).map { .number(Double($0)) } ?? LabValue.none
            case "ephemeralPorts": return KernelTCPTable.ephemeralPortCount().map { .number(Double($0)) } ?? LabValue.none
            case "fdLimit": return Platform.openFileLimit().map { .number(Double($0.soft)) } ?? LabValue.none
            case "fdHardLimit": return Platform.openFileLimit().map { .number(Double($0.hard)) } ?? LabValue.none
            case "openFiles": return Platform.openDescriptorCount().map { .number(Double($0)) } ?? LabValue.none
            case "rssKiB": return Platform.residentBytes().map { .number(Double($0) / 1024) } ?? LabValue.none
            default: return nil
            }
        }
    }

    /// The requests the script's statements made, counted by outcome.
    func runObject() -> LabObject {
        let log = requestLog
        func count(_ test: (RequestRecord) -> Bool) -> LabValue { .number(Double(log.filter(test).count)) }
        var connections = Set<String>()
        for record in log {
            if let id = record.result.connection { connections.insert("\(record.agent)(\(record.generation))#\(id)") }
        }
        let fields: [(String, LabValue)] = [
            ("requests", .number(Double(log.count))),
            ("ok", count { ($0.result.status ?? 0) / 100 == 2 && $0.result.error == nil }),
            ("failed", count { $0.result.error != nil }),
            ("serverErrors", count { ($0.result.status ?? 0) >= 500 }),
            ("reused", count { $0.result.isReused }),
            ("retried", count { $0.result.isRetried }),
            ("connections", .number(Double(connections.count))),
        ] + keyFields()
        return RecordObject("the run's requests", fields)
    }

    func proxyObject(_ name: String, _ proxy: ReverseProxy) -> LabObject {
        let fields = ["port", "url", "requests", "connections", "open", "idle", "reused", "closed", "closedBy",
                      "forwarded", "upstreamFailures", "upstream", "closesUpstream", "keepAliveTimeout"]
        return LiveObject("proxy \(name)", fields: fields, display: { proxy.server.url }) { field in
            let s = proxy.server.stats
            switch field {
            case "port": return .number(Double(proxy.port))
            case "url": return .string(proxy.server.url)
            case "requests": return .number(Double(s.requests))
            case "connections": return .number(Double(s.accepted))
            case "open": return .number(Double(s.open))
            case "idle": return .number(Double(s.idle))
            case "reused": return .number(Double(s.reusedRequests))
            case "closed": return .number(Double(s.closed))
            case "closedBy":
                return .object(RecordObject("proxy \(name)'s close reasons", ServerCloseReason.allCases.map { ($0.key, .number(Double(s.closes[$0] ?? 0))) }))
            case "forwarded": return .number(Double(proxy.forwarded))
            case "upstreamFailures": return .number(Double(proxy.upstreamFailures))
            case "upstream": return .string(proxy.upstream.name)
            case "closesUpstream": return .bool(proxy.closesUpstream)
            case "keepAliveTimeout": return .number(Double(proxy.server.configuration.keepAliveTimeoutMs))
            default: return nil
            }
        }
    }

    func networkObject() -> LabObject {
        let network = self.network
        return RecordObject("the network", [
            ("rtt", .number(network.rttMs)), ("tls", .number(Double(network.tlsRoundTrips))),
            ("simulated", .bool(network.isOn)), ("description", .string(network.description)),
        ])
    }

    func socketObject(_ name: String, _ socket: RawConnection) -> LabObject {
        LiveObject("socket \(name)", fields: ["open", "closed", "failed", "state", "buffered"], display: { "socket \(name)" }) { field in
            switch field {
            case "open": return .bool(socket.state == .open)
            case "closed": return .bool(socket.state == .peerClosed || socket.state == .closed)
            case "failed":
                if case .failed(let error) = socket.state { return .string(error.description) }
                return LabValue.none
            case "state":
                switch socket.state {
                case .connecting: return .string("connecting")
                case .open: return .string("open")
                case .peerClosed: return .string("peer closed")
                case .closed: return .string("closed")
                case .failed(let error): return .string("failed: \(error)")
                }
            case "buffered": return .number(Double(socket.received.count))
            default: return nil
            }
        }
    }
}

extension CloseReason {
    /// A short identifier for scripts: `pool.closedBy.freeSocketTimeout`.
    var key: String {
        switch self {
        case .agentKeepAliveDisabled: return "keepAliveOff"
        case .responseNotReusable: return "serverClose"
        case .bodyUnread: return "bodyUnread"
        case .serverMaxReached: return "serverMax"
        case .keepAliveHintTooShort: return "hintTooShort"
        case .freeListFull: return "freeListFull"
        case .freeSocketTimeout: return "freeSocketTimeout"
        case .staleOnReuse: return "stale"
        case .closedByPeerWhileFree: return "peerClosed"
        case .unsolicitedBytes: return "unsolicitedBytes"
        case .agentDestroyed: return "destroyed"
        case .timedOut: return "timedOut"
        case .requestFailed: return "requestFailed"
        case .evictedForOtherOrigin: return "evicted"
        }
    }
}

extension ServerStats {
    /// The counters of `self` and `other` added; the gauges (open, idle) are `gauges`' own.
    func adding(_ other: ServerStats, keepingGaugesOf gauges: ServerStats = ServerStats()) -> ServerStats {
        var sum = ServerStats()
        sum.accepted = accepted + other.accepted
        sum.requests = requests + other.requests
        sum.reusedRequests = reusedRequests + other.reusedRequests
        sum.responses = responses + other.responses
        sum.h2Connections = h2Connections + other.h2Connections
        sum.streams = streams + other.streams
        sum.closes = closes.merging(other.closes, uniquingKeysWith: +)
        sum.open = gauges.open
        sum.idle = gauges.idle
        return sum
    }
}

// The agent's requests over HTTP/2 (`AgentConfiguration.httpProtocol = .h2`): one connection per
// origin, each request a stream on it (as many at once as the server's
// SETTINGS_MAX_CONCURRENT_STREAMS allows; `H2ClientConnection` queues the rest), and RFC 9113
// §8.7's retry rule: a request the server did not process (REFUSED_STREAM, above a GOAWAY's
// last-stream-id, or never sent) is sent once more on a new connection, whatever its method; one
// it may have processed is never resent. The HTTP/1.1 pool (`PoolStateMachine`) is not involved.
import HPACK
import HTTP1
import HTTP2
import Pooling

/// Counters of an h2 agent beside the pool's (`Agent.h2Stats`).
public struct AgentH2Stats: Sendable, Equatable {
    /// Streams opened (one per request sent, retries included).
    public var streams = 0
    /// The most streams open at once on one connection.
    public var peakStreams = 0
    /// Streams open now, and requests waiting for a stream.
    public var openStreams = 0
    public var queued = 0
    /// The last server SETTINGS_MAX_CONCURRENT_STREAMS seen (nil before any).
    public var serverStreamLimit: Int?
    /// Requests that failed as not processed (§8.7), and how many of them were resent.
    public var notProcessed = 0
    /// GOAWAY frames received (a graceful server sends two: 2^31-1, then the real last id), and
    /// the last-stream-id of the latest one (nil before any).
    public var goAways = 0
    public var lastGoAwayStream: Int?
    public init() {}
}

final class AgentH2Pool {
    private unowned let agent: Agent
    private let loop: EventLoop
    private let configuration: H2Configuration
    private let streamsBeforeSettings: Int

    private final class Entry {
        var result: AgentResult
        let completion: (AgentResult) -> Void
        var connection: AgentH2Connection?
        var status = 0
        var fields: [HeaderField] = []
        var body: [UInt8] = []
        init(request: AgentRequest, startNanos: Int64, completion: @escaping (AgentResult) -> Void) {
            result = AgentResult(request: request)
            result.timings.startNanos = startNanos
            self.completion = completion
        }
    }

    private var entries: [Int: Entry] = [:]
    private var nextTag = 0
    private var nextConnectionID = 0
    /// The connection taking new requests, per origin ("host:port").
    private var current: [String: AgentH2Connection] = [:]
    /// Every connection not yet closed, by id.
    private var open: [Int: AgentH2Connection] = [:]
    private(set) var pool = PoolStats()
    private(set) var h2 = AgentH2Stats()
    private var isDestroyed = false

    init(agent: Agent, loop: EventLoop, configuration: H2Configuration, streamsBeforeSettings: Int) {
        self.agent = agent
        self.loop = loop
        self.configuration = configuration
        self.streamsBeforeSettings = streamsBeforeSettings
    }

    var stats: PoolStats {
        var s = pool
        var total = PoolStats.Counts()
        for connection in open.values {
            if connection.phase == .connecting || connection.phase == .handshaking {
                total.inUse += 1
                total.connecting += 1
            } else if connection.openStreams > 0 || connection.queued > 0 {
                total.inUse += 1
            } else {
                total.free += 1
            }
            total.waiting += connection.queued
        }
        s.total = total
        return s
    }

    var h2Stats: AgentH2Stats {
        var s = h2
        s.openStreams = open.values.reduce(0) { $0 + $1.openStreams }
        s.queued = open.values.reduce(0) { $0 + $1.queued }
        return s
    }

    // MARK: Sending

    func send(_ request: AgentRequest, completion: @escaping (AgentResult) -> Void) {
        nextTag += 1
        let tag = nextTag
        let entry = Entry(request: request, startNanos: loop.now, completion: completion)
        if isDestroyed {
            entry.result.error = .destroyed
            completion(entry.result)
            return
        }
        entries[tag] = entry
        pool.submitted += 1
        dispatch(tag, entry)
    }

    private func dispatch(_ tag: Int, _ entry: Entry) {
        let origin = entry.result.request.origin
        let key = "\(origin.host):\(origin.port)"
        let connection: AgentH2Connection
        if let live = current[key], live.isAcceptingRequests, live.phase != .closed {
            connection = live
        } else {
            nextConnectionID += 1
            connection = AgentH2Connection(id: nextConnectionID, origin: origin, pool: self, loop: loop,
                                           configuration: configuration,
                                           streamsBeforeSettings: streamsBeforeSettings, network: agent.network,
                                           timeoutMs: agent.configuration.timeoutMs,
                                           readDelayNanos: Int64(max(0, agent.configuration.h2ReadDelayMs) * 1_000_000))
            current[key] = connection
            open[connection.id] = connection
            pool.created += 1
            pool.requestsServed[ConnectionID(connection.id)] = 0
            agent.emitEvent(.connecting(connection: connection.id, origin: origin.description))
            connection.connect()
        }
        entry.connection = connection
        if connection.phase == .connecting || connection.phase == .handshaking { agent.emitEvent(.queued(request: tag)) }
        connection.submit(h2Request(entry.result.request), tag: tag)
    }

    /// The last bodyless request `h2Request` translated and what it gave: a bench or a
    /// page repeating one request does the lowercasing and the field building once.
    private var lastTranslated: (method: String, target: String, origin: HTTPOrigin, headers: HTTPHeaders, h2: H2Request)?

    /// The last response's fields and the headers made of them: a server answering with the same
    /// fields (all but `date`, which changes once a second) has them converted once.
    private var lastResponseHeaders: (fields: [HeaderField], headers: HTTPHeaders)?

    private func h2Request(_ request: AgentRequest) -> H2Request {
        // A body adds content-length: only bodyless requests are kept.
        guard request.body.isEmpty else { return translate(request) }
        if let last = lastTranslated, last.method == request.method, last.target == request.target,
           last.origin == request.origin, last.headers == request.headers {
            return last.h2
        }
        let h2 = translate(request)
        lastTranslated = (request.method, request.target, request.origin, request.headers, h2)
        return h2
    }

    private func translate(_ request: AgentRequest) -> H2Request {
        var fields: [HeaderField] = []
        var authority = request.origin.hostHeader
        for field in request.headers {
            let name = field.name.lowercased()
            // §8.2.2: connection-specific fields have no place in HTTP/2; Host becomes :authority.
            switch name {
            case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade": continue
            case "host": authority = field.value; continue
            case "te" where field.value.lowercased() != "trailers": continue
            default: fields.append(HeaderField(name, field.value))
            }
        }
        if !request.body.isEmpty && !fields.contains(where: { $0.nameString == "content-length" }) {
            fields.append(HeaderField("content-length", String(request.body.count)))
        }
        return H2Request(method: request.method, authority: authority, path: request.target, headers: fields, body: request.body)
    }

    // MARK: From connections

    func connected(_ connection: AgentH2Connection) {
        agent.emitEvent(.connected(connection: connection.id, ms: connection.connectMs ?? 0))
    }

    func connectFailed(_ connection: AgentH2Connection, refused: Bool, message: String) {
        open[connection.id] = nil
        if current.first(where: { $0.value === connection }) != nil { current = current.filter { $0.value !== connection } }
        pool.connectFailures += 1
        agent.emitEvent(.connectFailed(connection: connection.id, error: message))
        for (tag, entry) in entries.sorted(by: { $0.key < $1.key }) where entry.connection === connection {
            complete(tag, error: refused ? .refused : .other(message))
        }
    }

    func started(_ tag: Int, stream: StreamID, on connection: AgentH2Connection) {
        guard let entry = entries[tag] else { return }
        h2.streams += 1
        h2.peakStreams = max(h2.peakStreams, connection.openStreams)
        if let limit = connection.serverStreamLimit { h2.serverStreamLimit = limit }
        let reused = connection.streamsOpened > 1
        if reused { pool.reused += 1 }
        let now = loop.now
        entry.result.connection = connection.id
        entry.result.stream = Int(stream)
        entry.result.isReused = reused
        entry.result.timings.assigned = ms(entry, now)
        entry.result.timings.sent = ms(entry, now)
        if !reused, entry.result.timings.connect == nil { entry.result.timings.connect = connection.connectMs }
        // Simulated: the first segment back after this stream's HEADERS is lost (`AgentRequest.stallMs`).
        if entry.result.request.stallMs > 0 { connection.loseNextSegment(resentAfterNanos: Int64(entry.result.request.stallMs * 1_000_000)) }
        agent.emitEvent(.sent(request: tag, connection: connection.id, reused: reused))
        agent.emitEvent(.streamOpened(request: tag, connection: connection.id, stream: Int(stream)))
    }

    func head(_ tag: Int, stream: StreamID, status: Int, fields: [HeaderField]) {
        guard let entry = entries[tag] else { return }
        entry.status = status
        entry.fields = fields
        if entry.result.timings.firstByte == nil { entry.result.timings.firstByte = ms(entry, loop.now) }
    }

    func body(_ tag: Int, _ bytes: [UInt8]) {
        guard let entry = entries[tag] else { return }
        if entry.result.timings.firstByte == nil { entry.result.timings.firstByte = ms(entry, loop.now) }
        if entry.result.request.readsBody { entry.body += bytes }
    }

    func finished(_ tag: Int, on connection: AgentH2Connection) {
        guard let entry = entries.removeValue(forKey: tag) else { return }
        let headers: HTTPHeaders
        if let last = lastResponseHeaders, last.fields == entry.fields {
            headers = last.headers
        } else {
            var built = HTTPHeaders()
            built.reserveCapacity(entry.fields.count)
            for field in entry.fields where field.name.first != UInt8(ascii: ":") {
                field.name.withUnsafeBufferPointer { name in field.value.withUnsafeBufferPointer { value in built.add(name: name, value: value) } }
            }
            headers = built
            lastResponseHeaders = (entry.fields, built)
        }
        entry.result.head = HTTPResponseHead(version: HTTPVersion(major: 2, minor: 0), status: entry.status, headers: headers)
        entry.result.body = entry.body
        entry.result.timings.done = ms(entry, loop.now)
        pool.succeeded += 1
        pool.requestsServed[ConnectionID(connection.id), default: 0] += 1
        agent.emitEvent(.response(request: tag, connection: connection.id, status: entry.status))
        entry.completion(entry.result)
    }

    func failed(_ tag: Int, stream: StreamID?, _ failure: H2RequestFailure, on connection: AgentH2Connection) {
        guard let entry = entries[tag] else { return }
        if isDestroyed {
            complete(tag, error: .destroyed)
            return
        }
        if connection.isTimedOut && !failure.isRetryable {
            complete(tag, error: .timedOut)
            return
        }
        if failure.isRetryable { h2.notProcessed += 1 }
        if failure.isRetryable && !entry.result.isRetried && !isDestroyed {
            // §8.7: not processed, so safe to send again, once, on a new connection. A connection
            // that refused a stream takes no new requests (the retry would meet the same limit).
            let origin = entry.result.request.origin
            let key = "\(origin.host):\(origin.port)"
            if current[key] === connection {
                connection.isAcceptingRequests = false
                current[key] = nil
            }
            entry.result.isRetried = true
            entry.result.retryReason = "HTTP/2 \(failure)"
            pool.retried += 1
            agent.emitEvent(.retrying(request: tag, reason: entry.result.retryReason!))
            dispatch(tag, entry)
            retireIfIdle(connection)
            return
        }
        let error: AgentError
        if failure.isRetryable {
            error = .notRetried(.other("HTTP/2 \(failure)"), because: isDestroyed ? "the agent is destroyed" : "it was already retried once")
        } else if entry.result.request.method == "GET" || entry.result.request.method == "HEAD" {
            error = .other("HTTP/2 \(failure)")
        } else {
            error = .notRetried(.other("HTTP/2 \(failure)"), because: "the server may have processed it (RFC 9113 §8.7)")
        }
        complete(tag, error: error)
    }

    func wentAway(_ connection: AgentH2Connection, lastStream: StreamID, _ code: ErrorCode) {
        h2.goAways += 1
        h2.lastGoAwayStream = Int(lastStream)
        current = current.filter { $0.value !== connection }
    }

    /// A connection that takes no new request and has none left is closed.
    private func retireIfIdle(_ connection: AgentH2Connection) {
        guard !connection.isAcceptingRequests, connection.openStreams == 0, connection.queued == 0, connection.phase == .open else { return }
        loop.afterCurrentEvent { [weak connection] in
            guard let connection, connection.openStreams == 0, connection.queued == 0 else { return }
            connection.closeNow(reason: "replaced after a refused stream")
        }
    }

    func closed(_ connection: AgentH2Connection, reason: String) {
        guard open.removeValue(forKey: connection.id) != nil else { return }
        current = current.filter { $0.value !== connection }
        pool.closed += 1
        let key: CloseReason = isDestroyed ? .agentDestroyed : connection.isTimedOut ? .timedOut
            : connection.machine.goAway != nil ? .responseNotReusable : .requestFailed
        pool.closedByReason[key, default: 0] += 1
        agent.noteClosed(connection.id, reason: reason)
        // Anything still waiting on it (the machine failed them already, this is a safety net).
        for (tag, entry) in entries.sorted(by: { $0.key < $1.key }) where entry.connection === connection {
            complete(tag, error: isDestroyed ? .destroyed : .closedBeforeResponse)
        }
    }

    private func complete(_ tag: Int, error: AgentError) {
        guard let entry = entries.removeValue(forKey: tag) else { return }
        entry.result.error = error
        entry.result.timings.done = ms(entry, loop.now)
        pool.failed += 1
        agent.emitEvent(.failed(request: tag, error: error.description))
        entry.completion(entry.result)
    }

    private func ms(_ entry: Entry, _ now: Int64) -> Double { Double(now - entry.result.timings.startNanos) / 1e6 }

    func destroy() {
        isDestroyed = true
        for connection in open.values.sorted(by: { $0.id < $1.id }) { connection.closeNow(reason: "agent destroyed") }
        for tag in entries.keys.sorted() { complete(tag, error: .destroyed) }
    }

    func releaseAll() {
        for connection in open.values { connection.release() }
        open = [:]
    }
}

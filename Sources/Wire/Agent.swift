// One file past 400 lines on purpose: sending, carrying out the pool's actions and hearing from
// connections all work on the agent's private tables (pending requests, connections, origins) and
// its pool machine; split into files, those would have to be visible to the whole module.

import HTTP1
import Pooling

/// Agent: an HTTP/1.1 client with a connection pool per origin, on an `EventLoop`.
///
/// The pool's decisions (open a connection or queue, which free socket to reuse, keep or close a
/// socket after a response and why, resend after a stale connection or not) are all made by
/// `PoolStateMachine`; this class reports events to it and carries out the actions it returns,
/// strictly in order. Read `Sources/Pooling` for the *why*; read this file for the *how*.
public final class Agent {
    public let loop: EventLoop
    public let name: String
    public let configuration: AgentConfiguration
    /// The simulated network for connections opened from now on (starts as `configuration.network`).
    public var network: SimulatedNetwork
    private var machine: PoolStateMachine
    private var connections = IDTable<ConnectionID, AgentConnection>()
    /// Unfinished requests. (A table indexed by ID: hashing the ID for a dictionary cost ~400
    /// instructions a request, callgrind.)
    private var pending = IDTable<RequestID, Pending>()
    private var origins: [Origin: HTTPOrigin] = [:]
    /// The last request's origin and its pool key: most agents talk to one origin, and building the
    /// key (a "host:port" string) and hashing it cost ~650 instructions a request (callgrind).
    private var lastOrigin: (address: HTTPOrigin, key: Origin)?
    /// The encoded `Host` and `Connection` lines of the last request, and what they were built from.
    /// The last request without header fields or body, and its bytes (see `encode`).
    private var lastPlainRequest: (method: String, target: String, origin: HTTPOrigin, bytes: [UInt8])?
    private var cachedAgentFields: (hostHeader: String, addHost: Bool, addConnection: Bool, bytes: [UInt8])?
    /// The last request sent, if it had no body, and what `send` worked out for it (see `send`).
    private var lastSent: SentRequest?
    /// Batches of actions from events reported while `perform` was already carrying out one, in
    /// order, and how far they have been carried out. Emptied when the outer batch is done.
    private var actionQueue: [PoolActions] = []
    private var batchesDone = 0
    private var actionsDone = 0
    /// Requests finished in the batch being carried out, to be told in order, and how many have
    /// been told. Emptied (and the entries freed) when the batch is done.
    private var completions: [Pending] = []
    private var completionsTold = 0
    private var isDraining = false
    /// A free socket's idle timer, asked for in the batch being carried out and not armed yet: the
    /// deadline it gets. Armed when the batch is done, unless the batch reuses or closes the socket
    /// first (see `carryOut(.scheduleIdleTimeout)`).
    private var deferredIdleTimer: (connection: ConnectionID, deadline: Int64)?
    private var observers: [(AgentEvent) -> Void] = []
    /// The last close reason of every connection, for lessons that ask "why did #2 close?".
    public private(set) var closeReasons: [Int: String] = [:]

    /// A request from `send` until its completion. A class, so the agent fills in its result where it
    /// is (as a struct it was copied out of the table and back at each step, with a retain and
    /// release of everything it holds: callgrind).
    /// The request itself is kept once, in `result.request`: each copy of an `AgentRequest` retains
    /// and releases its strings and arrays.
    private final class Pending {
        let encoded: [UInt8]
        /// The request's method, for the connection (read from `result` it took a retain and a release
        /// of the request, ~40 instructions, callgrind).
        let method: String
        /// The request says `Connection: close` (or the agent's keep-alive is off).
        let saysClose: Bool
        /// The caller reads the response body (`AgentRequest.readsBody`).
        let readsBody: Bool
        /// A simulated lost segment after the write (`AgentRequest.stallMs`), in nanoseconds; 0: none.
        let stallNanos: Int64
        let completion: (AgentResult) -> Void
        /// Optional only so the finished result can be moved out to the completion, not copied: a
        /// copy retains and releases each of its dozen strings and arrays (~330 instructions, twice
        /// per request, callgrind).
        /// Spelled `Optional<…>` because `AgentResult?` starts as nil, and the first assignment then
        /// destroyed that nil through an outlined call (~200 instructions a request, callgrind).
        private var slot: Optional<AgentResult>

        init(request: AgentRequest, startNanos: Int64, encoded: [UInt8], saysClose: Bool, completion: @escaping (AgentResult) -> Void) {
            self.encoded = encoded
            method = request.method
            self.saysClose = saysClose
            readsBody = request.readsBody
            stallNanos = Int64(max(0, request.stallMs) * 1_000_000)
            self.completion = completion
            var result = AgentResult(request: request)
            result.timings.startNanos = startNanos
            slot = result
        }

        var result: AgentResult {
            get { slot! }
            _modify { yield &slot! }
        }

        /// Several changes to the result in one access. Through `result`, each statement was an
        /// access of its own, and a tuple assignment copied the whole result and destroyed the
        /// copy (~640 instructions, callgrind).
        func update(_ body: (inout AgentResult) -> Void) {
            body(&slot!)
        }
        var request: AgentRequest { slot!.request }

        /// Calls the completion with the result, moved out, and puts it back afterwards: it is freed
        /// with this entry when the batch is done (`perform`), after a request sent from the
        /// completion has been written, instead of here, before (~430 instructions, callgrind).
        /// Once only.
        func complete() {
            let result = slot.take()!
            completion(result)
            // `initialize`, not `slot = result`: the assignment would first destroy the nil that
            // `take()` left, through an outlined generic call. A nil result holds no references, so
            // writing over it without a destroy leaks nothing.
            withUnsafeMutablePointer(to: &slot) { $0.initialize(to: result) }
        }
    }

    /// The HTTP/2 side (`protocol=h2`); nil for HTTP/1.1.
    private var h2Pool: AgentH2Pool?

    public init(loop: EventLoop, name: String = "agent", configuration: AgentConfiguration = AgentConfiguration()) {
        self.loop = loop
        self.name = name
        self.configuration = configuration
        self.network = configuration.network
        machine = PoolStateMachine(configuration: configuration.pool)
        if configuration.httpProtocol == .h2 { h2Pool = AgentH2Pool(agent: self, loop: loop, configuration: configuration.http2,
                                                                           streamsBeforeSettings: configuration.http2StreamsBeforeSettings) }
    }

    /// An agent let go without `destroy()` still closes its sockets: they hold it `unowned(unsafe)`
    /// (see `AgentConnection.agent`), so none may outlive it on the loop. Unfinished requests are
    /// not completed: no one is left to tell.
    deinit {
        for connection in connections.values { connection.close() }
        h2Pool?.releaseAll()
    }

    /// Counters and the pool's present state (sockets in use, free, waiting; created, reused, closed
    /// by reason).
    public var stats: PoolStats { h2Pool?.stats ?? machine.stats }

    /// Streams, over HTTP/2 (nil for an HTTP/1.1 agent).
    public var h2Stats: AgentH2Stats? { h2Pool?.h2Stats }

    public var isDestroyed: Bool { machine.isDestroyed || h2Destroyed }
    private var h2Destroyed = false

    /// SO_KEEPALIVE as the kernel reports it for one of this agent's open sockets, if any is open.
    public var tcpKeepAliveOfAnOpenSocket: (enabled: Bool, idleSeconds: Int32)? {
        connections.values.sorted { $0.id < $1.id }.lazy.compactMap(\.tcpKeepAlive).first
    }

    public func addObserver(_ body: @escaping (AgentEvent) -> Void) { observers.append(body) }

    @inline(__always) private func emit(_ event: AgentEvent) {
        // Most agents have no observer: a call to walk an empty list cost ~20 instructions (callgrind).
        if !observers.isEmpty { emitNow(event) }
    }

    private func emitNow(_ event: AgentEvent) {
        for observer in observers { observer(event) }
    }

    /// For the h2 side (`AgentH2Pool`).
    func emitEvent(_ event: AgentEvent) { emit(event) }
    func noteClosed(_ connection: Int, reason: String) {
        closeReasons[connection] = reason
        emit(.closed(connection: connection, reason: reason))
    }

    // MARK: Sending

    /// Sends `request`; `completion` runs on the loop thread exactly once, with a response or an error.
    public func send(_ request: AgentRequest, completion: @escaping (AgentResult) -> Void) {
        if let h2Pool {
            h2Pool.send(request, completion: completion)
            return
        }
        let encoded: [UInt8], origin: Origin, saysClose: Bool
        if lastSent?.request.isSameRequest(as: request) == true {
            // The very request sent last (a client repeating one request value, as the bench does):
            // its bytes, pool key and `Connection` verdict are the same as then, and its origin is
            // already the last one (`lastSent` is always the last request sent, or nil). Skipping
            // `encode` and the origin's and fields' comparisons saves ~230 instructions (callgrind).
            encoded = lastSent.unsafelyUnwrapped.encoded
            origin = lastSent.unsafelyUnwrapped.origin
            saysClose = lastSent.unsafelyUnwrapped.saysClose
        } else {
            encoded = encode(request)
            if let last = lastOrigin, last.address == request.origin {
                origin = last.key
            } else {
                origin = request.origin.poolOrigin
                origins[origin] = request.origin
                lastOrigin = (request.origin, origin)
            }
            // Decided once here, not at every (re)send: an empty field list has no `Connection: close`,
            // and searching it still cost ~150 instructions (callgrind).
            saysClose = !configuration.pool.keepAlive
                || (!request.headers.isEmpty && request.headers.containsToken("close", in: "Connection"))
            // Not a request with a body: its bytes (the body included) would stay held after it is done.
            lastSent = request.body.isEmpty ? SentRequest(request: request, origin: origin, encoded: encoded, saysClose: saysClose) : nil
        }
        let (id, actions) = machine.requestSubmitted(origin: origin, method: request.method)
        pending[id] = Pending(request: request, startNanos: loop.now, encoded: encoded, saysClose: saysClose, completion: completion)
        if actions.isEmpty && pending[id] != nil { emit(.queued(request: id.rawValue)) }
        perform(actions)
    }

    /// A request as `send` last saw it: what it worked out for it, and the request itself, which
    /// keeps its box (`AgentRequest.isSameRequest`) unchanged and alive while it is remembered.
    private struct SentRequest {
        let request: AgentRequest
        let origin: Origin
        let encoded: [UInt8]
        let saysClose: Bool
    }

    /// The request's bytes on the wire. A request with no header fields and no body that is the same
    /// as the previous one (a client repeating `GET /`) gets the same bytes, shared, instead of being
    /// encoded again into a new array: ~1,900 instructions a request fewer (callgrind).
    private func encode(_ request: AgentRequest) -> [UInt8] {
        let isPlain = request.headers.isEmpty && request.body.isEmpty
        // Compared where it is stored: `if let last = lastPlainRequest` copied the tuple, a retain
        // and a release of each of its strings (~250 instructions, callgrind).
        if isPlain, lastPlainRequest?.method == request.method, lastPlainRequest?.target == request.target,
           lastPlainRequest?.origin == request.origin {
            return lastPlainRequest!.bytes
        }
        let head = HTTPRequestHead(method: request.method, target: request.target, version: .http1_1, headers: request.headers)
        // `Host`, and like Node, `Connection` saying what the agent intends, unless the caller sent
        // them: encoded after the caller's fields, without copying the caller's list to add them.
        let extra = agentFields(hostHeader: request.origin.hostHeader,
                                addHost: !head.headers.contains("Host"), addConnection: !head.headers.contains("Connection"))
        var encoded: [UInt8] = []
        encoded.reserveCapacity(128 + request.body.count)
        HTTPEncoder.writeRequest(head, extraFields: extra, body: request.body, into: &encoded)
        if isPlain { lastPlainRequest = (request.method, request.target, request.origin, encoded) }
        return encoded
    }

    /// The `Host` and `Connection` field lines the agent adds to a request, encoded; rebuilt only
    /// when they differ from the previous request's.
    private func agentFields(hostHeader: String, addHost: Bool, addConnection: Bool) -> [UInt8] {
        if let cached = cachedAgentFields, cached.hostHeader == hostHeader, cached.addHost == addHost,
           cached.addConnection == addConnection {
            return cached.bytes
        }
        var text = ""
        if addHost { text += "Host: \(hostHeader)\r\n" }
        if addConnection { text += "Connection: \(configuration.pool.keepAlive ? "keep-alive" : "close")\r\n" }
        let bytes = Array(text.utf8)
        cachedAgentFields = (hostHeader, addHost, addConnection, bytes)
        return bytes
    }

    /// Closes every socket and fails every queued or in-flight request with `destroyed`.
    public func destroy() {
        if let h2Pool {
            h2Destroyed = true
            h2Pool.destroy()
            return
        }
        perform(machine.destroyed())
    }

    // MARK: Carrying out the pool's actions

    /// `consuming`: the caller hands its batch over. Borrowed, `send` destroyed its `(RequestID,
    /// PoolActions)` tuple afterwards through the generic tuple witness (~84 instructions, callgrind),
    /// and a batch that has to wait is moved into the queue instead of copied.
    private func perform(_ actions: consuming PoolActions) {
        // Re-entered: an action being carried out led straight to another event (a reused socket
        // found broken), or a completion sent another request. The new actions wait behind
        // everything already under way; the outer call carries them out (the queue keeps its
        // storage, so this does not allocate either once it has grown).
        guard !isDraining else {
            // The batch as it is: action by action, each was taken apart into a `PoolAction` here and
            // put in an array (~130 instructions for a request sent from a completion, callgrind).
            actionQueue.append(actions)
            return
        }
        isDraining = true
        // The batch itself is carried out where it is, in order: no copy into the queue (no
        // allocation for the common batch of one to three actions), and by index, not with an
        // iterator, which would copy the batch first. Anything queued meanwhile comes after it,
        // exactly as if the batch had been queued first.
        for index in actions.indices {
            carryOut(actions[index])
        }
        // The queue and the finished requests are walked by index and emptied only at the end:
        // `removeFirst` shifted the rest down and checked the array's uniqueness at every step
        // (~80 instructions, callgrind), and emptying them at the end frees the finished entries
        // after a request sent from a completion has been written, not before.
        while true {
            while batchesDone < actionQueue.count {
                if actionsDone < actionQueue[batchesDone].count {
                    let action = actionQueue[batchesDone][actionsDone]
                    actionsDone += 1
                    carryOut(action)
                } else {
                    batchesDone += 1
                    actionsDone = 0
                }
            }
            // Callers hear about their requests only once every action of the batch is done, so
            // what they see (a socket freed or closed, and why) is already true when they look.
            if completionsTold < completions.count {
                // Not retained: `completions` keeps the entry until the end of the batch.
                let entry = Unmanaged.passUnretained(completions[completionsTold])
                completionsTold += 1
                entry._withUnsafeGuaranteedRef { $0.complete() }
                continue
            }
            // All done. One by one from the end: `removeAll(keepingCapacity:)` went through the
            // generic `replaceSubrange`. The arrays keep their storage for the next batch.
            while !actionQueue.isEmpty { actionQueue.removeLast() }
            batchesDone = 0
            while !completions.isEmpty { completions.removeLast() }
            completionsTold = 0
            // Freeing a finished entry frees what its completion captured, and a deinit there may
            // report something (send a request): carry that out too, as it was before.
            if actionQueue.isEmpty { break }
        }
        isDraining = false
        if let (connection, deadline) = deferredIdleTimer {
            deferredIdleTimer = nil
            connections[connection]?.scheduleIdleTimeout(at: deadline)
        }
    }

    private func carryOut(_ action: PoolAction) {
        switch action {
        case .createConnection(let id, let origin):
            guard let address = origins[origin] else { preconditionFailure("Invalid state: unknown origin \(origin)") }
            let connection = AgentConnection(id: id, origin: address, agent: self, loop: loop)
            connections[id] = connection
            emit(.connecting(connection: id.rawValue, origin: address.description))
            connection.connect()

        case .execute(let requestID, let connectionID, let isReused):
            // `execute` stops the socket's idle timer; one not armed yet must not be armed after it.
            if deferredIdleTimer?.connection == connectionID { deferredIdleTimer = nil }
            // Not retained (see `IDTable.unretained`).
            guard let connection = connections.unretained(connectionID), let entry = pending.unretained(requestID) else { return }
            connection._withUnsafeGuaranteedRef { connection in
                entry._withUnsafeGuaranteedRef { entry in execute(requestID, isReused: isReused, on: connection, entry: entry) }
            }

        case .succeed(let requestID, let connectionID):
            guard let entry = pending.removeValue(forKey: requestID), let connection = connections.unretained(connectionID) else { return }
            connection._withUnsafeGuaranteedRef { succeed(requestID, on: $0, entry: entry) }
            completions.append(entry)

        case .fail(let requestID, let error):
            guard let entry = pending.removeValue(forKey: requestID) else { return }
            entry.result.error = AgentError(error)
            entry.result.timings.done = ms(since: entry.result.timings.startNanos, loop.now)
            emit(.failed(request: requestID.rawValue, error: AgentError(error).description))
            completions.append(entry)

        case .retrying(let requestID, let reason):
            guard let entry = pending[requestID] else { return }
            entry.result.isRetried = true
            entry.result.retryReason = reason
            emit(.retrying(request: requestID.rawValue, reason: reason))

        case .scheduleIdleTimeout(let connectionID, let afterMs):
            // Not armed yet: a request sent from the completion of the response that freed the socket
            // takes it straight back in this batch (`cancelIdleTimeout` then `execute`), and arming a
            // timer only to cancel it, before that request is written, cost ~95 instructions
            // (callgrind). The deadline is taken now, so a timer armed later still expires when it would
            // have. Only one waits at a time: a second one arms the first.
            if let (earlier, deadline) = deferredIdleTimer { connections[earlier]?.scheduleIdleTimeout(at: deadline) }
            deferredIdleTimer = (connectionID, loop.now + Int64(afterMs) * 1_000_000)

        case .cancelIdleTimeout(let connectionID):
            if deferredIdleTimer?.connection == connectionID {
                deferredIdleTimer = nil
            } else {
                connections[connectionID]?.cancelIdleTimeout()
            }

        case .close(let connectionID, let reason):
            if deferredIdleTimer?.connection == connectionID { deferredIdleTimer = nil }
            guard let connection = connections.removeValue(forKey: connectionID) else { return }
            connection.close()
            closeReasons[connectionID.rawValue] = reason.description
            emit(.closed(connection: connectionID.rawValue, reason: reason.description))
        }
    }

    /// `.execute`: writes the request on the connection (or reports the reused socket broken).
    /// The connection and the entry are not retained: see `IDTable.unretained`.
    private func execute(_ requestID: RequestID, isReused: Bool, on connection: AgentConnection, entry: Pending) {
        let connectionID = connection.id
        if isReused, configuration.pool.checksBeforeReuse, let broken = connection.brokenBeforeReuse() {
            perform(machine.reusedSocketFoundBroken(connectionID, reason: broken))
            return
        }
        let now = loop.now
        // A request gets its socket when the pool hands it a free one, or when it starts opening
        // one for it; `connect` then covers the opening.
        let assignedAt = isReused ? now : min(now, connection.connectStarted)
        let connectMs = isReused ? nil : connection.connectMs
        connection.execute(requestID, method: entry.method, bytes: entry.encoded, saysClose: entry.saysClose, readsBody: entry.readsBody)
        if entry.stallNanos > 0 { connection.loseNextSegment(resentAfterNanos: entry.stallNanos) }
        // Noted after the write (see `AgentConnection.execute` on why every instruction before it
        // counts), with the time taken before it. Nothing in between can see the difference:
        // `execute` reports nothing to anyone synchronously (a failure re-enters `perform`,
        // which only queues it).
        entry.update { result in
            result.timings.assigned = ms(since: result.timings.startNanos, max(assignedAt, result.timings.startNanos))
            result.connection = connectionID.rawValue
            result.isReused = isReused
            result.timings.connect = connectMs
        }
        emit(.sent(request: requestID.rawValue, connection: connectionID.rawValue, reused: isReused))
    }

    /// `.succeed`: the response goes into the entry's result. The connection is not retained.
    private func succeed(_ requestID: RequestID, on connection: AgentConnection, entry: Pending) {
        let now = loop.now
        let (sentAt, firstByteAt) = (connection.sentAt, connection.firstByteAt)
        var status = 0
        entry.update { result in
            let start = result.timings.startNanos
            result.timings.sent = sentAt.map { ms(since: start, $0) }
            result.timings.firstByte = firstByteAt.map { ms(since: start, $0) }
            result.timings.done = ms(since: start, now)
            (result.head, result.body) = connection.finishExchange()
            status = result.head?.status ?? 0
        }
        emit(.response(request: requestID.rawValue, connection: connection.id.rawValue, status: status))
    }

    private func ms(since start: Int64, _ now: Int64) -> Double { Double(now - start) / 1e6 }

    // MARK: Events from connections

    func connectionEstablished(_ connection: AgentConnection) {
        emit(.connected(connection: connection.id.rawValue, ms: connection.connectMs ?? 0))
        perform(machine.connectionEstablished(connection.id))
    }

    func connectionFailed(_ connection: AgentConnection, error: PoolError, message: String) {
        connections.removeValue(forKey: connection.id)
        emit(.connectFailed(connection: connection.id.rawValue, error: message))
        perform(machine.connectionFailed(connection.id, error: error))
    }

    func responseCompleted(_ connection: AgentConnection, isKeepAlive: Bool, hint: KeepAliveHint?, bodyUnread: Bool = false) {
        let actions = machine.responseCompleted(connection.id, isKeepAlive: isKeepAlive, hint: hint, bodyUnread: bodyUnread)
        // A socket that stays open and is not handed straight to a waiter is now free.
        if machine.isFree(connection.id) { connection.becameFree() }
        perform(actions)
    }

    func requestFailed(_ connection: AgentConnection, error: PoolError, receivedResponseBytes: Bool) {
        perform(machine.requestFailed(connection.id, error: error, receivedResponseBytes: receivedResponseBytes))
    }

    func idleTimeoutFired(_ connection: AgentConnection) { perform(machine.idleTimeoutFired(connection.id)) }
    func freeSocketClosedByPeer(_ connection: AgentConnection) { perform(machine.freeSocketClosedByPeer(connection.id)) }
    func freeSocketReceivedUnsolicitedBytes(_ connection: AgentConnection) { perform(machine.freeSocketReceivedUnsolicitedBytes(connection.id)) }
    func socketTimedOut(_ connection: AgentConnection) { perform(machine.socketTimedOut(connection.id)) }
}

extension IDTable where Value: AnyObject {
    /// The object stored for `id`, not retained; nil if there is none. Use it with
    /// `_withUnsafeGuaranteedRef`, which lends it to a closure without a retain either.
    ///
    /// Looked up the usual way, the object (or the table's array) was retained and released around
    /// every call made with it, since the compiler cannot tell that the call leaves the table alone:
    /// ~200 instructions a request in `Agent.carryOut` (callgrind). Sound only while nothing removes
    /// the object from the table until the closure returns. The agent's tables lose entries only in
    /// `carryOut` itself (`.succeed`, `.fail`, `.close`) and in `connectionFailed`, which comes from
    /// the loop; an action being carried out that leads to another event (a broken reused socket,
    /// a failed write, a completion sending a request) re-enters `perform`, which only queues it.
    @inline(__always) fileprivate func unretained(_ id: ID) -> Unmanaged<Value>? {
        guard let value = self[id] else { return nil }
        return Unmanaged.passUnretained(consume value)
    }
}

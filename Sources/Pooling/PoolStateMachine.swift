// The agent's connection pool, as a pure state machine: no sockets, no clocks, no locks.
//
// The IO layer reports what happened, with a past-tense `mutating` method ("a request was submitted",
// "a connection was established", "a response completed"), and gets back the `PoolAction`s to carry
// out, in order. Everything the pool *decides* — open a connection or wait, reuse which socket, keep
// or close a socket and why, resend a failed request or not — is decided here, one rule per file:
//
//   PoolStateMachine+Dispatch.swift     a request arrives: free socket, new connection, evict, or queue
//   PoolStateMachine+Connect.swift      a connection opened, or failed to
//   PoolStateMachine+Release.swift      a response completed: hand off, keep free, or close
//   ReleasedSocketFate.swift            ... the keep-alive rules that decide "keep or close"
//   PoolStateMachine+Retry.swift        a request failed: the stale-connection resend, in one place
//   PoolStateMachine+FreeSockets.swift  a free socket expired or was closed by the peer, a reused one
//                                       was found broken, a request hit the inactivity timeout
//   PoolStateMachine+Slots.swift        closing a socket frees a slot: who gets it
//   PoolStateMachine+Destroy.swift      the agent is destroyed
//
// Because nothing here blocks or waits, the tests drive it as a script of events and compare the
// actions exactly.

/// The connection pool of one HTTP agent (Node.js `http.Agent` semantics).
///
/// Invariants, after every event:
/// - per origin, open sockets (being opened, carrying a request, or free) ≤ `maxSockets`;
/// - open sockets over all origins ≤ `maxTotalSockets`;
/// - per origin, free sockets ≤ `maxFreeSockets`;
/// - an origin with waiting requests has no free socket, and waits only because it is at
///   `maxSockets`, or because the pool is at `maxTotalSockets` with no free socket anywhere to evict;
/// - every submitted request is finished exactly once, by `.succeed` or `.fail`.
public struct PoolStateMachine: Sendable {
    /// The machine as a whole.
    enum State: Sendable {
        /// Accepting events. Next: `destroyed` (by `destroyed()`).
        case running
        /// Final. Every event is ignored; new requests fail at once with `.agentDestroyed`.
        case destroyed
    }

    /// One open connection's state.
    enum ConnectionState: Sendable {
        /// Being opened for `request`, which it is promised to.
        /// Next: `executing` (`connectionEstablished`); gone (`connectionFailed`, `socketTimedOut`,
        /// `destroyed`).
        case connecting(RequestID)
        /// Carrying `request`. `isReused` is true when the socket served a request before this one.
        /// Next: `free` or `executing` another request (`responseCompleted`); gone (a close after a
        /// response, `requestFailed`, `reusedSocketFoundBroken`, `socketTimedOut`, `destroyed`).
        case executing(RequestID, isReused: Bool)
        /// Idle and kept for reuse. `freedAt` orders free sockets by when they came free (a counter,
        /// not a time); `idleTimeoutMs` is the idle timer the IO layer was asked to run, if any.
        /// Next: `executing` (a request takes it); gone (idle timeout, peer close, unsolicited bytes,
        /// eviction, `destroyed`).
        case free(freedAt: Int, idleTimeoutMs: Int?)
    }

    /// Names an origin inside the machine: the position of its `OriginState` in `perOrigin`.
    /// Handed out in the order origins are first seen; an origin keeps its index for good.
    typealias OriginIndex = Int

    /// Names a request method inside the machine: its position in `methods`.
    typealias MethodIndex = Int

    /// What the pool keeps for one origin. Everything per origin lives here, found by index: the
    /// `[Origin: …]` dictionaries this replaced hashed the origin's name (SipHash) several times for
    /// every request, about 1,500 instructions per request under callgrind.
    struct OriginState: Sendable {
        let origin: Origin
        /// Requests waiting for a socket, oldest first.
        var waiters: [RequestID] = []
        /// Free sockets, least recently freed first.
        var freeList: [ConnectionID] = []
        /// Sockets open to this origin: being opened, carrying a request, or free. `maxSockets`
        /// limits this. Kept up to date by `openConnection` and `removeConnection`, so checking the
        /// limit does not walk every connection.
        var openSocketCount = 0
    }

    struct Connection: Sendable {
        let id: ConnectionID
        let originIndex: OriginIndex
        var state: ConnectionState
        /// Responses completed on this connection; compared with the server's `Keep-Alive: max`.
        /// Moved into `history` when the connection goes (`removeConnection`).
        var requestsServed = 0
    }

    /// What the pool remembers about an unfinished request. Where it is (queued, or on which
    /// connection) is recorded in its origin's `waiters` and in the connections' states, not here.
    ///
    /// Only numbers and flags: the method is kept as its index in `methods`. With the method's
    /// `String` here, every copy of a `Request` retained and released it, and the table's
    /// housekeeping copied requests around: finishing a request (`succeed`) cost 207 instructions,
    /// 107 without (callgrind, sequential keep-alive requests).
    struct Request: Sendable {
        let id: RequestID
        let originIndex: OriginIndex
        let methodIndex: MethodIndex
        /// Set when the request is resent after a stale connection; a request is resent at most once.
        var hasBeenRetried = false
    }

    /// The settings this pool applies.
    public let configuration: PoolConfiguration

    var state: State = .running
    /// Open connections only: a closed or failed connection is removed.
    var connections = IDTable<ConnectionID, Connection>()
    /// Unfinished requests only.
    var requests = IDTable<RequestID, Request>()
    /// Every origin a request was ever submitted to, in the order first seen, indexed by
    /// `OriginIndex`. One entry per distinct origin, kept for the machine's lifetime (as the
    /// dictionaries' emptied entries were): a long-lived pool talking to ever new origins grows.
    var perOrigin: [OriginState] = []
    /// Each origin's index in `perOrigin`. Consulted only when a request is submitted, and then
    /// only when its origin differs from the previous request's (`lastOriginIndex`).
    var originIndices: [Origin: OriginIndex] = [:]
    /// The origin of the last submitted request.
    var lastOriginIndex: OriginIndex?
    /// The origins that have waiting requests, in no particular order (the oldest waiter is found by
    /// request ID). Walking these rather than every origin keeps the question "is a request to
    /// another origin waiting?", asked after every response, cheap however many origins there are.
    var originsWithWaiters: [OriginIndex] = []
    /// Every request method seen, in the order first seen, indexed by `MethodIndex`: a handful
    /// ("GET", "POST", ...), kept for the machine's lifetime. The retry rules read a request's
    /// method from here.
    var methods: [String] = []
    /// The method of the last submitted request.
    var lastMethodIndex: MethodIndex?

    var nextRequestNumber = 1
    var nextConnectionNumber = 1
    /// Counts socket releases, to order free sockets across origins (for eviction).
    var releaseCounter = 0
    /// The running totals part of `stats`. Its `requestsServed` holds closed and failed connections
    /// only; `stats` adds the open ones from `connections`.
    var history = PoolStats()

    /// A pool with the given settings and nothing open. Stops the program if the settings are
    /// unusable (see `PoolConfiguration.validate()`); check them first where they come from a user.
    public init(configuration: PoolConfiguration = PoolConfiguration()) {
        let problems = configuration.validate()
        precondition(problems.isEmpty, "Invalid configuration: \(problems)")
        self.configuration = configuration
    }

    /// True once `destroyed()` has been reported.
    public var isDestroyed: Bool {
        switch state {
        case .running: false
        case .destroyed: true
        }
    }

    /// The index of `origin` in `perOrigin`, added there the first time the origin is seen.
    mutating func originIndex(for origin: Origin) -> OriginIndex {
        // Most requests go where the previous one went. Comparing two short strings is much cheaper
        // than hashing one, so the dictionary is consulted only when the origin changes.
        if let last = lastOriginIndex, perOrigin[last].origin == origin { return last }
        let index: OriginIndex
        if let known = originIndices[origin] {
            index = known
        } else {
            index = perOrigin.count
            perOrigin.append(OriginState(origin: origin))
            originIndices[origin] = index
        }
        lastOriginIndex = index
        return index
    }

    /// The index of `method` in `methods`, added there the first time the method is seen.
    mutating func methodIndex(for method: String) -> MethodIndex {
        // Like `originIndex(for:)`: most requests use the previous request's method.
        if let last = lastMethodIndex, methods[last] == method { return last }
        let index = methods.firstIndex(of: method) ?? methods.count
        if index == methods.count { methods.append(method) }
        lastMethodIndex = index
        return index
    }

    /// The pool right now, and what it has done so far.
    public var stats: PoolStats {
        var stats = history
        for connection in connections.values {
            stats.requestsServed[connection.id] = connection.requestsServed
            let origin = perOrigin[connection.originIndex].origin
            var counts = stats.byOrigin[origin] ?? PoolStats.Counts()
            switch connection.state {
            case .connecting:
                counts.inUse += 1
                counts.connecting += 1
            case .executing:
                counts.inUse += 1
            case .free:
                counts.free += 1
            }
            stats.byOrigin[origin] = counts
        }
        for entry in perOrigin where !entry.waiters.isEmpty {
            stats.byOrigin[entry.origin, default: PoolStats.Counts()].waiting = entry.waiters.count
        }
        for counts in stats.byOrigin.values {
            stats.total.inUse += counts.inUse
            stats.total.connecting += counts.connecting
            stats.total.free += counts.free
            stats.total.waiting += counts.waiting
        }
        for entry in perOrigin where !entry.freeList.isEmpty {
            stats.freeLists[entry.origin] = entry.freeList
        }
        return stats
    }

    /// Whether `connection` is open and free (idle, kept for reuse). After `responseCompleted`, this
    /// tells the IO layer that the socket was kept rather than handed to a waiter or closed —
    /// without searching the returned actions for an `.execute` or `.close` of it (which decoded
    /// every action twice: ~60 instructions a response, callgrind).
    public func isFree(_ connection: ConnectionID) -> Bool {
        switch connections[connection]?.state {
        case .free: true
        case .connecting, .executing, nil: false
        }
    }

    /// The origin's free sockets, least recently freed first (the order `scheduling` picks from).
    public func freeList(for origin: Origin) -> [ConnectionID] {
        guard let index = originIndices[origin] else { return [] }
        return perOrigin[index].freeList
    }

    /// Responses completed on `connection` so far (also after it closed); nil for an ID never created.
    public func requestsServed(on connection: ConnectionID) -> Int? {
        connections[connection]?.requestsServed ?? history.requestsServed[connection]
    }
}

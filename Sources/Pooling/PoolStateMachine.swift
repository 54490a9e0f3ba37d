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

    struct Connection: Sendable {
        let id: ConnectionID
        let origin: Origin
        var state: ConnectionState
        /// Responses completed on this connection; compared with the server's `Keep-Alive: max`.
        var requestsServed = 0
    }

    /// What the pool remembers about an unfinished request. Where it is (queued, or on which
    /// connection) is recorded in `waiters` and in the connections' states, not here.
    struct Request: Sendable {
        let id: RequestID
        let origin: Origin
        let method: String
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
    /// Each origin's queue of requests waiting for a socket, oldest first.
    var waiters: [Origin: [RequestID]] = [:]
    /// Each origin's free sockets, least recently freed first.
    var freeLists: [Origin: [ConnectionID]] = [:]

    var nextRequestNumber = 1
    var nextConnectionNumber = 1
    /// Counts socket releases, to order free sockets across origins (for eviction).
    var releaseCounter = 0
    /// The running totals part of `stats`.
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

    /// The pool right now, and what it has done so far.
    public var stats: PoolStats {
        var stats = history
        for connection in connections.values {
            var counts = stats.byOrigin[connection.origin] ?? PoolStats.Counts()
            switch connection.state {
            case .connecting:
                counts.inUse += 1
                counts.connecting += 1
            case .executing:
                counts.inUse += 1
            case .free:
                counts.free += 1
            }
            stats.byOrigin[connection.origin] = counts
        }
        for (origin, queue) in waiters where !queue.isEmpty {
            stats.byOrigin[origin, default: PoolStats.Counts()].waiting = queue.count
        }
        for counts in stats.byOrigin.values {
            stats.total.inUse += counts.inUse
            stats.total.connecting += counts.connecting
            stats.total.free += counts.free
            stats.total.waiting += counts.waiting
        }
        stats.freeLists = freeLists.filter { !$0.value.isEmpty }
        return stats
    }

    /// The origin's free sockets, least recently freed first (the order `scheduling` picks from).
    public func freeList(for origin: Origin) -> [ConnectionID] {
        freeLists[origin] ?? []
    }

    /// Responses completed on `connection` so far (also after it closed); nil for an ID never created.
    public func requestsServed(on connection: ConnectionID) -> Int? {
        history.requestsServed[connection]
    }
}

// The agent's knobs, named and defaulted like Node.js's http.Agent so a lesson written for Node
// reads the same here.

/// The limits and policies a `PoolStateMachine` applies. A plain value: the machine reads it, never
/// changes it. `PoolStateMachine.init(configuration:)` checks it (see `validate()`).
public struct PoolConfiguration: Hashable, Sendable {
    /// Which free socket a new request gets when an origin has several.
    public enum Scheduling: String, Hashable, Sendable, CaseIterable {
        /// The most recently freed socket (Node's default): traffic concentrates on a few warm
        /// sockets and the rest age out through the free-socket timeout.
        case lifo
        /// The least recently freed socket: traffic spreads over every free socket, so fewer of them
        /// expire, but each one has sat idle longer (more exposed to a server's idle timeout).
        case fifo
    }

    /// Keep sockets open after a response so later requests can reuse them. When false every socket
    /// is closed after one response (`CloseReason.agentKeepAliveDisabled`).
    public var keepAlive: Bool
    /// Most sockets open to one origin at a time: being opened, carrying a request, or free.
    public var maxSockets: Int
    /// Most sockets open to all origins together.
    public var maxTotalSockets: Int
    /// Most free (idle, kept-alive) sockets per origin. A socket that comes free when its origin's free
    /// list is full is closed (`CloseReason.freeListFull`). Zero means "never keep a free socket".
    public var maxFreeSockets: Int
    /// How long the agent keeps a free socket before closing it itself, in milliseconds
    /// (`CloseReason.freeSocketTimeout`); nil means no agent-side limit. A server's `Keep-Alive:
    /// timeout=N` hint can only make the wait shorter (see `ReleasedSocketFate`).
    public var freeSocketTimeoutMs: Int?
    /// Which free socket a request takes: most (`lifo`) or least (`fifo`) recently freed.
    public var scheduling: Scheduling

    // The three defences against the stale-connection race (see `PoolStateMachine+Retry.swift`).
    // They are on by default; turning them off makes the *naive client* a lesson needs to show the
    // race, and shows which defence saves which request.

    /// How much earlier than a server's `Keep-Alive: timeout=N` the agent gives up on a free socket,
    /// in milliseconds (1000, like Node). The socket's idle expiry becomes `N * 1000 - margin`; when
    /// that is 0 or less the socket is not kept at all (`CloseReason.keepAliveHintTooShort`). The
    /// margin has to cover the time the server's FIN takes to arrive, and the request's trip back.
    public var keepAliveHintMarginMs: Int
    /// Ignore the server's `Keep-Alive` header altogether, `timeout=` and `max=` (false). The agent
    /// then keeps a free socket for `freeSocketTimeoutMs`, whatever the server said it would do —
    /// what many simple clients do.
    public var ignoresKeepAliveHint: Bool
    /// Watch free sockets and look at one before reusing it (true): a close (FIN or reset) or stray
    /// bytes that have reached a free socket retire it (`CloseReason.closedByPeerWhileFree`,
    /// `.unsolicitedBytes`), and the request goes elsewhere. When false the pool does not notice: a
    /// free socket the server closed stays on the free list until a request is sent into it.
    public var checksBeforeReuse: Bool
    /// Resend an idempotent request, once, on a new connection when it failed on a reused one before
    /// any response byte arrived (true; RFC 9112 §9.3.1). When false such a request fails with
    /// `NotRetriedReason.retriesDisabled`.
    public var retriesStaleRequests: Bool

    public init(
        keepAlive: Bool = true,
        maxSockets: Int = .max,
        maxTotalSockets: Int = .max,
        maxFreeSockets: Int = 256,
        freeSocketTimeoutMs: Int? = 4000,
        scheduling: Scheduling = .lifo,
        keepAliveHintMarginMs: Int = 1000,
        ignoresKeepAliveHint: Bool = false,
        checksBeforeReuse: Bool = true,
        retriesStaleRequests: Bool = true
    ) {
        self.keepAlive = keepAlive
        self.maxSockets = maxSockets
        self.maxTotalSockets = maxTotalSockets
        self.maxFreeSockets = maxFreeSockets
        self.freeSocketTimeoutMs = freeSocketTimeoutMs
        self.scheduling = scheduling
        self.keepAliveHintMarginMs = keepAliveHintMarginMs
        self.ignoresKeepAliveHint = ignoresKeepAliveHint
        self.checksBeforeReuse = checksBeforeReuse
        self.retriesStaleRequests = retriesStaleRequests
    }

    /// A setting the pool cannot work with, named.
    public enum Problem: Hashable, Sendable, CustomStringConvertible {
        case maxSocketsBelowOne(Int)
        case maxTotalSocketsBelowOne(Int)
        case maxFreeSocketsNegative(Int)
        case freeSocketTimeoutNotPositive(Int)
        case keepAliveHintMarginNegative(Int)

        public var description: String {
            switch self {
            case .maxSocketsBelowOne(let value): "maxSockets must be at least 1, not \(value)"
            case .maxTotalSocketsBelowOne(let value): "maxTotalSockets must be at least 1, not \(value)"
            case .maxFreeSocketsNegative(let value): "maxFreeSockets must be 0 or more, not \(value)"
            case .freeSocketTimeoutNotPositive(let value):
                "freeSocketTimeoutMs must be more than 0 (or unset), not \(value)"
            case .keepAliveHintMarginNegative(let value):
                "keepAliveHintMarginMs must be 0 or more, not \(value)"
            }
        }
    }

    /// Every problem with these settings, in declaration order; empty when the pool can use them.
    /// It does not clamp or fix anything.
    public func validate() -> [Problem] {
        var problems: [Problem] = []
        if maxSockets < 1 { problems.append(.maxSocketsBelowOne(maxSockets)) }
        if maxTotalSockets < 1 { problems.append(.maxTotalSocketsBelowOne(maxTotalSockets)) }
        if maxFreeSockets < 0 { problems.append(.maxFreeSocketsNegative(maxFreeSockets)) }
        if let timeout = freeSocketTimeoutMs, timeout <= 0 {
            problems.append(.freeSocketTimeoutNotPositive(timeout))
        }
        if keepAliveHintMarginMs < 0 { problems.append(.keepAliveHintMarginNegative(keepAliveHintMarginMs)) }
        return problems
    }
}

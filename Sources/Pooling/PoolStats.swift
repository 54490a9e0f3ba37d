// What the pool looks like right now and what it has done so far: the numbers a lesson prints.

/// A snapshot of a `PoolStateMachine`, taken with `PoolStateMachine.stats`. A plain value: it does
/// not change when the machine does.
public struct PoolStats: Hashable, Sendable {
    /// Sockets and requests for one origin at the moment of the snapshot.
    public struct Counts: Hashable, Sendable {
        /// Sockets promised to a request: being opened for it, or carrying it.
        public var inUse: Int = 0
        /// The part of `inUse` still being opened (no `connectionEstablished` yet).
        public var connecting: Int = 0
        /// Open, idle sockets kept for reuse.
        public var free: Int = 0
        /// Requests queued for a socket.
        public var waiting: Int = 0

        /// Every open socket: `inUse + free`. This is what `maxSockets` limits.
        public var open: Int { inUse + free }

        public init(inUse: Int = 0, connecting: Int = 0, free: Int = 0, waiting: Int = 0) {
            self.inUse = inUse
            self.connecting = connecting
            self.free = free
            self.waiting = waiting
        }
    }

    /// All origins together. `total.open` is what `maxTotalSockets` limits.
    public var total = Counts()
    /// Per origin; an origin with nothing open and nothing waiting is absent.
    public var byOrigin: [Origin: Counts] = [:]
    /// Each origin's free sockets, least recently freed first: `lifo` takes from the end, `fifo`
    /// from the front. An origin without free sockets is absent.
    public var freeLists: [Origin: [ConnectionID]] = [:]

    /// Requests accepted (after `destroyed()`, submissions fail at once and are not counted here).
    public var submitted = 0
    /// Requests finished with `.succeed`.
    public var succeeded = 0
    /// Requests finished with `.fail`, including those refused after `destroyed()`.
    public var failed = 0
    /// Connections the pool asked to open (`.createConnection`).
    public var created = 0
    /// Connections that never opened (`connectionFailed`). They are not counted in `closed`.
    public var connectFailures = 0
    /// Requests executed on a socket that had served before. A reuse found broken before anything
    /// was sent (`reusedSocketFoundBroken`) is taken back out.
    public var reused = 0
    /// Requests resent on a new connection after a stale reused one failed.
    public var retried = 0
    /// Connections the pool closed (`.close`), whatever the reason.
    public var closed = 0
    /// `closed`, split by reason; a reason that never happened is absent.
    public var closedByReason: [CloseReason: Int] = [:]
    /// Responses completed on each connection the pool ever created, closed ones included.
    public var requestsServed: [ConnectionID: Int] = [:]

    public init() {}
}

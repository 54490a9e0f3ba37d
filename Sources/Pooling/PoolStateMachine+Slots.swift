// Counting sockets against the limits, opening and closing them, and — the rule a learner most
// often asks about — who gets the slot a closed socket leaves behind.

extension PoolStateMachine {
    /// Whether `origin` is below `maxSockets`. It does not look at the total limit.
    func isBelowOriginLimit(_ origin: OriginIndex) -> Bool {
        perOrigin[origin].openSocketCount < configuration.maxSockets
    }

    /// Whether every origin together is below `maxTotalSockets`.
    var isBelowTotalLimit: Bool {
        connections.count < configuration.maxTotalSockets
    }

    /// Opens a new connection promised to `request` and returns the action that asks for it.
    /// It does not check the limits: callers do, because each caller has its own reason why a slot
    /// is available.
    mutating func openConnection(for request: RequestID) -> PoolAction {
        guard let origin = requests[request]?.originIndex else {
            preconditionFailure("Invalid state: opening a connection for unknown \(request)")
        }
        let id = ConnectionID(nextConnectionNumber)
        nextConnectionNumber += 1
        connections[id] = Connection(id: id, originIndex: origin, state: .connecting(request))
        perOrigin[origin].openSocketCount += 1
        history.created += 1
        return .createConnection(id, origin: perOrigin[origin].origin)
    }

    /// Forgets `connection`, open or failed to open, and returns what the pool knew about it; its
    /// origin has one socket fewer. Every connection leaves the pool through here.
    @discardableResult
    mutating func removeConnection(_ connection: ConnectionID) -> Connection? {
        guard let removed = connections.removeValue(forKey: connection) else { return nil }
        perOrigin[removed.originIndex].openSocketCount -= 1
        // A live connection counts its responses itself (`Connection.requestsServed`); the history
        // learns the final count only now, so a response costs no dictionary write. The history
        // still keeps one entry per connection ever opened: it grows for the pool's lifetime.
        history.requestsServed[connection] = removed.requestsServed
        return removed
    }

    /// Forgets `connection` (taking it off its free list if it was free), counts the close under
    /// `reason`, and returns the action that closes it. It does not finish the request the connection
    /// was carrying, and it does not hand the freed slot to anyone (see `startWaitingRequests`).
    mutating func closeConnection(_ connection: ConnectionID, _ reason: CloseReason) -> PoolAction {
        guard let closing = removeConnection(connection) else {
            preconditionFailure("Invalid state: closing unknown \(connection)")
        }
        switch closing.state {
        case .free:
            perOrigin[closing.originIndex].freeList.removeAll { $0 == connection }
        case .connecting, .executing:
            break
        }
        history.closed += 1
        history.closedByReason[reason, default: 0] += 1
        return .close(connection, reason)
    }

    /// Finishes `request` successfully.
    mutating func succeed(_ request: RequestID, on connection: ConnectionID) -> PoolAction {
        requests.removeValue(forKey: request)
        history.succeeded += 1
        return .succeed(request, on: connection)
    }

    /// Finishes `request` with `error`.
    mutating func fail(_ request: RequestID, _ error: PoolError) -> PoolAction {
        requests.removeValue(forKey: request)
        history.failed += 1
        return .fail(request, error)
    }

    /// After a socket closed (or a connection failed to open): gives the free slot to the request that
    /// has waited longest and can use it, and repeats while slots remain.
    ///
    /// Who gets the slot: the oldest waiter of `preferredOrigin` (the origin whose socket just went
    /// away) if that origin is below `maxSockets`; otherwise the oldest waiter, in submission order,
    /// of any origin below `maxSockets` — those are requests the *total* limit was holding back.
    /// It does not reuse or evict free sockets: a waiter never coexists with a free socket of its own
    /// origin, and a slot freed here needs no eviction.
    mutating func startWaitingRequests(preferring preferredOrigin: OriginIndex) -> PoolActions {
        var actions = PoolActions()
        startWaitingRequests(preferring: preferredOrigin, appendingTo: &actions)
        return actions
    }

    /// `startWaitingRequests(preferring:)`, appending to `actions`: for an event that already has a
    /// list under way (see `responseCompleted`).
    mutating func startWaitingRequests(preferring preferredOrigin: OriginIndex, appendingTo actions: inout PoolActions) {
        while isBelowTotalLimit, let origin = originOfNextStartableWaiter(preferring: preferredOrigin) {
            actions.append(openConnection(for: dequeueWaiter(for: origin)))
        }
    }

    /// The origin whose oldest waiter should get the next slot (see `startWaitingRequests`), ignoring
    /// the total limit; nil when no waiting origin is below `maxSockets`.
    func originOfNextStartableWaiter(preferring preferredOrigin: OriginIndex?) -> OriginIndex? {
        if let preferredOrigin, !perOrigin[preferredOrigin].waiters.isEmpty, isBelowOriginLimit(preferredOrigin) {
            return preferredOrigin
        }
        // Request IDs are never shared, so the oldest waiter is one request whatever order the
        // origins are looked at in.
        var best: (origin: OriginIndex, request: RequestID)?
        for origin in originsWithWaiters {
            guard let oldest = perOrigin[origin].waiters.first, isBelowOriginLimit(origin) else { continue }
            if best == nil || oldest < best!.request {
                best = (origin, oldest)
            }
        }
        return best?.origin
    }

    /// Puts `request` at the back of `origin`'s queue.
    mutating func enqueueWaiter(_ request: RequestID, for origin: OriginIndex) {
        if perOrigin[origin].waiters.isEmpty { originsWithWaiters.append(origin) }
        perOrigin[origin].waiters.append(request)
    }

    /// Takes the oldest request off `origin`'s queue, which must not be empty.
    mutating func dequeueWaiter(for origin: OriginIndex) -> RequestID {
        let request = perOrigin[origin].waiters.removeFirst()
        if perOrigin[origin].waiters.isEmpty { originsWithWaiters.removeAll { $0 == origin } }
        return request
    }
}

// Counting sockets against the limits, opening and closing them, and — the rule a learner most
// often asks about — who gets the slot a closed socket leaves behind.

extension PoolStateMachine {
    /// Sockets open to `origin`: being opened, carrying a request, or free. `maxSockets` limits this.
    func openSocketCount(to origin: Origin) -> Int {
        connections.values.reduce(0) { count, connection in
            connection.origin == origin ? count + 1 : count
        }
    }

    /// Whether `origin` is below `maxSockets`. It does not look at the total limit.
    func isBelowOriginLimit(_ origin: Origin) -> Bool {
        openSocketCount(to: origin) < configuration.maxSockets
    }

    /// Whether every origin together is below `maxTotalSockets`.
    var isBelowTotalLimit: Bool {
        connections.count < configuration.maxTotalSockets
    }

    /// Opens a new connection promised to `request` and returns the action that asks for it.
    /// It does not check the limits: callers do, because each caller has its own reason why a slot
    /// is available.
    mutating func openConnection(for request: RequestID) -> PoolAction {
        guard let origin = requests[request]?.origin else {
            preconditionFailure("Invalid state: opening a connection for unknown \(request)")
        }
        let id = ConnectionID(nextConnectionNumber)
        nextConnectionNumber += 1
        connections[id] = Connection(id: id, origin: origin, state: .connecting(request))
        history.created += 1
        history.requestsServed[id] = 0
        return .createConnection(id, origin: origin)
    }

    /// Forgets `connection` (taking it off its free list if it was free), counts the close under
    /// `reason`, and returns the action that closes it. It does not finish the request the connection
    /// was carrying, and it does not hand the freed slot to anyone (see `startWaitingRequests`).
    mutating func closeConnection(_ connection: ConnectionID, _ reason: CloseReason) -> PoolAction {
        guard let closing = connections.removeValue(forKey: connection) else {
            preconditionFailure("Invalid state: closing unknown \(connection)")
        }
        switch closing.state {
        case .free:
            freeLists[closing.origin]?.removeAll { $0 == connection }
            if freeLists[closing.origin]?.isEmpty == true { freeLists[closing.origin] = nil }
        case .connecting, .executing:
            break
        }
        history.closed += 1
        history.closedByReason[reason, default: 0] += 1
        return .close(connection, reason)
    }

    /// Finishes `request` successfully.
    mutating func succeed(_ request: RequestID, on connection: ConnectionID) -> PoolAction {
        requests[request] = nil
        history.succeeded += 1
        return .succeed(request, on: connection)
    }

    /// Finishes `request` with `error`.
    mutating func fail(_ request: RequestID, _ error: PoolError) -> PoolAction {
        requests[request] = nil
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
    mutating func startWaitingRequests(preferring preferredOrigin: Origin) -> PoolActions {
        var actions = PoolActions()
        while isBelowTotalLimit, let origin = originOfNextStartableWaiter(preferring: preferredOrigin) {
            let request = waiters[origin]!.removeFirst()
            if waiters[origin]!.isEmpty { waiters[origin] = nil }
            actions.append(openConnection(for: request))
        }
        return actions
    }

    /// The origin whose oldest waiter should get the next slot (see `startWaitingRequests`), ignoring
    /// the total limit; nil when no waiting origin is below `maxSockets`.
    func originOfNextStartableWaiter(preferring preferredOrigin: Origin?) -> Origin? {
        if let preferredOrigin, waiters[preferredOrigin]?.isEmpty == false, isBelowOriginLimit(preferredOrigin) {
            return preferredOrigin
        }
        var best: (origin: Origin, request: RequestID)?
        for (origin, queue) in waiters {
            guard let oldest = queue.first, isBelowOriginLimit(origin) else { continue }
            if best == nil || oldest < best!.request {
                best = (origin, oldest)
            }
        }
        return best?.origin
    }
}

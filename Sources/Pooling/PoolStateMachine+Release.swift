// A response completed. First: may this socket carry another request at all (`ReleasedSocketFate`)?
// If it may, who gets it, in order:
//   1. the oldest request waiting for this origin — a socket that comes free goes to a waiter
//      before the free list, so nobody waits while a socket idles;
//   2. if the total limit is holding back a request to another origin, that request: this socket is
//      closed to make room for it (it would otherwise idle while the other request waits);
//   3. the origin's free list, if it has room (`maxFreeSockets`), with an idle timer;
//   4. nobody: close it (free list full).

extension PoolStateMachine {
    /// The response on `connection` completed, and its request succeeded.
    ///
    /// Returns `.succeed(request, on: connection)` first, then the socket's fate: `.execute` of a
    /// waiting request on it (`isReused: true`), or `.scheduleIdleTimeout` (nothing if it has no
    /// idle limit), or `.close` with the reason — followed by any `.createConnection` the freed slot
    /// allows. Ignored after `destroyed()`.
    ///
    /// - Parameters:
    ///   - isKeepAlive: neither side said `close` and the body was length-delimited, not read until
    ///     the server closed (see `ReleasedSocketFate.decide`).
    ///   - hint: the server's `Keep-Alive` header, parsed (`KeepAliveHint(headerValue:)`).
    ///   - bodyUnread: the caller took the response's head and will not read its body (the request
    ///     still succeeds): the socket closes with `.bodyUnread` unless an earlier rule closes it.
    public mutating func responseCompleted(
        _ connection: ConnectionID,
        isKeepAlive: Bool,
        hint: KeepAliveHint?,
        bodyUnread: Bool = false
    ) -> PoolActions {
        switch state {
        case .running: break
        case .destroyed: return PoolActions()
        }
        guard var released = connections[connection] else {
            preconditionFailure("Invalid state: response completed on unknown \(connection)")
        }
        switch released.state {
        case .executing(let request, _):
            released.requestsServed += 1
            connections[connection] = released
            // One list, extended in place by the helpers: building a list per helper and joining
            // them with `+` cost ~180 instructions per request (callgrind).
            var actions = PoolActions(succeed(request, on: connection))
            let fate = ReleasedSocketFate.decide(
                configuration: configuration,
                isKeepAlive: isKeepAlive,
                hint: hint,
                requestsServed: released.requestsServed,
                bodyUnread: bodyUnread
            )
            switch fate {
            case .close(let reason):
                actions.append(closeConnection(connection, reason))
                startWaitingRequests(preferring: released.originIndex, appendingTo: &actions)
            case .keep(let idleTimeoutMs):
                assignReleasedSocket(released, idleTimeoutMs: idleTimeoutMs, appendingTo: &actions)
            }
            return actions
        case .connecting, .free:
            preconditionFailure("Invalid state: response completed on \(connection) (\(released.state))")
        }
    }

    /// Gives a reusable socket to its next user by the rules at the top of this file.
    /// It does not decide whether the socket is reusable; `ReleasedSocketFate` did.
    /// Appends its actions to `actions`.
    private mutating func assignReleasedSocket(
        _ released: Connection,
        idleTimeoutMs: Int?,
        appendingTo actions: inout PoolActions
    ) {
        let origin = released.originIndex
        // 1. The oldest waiter for this origin takes it straight away.
        if !perOrigin[origin].waiters.isEmpty {
            let waiter = dequeueWaiter(for: origin)
            connections[released.id]!.state = .executing(waiter, isReused: true)
            history.reused += 1
            actions.append(.execute(waiter, on: released.id, isReused: true))
            return
        }
        // 2. A request to another origin is waiting only because of `maxTotalSockets`.
        //    (Asked only when some origin has waiters: calling the non-mutating helper from here
        //    copied the whole machine, 344 bytes, every response — ~65 instructions, callgrind.)
        if !originsWithWaiters.isEmpty && originOfNextStartableWaiter(preferring: nil) != nil {
            actions.append(closeConnection(released.id, .evictedForOtherOrigin))
            startWaitingRequests(preferring: origin, appendingTo: &actions)
            return
        }
        // 3. Keep it free, if the origin's free list has room.
        if perOrigin[origin].freeList.count < configuration.maxFreeSockets {
            releaseCounter += 1
            connections[released.id]!.state = .free(freedAt: releaseCounter, idleTimeoutMs: idleTimeoutMs)
            perOrigin[origin].freeList.append(released.id)
            if let idleTimeoutMs { actions.append(.scheduleIdleTimeout(released.id, afterMs: idleTimeoutMs)) }
            return
        }
        // 4. No one needs it and there is no room to keep it.
        actions.append(closeConnection(released.id, .freeListFull))
        startWaitingRequests(preferring: origin, appendingTo: &actions)
    }
}

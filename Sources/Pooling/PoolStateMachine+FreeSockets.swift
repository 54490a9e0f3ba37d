// What can happen to a socket while it is free, or at the moment it is taken off the free list.
// Each ends the socket with its own reason; the freed slot then goes to a waiter if one can use it.

extension PoolStateMachine {
    /// The idle timer of `connection` expired. Returns `.close(connection, .freeSocketTimeout)` and
    /// any `.createConnection` the freed slot allows.
    ///
    /// A timer that was overtaken — the socket was reused or closed since — is stale and ignored
    /// (returns nothing). So is every event after `destroyed()`.
    public mutating func idleTimeoutFired(_ connection: ConnectionID) -> PoolActions {
        switch state {
        case .running: break
        case .destroyed: return PoolActions()
        }
        guard let idle = connections[connection] else { return PoolActions() }
        switch idle.state {
        case .free:
            return closeFreeSocket(idle, .freeSocketTimeout)
        case .connecting, .executing:
            return PoolActions()
        }
    }

    /// The server closed or reset `connection` while it was free (EOF or RST read on an idle socket —
    /// typically the server's keep-alive timeout). Returns `.close(connection,
    /// .closedByPeerWhileFree)` and any `.createConnection` the freed slot allows.
    /// Only for a free socket: a failure on a socket carrying a request is `requestFailed`.
    ///
    /// A pool that does not check its sockets (`checksBeforeReuse` false) does not notice: it returns
    /// nothing and the socket stays on the free list, to fail the request that takes it.
    public mutating func freeSocketClosedByPeer(_ connection: ConnectionID) -> PoolActions {
        switch state {
        case .running: break
        case .destroyed: return PoolActions()
        }
        let free = requireFree(connection, "closed by peer")
        guard configuration.checksBeforeReuse else { return PoolActions() }
        return closeFreeSocket(free, .closedByPeerWhileFree)
    }

    /// `connection` received bytes while free, when no request was outstanding. Returns
    /// `.close(connection, .unsolicitedBytes)` and any `.createConnection` the freed slot allows.
    /// RFC 9112 §9.3 ties each response to a request; bytes nobody asked for mean the connection's
    /// framing can no longer be trusted for the next response.
    /// Ignored, like a peer close, when the pool does not check its sockets (`checksBeforeReuse`).
    public mutating func freeSocketReceivedUnsolicitedBytes(_ connection: ConnectionID) -> PoolActions {
        switch state {
        case .running: break
        case .destroyed: return PoolActions()
        }
        let free = requireFree(connection, "received unsolicited bytes")
        guard configuration.checksBeforeReuse else { return PoolActions() }
        return closeFreeSocket(free, .unsolicitedBytes)
    }

    /// The IO layer, about to write a request on a reused socket (`.execute(_, _, isReused: true)`),
    /// found it unusable (EOF, reset, or unsolicited bytes waiting) and wrote nothing. (An IO layer
    /// looks only when `configuration.checksBeforeReuse` is true.)
    ///
    /// Returns `.close(connection, reason)`, then the same request dispatched again as if it were new
    /// except that it keeps its place: another free socket (`.execute(isReused: true)`) or a new
    /// connection in the slot just freed. This is not a resend — nothing was sent — so it does not
    /// count as the request's one retry, and the reuse is taken out of `stats.reused`.
    public mutating func reusedSocketFoundBroken(_ connection: ConnectionID, reason: CloseReason) -> PoolActions {
        switch state {
        case .running: break
        case .destroyed: return PoolActions()
        }
        guard let broken = connections[connection] else {
            preconditionFailure("Invalid state: reused socket \(connection) found broken but unknown")
        }
        switch broken.state {
        case .executing(let request, isReused: true):
            history.reused -= 1
            let close = closeConnection(connection, reason)
            return PoolActions(close) + dispatch(request) + startWaitingRequests(preferring: broken.originIndex)
        case .executing(_, isReused: false), .connecting, .free:
            preconditionFailure("Invalid state: \(connection) found broken but not reused (\(broken.state))")
        }
    }

    /// The agent's inactivity timeout fired for `connection` while it was being opened or carrying a
    /// request. Returns `.fail(request, .timedOut)`, `.close(connection, .timedOut)` and any
    /// `.createConnection` the freed slot allows. A timeout is not resent: the server may be working
    /// on the request.
    ///
    /// A timer that was overtaken — the socket is free or closed now — is stale and ignored.
    public mutating func socketTimedOut(_ connection: ConnectionID) -> PoolActions {
        switch state {
        case .running: break
        case .destroyed: return PoolActions()
        }
        guard let timedOut = connections[connection] else { return PoolActions() }
        switch timedOut.state {
        case .connecting(let request), .executing(let request, _):
            let fail = fail(request, .timedOut)
            let close = closeConnection(connection, .timedOut)
            return PoolActions(fail, close) + startWaitingRequests(preferring: timedOut.originIndex)
        case .free:
            return PoolActions()
        }
    }

    /// The connection `connection`, which must be free.
    private func requireFree(_ connection: ConnectionID, _ event: String) -> Connection {
        guard let free = connections[connection] else {
            preconditionFailure("Invalid state: unknown \(connection) \(event)")
        }
        switch free.state {
        case .free:
            return free
        case .connecting, .executing:
            preconditionFailure("Invalid state: \(connection) \(event) but not free (\(free.state))")
        }
    }

    /// Closes a free socket for `reason` and hands the slot on.
    private mutating func closeFreeSocket(_ free: Connection, _ reason: CloseReason) -> PoolActions {
        let close = closeConnection(free.id, reason)
        return PoolActions(close) + startWaitingRequests(preferring: free.originIndex)
    }
}

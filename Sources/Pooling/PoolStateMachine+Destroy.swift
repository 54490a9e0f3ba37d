// The agent is destroyed: everything ends, with a reason.

extension PoolStateMachine {
    /// The agent was destroyed. Returns, connection by connection in ID order, `.fail(request,
    /// .agentDestroyed)` for the request it was opened for or is carrying, then `.close(connection,
    /// .agentDestroyed)`; then `.fail(request, .agentDestroyed)` for every waiting request in
    /// submission order.
    ///
    /// Afterwards the machine is final: every event returns nothing, and `requestSubmitted` fails the
    /// new request at once. A second `destroyed()` returns nothing.
    public mutating func destroyed() -> PoolActions {
        switch state {
        case .running: break
        case .destroyed: return PoolActions()
        }
        state = .destroyed
        var actions = PoolActions()
        for connection in connections.keys.sorted() {
            switch connections[connection]!.state {
            case .connecting(let request), .executing(let request, _):
                actions.append(fail(request, .agentDestroyed))
            case .free:
                break
            }
            actions.append(closeConnection(connection, .agentDestroyed))
        }
        for request in perOrigin.flatMap(\.waiters).sorted() {
            actions.append(fail(request, .agentDestroyed))
        }
        for origin in perOrigin.indices { perOrigin[origin].waiters.removeAll() }
        originsWithWaiters.removeAll()
        return actions
    }
}

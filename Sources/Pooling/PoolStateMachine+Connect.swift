// A connection the pool asked for has opened, or could not be opened.

extension PoolStateMachine {
    /// The TCP connection `connection` is open. Returns `.execute(request, on:, isReused: false)`
    /// for the request it was opened for. Ignored after `destroyed()`.
    public mutating func connectionEstablished(_ connection: ConnectionID) -> PoolActions {
        switch state {
        case .running: break
        case .destroyed: return PoolActions()
        }
        guard let opened = connections[connection] else {
            preconditionFailure("Invalid state: \(connection) established but unknown")
        }
        switch opened.state {
        case .connecting(let request):
            connections[connection]!.state = .executing(request, isReused: false)
            return PoolActions(.execute(request, on: connection, isReused: false))
        case .executing, .free:
            preconditionFailure("Invalid state: \(connection) established twice (\(opened.state))")
        }
    }

    /// The TCP connection `connection` could not be opened. Returns `.fail(request, error)` for the
    /// request it was opened for — a request is not resent after a failed connect: nothing stale was
    /// involved — and then a `.createConnection` for a waiting request if the freed slot lets one
    /// start. No `.close` is returned: there is nothing open to close. Ignored after `destroyed()`.
    public mutating func connectionFailed(_ connection: ConnectionID, error: PoolError) -> PoolActions {
        switch state {
        case .running: break
        case .destroyed: return PoolActions()
        }
        guard let failed = connections[connection] else {
            preconditionFailure("Invalid state: \(connection) failed to connect but unknown")
        }
        switch failed.state {
        case .connecting(let request):
            removeConnection(connection)
            history.connectFailures += 1
            return PoolActions(fail(request, error)) + startWaitingRequests(preferring: failed.originIndex)
        case .executing, .free:
            preconditionFailure("Invalid state: \(connection) failed to connect after it was established")
        }
    }
}

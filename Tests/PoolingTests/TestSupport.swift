// Shorthands for writing pool scripts: `r(2)` is request #2, `c(1)` connection #1.
import Pooling

func r(_ number: Int) -> RequestID { RequestID(number) }
func c(_ number: Int) -> ConnectionID { ConnectionID(number) }

extension PoolStateMachine {
    /// Submits a request and returns only the actions (the IDs count up from 1, so tests know them).
    mutating func submit(_ origin: Origin, _ method: String = "GET") -> PoolActions {
        requestSubmitted(origin: origin, method: method).1
    }

    /// A keep-alive response with no Keep-Alive header.
    mutating func complete(_ connection: ConnectionID, hint: KeepAliveHint? = nil) -> PoolActions {
        responseCompleted(connection, isKeepAlive: true, hint: hint)
    }

    /// A response after which the socket cannot be reused (the server said close).
    mutating func completeAndClose(_ connection: ConnectionID) -> PoolActions {
        responseCompleted(connection, isKeepAlive: false, hint: nil)
    }

    /// Submits a request that must open a new connection, establishes it and completes the response,
    /// leaving the socket free. Returns the connection.
    mutating func openFreeSocket(_ origin: Origin) -> ConnectionID {
        let connection = openBusySocket(origin)
        _ = complete(connection)
        return connection
    }

    /// Submits a request that must open a new connection and establishes it: the socket is left
    /// carrying the request. Returns the connection.
    mutating func openBusySocket(_ origin: Origin, _ method: String = "GET") -> ConnectionID {
        let actions = submit(origin, method)
        guard actions.count == 1, case .createConnection(let connection, _) = actions[0] else {
            preconditionFailure("expected one createConnection, got \(actions)")
        }
        _ = connectionEstablished(connection)
        return connection
    }
}

// What the state machine asks the IO layer to do. Every event returns a list of these (a
// `PoolActions`); the IO layer carries them out in order, and reports what then happens as further
// events.

/// One instruction for the IO layer. The machine never performs IO: it only decides.
public enum PoolAction: Hashable, Sendable, CustomStringConvertible {
    /// Open a TCP connection to `origin`. Report `connectionEstablished` or `connectionFailed`.
    /// The connection is already promised to one request; the machine sends `.execute` for it once it
    /// is established.
    case createConnection(ConnectionID, origin: Origin)
    /// Write the request on the connection and read its response. Report `responseCompleted`,
    /// `requestFailed` or `socketTimedOut`. When `isReused` is true the socket has carried a request
    /// before: if `PoolConfiguration.checksBeforeReuse` is on, check it first (EOF, reset, bytes
    /// waiting) and report `reusedSocketFoundBroken` instead of writing if it is not usable.
    case execute(RequestID, on: ConnectionID, isReused: Bool)
    /// Deliver the response to whoever asked for the request. The request is finished.
    case succeed(RequestID, on: ConnectionID)
    /// Deliver the error to whoever asked for the request. The request is finished.
    case fail(RequestID, PoolError)
    /// Record that the request is being resent on a new connection (the reason is for the result and
    /// the trace). Not the end of the request: an `.execute` for it follows later.
    case retrying(RequestID, reason: String)
    /// Start the free socket's idle timer; report `idleTimeoutFired` when it expires.
    case scheduleIdleTimeout(ConnectionID, afterMs: Int)
    /// Stop the free socket's idle timer: the socket is being reused.
    case cancelIdleTimeout(ConnectionID)
    /// Close the connection (abort it if it is still connecting) and forget it, including any timer
    /// for it. The machine will not mention this ID again, and ignores a timer that fires late.
    case close(ConnectionID, CloseReason)

    public var description: String {
        switch self {
        case .createConnection(let connection, let origin): "create \(connection) to \(origin)"
        case .execute(let request, let connection, let isReused):
            "execute \(request) on \(connection)\(isReused ? " (reused)" : " (new)")"
        case .succeed(let request, let connection): "succeed \(request) on \(connection)"
        case .fail(let request, let error): "fail \(request): \(error)"
        case .retrying(let request, let reason): "retry \(request): \(reason)"
        case .scheduleIdleTimeout(let connection, let afterMs): "schedule idle timeout \(connection) in \(afterMs) ms"
        case .cancelIdleTimeout(let connection): "cancel idle timeout \(connection)"
        case .close(let connection, let reason): "close \(connection): \(reason)"
        }
    }
}

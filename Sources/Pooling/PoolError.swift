// How a request fails, as the pool reports it in `PoolAction.fail`.

/// Why a request failed. The IO layer reports the transport-level cases (`refused`, `reset`, ...);
/// the pool adds `agentDestroyed`, and wraps an error it chose not to recover from in `notRetried`,
/// so a learner sees both what went wrong and why the agent did not resend.
public indirect enum PoolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The connection attempt was refused (ECONNREFUSED).
    case refused
    /// The peer reset the connection (ECONNRESET, EPIPE).
    case reset
    /// The agent's inactivity timeout fired.
    case timedOut
    /// The response could not be parsed; the text says where.
    case malformedResponse(String)
    /// The agent was destroyed before the request finished.
    case agentDestroyed
    /// The connection closed cleanly (EOF) before a complete response arrived.
    case closedBeforeResponse
    /// The connection closed (EOF) in the middle of a response whose end was known: a status line,
    /// header section, Content-Length body or chunked body cut short. The text says where. The partial
    /// response is never handed out as a success.
    case truncatedResponse(String)
    /// The server sent bytes before the request was written: a response to no request (HTTP servers
    /// never speak first). The request was not sent on that connection.
    case unsolicitedResponse
    /// Anything else, described.
    case other(String)
    /// `error` ended the request, and the pool did not resend it, for the stated reason.
    case notRetried(PoolError, because: NotRetriedReason)

    public var description: String {
        switch self {
        case .refused: "connection refused"
        case .reset: "connection reset"
        case .timedOut: "timed out"
        case .malformedResponse(let detail): "malformed response: \(detail)"
        case .agentDestroyed: "agent destroyed"
        case .closedBeforeResponse: "connection closed before the response"
        case .truncatedResponse(let detail): "truncated response: \(detail)"
        case .unsolicitedResponse: "the server sent a response before the request"
        case .other(let detail): detail
        case .notRetried(let error, let reason): "\(error) (not retried: \(reason))"
        }
    }
}

/// Why a failed request was not resent on a new connection. The rules, in the order they are
/// checked, are in `PoolStateMachine+Retry.swift`.
public enum NotRetriedReason: Hashable, Sendable, CustomStringConvertible {
    /// The request had already been resent once; the agent never resends twice.
    case alreadyRetried
    /// The connection was new, so it cannot have been a stale keep-alive connection: the failure is
    /// the server's answer, and resending would only repeat it.
    case freshConnection
    /// Part of the response had arrived: the server processed the request.
    case responseStarted
    /// The method is not idempotent (RFC 9110 §9.2.2): the server may have acted on it already.
    case notIdempotent(method: String)
    /// Every other rule allowed a resend, but the agent was configured not to resend
    /// (`PoolConfiguration.retriesStaleRequests` false): a naive client.
    case retriesDisabled

    public var description: String {
        switch self {
        case .alreadyRetried: "already retried once"
        case .freshConnection: "fresh connection, not a stale reuse"
        case .responseStarted: "response had started"
        case .notIdempotent(let method): "\(method) is not idempotent"
        case .retriesDisabled: "retries are off"
        }
    }
}

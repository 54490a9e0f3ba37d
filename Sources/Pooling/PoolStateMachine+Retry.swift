// A request failed on its connection. Resend it, or report the failure? This is the only place the
// pool resends anything.
//
// Why resend at all — the stale keep-alive race. A free socket looks healthy until the moment it is
// used. The server may have decided to close it (its idle timeout, RFC 9112 §9.3 lets it close an
// idle connection at any time) while our request was already on its way: the request meets a reset or
// an EOF, and no response. Nothing is wrong with the request; the connection was stale. RFC 9112
// §9.3.1 allows a client to retry such a request automatically "if it knows the request method to be
// idempotent" (RFC 9110 §9.2.2: sending it twice has the same effect as once).
//
// So a failed request is resent, once, on a NEW connection — never on another free socket, which
// could be just as stale — only when all of these hold (checked in this order; the first that fails
// names the reason in `.fail(request, .notRetried(error, because:))`):
//   1. it has not been resent already                         else `.alreadyRetried`
//   2. the connection was reused (had served a request)      else `.freshConnection`
//      — a brand-new connection cannot be stale; its failure is the server's real answer;
//   3. no byte of the response had arrived                   else `.responseStarted`
//      — once the server answered, it processed the request;
//   4. the method is idempotent                               else `.notIdempotent(method:)`
//      — a POST may already have charged the card;
//   5. the agent resends at all (`retriesStaleRequests`)      else `.retriesDisabled`
//      — checked last, so a request that could never be resent names the real reason.
// Go's net/http transport resends in the same situation, limited to GET, HEAD, OPTIONS and TRACE
// (and requests with an Idempotency-Key header). Node's http.Agent does not resend at all: it sets
// `request.reusedSocket` so the application can decide.

extension PoolStateMachine {
    /// Methods that RFC 9110 §9.2.2 defines as idempotent. Method names are case-sensitive
    /// (RFC 9110 §9.1): "get" is not GET.
    public static let idempotentMethods: Set<String> = ["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]

    /// The resend rules above, applied to one failure. Nil means "resend"; otherwise the reason not to.
    static func reasonNotToResend(
        hasBeenRetried: Bool,
        isReused: Bool,
        receivedResponseBytes: Bool,
        method: String,
        retriesEnabled: Bool = true
    ) -> NotRetriedReason? {
        if hasBeenRetried { return .alreadyRetried }
        if !isReused { return .freshConnection }
        if receivedResponseBytes { return .responseStarted }
        if !idempotentMethods.contains(method) { return .notIdempotent(method: method) }
        if !retriesEnabled { return .retriesDisabled }
        return nil
    }

    /// The request on `connection` failed with `error` (reset, EOF before the response, a malformed
    /// response, ...). The connection is closed either way: its state is unknown.
    ///
    /// When the rules above allow a resend: `.retrying(request, reason:)`, `.close(connection,
    /// .staleOnReuse)`, `.createConnection(new, origin:)` — the new connection takes the closed one's
    /// slot, so it bypasses the queue and the limits still hold; `.execute(request, on: new,
    /// isReused: false)` follows `connectionEstablished`. Otherwise: `.fail(request,
    /// .notRetried(error, because: reason))`, `.close(connection, .requestFailed)`, then any
    /// `.createConnection` the freed slot allows. Ignored after `destroyed()`.
    ///
    /// - Parameter receivedResponseBytes: whether any byte of the response had arrived.
    public mutating func requestFailed(
        _ connection: ConnectionID,
        error: PoolError,
        receivedResponseBytes: Bool
    ) -> PoolActions {
        switch state {
        case .running: break
        case .destroyed: return PoolActions()
        }
        guard let failed = connections[connection] else {
            preconditionFailure("Invalid state: request failed on unknown \(connection)")
        }
        switch failed.state {
        case .executing(let request, let isReused):
            guard let record = requests[request] else {
                preconditionFailure("Invalid state: \(connection) carries finished \(request)")
            }
            let reason = Self.reasonNotToResend(
                hasBeenRetried: record.hasBeenRetried,
                isReused: isReused,
                receivedResponseBytes: receivedResponseBytes,
                method: methods[record.methodIndex],
                retriesEnabled: configuration.retriesStaleRequests
            )
            if let reason {
                let fail = fail(request, .notRetried(error, because: reason))
                let close = closeConnection(connection, .requestFailed)
                return PoolActions(fail, close) + startWaitingRequests(preferring: failed.originIndex)
            }
            requests[request]!.hasBeenRetried = true
            history.retried += 1
            let retrying = PoolAction.retrying(
                request,
                reason: "\(error) on reused \(connection) before any response byte; "
                    + "resending \(methods[record.methodIndex]) once on a new connection (RFC 9112 §9.3.1)"
            )
            let close = closeConnection(connection, .staleOnReuse)
            return PoolActions(retrying, close, openConnection(for: request))
        case .connecting:
            preconditionFailure("Invalid state: request failed on \(connection) before it was established")
        case .free:
            preconditionFailure("Invalid state: request failed on free \(connection)")
        }
    }
}

// "This response is done — may the socket carry another request?" One function, the rules in order.
// The first rule that says close wins; each has its own `CloseReason`.

/// What happens to a socket after a response completed on it, before anyone asks who gets it.
enum ReleasedSocketFate: Hashable, Sendable {
    /// The socket may be reused. If it ends up on the free list, the IO layer closes it after
    /// `idleTimeoutMs` idle milliseconds (nil: no idle limit).
    case keep(idleTimeoutMs: Int?)
    /// The socket must not carry another request.
    case close(CloseReason)

    /// Decides the fate of a socket whose response just completed.
    ///
    /// - Parameters:
    ///   - isKeepAlive: the IO layer's verdict on the exchange: neither side sent `Connection: close`,
    ///     an HTTP/1.0 server sent `Connection: keep-alive`, and the response body was length-delimited
    ///     rather than read until the server closed (RFC 9112 §9.3, §6.3).
    ///   - hint: the server's `Keep-Alive` header, if it sent one (ignored when the configuration
    ///     says `ignoresKeepAliveHint`).
    ///   - requestsServed: responses completed on this socket, this one included.
    ///   - bodyUnread: the caller took the head and left a body (of nonzero or unknown length) unread.
    ///
    /// It does not look at waiters or the free list; that is the caller's second step.
    static func decide(
        configuration: PoolConfiguration,
        isKeepAlive: Bool,
        hint: KeepAliveHint?,
        requestsServed: Int,
        bodyUnread: Bool = false
    ) -> ReleasedSocketFate {
        // 1. The agent itself does not keep sockets.
        guard configuration.keepAlive else { return .close(.agentKeepAliveDisabled) }
        // 2. RFC 9112 §9.3: HTTP/1.1 persists unless "close"; §9.6: after "close" no further request
        //    is sent. A body delimited by the close (§6.3 item 8) leaves nothing to reuse either.
        guard isKeepAlive else { return .close(.responseNotReusable) }
        // 3. The caller left the body unread: its bytes stand between this response and the next,
        //    and nobody will read them. Go's transport and Node's agent do not reuse such a socket
        //    either (Node holds it until the body is read or the socket destroyed).
        guard !bodyUnread else { return .close(.bodyUnread) }
        // A client that ignores the hint keeps the socket for its own idle limit, whatever it says.
        let hint = configuration.ignoresKeepAliveHint ? nil : hint
        // 4. The server announced how many requests it will answer on this connection.
        if let max = hint?.max, requestsServed >= max { return .close(.serverMaxReached) }
        // 5. How long the socket may sit free: the agent's own limit, lowered (never raised) to the
        //    server's announced timeout minus a margin (`keepAliveHintMarginMs`, 1 s by default), so
        //    the agent gives up on a free socket before the server closes it and never sends a
        //    request into a socket the server is closing at that moment. Node's http.Agent does the same.
        var idleTimeoutMs = configuration.freeSocketTimeoutMs
        if let timeoutSeconds = hint?.timeoutSeconds {
            let margin = configuration.keepAliveHintMarginMs
            let hintMs = timeoutSeconds >= Int.max / 1000 ? Int.max : timeoutSeconds * 1000 - margin
            guard hintMs > 0 else { return .close(.keepAliveHintTooShort) }
            idleTimeoutMs = min(idleTimeoutMs ?? hintMs, hintMs)
        }
        return .keep(idleTimeoutMs: idleTimeoutMs)
    }
}

// Every time the pool closes a socket it says why, with one of these names. A trace line such as
// "close conn#3: free socket timeout" comes straight from `description`.

/// Why the pool closed a connection. Each case names the one rule that decided it; the rules live in
/// `ReleasedSocketFate` (after a response), `PoolStateMachine+Retry.swift` (after a failure),
/// `PoolStateMachine+FreeSockets.swift` (while idle) and `PoolStateMachine+Dispatch.swift`
/// (eviction). `description` is stable: lessons match on it.
public enum CloseReason: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The agent was configured with `keepAlive: false`: one request per connection.
    case agentKeepAliveDisabled
    /// The response cannot be followed by another on this connection: either side sent
    /// `Connection: close`, an HTTP/1.0 server did not agree to keep-alive, or the body was delimited
    /// by the server closing the connection (RFC 9112 §9.3, §6.3 item 8).
    case responseNotReusable
    /// The caller did not read the response body (`readBody=false` in a lab script; Go's
    /// `resp.Body` closed unread): bytes of it may still be in flight on the socket, so no other
    /// response can be read after them. Only zero-length bodies leave nothing unread.
    case bodyUnread
    /// The server's `Keep-Alive: max=N` says it will answer no more requests on this connection.
    case serverMaxReached
    /// The server's `Keep-Alive: timeout=N` leaves nothing after the agent's safety margin
    /// (`PoolConfiguration.keepAliveHintMarginMs`, 1 s by default): a request sent on it would likely
    /// race the server's close.
    case keepAliveHintTooShort
    /// The origin already has `maxFreeSockets` free sockets.
    case freeListFull
    /// The socket sat free longer than the effective idle expiry (agent setting or server hint).
    case freeSocketTimeout
    /// A reused socket failed before any response byte arrived and the request is being resent on a
    /// new connection (RFC 9112 §9.3.1).
    case staleOnReuse
    /// The server closed (FIN) or reset an idle free socket — usually its own keep-alive timeout.
    case closedByPeerWhileFree
    /// An idle free socket received bytes nobody asked for; the connection's framing can no longer be
    /// trusted, so it cannot carry another request.
    case unsolicitedBytes
    /// The agent was destroyed.
    case agentDestroyed
    /// The agent's inactivity timeout fired while a request was in progress.
    case timedOut
    /// The request on this connection failed and was not resent; the connection's state is unknown.
    case requestFailed
    /// A free socket was closed to make room under `maxTotalSockets` for a request to another origin.
    case evictedForOtherOrigin

    public var description: String {
        switch self {
        case .agentKeepAliveDisabled: "agent keepAlive off"
        case .responseNotReusable: "server said close"
        case .bodyUnread: "body unread"
        case .serverMaxReached: "server max requests reached"
        case .keepAliveHintTooShort: "keep-alive hint too short"
        case .freeListFull: "free list full"
        case .freeSocketTimeout: "free socket timeout"
        case .staleOnReuse: "stale on reuse"
        case .closedByPeerWhileFree: "closed by peer while free"
        case .unsolicitedBytes: "unsolicited bytes"
        case .agentDestroyed: "agent destroyed"
        case .timedOut: "timed out"
        case .requestFailed: "request failed"
        case .evictedForOtherOrigin: "evicted for other origin"
        }
    }
}

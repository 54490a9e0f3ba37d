import HTTP1
import HTTP2
import Pooling

/// Where the agent sends requests: an IPv4 address and a port. `http://` only.
public struct HTTPOrigin: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    /// The Host header value as the user wrote it (name, not the resolved address).
    public var hostHeader: String

    public init(host: String, port: UInt16, hostHeader: String? = nil) {
        self.host = host
        self.port = port
        self.hostHeader = hostHeader ?? (port == 80 ? host : "\(host):\(port)")
    }

    public var description: String { "http://\(hostHeader)" }
    var poolOrigin: Origin { Origin("\(host):\(port)") }

    /// Why a URL was refused.
    public enum URLProblem: Error, Equatable, CustomStringConvertible {
        case notHTTP(String)
        case https
        case badPort(String)
        case noHost
        case unresolvable(String)

        public var description: String {
            switch self {
            case .notHTTP(let url): return "'\(url)' is not an http:// URL"
            case .https: return "https:// is not supported: WireLab speaks plain HTTP/1.1 only (no TLS)"
            case .badPort(let port): return "'\(port)' is not a port number (1-65535)"
            case .noHost: return "the URL has no host"
            case .unresolvable(let host): return "cannot resolve host '\(host)' to an IPv4 address"
            }
        }
    }

    /// Splits `http://host[:port][/target]` into an origin and a target. Resolves a host name with
    /// getaddrinfo, which may block: call it before the loop runs.
    public static func parse(_ url: String) throws(URLProblem) -> (origin: HTTPOrigin, target: String) {
        let lower = url.lowercased()
        if lower.hasPrefix("https://") { throw .https }
        guard lower.hasPrefix("http://") else { throw .notHTTP(url) }
        let rest = url.dropFirst(7)
        let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<slash]
        var target = String(rest[slash...])
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        var host = String(authority)
        var port: UInt16 = 80
        if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            let text = String(authority[authority.index(after: colon)...])
            guard let value = UInt16(text), value > 0 else { throw .badPort(text) }
            port = value
        }
        guard !host.isEmpty else { throw .noHost }
        guard let address = Platform.resolveIPv4(host) else { throw .unresolvable(host) }
        return (HTTPOrigin(host: address, port: port, hostHeader: String(authority)), target)
    }
}

/// The agent's settings: the pool's (`PoolConfiguration`, Node's names and defaults) plus the
/// socket-level ones the pool does not decide.
public struct AgentConfiguration: Sendable {
    public var pool = PoolConfiguration()
    /// HTTP/1.1 (the pool) or HTTP/2 with prior knowledge (one connection per origin, requests as
    /// streams: `AgentH2Pool`). Under h2 the pool's socket settings do not apply.
    public var httpProtocol: AgentProtocol = .http1
    /// Our side of an h2 connection: the SETTINGS we send and the windows we keep.
    public var http2 = H2Configuration()
    /// Over HTTP/2, a slow reader: the application takes each DATA frame's bytes this many
    /// milliseconds after they arrive, and only then are they given back to the server's windows
    /// (set `http2.automaticWindowUpdates` off with it). 0: taken at once.
    public var h2ReadDelayMs: Double = 0
    /// h2: streams opened on a new connection before the server's SETTINGS say its limit (1: never
    /// more than the server allows, at the cost of one round trip for the rest; nghttp2 uses 100).
    public var http2StreamsBeforeSettings = 1
    /// Socket inactivity timeout while a request is in flight (Node: `timeout`). nil = none.
    public var timeoutMs: Int?
    /// TCP keepalive idle time set on sockets of a keep-alive agent (Node: `keepAliveMsecs`, 1000).
    /// This is TCP's probe, not HTTP keep-alive; the kernel counts it in whole seconds.
    public var keepAliveMsecs: Int = 1000
    public var network = SimulatedNetwork.off

    public init() {}
}

/// Which protocol an agent speaks.
public enum AgentProtocol: String, Sendable, CaseIterable {
    case http1 = "http1.1"
    /// HTTP/2 over cleartext TCP with prior knowledge (RFC 9113 §3.3): no Upgrade, no TLS.
    case h2

    /// What a result's `version` says.
    public var version: String { self == .h2 ? "HTTP/2" : "HTTP/1.1" }
}

/// One request for the agent to send.
///
/// A value like any other, but its fields live in one shared box, copied only when a shared request
/// is changed. The agent keeps a copy of every request it is given (in its result), and as a plain
/// struct of four strings and two arrays each copy was seven retains, and each result freed seven
/// releases: ~400 instructions a request (callgrind). Now it is one of each.
public struct AgentRequest: Sendable {
    public var method: String {
        get { storage.method }
        _modify { yield &unique().method }
    }
    public var origin: HTTPOrigin {
        get { storage.origin }
        _modify { yield &unique().origin }
    }
    public var target: String {
        get { storage.target }
        _modify { yield &unique().target }
    }
    public var headers: HTTPHeaders {
        get { storage.headers }
        _modify { yield &unique().headers }
    }
    public var body: [UInt8] {
        get { storage.body }
        _modify { yield &unique().body }
    }
    /// Whether the caller reads the response body (true). False: the caller takes the head and
    /// leaves the body unread, as a Go client that closes `resp.Body` without reading it. The result
    /// then has the head and an empty body, and the socket cannot carry another request: the pool
    /// closes it (`CloseReason.bodyUnread`) unless the body is empty by its framing (HEAD, 204,
    /// 304, `Content-Length: 0`).
    public var readsBody: Bool {
        get { storage.readsBody }
        _modify { yield &unique().readsBody }
    }

    /// Simulated, under the simulated network only: the first segment the request's connection
    /// receives after the request is written is lost and arrives this many milliseconds late (its
    /// retransmission), and nothing behind it on that connection is delivered before it. 0: no loss.
    /// On HTTP/1.1 that segment is this request's response; on a connection that carries several
    /// requests at once it may be anyone's, and everything after it waits.
    public var stallMs: Double {
        get { storage.stallMs }
        _modify { yield &unique().stallMs }
    }

    private var storage: Storage

    public init(method: String = "GET", origin: HTTPOrigin, target: String = "/", headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                readsBody: Bool = true) {
        storage = Storage(method: method, origin: origin, target: target, headers: headers, body: body, readsBody: readsBody)
    }

    /// Whether `other` is this very request: the same box, not merely equal fields. While someone
    /// holds `other`, the box is neither changed in place (`unique()` copies a shared box first) nor
    /// freed, so every field is still what it was when `other` was taken. The agent's memo of the
    /// last request it sent relies on this (see `Agent.send`).
    func isSameRequest(as other: AgentRequest) -> Bool { storage === other.storage }

    /// The box, made this request's own before a change.
    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// `@unchecked Sendable`: a box is changed only through `unique()`, that is, only when one
    /// request value holds it; a box that two values (or threads) can see is never written.
    private final class Storage: @unchecked Sendable {
        var method: String
        var origin: HTTPOrigin
        var target: String
        var headers: HTTPHeaders
        var body: [UInt8]
        var readsBody: Bool
        var stallMs: Double = 0

        init(method: String, origin: HTTPOrigin, target: String, headers: HTTPHeaders, body: [UInt8], readsBody: Bool) {
            self.method = method
            self.origin = origin
            self.target = target
            self.headers = headers
            self.body = body
            self.readsBody = readsBody
        }

        func copy() -> Storage {
            let copy = Storage(method: method, origin: origin, target: target, headers: headers, body: body, readsBody: readsBody)
            copy.stallMs = stallMs
            return copy
        }
    }
}

/// When each step of a request happened, in milliseconds since it was submitted: a waterfall row.
public struct RequestTimings: Sendable, Equatable {
    /// When the request got a socket (a reused one, or a new one it asked for). Waiting in the queue
    /// shows as a late `assigned`.
    public var assigned: Double?
    /// How long opening a new connection took (nil on a reused socket). Includes simulated handshakes.
    public var connect: Double?
    /// When the last request byte left.
    public var sent: Double?
    /// When the first response byte arrived.
    public var firstByte: Double?
    /// When the response was complete (or the request failed).
    public var done: Double = 0
    /// The loop-clock instant the request was submitted (ns), to line rows up.
    public var startNanos: Int64 = 0

    public init() {}
}

/// An agent error a learner can tell apart from the others.
public enum AgentError: Error, Equatable, Sendable, CustomStringConvertible {
    case refused
    case reset
    case timedOut
    case malformedResponse(String)
    case destroyed
    case closedBeforeResponse
    /// The server closed in the middle of a response (its head, or a body whose length was known).
    case truncatedResponse(String)
    /// The server spoke before the request was sent; the request was not sent there.
    case unsolicitedResponse
    case other(String)
    /// A failure the agent did not resend, and why.
    indirect case notRetried(AgentError, because: String)

    init(_ error: PoolError) {
        switch error {
        case .refused: self = .refused
        case .reset: self = .reset
        case .timedOut: self = .timedOut
        case .malformedResponse(let what): self = .malformedResponse(what)
        case .agentDestroyed: self = .destroyed
        case .closedBeforeResponse: self = .closedBeforeResponse
        case .truncatedResponse(let what): self = .truncatedResponse(what)
        case .unsolicitedResponse: self = .unsolicitedResponse
        case .other(let what): self = .other(what)
        case .notRetried(let inner, let reason):
            let because: String
            switch reason {
            case .alreadyRetried: because = "it was already retried once"
            case .freshConnection: because = "it failed on a new connection, not a reused one"
            case .responseStarted: because = "part of the response had arrived"
            case .notIdempotent(let method): because = "\(method) is not idempotent"
            case .retriesDisabled: because = "the agent's retries are off"
            }
            self = .notRetried(AgentError(inner), because: because)
        }
    }

    var poolError: PoolError {
        switch self {
        case .refused: return .refused
        case .reset: return .reset
        case .timedOut: return .timedOut
        case .malformedResponse(let what): return .malformedResponse(what)
        case .destroyed: return .agentDestroyed
        case .closedBeforeResponse: return .closedBeforeResponse
        case .truncatedResponse(let what): return .truncatedResponse(what)
        case .unsolicitedResponse: return .unsolicitedResponse
        case .other(let what), .notRetried(.other(let what), _): return .other(what)
        case .notRetried(let inner, _): return inner.poolError
        }
    }

    /// A short name for scripts and JSON: refused, reset, timeout, malformed, truncated, unsolicited,
    /// destroyed, closed, other.
    public var kind: String {
        switch self {
        case .refused: return "refused"
        case .reset: return "reset"
        case .timedOut: return "timeout"
        case .malformedResponse: return "malformed"
        case .destroyed: return "destroyed"
        case .closedBeforeResponse: return "closed"
        case .truncatedResponse: return "truncated"
        case .unsolicitedResponse: return "unsolicited"
        case .other: return "other"
        case .notRetried(let inner, _): return inner.kind
        }
    }

    public var description: String {
        switch self {
        case .refused: return "connection refused"
        case .reset: return "connection reset by peer"
        case .timedOut: return "socket timed out"
        case .malformedResponse(let what): return "malformed response: \(what)"
        case .destroyed: return "agent destroyed"
        case .closedBeforeResponse: return "connection closed before a response arrived"
        case .truncatedResponse(let what): return "truncated response: \(what)"
        case .unsolicitedResponse: return "the server sent a response before the request was sent"
        case .other(let what): return what
        case .notRetried(let inner, let because): return "\(inner) (not retried: \(because))"
        }
    }
}

/// What became of one request.
public struct AgentResult: Sendable {
    public var request: AgentRequest
    public var head: HTTPResponseHead?
    public var body: [UInt8] = []
    /// The connection (numbered per agent from 1) that carried the final attempt.
    public var connection: Int?
    /// The HTTP/2 stream that carried it; 0 over HTTP/1.1.
    public var stream = 0
    public var isReused = false
    /// The request was resent once on a new connection after a reused one turned out stale.
    public var isRetried = false
    public var retryReason: String?
    public var error: AgentError?
    public var timings = RequestTimings()

    /// A result with nothing yet decided: no response, no connection, no error. The agent fills it
    /// in as the request goes; tests and tools build one by hand the same way.
    public init(request: AgentRequest) {
        self.request = request
    }

    public var status: Int? { head?.status }
    public var isSuccess: Bool { error == nil && head != nil }
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Things the agent did, in order, for traces and lessons.
public enum AgentEvent: Sendable, Equatable {
    case queued(request: Int)
    case connecting(connection: Int, origin: String)
    case connected(connection: Int, ms: Double)
    case connectFailed(connection: Int, error: String)
    /// A request was written on a connection; `reused` when the socket had served before.
    case sent(request: Int, connection: Int, reused: Bool)
    /// HTTP/2: the request went out on `stream` of the connection (right after `.sent`).
    case streamOpened(request: Int, connection: Int, stream: Int)
    case response(request: Int, connection: Int, status: Int)
    case retrying(request: Int, reason: String)
    case failed(request: Int, error: String)
    case closed(connection: Int, reason: String)
}

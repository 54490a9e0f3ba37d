import HTTP2
/// The embedded server's knobs, named and defaulted like Node's `http.Server`.
public struct ServerConfiguration: Sendable, Equatable {
    /// The port to bind on 127.0.0.1; 0 lets the kernel choose. There is no host setting: the server
    /// listens on loopback only.
    public var port: UInt16 = 0
    /// How long an idle persistent connection is kept open (Node: `keepAliveTimeout`, 5 s). Persistent
    /// responses advertise it as `Keep-Alive: timeout=<seconds>`. 0 disables both the header and the timer.
    public var keepAliveTimeoutMs: Int = 5_000
    /// How long a request's header section may take, from its first byte (Node: `headersTimeout`, 60 s).
    /// On expiry: 408 and close.
    public var headersTimeoutMs: Int = 60_000
    /// How long a whole request may take to arrive, from its first byte (Node: `requestTimeout`, 300 s).
    /// 0 disables it. On expiry: 408 and close.
    public var requestTimeoutMs: Int = 300_000
    /// How many requests one connection may carry (Node: `maxRequestsPerSocket`); 0 = unlimited.
    /// Response N says `Connection: close` and the server closes the socket after it.
    public var maxRequestsPerSocket: Int = 0
    /// The largest request body the server reads (and so drains when a route ignores it). Larger → 413, close.
    public var maxBodyBytes: Int = 1 << 20
    /// How long a staged close waits for the peer's FIN after we stopped writing (see ServerConnection).
    public var lingerMs: Int = 2_000
    /// Whether responses carry a Date header (RFC 9110 §6.6.1: an origin server with a clock sends one).
    public var sendsDate: Bool = true
    /// What persistent responses advertise as `Keep-Alive: timeout=<seconds>`: nil (the default)
    /// advertises the real `keepAliveTimeoutMs`; another value makes a server that says one thing
    /// and does another — like an application that advertises its own timeout while a proxy in front
    /// of it closes idle connections sooner. The hint is advice, never a promise.
    public var advertisedKeepAliveTimeoutMs: Int?
    /// Whether persistent responses carry a `Keep-Alive` header at all (many servers send none: the
    /// client then has no hint and must guess).
    public var sendsKeepAliveHeader: Bool = true
    /// Misbehaviour: after the Nth response on a connection the server closes it without saying so
    /// (the response says `Connection: keep-alive`, like every persistent one, and the close follows
    /// as soon as it is written), as a server restarted or a proxy timing out between two requests
    /// does. 0 (the default) = never.
    public var closeSilentlyAfter: Int = 0
    /// Misbehaviour: the stale-connection race, made certain. A request that arrives on a reused
    /// connection is read whole and the connection is closed without an answer, as when the server
    /// closed its idle side while the request was on its way. It applies to the first
    /// `dropReusedRequests` such requests the server sees (`Int.max`: every one); 0 (the default) = none.
    public var dropReusedRequests: Int = 0
    /// Speak only HTTP/2 with prior knowledge on this port, as nginx's `listen ... http2` without
    /// TLS: every connection is HTTP/2 from its first byte, and one that does not start with the
    /// client preface gets GOAWAY PROTOCOL_ERROR and a close (RFC 9113 §3.4). false (the default):
    /// HTTP/1.1 and h2c on one port, told apart by the first bytes.
    public var h2Only = false
    /// The HTTP/2 limits and windows a connection that began with the preface announces and
    /// enforces (RFC 9113 §6.5.2). Its idle timeout is `keepAliveTimeoutMs` (GOAWAY, then close).
    var http2 = H2Configuration()

    /// SETTINGS_MAX_CONCURRENT_STREAMS our HTTP/2 connections announce (default 100, the least RFC
    /// 9113 §5.1.2 recommends; nginx announces 128): a stream opened beyond it gets RST_STREAM
    /// REFUSED_STREAM. 0 refuses every stream.
    public var h2MaxConcurrentStreams: Int {
        get { http2.maxConcurrentStreams }
        set { http2.maxConcurrentStreams = newValue }
    }
    /// SETTINGS_INITIAL_WINDOW_SIZE: how many bytes of request body a client may send on each
    /// stream before the server's WINDOW_UPDATE (default 65,535, the RFC's). The connection's own
    /// window stays 1 MiB.
    public var h2InitialWindowSize: Int {
        get { http2.initialWindowSize }
        set { http2.initialWindowSize = newValue }
    }
    /// SETTINGS_MAX_FRAME_SIZE: the largest frame payload the server accepts (default 16,384, the
    /// RFC's); a larger frame is a connection error FRAME_SIZE_ERROR.
    public var h2MaxFrameSize: Int {
        get { http2.maxFrameSize }
        set { http2.maxFrameSize = newValue }
    }

    /// The values RFC 9113 §6.5.2 allows for each HTTP/2 knob (a SETTINGS value is 32 bits; a
    /// window at most 2^31-1; a frame size from 2^14 to 2^24-1).
    public static let h2MaxConcurrentStreamsRange = 0...4_294_967_295
    public static let h2InitialWindowSizeRange = 0...2_147_483_647
    public static let h2MaxFrameSizeRange = 16_384...16_777_215

    public init() {}

    /// A server whose settings come from `number` (any whole number; the same number always gives the
    /// same server), for lessons where the learner must find a server's connection policy by
    /// measuring it: its idle timeout (1 to 4 s, in half seconds), the requests it answers per
    /// connection (3 to 9, or unlimited), its headers timeout (1 to 3 s, in half seconds), and what
    /// its `Keep-Alive` header says: the truth, nothing, or an idle timeout longer than the real one.
    /// `wirelab serve --mystery N` and the lab's `server NAME mystery=N` build it from here.
    public static func mystery(_ number: Int) -> ServerConfiguration {
        // SplitMix64 steps: small, stable across platforms, and the numbers look unrelated.
        var state = UInt64(bitPattern: Int64(number)) &* 0x9E37_79B9_7F4A_7C15 &+ 0x6A09_E667_F3BC_C909
        func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
        var configuration = ServerConfiguration()
        configuration.keepAliveTimeoutMs = 1_000 + 500 * next(7)
        let perSocket = next(8)
        configuration.maxRequestsPerSocket = perSocket == 0 ? 0 : perSocket + 2
        configuration.headersTimeoutMs = 1_000 + 500 * next(5)
        switch next(4) {
        case 0, 1: break                                         // tells the truth
        case 2: configuration.sendsKeepAliveHeader = false       // says nothing
        default:                                                 // promises longer than it keeps
            configuration.advertisedKeepAliveTimeoutMs = (configuration.keepAliveTimeoutMs / 1_000 + 2 + next(3)) * 1_000
        }
        return configuration
    }

    /// Node's names, for printing the configuration the way a lesson talks about it, then the
    /// HTTP/2 knobs under the lab script's names.
    public var settings: [(name: String, value: Int)] {
        [("keepAliveTimeout", keepAliveTimeoutMs), ("headersTimeout", headersTimeoutMs),
         ("requestTimeout", requestTimeoutMs), ("maxRequestsPerSocket", maxRequestsPerSocket)] + http2Settings.map { ($0.name, $0.value) }
    }

    /// The HTTP/2 knobs, named as the lab script's `server` settings.
    public var http2Settings: [H2Knob] {
        [H2Knob(name: "h2MaxConcurrentStreams", value: h2MaxConcurrentStreams), H2Knob(name: "h2InitialWindowSize", value: h2InitialWindowSize),
         H2Knob(name: "h2MaxFrameSize", value: h2MaxFrameSize)]
    }

    public struct H2Knob: Sendable, Equatable {
        public var name: String
        public var value: Int
    }
}

/// Why the server closed a connection. Every close has one, counted in `ServerStats.closes`.
public enum ServerCloseReason: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The client closed its side (EOF) while the connection was idle or mid-request.
    case clientClosed = "client closed"
    /// The connection failed (reset by the peer, or a write error).
    case reset = "reset"
    /// The request said `Connection: close`.
    case clientRequestedClose = "client sent Connection: close"
    /// An HTTP/1.0 request without `Connection: keep-alive` (RFC 9112 §9.3).
    case http10 = "HTTP/1.0 without keep-alive"
    /// The response said close: the `/close` route, or a body that could only be delimited by closing.
    case responseClose = "response said close"
    /// The connection sat idle for `keepAliveTimeout`.
    case keepAliveTimeout = "keep-alive timeout"
    /// The connection carried `maxRequestsPerSocket` requests.
    case maxRequests = "max requests per socket"
    /// A request's header section did not arrive within `headersTimeout`.
    case headersTimeout = "headers timeout"
    /// A whole request did not arrive within `requestTimeout`.
    case requestTimeout = "request timeout"
    /// The request asked for `Upgrade`, which the server never takes: it answered as plain HTTP/1.1
    /// and closed, since a proxy in front may think the connection was upgraded (see docs/http-parsing.md).
    case upgradeNotTaken = "Upgrade not taken"
    /// The request could not be parsed; the server answered 4xx/5xx and closed.
    case badRequest = "bad request"
    /// `closeSilentlyAfter`: the server closed after a response that said keep-alive.
    case closedSilently = "closed without saying so"
    /// `dropReusedRequests`: a request on a reused connection was read and never answered.
    case droppedRequest = "dropped a request on a reused connection"
    /// Graceful shutdown closed the connection (idle at once, or after its in-flight response).
    case shutdown = "shutdown"
    /// Graceful shutdown's deadline passed with the request still in flight.
    case shutdownForced = "shutdown deadline"

    public var description: String { rawValue }

    /// A short identifier for scripts and JSON (`server.closed.keepAliveTimeout`).
    public var key: String {
        switch self {
        case .clientClosed: return "clientClosed"
        case .reset: return "reset"
        case .clientRequestedClose: return "clientRequestedClose"
        case .http10: return "http10"
        case .responseClose: return "responseClose"
        case .keepAliveTimeout: return "keepAliveTimeout"
        case .maxRequests: return "maxRequests"
        case .headersTimeout: return "headersTimeout"
        case .requestTimeout: return "requestTimeout"
        case .upgradeNotTaken: return "upgradeNotTaken"
        case .badRequest: return "badRequest"
        case .closedSilently: return "closedSilently"
        case .droppedRequest: return "droppedRequest"
        case .shutdown: return "shutdown"
        case .shutdownForced: return "shutdownForced"
        }
    }
}

/// The server's counters. A value: take a copy, compare two copies.
public struct ServerStats: Sendable, Equatable {
    /// Connections accepted since start (or the last reset).
    public var accepted = 0
    /// Connections open right now.
    public var open = 0
    /// Open connections waiting for their next request.
    public var idle = 0
    /// Requests whose head was parsed (bad requests are counted in `closes[.badRequest]`, not here).
    public var requests = 0
    /// Requests that arrived on a connection that had already carried one.
    public var reusedRequests = 0
    /// Responses written completely.
    public var responses = 0
    /// Connections that spoke HTTP/2 (began with the client preface).
    public var h2Connections = 0
    /// HTTP/2 streams that carried a request (each is also counted in `requests`; a refused or
    /// malformed stream is not).
    public var streams = 0
    /// Closed connections, by reason.
    public var closes: [ServerCloseReason: Int] = [:]

    public init() {}

    public var closed: Int { closes.values.reduce(0, +) }
}

/// One thing that happened on the server, in the order it happened. The lab subscribes to these.
public enum ServerEvent: Sendable, Equatable {
    /// A connection was accepted. `id` counts from 1 per server.
    case opened(connection: Int)
    /// A request's head was parsed. `index` is its number on the connection (1 = new connection).
    case request(connection: Int, index: Int, head: HTTPRequestHeadSummary)
    /// A response was written completely. `willClose` says the response said `Connection: close`
    /// (a server closing without saying so, `closeSilentlyAfter`, writes `false`, then `closed`).
    /// `stream` is the HTTP/2 stream that carried it (nil over HTTP/1.1), as on its `.request`.
    case response(connection: Int, status: Int, willClose: Bool, stream: Int? = nil)
    /// The connection refused what it was sent and is answering with an error `status` before it
    /// closes (the response is not counted as one: no request was taken). `reason` says why in a
    /// few words: "unknown method", "HTTP/2 preface on an HTTP/1.1 port", "headers timeout".
    case refused(connection: Int, status: Int, reason: String)
    /// The server reset HTTP/2 `stream` of the connection (RST_STREAM with `code`, its RFC 9113
    /// name): "REFUSED_STREAM" past SETTINGS_MAX_CONCURRENT_STREAMS (the client may retry it: it was
    /// not processed), "PROTOCOL_ERROR" for a malformed request, and so on. The connection lives on.
    case streamReset(connection: Int, stream: Int, code: String)
    /// The connection is idle, waiting for its next request.
    case idle(connection: Int)
    /// The connection closed, after carrying `requests` (over HTTP/2, its streams that carried a
    /// request: `LoopbackServer.isHTTP2(connection:)` tells, during this event too).
    case closed(connection: Int, reason: ServerCloseReason, requests: Int)
}

/// The parts of a request head that events carry (small, so events stay cheap).
public struct HTTPRequestHeadSummary: Sendable, Equatable {
    public var method: String
    public var target: String
    public var version: String
    /// The request's Content-Length, when it declared one (a challenge key checks the framing).
    public var contentLength: Int?
    /// The HTTP/2 stream that carried the request (nil over HTTP/1.1).
    public var stream: Int?
    public init(method: String, target: String, version: String, contentLength: Int? = nil, stream: Int? = nil) {
        self.method = method
        self.target = target
        self.version = version
        self.contentLength = contentLength
        self.stream = stream
    }
}

/// What graceful shutdown did, counted.
public struct ShutdownReport: Sendable, Equatable, CustomStringConvertible {
    /// Idle connections closed at once.
    public var idleClosed = 0
    /// In-flight requests that finished (with `Connection: close`) before the deadline.
    public var drained = 0
    /// Connections still busy at the deadline and closed anyway.
    public var forced = 0
    /// How long the shutdown took, in milliseconds.
    public var elapsedMs: Double = 0

    public init() {}

    public var description: String {
        "closed \(idleClosed) idle, drained \(drained) in-flight, forced \(forced) after the deadline"
    }
}

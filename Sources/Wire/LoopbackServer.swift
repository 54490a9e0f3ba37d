import HPACK
import HTTP1

/// A complete request, as a `requestHandler` receives it.
public struct ServerRequest: Sendable {
    public var head: HTTPRequestHead
    public var body: [UInt8]
    /// The server connection that carried it, and its number on that connection.
    public var connection: Int
    public var index: Int
}

/// What a `requestHandler` answers. The server adds `Connection`, `Keep-Alive`, `Date` and the framing.
public struct ServerResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var mustClose: Bool

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], mustClose: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.mustClose = mustClose
    }
}

/// ServerConnectionHandler: what the listener hands an accepted socket to, whatever its protocol.
/// Every connection starts with `ServerConnection` (HTTP/1.1, the default, whose idle rule also holds
/// for a client that has sent nothing yet); if its first bytes are the HTTP/2 client preface, it
/// hands the socket over (`LoopbackServer.handOver`) to the handler of that protocol, which then owns
/// the descriptor, its timers and its close.
protocol ServerConnectionHandler: LoopHandler {
    /// The connection's number on this server (from 1), kept across a hand-over.
    var id: Int { get }
    /// Whether no request is in progress (graceful shutdown closes such a connection at once).
    var isIdle: Bool { get }
    /// Begins: arms the idle rule, or handles the bytes read before a hand-over.
    func start()
    /// Graceful shutdown began: close when idle, finish what is in flight.
    func shutdownRequested()
    /// Graceful shutdown's deadline passed: close now.
    func shutdownDeadlinePassed()
}

/// What a connection's new handler is given when its first bytes chose its protocol.
struct ServerHandoff {
    let fd: Int32
    let id: Int
    let server: LoopbackServer
    /// Every byte read from the socket so far, from its first (for HTTP/2: the preface, then frames).
    let bytesRead: [UInt8]
}

/// LoopbackServer: the embedded HTTP/1.1 server. It listens on 127.0.0.1 only, runs on an
/// `EventLoop`, and reports everything it does as counters (`stats`) and an ordered event stream
/// (`addObserver`). Knobs and defaults follow Node's `http.Server` (see `ServerConfiguration`).
public final class LoopbackServer: LoopHandler {
    public let loop: EventLoop
    /// Settings apply to connections accepted after the change; timers already running keep theirs.
    public var configuration: ServerConfiguration {
        didSet {   // the pre-encoded fields and responses may say something else now
            cachedFieldsSecond = -1
            cachedRootSecond = -1
        }
    }
    public internal(set) var stats = ServerStats()
    /// Replaces the built-in routes: every complete request (head and body) goes to this handler,
    /// which answers through the callback, now or later. The connection rules (persistence,
    /// timeouts, pipelining order, framing) stay the server's. Used by `ReverseProxy`.
    public var requestHandler: ((ServerRequest, @escaping (ServerResponse) -> Void) -> Void)?
    /// Sees every parsed request head in full (connection id, number on it, head with every
    /// header), on the loop thread, before the `.request` event. `wirelab observe` reads the
    /// client's `User-Agent` and headers from it; nil costs nothing.
    public var requestHeadTap: ((_ connection: Int, _ index: Int, _ head: HTTPRequestHead) -> Void)?
    /// The size in bytes of each HTTP/1.1 request head the parser took (request line through the
    /// empty line), called right after `requestHeadTap` for the same head. nil costs nothing.
    public var requestHeadSizeTap: ((_ connection: Int, _ bytes: Int) -> Void)?
    /// What connections write of each response (`ResponseWrite`), HTTP/1.1 and HTTP/2: its head as
    /// written and its body's sizes, with the HTTP/2 stream it belongs to (nil over HTTP/1.1, where
    /// responses go out in request order; over HTTP/2 they interleave). nil (the default) costs one
    /// test per response (per frame over HTTP/2).
    public var responseWriteTap: ((_ connection: Int, _ stream: Int?, _ write: ResponseWrite) -> Void)?
    /// Bytes that arrive on an HTTP/1.1 connection the server has begun to close (after its last
    /// response it stops writing and reads, discarding, until the client's FIN): a client writing
    /// on a connection the server closed. `wirelab observe` counts them; nil costs nothing.
    public var lateInputTap: ((_ connection: Int, _ bytes: UnsafeRawBufferPointer) -> Void)?
    public private(set) var port: UInt16 = 0
    public private(set) var isListening = false
    private var listenFD: Int32 = -1
    /// The open HTTP/1.1 connections, and those handed over to another protocol's handler. Two
    /// tables, so the usual one holds plain references (8 bytes a value; an existential is 16, which
    /// measured as ~20 bytes more per idle connection with the table's slack).
    private var connections: [Int: ServerConnection] = [:]
    private var handedOver: [Int: any ServerConnectionHandler] = [:]
    /// Every open connection, whatever its protocol, by id (for shutdown: not a hot path).
    private var allConnections: [any ServerConnectionHandler] {
        (Array(connections.values) as [any ServerConnectionHandler] + Array(handedOver.values)).sorted { $0.id < $1.id }
    }
    /// Makes the handler of a connection that began with the HTTP/2 client preface: an
    /// `H2ServerConnection` (h2c with prior knowledge, RFC 9113 §3.3). Nil: such a connection is
    /// refused with 501, as any HTTP/1.1 request with an unknown method is. Tests of the hand-over
    /// set their own.
    var makeHTTP2Handler: ((ServerHandoff) -> any ServerConnectionHandler)? = { H2ServerConnection($0) }
    private var nextConnectionID = 1
    private var observers: [(token: Int, body: (ServerEvent) -> Void)] = []
    private var nextObserverToken = 1
    private var scratch: [UInt8] = []
    /// Why a connection is refusing a request right now (a parse error, or the HTTP/2 preface),
    /// handed from where it was found to its error response in one synchronous call. Kept here, not
    /// on each connection, so an idle connection does not pay for it.
    var refusal: ServerRefusal?
    private var cachedDate: (second: Int, text: String) = (-1, "")
    /// The encoded `Date`/`Connection`/`Keep-Alive` field lines, for the second and configuration
    /// they were built for (see `connectionFields`).
    private var cachedFieldsSecond = -1
    private var cachedPersistentFields: [UInt8] = []
    private var cachedClosingFields: [UInt8] = []
    private var cachedRootSecond = -1
    private var cachedRootResponses: (persistent: [UInt8], closing: [UInt8]) = ([], [])
    /// Exchanges given back by connections that went idle, for the next request to borrow.
    private var spareExchanges: [Exchange] = []
    private var cachedKeepAlive: (timeoutMs: Int, advertisedMs: Int?, max: Int, value: String)?
    private var shutdownState: ShutdownProgress?

    private struct ShutdownProgress {
        var report = ShutdownReport()
        var busy: Set<Int> = []
        var started: Int64
        var deadline: LoopTimer?
        var completion: ((ShutdownReport) -> Void)?
    }

    public init(loop: EventLoop, configuration: ServerConfiguration = ServerConfiguration()) {
        self.loop = loop
        self.configuration = configuration
    }

    /// The URL a client should use, e.g. `http://127.0.0.1:41234`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// The address the listening socket is bound to, read back from the kernel.
    public var boundAddress: String { listenFD >= 0 ? Platform.localAddress(listenFD) : "" }

    /// Binds 127.0.0.1:`configuration.port` and starts accepting.
    public func start() throws(SystemError) {
        guard !isListening else { return }
        let (fd, chosen) = try Platform.listenLoopback(port: configuration.port)
        listenFD = fd
        port = chosen
        try loop.register(fd, handler: self, interest: .readable)
        isListening = true
    }

    // MARK: Observing

    /// Calls `body` for every event, in order, on the loop thread. Returns a token for `removeObserver`.
    @discardableResult
    public func addObserver(_ body: @escaping (ServerEvent) -> Void) -> Int {
        let token = nextObserverToken
        nextObserverToken += 1
        observers.append((token, body))
        return token
    }

    public func removeObserver(_ token: Int) { observers.removeAll { $0.token == token } }

    var hasObservers: Bool { !observers.isEmpty }

    func emit(_ event: ServerEvent) {
        for observer in observers { observer.body(event) }
    }

    /// The `Keep-Alive` value persistent responses carry, built once per configuration:
    /// `timeout=<seconds>` (whole seconds, rounded down, like Node; the advertised timeout when the
    /// configuration sets one) and `max=<n>` when a max is set.
    func keepAliveHeaderValue() -> String {
        let config = configuration
        if let cached = cachedKeepAlive, cached.timeoutMs == config.keepAliveTimeoutMs,
           cached.advertisedMs == config.advertisedKeepAliveTimeoutMs, cached.max == config.maxRequestsPerSocket {
            return cached.value
        }
        var value = "timeout=\((config.advertisedKeepAliveTimeoutMs ?? config.keepAliveTimeoutMs) / 1000)"
        // max is the total this connection may carry (Apache sends what remains instead).
        if config.maxRequestsPerSocket > 0 { value += ", max=\(config.maxRequestsPerSocket)" }
        cachedKeepAlive = (config.keepAliveTimeoutMs, config.advertisedKeepAliveTimeoutMs, config.maxRequestsPerSocket, value)
        return value
    }

    /// Zeroes the counters. `open` and `idle` describe the present, so they are kept.
    public func resetStats() {
        let open = stats.open, idle = stats.idle
        stats = ServerStats()
        stats.open = open
        stats.idle = idle
    }

    /// Whether connection `id` speaks HTTP/2: while it is open, and during its `.closed` event
    /// (so an observer can say which protocol a closed connection spoke, and that its `requests`
    /// were streams).
    public func isHTTP2(connection id: Int) -> Bool {
        handedOver[id] != nil || closingHTTP2 == id
    }
    /// The HTTP/2 connection whose `.closed` event is being emitted.
    private var closingHTTP2: Int?

    public var openConnectionIDs: [Int] { (Array(connections.keys) + Array(handedOver.keys)).sorted() }

    /// The client's port of open connection `id` (nil once it closed): who made it, for the
    /// lab's waterfall, which draws a raw socket's connection on its own lane.
    public func peerPort(ofConnection id: Int) -> UInt16? { connections[id].flatMap { Platform.peerPort($0.fd) } }

    /// An open connection by id (for tests of ownership rules).
    func connectionForTesting(id: Int) -> ServerConnection? { connections[id] }

    /// An open connection's handler by id, whatever its protocol (for tests of hand-overs).
    func handlerForTesting(id: Int) -> (any ServerConnectionHandler)? { connections[id] ?? handedOver[id] }

    // MARK: Accepting

    public func handleReadiness(readable: Bool, writable: Bool, hangup: Bool) {
        // Accept everything that is waiting, so one wakeup serves a burst of connects.
        while isListening {
            let fd = Platform.accept(listenFD)
            if fd < 0 { return }
            Platform.setNoDelay(fd)
            if configuration.h2Only, let make = makeHTTP2Handler {
                acceptHTTP2(fd, make)
                continue
            }
            let connection = ServerConnection(fd: fd, id: nextConnectionID, server: self)
            nextConnectionID += 1
            do {
                try loop.register(fd, handler: connection, interest: .readable)
            } catch {
                Platform.close(fd)
                continue
            }
            connections[connection.id] = connection
            stats.accepted += 1
            stats.open += 1
            emit(.opened(connection: connection.id))
            connection.start()   // HTTP/1.1 until its first bytes say otherwise (`handOver`)
        }
    }

    /// `h2Only`: the connection is HTTP/2 from its first byte; its handler checks the preface.
    private func acceptHTTP2(_ fd: Int32, _ make: (ServerHandoff) -> any ServerConnectionHandler) {
        let id = nextConnectionID
        nextConnectionID += 1
        let handler = make(ServerHandoff(fd: fd, id: id, server: self, bytesRead: []))
        do {
            try loop.register(fd, handler: handler, interest: .readable)
        } catch {
            Platform.close(fd)
            return
        }
        handedOver[id] = handler
        stats.accepted += 1
        stats.open += 1
        stats.h2Connections += 1
        emit(.opened(connection: id))
        handler.start()
    }

    // MARK: Reports from connections

    /// A request's head arrived on `connection` (which holds it as its current head).
    func requestArrived(_ connection: ServerConnection, index: Int) {
        stats.requests += 1
        if index > 1 { stats.reusedRequests += 1 }
        if let tap = requestHeadTap, let head = connection.currentHead { tap(connection.id, index, head) }
        if let tap = requestHeadSizeTap, let bytes = connection.currentHeadByteCount { tap(connection.id, bytes) }
        guard !observers.isEmpty, let head = connection.currentHead else { return }   // build the event only when someone listens
        emit(.request(connection: connection.id, index: index,
                      head: HTTPRequestHeadSummary(method: head.method, target: head.target, version: head.version.description,
                                                   contentLength: head.headers["Content-Length"].flatMap { Int($0) })))
    }

    /// Requests dropped so far by `configuration.dropReusedRequests`.
    private var droppedReusedRequests = 0

    /// Whether the request that just arrived whole on a reused connection is to be dropped
    /// (`ServerConfiguration.dropReusedRequests`); counts it if so.
    func dropsReusedRequest() -> Bool {
        guard droppedReusedRequests < configuration.dropReusedRequests else { return false }
        droppedReusedRequests += 1
        return true
    }

    func responseWritten(_ connection: ServerConnection, status: Int, willClose: Bool) {
        stats.responses += 1
        emit(.response(connection: connection.id, status: status, willClose: willClose))
    }

    /// A request arrived on HTTP/2 `stream` of `connection` (its `index`-th there).
    /// `head` is built only if a tap or an observer wants it.
    func h2RequestArrived(connection: Int, index: Int, stream: Int, head makeHead: @autoclosure () -> HTTPRequestHead) {
        stats.requests += 1
        stats.streams += 1
        if index > 1 { stats.reusedRequests += 1 }
        guard requestHeadTap != nil || !observers.isEmpty else { return }
        let head = makeHead()
        if let tap = requestHeadTap { tap(connection, index, head) }
        guard !observers.isEmpty else { return }
        emit(.request(connection: connection, index: index,
                      head: HTTPRequestHeadSummary(method: head.method, target: head.target, version: "HTTP/2",
                                                   contentLength: head.headers["content-length"].flatMap { Int($0) }, stream: stream)))
    }

    /// An HTTP/2 stream's response went out whole (END_STREAM written into the connection).
    /// `willClose`: the response asked for the connection to close (its GOAWAY went out after it).
    func h2ResponseWritten(connection: Int, stream: Int, status: Int, willClose: Bool) {
        stats.responses += 1
        emit(.response(connection: connection, status: status, willClose: willClose, stream: stream))
    }

    /// The server reset an HTTP/2 stream (RST_STREAM it wrote); told to observers only.
    func h2StreamReset(connection: Int, stream: Int, code: String) {
        guard !observers.isEmpty else { return }
        emit(.streamReset(connection: connection, stream: stream, code: code))
    }

    func connectionClosed(_ connection: any ServerConnectionHandler, reason: ServerCloseReason, requests: Int) {
        let wasHTTP2 = handedOver[connection.id] != nil
        guard connections.removeValue(forKey: connection.id) != nil || handedOver.removeValue(forKey: connection.id) != nil else { return }
        if wasHTTP2 { closingHTTP2 = connection.id }
        stats.open -= 1
        stats.closes[reason, default: 0] += 1
        emit(.closed(connection: connection.id, reason: reason, requests: requests))
        closingHTTP2 = nil
        if var progress = shutdownState {
            if progress.busy.remove(connection.id) != nil {
                if reason == .shutdownForced { progress.report.forced += 1 } else { progress.report.drained += 1 }
            }
            shutdownState = progress
            finishShutdownIfDone()
        }
    }

    /// Hands `connection`'s socket to the handler of `proto`, which its first bytes chose, and returns
    /// true; false when this server does not speak `proto` (then `connection` answers as HTTP/1.1).
    /// The socket stays registered: the loop's handler is replaced in place (`replaceHandler`), so no
    /// readiness event is lost, even one already collected in this turn. The bytes already read go
    /// to the new handler, which handles them in its `start()`, at once: the socket will not say
    /// readable again for bytes it no longer holds. `connection` lets go of its timer and exchange
    /// and must not touch the socket after this returns.
    func handOver(_ connection: ServerConnection, to proto: ConnectionProtocol, bytesRead: [UInt8]) -> Bool {
        guard proto == .http2, let make = makeHTTP2Handler, connections[connection.id] === connection else { return false }
        connection.handedOver()
        let handler = make(ServerHandoff(fd: connection.fd, id: connection.id, server: self, bytesRead: bytesRead))
        loop.replaceHandler(connection.fd, with: handler)
        connections[connection.id] = nil
        handedOver[connection.id] = handler
        stats.h2Connections += 1
        handler.start()
        return true
    }

    // MARK: Shutdown

    /// Graceful shutdown: stop accepting, close idle connections at once, let in-flight requests
    /// finish (their responses say `Connection: close`), and force-close what remains after
    /// `graceMs`. `completion` gets the counts once every connection is closed.
    public func shutdown(graceMs: Int, completion: ((ShutdownReport) -> Void)? = nil) {
        stopListening()
        var progress = ShutdownProgress(started: loop.now, completion: completion)
        let all = allConnections
        for connection in all where !connection.isIdle { progress.busy.insert(connection.id) }
        // Counted before any close: closing the last idle connection can finish the shutdown at once.
        progress.report.idleClosed = all.count - progress.busy.count
        shutdownState = progress
        for connection in all { connection.shutdownRequested() }
        shutdownState?.deadline = loop.schedule(afterNanos: Int64(graceMs) * 1_000_000) { [weak self] in
            guard let self else { return }
            for connection in self.allConnections { connection.shutdownDeadlinePassed() }
        }
        finishShutdownIfDone()
    }

    public var isShuttingDown: Bool { shutdownState != nil }

    private func finishShutdownIfDone() {
        guard let progress = shutdownState, connections.isEmpty, handedOver.isEmpty else { return }
        progress.deadline?.cancel()
        var report = progress.report
        report.elapsedMs = Double(loop.now - progress.started) / 1_000_000
        shutdownState = nil
        progress.completion?(report)
    }

    /// Stops accepting new connections; open ones carry on.
    public func stopListening() {
        guard isListening else { return }
        isListening = false
        loop.unregister(listenFD)
        Platform.close(listenFD)
        listenFD = -1
    }

    /// Closes everything at once, without ceremony (used when a run ends).
    public func closeAll() {
        stopListening()
        for connection in allConnections { connection.shutdownDeadlinePassed() }
    }

    // MARK: Helpers for connections

    /// An `Exchange` for a connection whose request is starting: a spare one if there is one.
    func borrowExchange() -> Exchange {
        // A spare made under another body limit (the configuration changed) is dropped.
        if let spare = spareExchanges.popLast(), spare.maxBodyBytes == configuration.maxBodyBytes { return spare }
        return Exchange(limits: ParserLimits(maxHeaderBytes: 16 * 1024, maxBodyBytes: configuration.maxBodyBytes))
    }

    /// Takes an exchange back, cleared. At most 256 are kept: enough for the busiest lesson and the
    /// benchmark's 50 connections, and a bound on what a burst of clients leaves behind (each spare
    /// holds at most 16 KiB of input and 16 KiB of output storage, usually a few hundred bytes).
    func returnExchange(_ exchange: Exchange, parserIsBetweenMessages: Bool) {
        exchange.clear(parserIsBetweenMessages: parserIsBetweenMessages)
        if spareExchanges.count < 256 {
            spareExchanges.append(exchange)
        }
    }

    func takeScratch() -> [UInt8] {
        var buffer = scratch
        scratch = []
        buffer.removeAll(keepingCapacity: true)
        return buffer
    }

    func returnScratch(_ buffer: [UInt8]) {
        if buffer.capacity <= 64 * 1024 { scratch = buffer }
    }

    /// HTTP/2: the root response's header list for the Date it carries (`H2ResponseStream.sendRootResponse`).
    var cachedH2RootFields: (date: String, fields: [HeaderField])?

    /// The Date header, formatted once per second.
    func dateHeader() -> String {
        let second = Platform.wallClockSeconds()
        if second != cachedDate.second { cachedDate = (second, Platform.httpDate(epochSeconds: second)) }
        return cachedDate.text
    }

    /// The connection-management field lines every response but an error gets, encoded: `Date`
    /// (when the configuration sends it), then `Connection: keep-alive` and `Keep-Alive: timeout=N`
    /// (when sent) for a persistent response, or `Connection: close`. Built once per second and per
    /// configuration, so a response copies them instead of formatting them (callgrind: formatting
    /// and adding them to a copy of the route's header list was ~8% of a request).
    func connectionFields(persistent: Bool) -> [UInt8] {
        let second = configuration.sendsDate ? Platform.wallClockSeconds() : 0
        if second == cachedFieldsSecond { return persistent ? cachedPersistentFields : cachedClosingFields }
        var date: [UInt8] = []
        if configuration.sendsDate { date = Self.fieldLine("Date", dateHeader()) }
        var keepAlive = date + Self.fieldLine("Connection", "keep-alive")
        if configuration.keepAliveTimeoutMs > 0 && configuration.sendsKeepAliveHeader {
            keepAlive += Self.fieldLine("Keep-Alive", keepAliveHeaderValue())
        }
        let closing = date + Self.fieldLine("Connection", "close")
        (cachedFieldsSecond, cachedPersistentFields, cachedClosingFields) = (second, keepAlive, closing)
        return persistent ? keepAlive : closing
    }

    /// The complete response to `GET /` (see `ServerRoutes.rootResponse`), encoded with this
    /// second's connection fields: the same bytes `HTTPEncoder.writeResponse` would produce.
    func encodedRootResponse(persistent: Bool) -> [UInt8] {
        let second = configuration.sendsDate ? Platform.wallClockSeconds() : 0
        if second != cachedRootSecond {
            func encode(_ persistent: Bool) -> [UInt8] {
                guard case .complete(let status, let headers, let body, _) = ServerRoutes.rootResponse else {
                    preconditionFailure("the root route answers at once")
                }
                var bytes: [UInt8] = []
                HTTPEncoder.writeResponse(HTTPResponseHead(status: status, headers: headers),
                                          extraFields: connectionFields(persistent: persistent),
                                          body: body, requestMethod: "GET", into: &bytes)
                return bytes
            }
            cachedRootResponses = (encode(true), encode(false))
            cachedRootSecond = second
        }
        return persistent ? cachedRootResponses.persistent : cachedRootResponses.closing
    }

    private static func fieldLine(_ name: String, _ value: String) -> [UInt8] {
        Array("\(name): \(value)\r\n".utf8)
    }
}

/// Why a connection refuses what it was sent: the status, a few words for logs (`reason`), and the
/// sentence its error response carries (`detail`).
struct ServerRefusal {
    var status: Int
    var reason: String
    var detail: String

    init(status: Int, reason: String, detail: String) {
        self.status = status
        self.reason = reason
        self.detail = detail
    }

    /// A request the parser refused: "unknown method", "bare LF at byte 14: ...".
    init(_ error: HTTPParseError) {
        self.init(status: error.status, reason: error.kind.description, detail: error.description)
    }

    /// RFC 9113 §3.4: a client that speaks HTTP/2 with prior knowledge starts with the preface.
    static let http2Preface = ServerRefusal(
        status: 501, reason: "HTTP/2 preface on an HTTP/1.1 port",
        detail: "the client sent the HTTP/2 connection preface (RFC 9113 §3.4); this server speaks HTTP/1.1 only")
}

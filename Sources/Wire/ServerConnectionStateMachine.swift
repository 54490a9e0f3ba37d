import HTTP1

/// ServerConnectionStateMachine: every decision one server connection makes, with no sockets,
/// timers or clocks. The IO layer (`ServerConnection`) reports what happened through the past-tense
/// methods and carries out the returned actions in order.
///
/// The life of a connection:
///
///     idle ──first byte──▶ readingRequest ──whole request──▶ responding ──written, persists──▶ idle
///       │                       │                                 │
///       │ idle timeout,         │ bad request, timeout            │ written, must close
///       ▼ shutdown, peer EOF    ▼ (error response first)          ▼
///     closed ◀──────────────  closing (write side shut, wait for the peer's FIN, bounded)
struct ServerConnectionStateMachine {
    enum State: Equatable {
        /// Waiting for the next request's first byte; the keep-alive (idle) timer runs.
        /// Next: readingRequest, closed.
        case idle
        /// Part of a request has arrived; the headers and request timers run, the idle timer does not.
        /// Next: responding, closing (an error response was sent), closed (peer vanished).
        case readingRequest(headComplete: Bool)
        /// The request arrived whole and its response is being produced and written. Reading pauses:
        /// pipelined requests wait in the parser's buffer. Next: idle, closing, closed.
        case responding(persists: Bool, closeReason: ServerCloseReason?)
        /// The last response is written and our write side is shut; we read and discard until the
        /// peer closes, or a short bound passes. Next: closed.
        case closing(ServerCloseReason)
        /// Done. No next state.
        case closed(ServerCloseReason)
    }

    enum Action: Equatable {
        case startIdleTimer
        case startRequestTimers
        /// Produce and write the response; `persists` decides `Connection: keep-alive` vs `close`.
        case respond(persists: Bool)
        /// Write an error response (status), then close in stages.
        case respondWithErrorThenClose(status: Int, reason: ServerCloseReason)
        /// Look for the next (pipelined) request among bytes already received.
        case parseBufferedBytes
        /// Shut our write side and wait (bounded) for the peer to close. Unparsed input is discarded.
        case beginStagedClose(ServerCloseReason)
        /// Close the socket now.
        case closeNow(ServerCloseReason)
    }

    /// What an event asks for: none, one or two actions, carried inline. (An `[Action]` result cost a
    /// heap allocation per event, three per request.)
    struct Actions: Sequence, Equatable {
        private var first: Action?
        private var second: Action?

        init() {}
        init(_ action: Action) { first = action }
        init(_ action: Action, _ then: Action) {
            first = action
            second = then
        }

        struct Iterator: IteratorProtocol {
            fileprivate var rest: (Action?, Action?)
            mutating func next() -> Action? {
                let current = rest.0
                rest = (rest.1, nil)
                return current
            }
        }

        func makeIterator() -> Iterator { Iterator(rest: (first, second)) }
    }

    private(set) var state: State = .idle
    /// Requests whose head arrived on this connection.
    private(set) var requestCount = 0
    /// Set by graceful shutdown: the in-flight response says close, then the connection closes.
    private(set) var isDraining = false
    /// The peer half-closed while we owed a response: finish it, then close.
    private var peerHalfClosed = false
    /// Why the current request's head asks for the connection to close, or nil (see `headReceived`).
    private var headCloseReason: ServerCloseReason?
    let maxRequests: Int
    /// After this many responses the connection closes though they said keep-alive (0: never).
    let closeSilentlyAfter: Int

    init(maxRequests: Int, closeSilentlyAfter: Int = 0) {
        self.maxRequests = maxRequests
        self.closeSilentlyAfter = closeSilentlyAfter
    }

    var isIdle: Bool { state == .idle }

    var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    // MARK: Events

    /// The first byte of a new request arrived (leading empty lines don't count).
    mutating func requestBegan() -> Actions {
        guard case .idle = state else { return Actions() }
        state = .readingRequest(headComplete: false)
        return Actions(.startRequestTimers)
    }

    /// The request's head was parsed. Counting happens here, so `maxRequests` is about heads seen.
    /// What the head says about persistence is decided now, while the caller holds the head as a
    /// local value: asking at `requestReceived` took a copy of the stored head (four retains and
    /// releases) for a question whose answer cannot change in between.
    /// `connection` is what the parser noted of the head's Connection and Upgrade fields
    /// (`RequestParser.connectionFields`), so the head's list is not searched again.
    mutating func headReceived(_ head: HTTPRequestHead, connection: ConnectionFields) {
        switch state {
        case .idle, .readingRequest:
            requestCount += 1
            state = .readingRequest(headComplete: true)
            headCloseReason = Self.closeReason(version: head.version, connection: connection)
        case .responding, .closing, .closed:
            preconditionFailure("Invalid state: head received in \(state)")
        }
    }

    /// The whole request (head and body) arrived: decide whether the connection persists after the
    /// response, and why not. The order of the rules is the order of the question "who said close?".
    mutating func requestReceived() -> Actions {
        guard case .readingRequest = state else { preconditionFailure("Invalid state: request received in \(state)") }
        let reason = headCloseReason ?? Self.closeReason(requestCount: requestCount, maxRequests: maxRequests, isDraining: isDraining)
        state = .responding(persists: reason == nil, closeReason: reason)
        return Actions(.respond(persists: reason == nil))
    }

    /// The route decided the response must close the connection (the `/close` route, or a body that
    /// can only be delimited by closing). Call before the response head is written.
    mutating func responseRequiresClose() {
        guard case .responding(let persists, let reason) = state else { return }
        if persists || reason == nil { state = .responding(persists: false, closeReason: .responseClose) }
    }

    /// The response was written completely.
    mutating func responseWritten() -> Actions {
        guard case .responding(let persists, let reason) = state else { preconditionFailure("Invalid state: response written in \(state)") }
        if peerHalfClosed {
            state = .closing(.clientClosed)
            return Actions(.beginStagedClose(.clientClosed))
        }
        if persists && !isDraining {
            if closeSilentlyAfter > 0 && requestCount >= closeSilentlyAfter {
                // The response said keep-alive; the close is the misbehaviour.
                state = .closing(.closedSilently)
                return Actions(.beginStagedClose(.closedSilently))
            }
            state = .idle
            return Actions(.startIdleTimer, .parseBufferedBytes)
        }
        let why = reason ?? .shutdown
        state = .closing(why)
        return Actions(.beginStagedClose(why))
    }

    /// The whole request arrived and the server drops it (`dropReusedRequests`): no response, the
    /// connection closes at once, as if its idle side had been closed while the request travelled.
    mutating func requestDropped() -> Actions {
        guard case .readingRequest = state else { return Actions() }
        state = .closed(.droppedRequest)
        return Actions(.closeNow(.droppedRequest))
    }

    /// The peer closed its side (EOF).
    mutating func peerClosed() -> Actions {
        switch state {
        case .idle, .readingRequest:
            state = .closed(.clientClosed)
            return Actions(.closeNow(.clientClosed))
        case .responding:
            // A half-closed client may still read: finish the response, then close (RFC 9112 §9.6).
            peerHalfClosed = true
            return Actions()
        case .closing(let reason):
            state = .closed(reason)
            return Actions(.closeNow(reason))
        case .closed:
            return Actions()
        }
    }

    /// A read or write failed (reset, broken pipe).
    mutating func socketFailed() -> Actions {
        switch state {
        case .closing(let reason):
            state = .closed(reason)
            return Actions(.closeNow(reason))
        case .closed:
            return Actions()
        case .idle, .readingRequest, .responding:
            state = .closed(.reset)
            return Actions(.closeNow(.reset))
        }
    }

    /// The request could not be parsed: answer with the parser's status and close.
    mutating func requestMalformed(status: Int) -> Actions {
        switch state {
        case .idle, .readingRequest:
            state = .closing(.badRequest)
            return Actions(.respondWithErrorThenClose(status: status, reason: .badRequest))
        case .responding, .closing, .closed:
            return Actions()
        }
    }

    /// The idle timer fired: an idle connection is closed. It never fires mid-request, because
    /// leaving `idle` stops it; a stale firing outside `idle` is ignored.
    mutating func idleTimeoutFired() -> Actions {
        guard case .idle = state else { return Actions() }
        state = .closed(.keepAliveTimeout)
        return Actions(.closeNow(.keepAliveTimeout))
    }

    /// The headers or request timer fired while the request was still arriving: 408, then close.
    mutating func requestTimeoutFired(_ reason: ServerCloseReason) -> Actions {
        guard case .readingRequest = state else { return Actions() }
        state = .closing(reason)
        return Actions(.respondWithErrorThenClose(status: 408, reason: reason))
    }

    /// The staged close waited long enough for the peer's FIN.
    mutating func lingerExpired() -> Actions {
        guard case .closing(let reason) = state else { return Actions() }
        state = .closed(reason)
        return Actions(.closeNow(reason))
    }

    /// Graceful shutdown began: idle connections close at once; busy ones finish their response,
    /// which says `Connection: close`.
    mutating func shutdownRequested() -> Actions {
        isDraining = true
        switch state {
        case .idle:
            state = .closed(.shutdown)
            return Actions(.closeNow(.shutdown))
        case .readingRequest, .responding, .closing, .closed:
            return Actions()
        }
    }

    /// Graceful shutdown's deadline passed: whatever is still open closes now.
    mutating func shutdownDeadlinePassed() -> Actions {
        switch state {
        case .closed:
            return Actions()
        case .closing(let reason):
            // The response is already out; only the peer's FIN was still awaited.
            state = .closed(reason)
            return Actions(.closeNow(reason))
        case .idle, .readingRequest, .responding:
            state = .closed(.shutdownForced)
            return Actions(.closeNow(.shutdownForced))
        }
    }

    // MARK: The persistence rule

    /// Why the connection must close after answering `head`, as far as the head says, or nil.
    /// RFC 9112 §9.3: "close" from the client wins; HTTP/1.1 persists by default; HTTP/1.0 only with
    /// "keep-alive". The server's own limits come after these (`closeReason(requestCount:...)`).
    /// The fields come noted by the parser (`ConnectionFields`): searching the head's list for
    /// "close" and "Upgrade" cost ~470 instructions a request (callgrind).
    static func closeReason(version: HTTPVersion, connection: ConnectionFields) -> ServerCloseReason? {
        if connection.close { return .clientRequestedClose }
        if !connection.persists(version: version) { return .http10 }
        // RFC 9110 §7.8: a server may ignore Upgrade and answer as usual. WireLab never upgrades, and
        // still closes: a proxy in front that assumed the upgrade happened would now relay raw bytes,
        // and the next "request" on this connection would have passed none of its checks.
        if connection.upgrade { return .upgradeNotTaken }
        return nil
    }

    /// Why the connection must close by the server's own limits: draining for shutdown, then
    /// maxRequestsPerSocket. Asked when the whole request is in, since draining can begin meanwhile.
    static func closeReason(requestCount: Int, maxRequests: Int, isDraining: Bool) -> ServerCloseReason? {
        if isDraining { return .shutdown }
        if maxRequests > 0 && requestCount >= maxRequests { return .maxRequests }
        return nil
    }
}

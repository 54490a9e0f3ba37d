import HTTP1
import Testing
@testable import Wire

/// The server connection's decisions as scripts of events and the actions they return: no
/// sockets, no timers, no clock. (The same rules over real sockets: ServerPersistenceTests,
/// ServerLimitsTests.)
@Suite("Server connection state machine: events in, actions out")
struct ServerConnectionStateMachineTests {
    typealias Machine = ServerConnectionStateMachine
    typealias Action = ServerConnectionStateMachine.Action

    /// A head as the parser would hand it over, with the Connection facts it notes.
    static func head(_ version: HTTPVersion = .http1_1, _ fields: HTTPHeaders = HTTPHeaders()) -> (HTTPRequestHead, ConnectionFields) {
        (HTTPRequestHead(method: "GET", target: "/", version: version, headers: fields), ConnectionFields(headers: fields))
    }

    /// One whole request arriving on `machine`: first byte, head, end. Returns the actions of the
    /// first byte and of the end.
    @discardableResult
    static func request(_ machine: inout Machine, _ version: HTTPVersion = .http1_1, _ fields: HTTPHeaders = HTTPHeaders()) -> (began: [Action], received: [Action]) {
        let began = Array(machine.requestBegan())
        let (head, connection) = head(version, fields)
        machine.headReceived(head, connection: connection)
        let received = Array(machine.requestReceived())
        return (began, received)
    }

    // MARK: The life of a request

    @Test("idle → readingRequest → responding → idle: request timers, respond, then the idle timer and the pipelined bytes")
    func oneKeepAliveRequest() {
        var m = Machine(maxRequests: 0)
        #expect(m.state == .idle && m.isIdle && !m.isClosed)
        #expect(Array(m.requestBegan()) == [.startRequestTimers])
        #expect(m.state == .readingRequest(headComplete: false))
        let (head, fields) = Self.head()
        m.headReceived(head, connection: fields)
        #expect(m.state == .readingRequest(headComplete: true))
        #expect(m.requestCount == 1)
        #expect(Array(m.requestReceived()) == [.respond(persists: true)])
        #expect(m.state == .responding(persists: true, closeReason: nil))
        #expect(Array(m.responseWritten()) == [.startIdleTimer, .parseBufferedBytes])
        #expect(m.state == .idle)
    }

    @Test("a head that arrives whole, without a first-byte event, still counts and is answered")
    func headWithoutFirstByteEvent() {
        var m = Machine(maxRequests: 0)
        let (head, fields) = Self.head()
        m.headReceived(head, connection: fields)
        #expect(m.requestCount == 1)
        #expect(Array(m.requestReceived()) == [.respond(persists: true)])
    }

    @Test("the first byte of a request is counted once: a second requestBegan is ignored")
    func requestBeganTwice() {
        var m = Machine(maxRequests: 0)
        _ = m.requestBegan()
        #expect(Array(m.requestBegan()).isEmpty)
        #expect(m.state == .readingRequest(headComplete: false))
    }

    @Test("pipelined requests are answered one at a time, each after the previous response is written")
    func pipelining() {
        var m = Machine(maxRequests: 0)
        for n in 1...3 {
            let (began, received) = Self.request(&m)
            #expect(began == [.startRequestTimers])
            #expect(received == [.respond(persists: true)])
            #expect(m.requestCount == n)
            // While a response is owed, the next request's bytes wait: no event starts it.
            #expect(Array(m.requestBegan()).isEmpty)
            #expect(Array(m.requestMalformed(status: 400)).isEmpty)
            #expect(Array(m.responseWritten()) == [.startIdleTimer, .parseBufferedBytes])
        }
        #expect(m.state == .idle)
    }

    // MARK: Keep-alive or close (RFC 9112 §9.3)

    @Test("who said close, in order: Connection: close, HTTP/1.0 without keep-alive, Upgrade",
          arguments: [
              (HTTPVersion.http1_1, HTTPHeaders([("Connection", "close")]), ServerCloseReason?.some(.clientRequestedClose)),
              (.http1_1, HTTPHeaders([("Connection", "keep-alive, Close")]), .clientRequestedClose),
              (.http1_0, HTTPHeaders(), .http10),
              (.http1_0, HTTPHeaders([("Connection", "close, keep-alive")]), .clientRequestedClose),
              (.http1_0, HTTPHeaders([("Connection", "keep-alive")]), nil),
              (.http1_1, HTTPHeaders([("Upgrade", "h2c"), ("Connection", "Upgrade")]), .upgradeNotTaken),
              (.http1_1, HTTPHeaders(), nil),
          ] as [(HTTPVersion, HTTPHeaders, ServerCloseReason?)])
    func persistence(version: HTTPVersion, fields: HTTPHeaders, reason: ServerCloseReason?) {
        var m = Machine(maxRequests: 0)
        let (_, received) = Self.request(&m, version, fields)
        #expect(received == [.respond(persists: reason == nil)])
        #expect(m.state == .responding(persists: reason == nil, closeReason: reason))
        if let reason {
            #expect(Array(m.responseWritten()) == [.beginStagedClose(reason)])
            #expect(m.state == .closing(reason))
            #expect(Array(m.peerClosed()) == [.closeNow(reason)])
            #expect(m.state == .closed(reason) && m.isClosed)
        } else {
            #expect(Array(m.responseWritten()) == [.startIdleTimer, .parseBufferedBytes])
        }
    }

    @Test("maxRequests: the last allowed request is answered with close, then the connection closes")
    func maxRequests() {
        var m = Machine(maxRequests: 2)
        #expect(Self.request(&m).received == [.respond(persists: true)])
        _ = m.responseWritten()
        #expect(Self.request(&m).received == [.respond(persists: false)])
        #expect(m.state == .responding(persists: false, closeReason: .maxRequests))
        #expect(Array(m.responseWritten()) == [.beginStagedClose(.maxRequests)])
    }

    @Test("maxRequests 0 is unlimited")
    func unlimitedRequests() {
        var m = Machine(maxRequests: 0)
        for _ in 0..<100 {
            #expect(Self.request(&m).received == [.respond(persists: true)])
            _ = m.responseWritten()
        }
        #expect(m.requestCount == 100)
    }

    @Test("the client's close outranks the server's limit as the reason")
    func clientCloseBeforeLimit() {
        var m = Machine(maxRequests: 1)
        Self.request(&m, .http1_1, ["Connection": "close"])
        #expect(m.state == .responding(persists: false, closeReason: .clientRequestedClose))
    }

    @Test("a route that must close (/close, a close-delimited body) turns a persistent response into a closing one")
    func responseRequiresClose() {
        var m = Machine(maxRequests: 0)
        Self.request(&m)
        m.responseRequiresClose()
        #expect(m.state == .responding(persists: false, closeReason: .responseClose))
        #expect(Array(m.responseWritten()) == [.beginStagedClose(.responseClose)])
    }

    @Test("a route that must close keeps the reason already given, and means nothing outside a response")
    func responseRequiresCloseKeepsReason() {
        var m = Machine(maxRequests: 0)
        m.responseRequiresClose()
        #expect(m.state == .idle)
        Self.request(&m, .http1_0)
        m.responseRequiresClose()
        #expect(m.state == .responding(persists: false, closeReason: .http10))
    }

    // MARK: Timeouts

    @Test("idle timeout: an idle connection closes; a stale firing mid-request is ignored")
    func idleTimeout() {
        var m = Machine(maxRequests: 0)
        _ = m.requestBegan()
        #expect(Array(m.idleTimeoutFired()).isEmpty)
        #expect(m.state == .readingRequest(headComplete: false))
        var idle = Machine(maxRequests: 0)
        #expect(Array(idle.idleTimeoutFired()) == [.closeNow(.keepAliveTimeout)])
        #expect(idle.state == .closed(.keepAliveTimeout))
        // Closed is final: nothing more comes of later events.
        #expect(Array(idle.idleTimeoutFired()).isEmpty)
        #expect(Array(idle.peerClosed()).isEmpty)
        #expect(Array(idle.socketFailed()).isEmpty)
    }

    @Test("idle timeout after a keep-alive response closes the connection with that reason")
    func idleAfterResponse() {
        var m = Machine(maxRequests: 0)
        Self.request(&m)
        #expect(Array(m.idleTimeoutFired()).isEmpty)   // responding: not idle
        _ = m.responseWritten()
        #expect(Array(m.idleTimeoutFired()) == [.closeNow(.keepAliveTimeout)])
    }

    @Test("headers or request timeout mid-request: 408, then a staged close; ignored once the request is in",
          arguments: [ServerCloseReason.headersTimeout, .requestTimeout])
    func requestTimeouts(reason: ServerCloseReason) {
        var m = Machine(maxRequests: 0)
        #expect(Array(m.requestTimeoutFired(reason)).isEmpty)   // idle: no request to time out
        _ = m.requestBegan()
        #expect(Array(m.requestTimeoutFired(reason)) == [.respondWithErrorThenClose(status: 408, reason: reason)])
        #expect(m.state == .closing(reason))
        #expect(Array(m.lingerExpired()) == [.closeNow(reason)])
        var answered = Machine(maxRequests: 0)
        Self.request(&answered)
        #expect(Array(answered.requestTimeoutFired(reason)).isEmpty)
    }

    @Test("linger expiry closes only a connection that is closing")
    func lingerOnlyWhenClosing() {
        var m = Machine(maxRequests: 0)
        #expect(Array(m.lingerExpired()).isEmpty)
        #expect(m.state == .idle)
    }

    // MARK: Errors and the peer

    @Test("a malformed request gets its status and a staged close, from idle or mid-request",
          arguments: [400, 431, 501])
    func malformed(status: Int) {
        var fromIdle = Machine(maxRequests: 0)
        #expect(Array(fromIdle.requestMalformed(status: status)) == [.respondWithErrorThenClose(status: status, reason: .badRequest)])
        #expect(fromIdle.state == .closing(.badRequest))
        var midRequest = Machine(maxRequests: 0)
        _ = midRequest.requestBegan()
        #expect(Array(midRequest.requestMalformed(status: status)) == [.respondWithErrorThenClose(status: status, reason: .badRequest)])
        // Closing: a second refusal asks for nothing more; the peer's FIN ends it.
        #expect(Array(midRequest.requestMalformed(status: status)).isEmpty)
        #expect(Array(midRequest.peerClosed()) == [.closeNow(.badRequest)])
    }

    @Test("the peer's EOF: idle or mid-request closes now; while responding the response is finished first")
    func peerClosed() {
        var idle = Machine(maxRequests: 0)
        #expect(Array(idle.peerClosed()) == [.closeNow(.clientClosed)])
        var reading = Machine(maxRequests: 0)
        _ = reading.requestBegan()
        #expect(Array(reading.peerClosed()) == [.closeNow(.clientClosed)])
        #expect(reading.state == .closed(.clientClosed))
        var responding = Machine(maxRequests: 0)
        Self.request(&responding)
        #expect(Array(responding.peerClosed()).isEmpty)   // RFC 9112 §9.6: a half-closed client may still read
        #expect(Array(responding.responseWritten()) == [.beginStagedClose(.clientClosed)])
        #expect(responding.state == .closing(.clientClosed))
    }

    @Test("a failed read or write: reset from any open state; closing keeps its reason")
    func socketFailed() {
        var idle = Machine(maxRequests: 0)
        #expect(Array(idle.socketFailed()) == [.closeNow(.reset)])
        var reading = Machine(maxRequests: 0)
        _ = reading.requestBegan()
        #expect(Array(reading.socketFailed()) == [.closeNow(.reset)])
        var responding = Machine(maxRequests: 0)
        Self.request(&responding)
        #expect(Array(responding.socketFailed()) == [.closeNow(.reset)])
        #expect(responding.state == .closed(.reset))
        var closing = Machine(maxRequests: 0)
        _ = closing.requestMalformed(status: 400)
        #expect(Array(closing.socketFailed()) == [.closeNow(.badRequest)])
    }

    // MARK: Graceful shutdown

    @Test("shutdown: an idle connection closes at once")
    func shutdownIdle() {
        var m = Machine(maxRequests: 0)
        #expect(Array(m.shutdownRequested()) == [.closeNow(.shutdown)])
        #expect(m.state == .closed(.shutdown) && m.isDraining)
    }

    @Test("shutdown mid-request: the request is answered with close, then the connection closes")
    func shutdownMidRequest() {
        var m = Machine(maxRequests: 0)
        _ = m.requestBegan()
        #expect(Array(m.shutdownRequested()).isEmpty)
        let (head, fields) = Self.head()
        m.headReceived(head, connection: fields)
        #expect(Array(m.requestReceived()) == [.respond(persists: false)])
        #expect(m.state == .responding(persists: false, closeReason: .shutdown))
        #expect(Array(m.responseWritten()) == [.beginStagedClose(.shutdown)])
    }

    @Test("shutdown while responding: the response was to persist; the connection closes after it")
    func shutdownWhileResponding() {
        var m = Machine(maxRequests: 0)
        Self.request(&m)
        #expect(Array(m.shutdownRequested()).isEmpty)
        #expect(Array(m.responseWritten()) == [.beginStagedClose(.shutdown)])
    }

    @Test("shutdown's deadline: what is still busy closes as forced; a closing connection keeps its reason",
          arguments: ["idle", "reading", "responding", "closing", "closed"])
    func shutdownDeadline(stage: String) {
        var m = Machine(maxRequests: 0)
        var expected: [Action] = [.closeNow(.shutdownForced)]
        switch stage {
        case "reading": _ = m.requestBegan()
        case "responding": Self.request(&m)
        case "closing":
            _ = m.requestMalformed(status: 400)
            expected = [.closeNow(.badRequest)]
        case "closed":
            _ = m.peerClosed()
            expected = []
        default: break
        }
        #expect(Array(m.shutdownDeadlinePassed()) == expected)
        #expect(m.isClosed)
    }

    // MARK: The persistence rule alone

    @Test("the server's own limits: draining first, then maxRequests")
    func serverLimits() {
        #expect(Machine.closeReason(requestCount: 5, maxRequests: 5, isDraining: true) == .shutdown)
        #expect(Machine.closeReason(requestCount: 5, maxRequests: 5, isDraining: false) == .maxRequests)
        #expect(Machine.closeReason(requestCount: 4, maxRequests: 5, isDraining: false) == nil)
        #expect(Machine.closeReason(requestCount: 1_000, maxRequests: 0, isDraining: false) == nil)
    }
}

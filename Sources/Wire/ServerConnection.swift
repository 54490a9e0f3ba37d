import HTTP1

/// ServerConnection: one accepted socket speaking HTTP/1.1. It owns the bytes and the timer; every
/// decision about the connection is asked of `ServerConnectionStateMachine`, and what to answer (and
/// when) of the exchange's `Responder`. It frames what the responder hands it: Content-Length for a
/// whole response, chunked (or close-delimited for HTTP/1.0) for a body in pieces.
///
/// This file is the server's hot path: a keep-alive request costs one `read`, one `write` and a share
/// of an `epoll_wait`, and the code between them is kept free of per-request heap traffic. The rules,
/// and the measurements behind them (callgrind, instructions per sequential keep-alive request from
/// `wirelab bench --url`; before this design: 28,100):
///
/// - **An idle connection holds almost nothing.** Everything a request needs (parser, head, pending
///   output, stream and delay state) lives in an `Exchange` that the connection borrows from its
///   server when a request's first byte arrives and gives back when it is idle again with nothing
///   buffered. An `Exchange` given back keeps its buffers' storage, so the next request allocates
///   nothing. What an idle keep-alive connection holds, byte by byte (malloc_usable_size, x86_64):
///     - this object: 104 bytes (a 112-byte malloc chunk): header 16, fd and id 16, server 8,
///       machine 40 (state, request count, flags, max requests), exchange 8, timer 8, flags 8;
///     - its idle timer (`LoopTimer`, when a keep-alive timeout is set): 88 bytes (96-byte chunk),
///       plus its 32-byte entry in the loop's timer heap;
///     - its slots in the loop's tables (handler 16 + interest 4, indexed by descriptor) and in the
///       server's table of open connections (16 + hash-table slack).
///   About 160 bytes without the timer and 290 with it; measured from outside over 8,000 idle
///   connections, VmRSS grows by 294 bytes per connection either way (was 790; nginx: ~500). The
///   kernel's socket buffers are not in RSS, for WireLab or nginx.
/// - **No reference counting per event.** `server` is a strong `let` (a load, no retain; plain
///   `unowned` cost an atomic `swift_unownedRetainStrong` + release at every use, ~1.4%). The server
///   keeps its open connections in a table, so the connection → server reference only makes a cycle
///   while the connection is open; closing removes it from the table and breaks the cycle.
/// - **No closure per timer or per action.** The timer calls back through `TimerOwner`; the state
///   machine's actions come back as a value (`Actions`, at most two, inline), not an array (three
///   array allocations per request before).
/// - **The request head is moved, never copied or tested as an optional.** The parser's part is
///   switched on as it comes back, and the head moves into the exchange, which keeps it as a plain
///   value with a flag (`Exchange.hasHead`); persistence is decided from the head while it is still
///   a local (`ServerConnectionStateMachine.headReceived`). Before, an `HTTPRequestHead?` was copied
///   and destroyed through the generic Optional value witnesses 4 to 6 times a request: 7,854 ->
///   6,321 instructions a request.
/// - **Responses are written from the server's reused buffer**, with the connection-management
///   fields (`Date`, `Connection`, `Keep-Alive`) pre-encoded once per second (`LoopbackServer`).
final class ServerConnection: ServerConnectionHandler, TimerOwner {
    let fd: Int32
    let id: Int
    let server: LoopbackServer
    private var machine: ServerConnectionStateMachine
    /// The request in progress (and pipelined bytes after it); nil while idle with nothing buffered.
    private var exchange: Exchange?
    private var timer: LoopTimer?
    private var timerPurpose: TimerPurpose = .none
    private var isReadPaused = false
    private(set) var wasIdleCounted = false
    /// Whether the first bytes are the HTTP/2 client preface: asked until they tell (one byte, in
    /// the flags' padding; see `decideProtocol`).
    private var preface = ClientPrefaceDetector()

    /// What the one timer is armed for. `responder`: the responder's delay or pause between pieces.
    private enum TimerPurpose { case none, idle, request, responder, linger }

    init(fd: Int32, id: Int, server: LoopbackServer) {
        self.fd = fd
        self.id = id
        self.server = server
        machine = ServerConnectionStateMachine(maxRequests: server.configuration.maxRequestsPerSocket,
                                               closeSilentlyAfter: server.configuration.closeSilentlyAfter)
    }

    deinit {
        // The timer calls this object through an unowned(unsafe) reference: cut it before the memory goes.
        timer?.release()
    }

    var isIdle: Bool { machine.isIdle }

    /// The head of the request in progress, if one arrived (for observers: a copy).
    var currentHead: HTTPRequestHead? {
        guard let exchange, exchange.hasHead else { return nil }
        return exchange.head
    }
    var isClosed: Bool { machine.isClosed }

    /// The size of the request head in progress, right after it was parsed (for observers).
    var currentHeadByteCount: Int? {
        guard let exchange, exchange.hasHead else { return nil }
        return exchange.parser.headByteCount
    }

    /// Starts life idle: a connection that never sends a byte is closed by the idle rule.
    func start() {
        perform(.init(.startIdleTimer))
    }

    /// The exchange, borrowed from the server on first use.
    private var work: Exchange {
        if let exchange { return exchange }
        let borrowed = server.borrowExchange()
        exchange = borrowed
        return borrowed
    }

    /// Gives the exchange back when nothing of a request is left in it.
    private func returnExchangeIfUnused() {
        guard let exchange, exchange.isUnused else { return }
        self.exchange = nil
        server.returnExchange(exchange, parserIsBetweenMessages: true)
    }

    private func armTimer(_ purpose: TimerPurpose, at deadline: Int64) {
        timerPurpose = purpose
        if timer == nil { timer = LoopTimer(loop: server.loop, owner: self) }
        timer?.arm(at: deadline)
    }

    private func cancelTimer() {
        timerPurpose = .none
        timer?.cancel()
    }

    // MARK: Readiness

    func handleReadiness(readable: Bool, writable: Bool, hangup: Bool) {
        if writable, let exchange, exchange.hasPendingOutput { flush() }
        if (readable || hangup) && !machine.isClosed { readAvailable() }
    }

    private func readAvailable() {
        let buffer = server.loop.readBuffer
        while !machine.isClosed {
            switch Platform.read(fd, into: buffer) {
            case .bytes(let n):
                if case .closing = machine.state {   // staged close: discard until FIN
                    if let tap = server.lateInputTap { tap(id, UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
                    continue
                }
                let input = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                if preface.isDeciding {
                    // A connection's first bytes only: HTTP/1.1 or the HTTP/2 preface?
                    switch decideProtocol(input) {
                    case .readOn:
                        if n < buffer.count { return }
                        continue
                    case .stop:
                        return
                    case .parse:
                        break
                    }
                } else {
                    work.parser.append(input)
                }
                processInput()
                // Backpressure: while a response is owed, keep at most 64 KiB of pipelined input.
                if case .responding = machine.state, let exchange, exchange.parser.bufferedByteCount > 64 * 1024 {
                    pauseReading()
                    return
                }
                if n < buffer.count { return }
            case .endOfFile:
                perform(machine.peerClosed())
                return
            case .wouldBlock:
                return
            case .failed:
                perform(machine.socketFailed())
                return
            }
        }
    }

    private enum AfterDecision { case readOn, stop, parse }

    /// Looks at a connection's first bytes for the HTTP/2 client preface (RFC 9113 §3.4). Bytes that
    /// may still be the preface are held back from the parser (they are the preface's own, so the
    /// detector keeps only their count); once they differ, they and this read go to the parser as
    /// HTTP/1.1. The whole preface hands the socket to the server's HTTP/2 handler, or, while there
    /// is none, is refused with 501 and a close, as an unknown method would be. Out of line: it runs
    /// on a connection's first read only.
    @inline(never)
    private func decideProtocol(_ input: UnsafeRawBufferPointer) -> AfterDecision {
        switch preface.feed(input) {
        case .needMoreBytes:
            // Bytes of a request (or a preface) arrived: its timers run, as for any partial head.
            if machine.isIdle { perform(machine.requestBegan()) }
            return .readOn
        case .http1(let heldBack):
            if heldBack > 0 { work.parser.append(Array(ClientPrefaceDetector.preface[..<heldBack])) }
            work.parser.append(input)
            return .parse
        case .http2(let heldBack):
            let bytesRead = Array(ClientPrefaceDetector.preface[..<heldBack]) + Array(input)
            if server.handOver(self, to: .http2, bytesRead: bytesRead) { return .stop }
            if machine.isIdle { perform(machine.requestBegan()) }
            server.refusal = .http2Preface   // read by the error response, in this same call
            perform(machine.requestMalformed(status: ServerRefusal.http2Preface.status))
            return .stop
        }
    }

    /// The socket now belongs to another protocol's handler (`LoopbackServer.handOver`): let go of
    /// the timer, the exchange and the idle count. It does not close or unregister the socket, and
    /// reports no close: the connection lives on under its new handler.
    func handedOver() {
        setIdleCounted(false)
        timer?.release()
        timer = nil
        timerPurpose = .none
        if let exchange {
            self.exchange = nil
            server.returnExchange(exchange, parserIsBetweenMessages: exchange.parser.isBetweenMessages)
        }
    }

    /// Parses what has arrived, as long as the connection is ready for a request.
    private func processInput() {
        guard let exchange else { return }
        // The exchange can go back to the server mid-loop (the response was written and nothing more
        // is buffered): then there is nothing left to parse.
        while self.exchange === exchange {
            switch machine.state {
            case .idle, .readingRequest: break
            case .responding, .closing, .closed: return
            }
            // The part is switched on as it comes back, never stored: each case takes its payload,
            // so nothing is copied or destroyed. (Kept in a `let` and then switched on, the optional
            // part was copied, and destroyed through the generic Optional witness: about 130
            // instructions each time, 3 times a request.)
            let part = nextPart(of: exchange)
            switch consume part {
            case .head(let head)?:
                if machine.isIdle { perform(machine.requestBegan()) }
                machine.headReceived(head, connection: exchange.parser.connectionFields)
                // Every question about the head is asked before it moves into the exchange: reading
                // it after (inside `takeHead`) made the compiler copy it out of the part instead of
                // moving it (a copy and a destroy of the part, ~370 instructions a request).
                let isRootGET = head.method == "GET" && head.target == "/"
                exchange.takeHead(head, isRootGET: isRootGET)
                server.requestArrived(self, index: machine.requestCount)
            case .body(let bytes)?:
                // Built-in routes ignore bodies: reading them to the end is how they are drained.
                // A request handler (the reverse proxy) gets the body.
                if server.requestHandler != nil { exchange.requestBody += bytes }
            case .end?:
                guard exchange.hasHead else { continue }
                if machine.requestCount > 1 && server.dropsReusedRequest() {
                    perform(machine.requestDropped())
                    return
                }
                perform(machine.requestReceived())
            case nil:
                // More bytes are needed. If they belong to a request (not just empty lines between
                // requests), it has begun: its timers start now. Asked only here, so a request that
                // arrives whole never pays for the question.
                if machine.isIdle && exchange.parser.hasPartialMessage { perform(machine.requestBegan()) }
                return
            }
        }
    }

    /// The parser's next part; nil when more bytes are needed, or when the input was refused (then
    /// the error response is under way and the connection no longer reads requests).
    private func nextPart(of exchange: Exchange) -> RequestPart? {
        do {
            return try exchange.parser.next()
        } catch {
            // Refused bytes always belong to a request, so it has begun (its timers give way to the
            // error response at once).
            if machine.isIdle { perform(machine.requestBegan()) }
            server.refusal = ServerRefusal(error)   // read by the error response, below, in this same call
            perform(machine.requestMalformed(status: error.status))
            return nil
        }
    }

    // MARK: Carrying out actions

    /// Carries out the machine's actions in order, each in a short function of its own. The rare
    /// ones (errors, closing) are kept out of line, so they are not inlined into this function, which
    /// runs three times a request (callgrind: about neutral, 6,321 -> 6,317 instructions a request;
    /// the split is for reading).
    private func perform(_ actions: ServerConnectionStateMachine.Actions) {
        for action in actions {
            switch action {
            case .startIdleTimer: startIdleTimer()
            case .startRequestTimers: startRequestTimers()
            case .respond(let persists):
                cancelTimer()
                respond(persists: persists)
            case .respondWithErrorThenClose(let status, let reason): respondWithError(status: status, reason: reason)
            case .parseBufferedBytes: parseBufferedBytes()
            case .beginStagedClose: beginStagedClose()
            case .closeNow(let reason): closeNow(reason)
            }
        }
    }

    private func startIdleTimer() {
        setIdleCounted(true)
        // An idle connection keeps no request state: the exchange goes back to the server.
        returnExchangeIfUnused()
        server.emit(.idle(connection: id))
        if server.configuration.keepAliveTimeoutMs > 0 {
            armTimer(.idle, at: server.loop.now + Int64(server.configuration.keepAliveTimeoutMs) * 1_000_000)
        } else {
            cancelTimer()
        }
    }

    private func startRequestTimers() {
        setIdleCounted(false)
        let now = server.loop.now
        let config = server.configuration
        let work = self.work
        work.headersDeadline = config.headersTimeoutMs > 0 ? now + Int64(config.headersTimeoutMs) * 1_000_000 : .max
        work.requestDeadline = config.requestTimeoutMs > 0 ? now + Int64(config.requestTimeoutMs) * 1_000_000 : .max
        armRequestTimer()
    }

    @inline(never)
    private func respondWithError(status: Int, reason: ServerCloseReason) {
        setIdleCounted(false)
        cancelTimer()
        work.parser.discardBuffered()
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        headers.add(name: "Connection", value: "close")
        // A refused request says why, in the parser's words: "bare LF at byte 14: ... (from nc,
        // use nc -C)". Only on this path, so the cost is never paid by a good request.
        var fields: [(String, JSONValue)] = [("error", .string(HTTPStatus.reasonPhrase(status)))]
        if let refusal = server.refusal { fields.append(("detail", .string(refusal.detail))) }
        // The log says why in a few words: the refusal's, or the timeout's ("headers timeout").
        if server.hasObservers { server.emit(.refused(connection: id, status: status, reason: server.refusal?.reason ?? reason.rawValue)) }
        server.refusal = nil
        let body = Array(JSONValue.object(fields).text().utf8)
        writeResponse(status: status, headers: headers, body: body, method: work.methodForFraming, then: .closeAfter)
    }

    private func parseBufferedBytes() {
        resumeReading()
        // Pipelined requests already read: parse them after the current event, so a long
        // pipeline doesn't nest calls. Nothing buffered (the usual case): nothing to schedule.
        if let exchange, exchange.parser.bufferedByteCount > 0 {
            server.loop.afterCurrentEvent { [self] in
                if !machine.isClosed { processInput() }
            }
        }
    }

    @inline(never)
    private func beginStagedClose() {
        // Stop writing, keep reading (and discarding) until the peer's FIN or the linger bound,
        // so our last response is never destroyed by a reset caused by unread input.
        exchange?.parser.discardBuffered()
        Platform.shutdownWrite(fd)
        resumeReading()
        armTimer(.linger, at: server.loop.now + Int64(server.configuration.lingerMs) * 1_000_000)
    }

    @inline(never)
    private func closeNow(_ reason: ServerCloseReason) {
        setIdleCounted(false)
        // Not just cancel: a queued heap entry (the headers timer's, up to 60 s out) keeps the
        // timer object until it comes due, and a released timer no longer refers to us.
        timer?.release()
        timer = nil
        timerPurpose = .none
        server.loop.unregister(fd)
        Platform.close(fd)
        if let exchange {
            self.exchange = nil
            server.returnExchange(exchange, parserIsBetweenMessages: exchange.parser.isBetweenMessages)
        }
        server.connectionClosed(self, reason: reason, requests: machine.requestCount)
    }

    private func setIdleCounted(_ idle: Bool) {
        guard idle != wasIdleCounted else { return }
        wasIdleCounted = idle
        server.stats.idle += idle ? 1 : -1
    }

    private func armRequestTimer() {
        let work = self.work
        let deadline = min(work.headersDeadline, work.requestDeadline)
        if deadline == .max { cancelTimer() } else { armTimer(.request, at: deadline) }
    }

    func timerFired(_ timer: LoopTimer) {
        let purpose = timerPurpose
        switch purpose {
        case .none:
            return
        case .idle:
            perform(machine.idleTimeoutFired())
        case .request:
            let now = server.loop.now
            let work = self.work
            let headComplete: Bool
            if case .readingRequest(let complete) = machine.state { headComplete = complete } else { return }
            if !headComplete && now >= work.headersDeadline {
                perform(machine.requestTimeoutFired(.headersTimeout))
            } else if now >= work.requestDeadline {
                perform(machine.requestTimeoutFired(.requestTimeout))
            } else {
                if headComplete { work.headersDeadline = .max }
                armRequestTimer()
            }
        case .responder:
            timerPurpose = .none
            guard let exchange else { return }
            exchange.responder.wake(on: self)
        case .linger:
            perform(machine.lingerExpired())
        }
    }

    // MARK: Responses

    /// The request is in whole: its exchange's responder decides what to answer, and calls back
    /// (`ResponseStream`, below) with what to frame.
    private func respond(persists: Bool) {
        let work = self.work
        guard work.hasHead else { return }
        work.responder.respond(on: self, handler: server.requestHandler)
    }

    /// The connection-management fields this response gets: `Date`, `Connection: keep-alive` plus
    /// `Keep-Alive` when the connection persists, else `Connection: close` (see
    /// `LoopbackServer.connectionFields`, which encodes them once per second).
    private func connectionFields() -> [UInt8] {
        server.connectionFields(persistent: responsePersists)
    }

    /// Whether the response being written says `Connection: keep-alive`.
    private var responsePersists: Bool {
        if case .responding(true, _) = machine.state, !machine.isDraining { return true }
        return false
    }

    private func writeResponse(status: Int, headers: HTTPHeaders, body: [UInt8], method: String, then completion: WriteCompletion) {
        let response = HTTPResponseHead(status: status, headers: headers)
        var out = server.takeScratch()
        // Error responses already carry `Connection: close`, and no Date.
        let extra: [UInt8]
        if case .closeAfter = completion { extra = [] } else { extra = connectionFields() }
        HTTPEncoder.writeResponse(response, extraFields: extra, body: body, requestMethod: method, into: &out)
        if server.responseWriteTap != nil, case .responseDone = completion { reportWritten(out, bodyInPieces: false) }
        write(out, then: completion)
        server.returnScratch(out)
    }

    /// Tells the server's `responseWriteTap` what is being written: a whole response (head and
    /// body), a head whose body follows in pieces, or one of those pieces. Out of line: it runs only
    /// while someone observes.
    @inline(never)
    private func reportWritten(_ bytes: [UInt8], bodyInPieces: Bool, contentBytes: Int? = nil) {
        guard let tap = server.responseWriteTap else { return }
        if let contentBytes {
            tap(id, nil, .body(wire: bytes.count, content: contentBytes))
            return
        }
        guard let (head, headBytes) = ResponseWrite.head(in: bytes) else { return }
        tap(id, nil, head)
        if !bodyInPieces { tap(id, nil, .body(wire: bytes.count - headBytes, content: bytes.count - headBytes)) }
    }

    /// Writes `bytes` now, or queues them behind output still waiting for the socket.
    private func write(_ bytes: [UInt8], then completion: WriteCompletion) {
        if let exchange, exchange.hasPendingOutput {
            exchange.pending += bytes
            exchange.afterWrite = completion
            return
        }
        switch bytes.withUnsafeBytes({ Platform.write(fd, $0) }) {
        case .wrote(let n) where n == bytes.count:
            writeCompleted(completion)
        case .wrote(let n):
            keepUnwritten(bytes[n...], then: completion)
        case .wouldBlock:
            keepUnwritten(bytes[...], then: completion)
        case .failed:
            perform(machine.socketFailed())
        }
    }

    /// Keeps what the socket would not take (copied: `bytes` is usually the server's scratch buffer
    /// or its cached response) and writes it when the socket is writable again. Kept apart from
    /// `write`, whose usual path (all written at once) then only looks at the exchange instead of
    /// borrowing and retaining it (callgrind: 6,317 -> 6,240 instructions a request).
    private func keepUnwritten(_ rest: ArraySlice<UInt8>, then completion: WriteCompletion) {
        let work = self.work
        work.pending.append(contentsOf: rest)
        work.pendingOffset = 0
        work.afterWrite = completion
        server.loop.setInterest(fd, isReadPaused ? .writable : [.readable, .writable])
    }

    private func flush() {
        let work = self.work
        let outcome = work.pending.withUnsafeBytes { Platform.write(fd, UnsafeRawBufferPointer(rebasing: $0[work.pendingOffset...])) }
        switch outcome {
        case .wrote(let n):
            work.pendingOffset += n
            if work.pendingOffset == work.pending.count {
                work.pending.removeAll(keepingCapacity: work.pending.capacity <= 64 * 1024)
                work.pendingOffset = 0
                server.loop.setInterest(fd, isReadPaused ? .none : .readable)
                let completion = work.afterWrite
                work.afterWrite = .nothing
                writeCompleted(completion)
            }
        case .wouldBlock:
            return
        case .failed:
            perform(machine.socketFailed())
        }
    }

    private func writeCompleted(_ completion: WriteCompletion) {
        switch completion {
        case .nothing:
            return
        case .responsePiece:
            work.responder.pieceSent(on: self)
        case .responseDone(let status):
            let willClose: Bool
            if case .responding(let persists, _) = machine.state { willClose = !persists || machine.isDraining } else { willClose = true }
            server.responseWritten(self, status: status, willClose: willClose)
            exchange?.finishRequest()
            perform(machine.responseWritten())
        case .closeAfter:
            if case .closing(let reason) = machine.state { perform(.init(.beginStagedClose(reason))) }
        }
    }

    private func pauseReading() {
        isReadPaused = true
        server.loop.setInterest(fd, exchange?.hasPendingOutput == true ? .writable : .none)
    }

    private func resumeReading() {
        guard isReadPaused else { return }
        isReadPaused = false
        server.loop.setInterest(fd, exchange?.hasPendingOutput == true ? [.readable, .writable] : .readable)
    }

    // MARK: Shutdown

    func shutdownRequested() { perform(machine.shutdownRequested()) }
    func shutdownDeadlinePassed() { perform(machine.shutdownDeadlinePassed()) }
}

// MARK: - Framing what the responder hands over

/// The HTTP/1.1 side of `ResponseStream`: one request at a time, framed with Content-Length, or
/// chunked when the body comes in pieces (RFC 9112 §7.1; HTTP/1.0 has no chunked coding, so the body
/// then ends when the connection does, RFC 9112 §6.3 rule 8, and the connection cannot persist).
extension ServerConnection: ResponseStream {
    var requestHead: HTTPRequestHead { work.head }
    var requestIsRootGET: Bool { work.isRootGET }
    var requestConnection: Int { id }
    var requestIndex: Int { machine.requestCount }

    func takeRequestBody() -> [UInt8] {
        let work = self.work
        let body = work.requestBody
        work.requestBody = []
        return body
    }

    var isAwaitingResponse: Bool {
        guard case .responding = machine.state, let exchange, exchange.hasHead else { return false }
        return true
    }

    func sendResponse(status: Int, headers: HTTPHeaders, body: [UInt8], mustClose: Bool) {
        if mustClose { machine.responseRequiresClose() }
        writeResponse(status: status, headers: headers, body: body, method: work.methodForFraming, then: .responseDone(status: status))
    }

    func sendRootResponse() {
        // Its whole response is encoded once a second (it differs only in Date and the connection
        // fields) and written as it is. Callgrind: the encoder and the route's response value were
        // ~12% of such a request.
        let bytes = server.encodedRootResponse(persistent: responsePersists)
        if server.responseWriteTap != nil { reportWritten(bytes, bodyInPieces: false) }
        write(bytes, then: .responseDone(status: 200))
    }

    func sendHead(status: Int, headers: HTTPHeaders) {
        let work = self.work
        work.streamIsChunked = responseFraming(bodyLength: nil, requestVersion: work.head.version) == .chunked
        work.streamStatus = status
        if !work.streamIsChunked { machine.responseRequiresClose() }
        var headers = headers
        if work.streamIsChunked { headers.add(name: "Transfer-Encoding", value: "chunked") }
        var out = server.takeScratch()
        HTTPEncoder.writeResponseHead(HTTPResponseHead(status: status, headers: headers), extraFields: connectionFields(), into: &out)
        if server.responseWriteTap != nil { reportWritten(out, bodyInPieces: true) }
        write(out, then: .responsePiece)
        server.returnScratch(out)
    }

    func sendBodyPiece(_ bytes: [UInt8]) {
        var out: [UInt8] = []
        // A HEAD response has the head a GET would get and no content (RFC 9110 §9.3.2): the
        // pieces still pace the response, but none is written.
        if work.head.method == "HEAD" {
            write(out, then: .responsePiece)
            return
        }
        if work.streamIsChunked { HTTPEncoder.writeChunk(bytes, into: &out) } else { out = bytes }
        if server.responseWriteTap != nil { reportWritten(out, bodyInPieces: true, contentBytes: bytes.count) }
        write(out, then: .responsePiece)
    }

    func sendEnd() {
        let work = self.work
        var out: [UInt8] = []
        if work.streamIsChunked && work.head.method != "HEAD" { HTTPEncoder.writeLastChunk(into: &out) }
        if server.responseWriteTap != nil { reportWritten(out, bodyInPieces: true, contentBytes: 0) }
        write(out, then: .responseDone(status: work.streamStatus))
    }

    func wakeResponder(afterNanos nanos: Int64) {
        armTimer(.responder, at: server.loop.now + nanos)
    }
}

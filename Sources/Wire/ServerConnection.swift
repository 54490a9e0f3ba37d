import HTTP1

/// ServerConnection: one accepted socket. It owns the bytes and the timer; every decision is asked
/// of `ServerConnectionStateMachine`. It keeps no read buffer of its own (reads land in the loop's
/// shared buffer and go straight into the parser), so an idle connection costs a few hundred bytes.
final class ServerConnection: LoopHandler {
    let fd: Int32
    let id: Int
    private unowned let server: LoopbackServer
    private var machine: ServerConnectionStateMachine
    private var parser: RequestParser
    private let parserLimits: ParserLimits
    private var head: HTTPRequestHead?
    private var requestBody: [UInt8] = []
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var afterWrite: WriteCompletion = .nothing
    private var timerPurpose: TimerPurpose = .none
    private var headersDeadline: Int64 = 0
    private var requestDeadline: Int64 = 0
    private var streamNext = 0
    private var streamCount = 0
    private var streamInterval = 0
    private var streamIsChunked = true
    private var isReadPaused = false
    private(set) var wasIdleCounted = false
    private lazy var timer = LoopTimer(loop: server.loop) { [unowned self] in self.timerFired() }

    private enum TimerPurpose { case none, idle, request, delay(status: Int, headers: HTTPHeaders, body: [UInt8]), stream, linger }
    private enum WriteCompletion { case nothing, responseDone(status: Int), streamChunk(status: Int), closeAfter }

    init(fd: Int32, id: Int, server: LoopbackServer) {
        self.fd = fd
        self.id = id
        self.server = server
        machine = ServerConnectionStateMachine(maxRequests: server.configuration.maxRequestsPerSocket)
        parserLimits = ParserLimits(maxHeaderBytes: 16 * 1024, maxBodyBytes: server.configuration.maxBodyBytes)
        parser = RequestParser(limits: parserLimits)
    }

    var isIdle: Bool { machine.isIdle }
    var isClosed: Bool { machine.isClosed }

    /// Starts life idle: a connection that never sends a byte is closed by the idle rule.
    func start() {
        perform([.startIdleTimer])
    }

    // MARK: Readiness

    func handleReadiness(readable: Bool, writable: Bool, hangup: Bool) {
        if writable && !pending.isEmpty { flush() }
        if (readable || hangup) && !machine.isClosed { readAvailable() }
    }

    private func readAvailable() {
        let buffer = server.loop.readBuffer
        while !machine.isClosed {
            switch Platform.read(fd, into: buffer) {
            case .bytes(let n):
                if case .closing = machine.state { continue }   // staged close: discard until FIN
                parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                processInput()
                // Backpressure: while a response is owed, keep at most 64 KiB of pipelined input.
                if case .responding = machine.state, parser.bufferedByteCount > 64 * 1024 {
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

    /// Parses what has arrived, as long as the connection is ready for a request.
    private func processInput() {
        while true {
            switch machine.state {
            case .idle, .readingRequest: break
            case .responding, .closing, .closed: return
            }
            if machine.isIdle && parser.hasPartialMessage { perform(machine.requestBegan()) }
            let part: RequestPart?
            do {
                part = try parser.next()
            } catch {
                server.refusal = error   // read by the error response, below, in this same call
                perform(machine.requestMalformed(status: error.status))
                return
            }
            guard let part else { return }
            switch part {
            case .head(let h):
                if machine.isIdle { perform(machine.requestBegan()) }
                machine.headReceived()
                head = h
                server.requestArrived(self, head: h, index: machine.requestCount)
            case .body(let bytes):
                // Built-in routes ignore bodies: reading them to the end is how they are drained.
                // A request handler (the reverse proxy) gets the body.
                if server.requestHandler != nil { requestBody += bytes }
            case .end:
                guard let h = head else { continue }
                perform(machine.requestReceived(h))
            }
        }
    }

    // MARK: Carrying out actions

    private func perform(_ actions: [ServerConnectionStateMachine.Action]) {
        for action in actions {
            switch action {
            case .startIdleTimer:
                setIdleCounted(true)
                // An idle connection keeps no input buffer: drop the parser's storage when empty.
                if parser.bufferedByteCount == 0 { parser = RequestParser(limits: parserLimits) }
                server.emit(.idle(connection: id))
                if server.configuration.keepAliveTimeoutMs > 0 {
                    timerPurpose = .idle
                    timer.arm(afterNanos: Int64(server.configuration.keepAliveTimeoutMs) * 1_000_000)
                } else {
                    timerPurpose = .none
                    timer.cancel()
                }
            case .startRequestTimers:
                setIdleCounted(false)
                let now = server.loop.now
                let config = server.configuration
                headersDeadline = config.headersTimeoutMs > 0 ? now + Int64(config.headersTimeoutMs) * 1_000_000 : .max
                requestDeadline = config.requestTimeoutMs > 0 ? now + Int64(config.requestTimeoutMs) * 1_000_000 : .max
                armRequestTimer()
            case .respond(let persists):
                timer.cancel()
                timerPurpose = .none
                respond(persists: persists)
            case .respondWithErrorThenClose(let status, _):
                setIdleCounted(false)
                timer.cancel()
                parser.discardBuffered()
                var headers: HTTPHeaders = ["Content-Type": "application/json"]
                headers.add(name: "Connection", value: "close")
                // A refused request says why, in the parser's words: "bare LF at byte 14: ... (from nc,
                // use nc -C)". Only on this path, so the cost is never paid by a good request.
                var fields: [(String, JSONValue)] = [("error", .string(HTTPStatus.reasonPhrase(status)))]
                if let refusal = server.refusal { fields.append(("detail", .string(refusal.description))) }
                server.refusal = nil
                let body = Array(JSONValue.object(fields).text().utf8)
                writeResponse(status: status, headers: headers, body: body, method: head?.method ?? "GET", then: .closeAfter)
            case .parseBufferedBytes:
                resumeReading()
                // After the current event, so a long pipeline doesn't nest calls.
                server.loop.afterCurrentEvent { [weak self] in
                    guard let self, !self.machine.isClosed else { return }
                    self.processInput()
                }
            case .beginStagedClose:
                // Stop writing, keep reading (and discarding) until the peer's FIN or the linger bound,
                // so our last response is never destroyed by a reset caused by unread input.
                parser.discardBuffered()
                Platform.shutdownWrite(fd)
                resumeReading()
                timerPurpose = .linger
                timer.arm(afterNanos: Int64(server.configuration.lingerMs) * 1_000_000)
            case .closeNow(let reason):
                setIdleCounted(false)
                // Not just cancel: a queued heap entry (the headers timer's, up to 60 s out) would keep
                // this object's memory through the action's unowned capture until it came due.
                timer.release()
                timerPurpose = .none
                server.loop.unregister(fd)
                Platform.close(fd)
                server.connectionClosed(self, reason: reason, requests: machine.requestCount)
            }
        }
    }

    private func setIdleCounted(_ idle: Bool) {
        guard idle != wasIdleCounted else { return }
        wasIdleCounted = idle
        server.stats.idle += idle ? 1 : -1
    }

    private func armRequestTimer() {
        timerPurpose = .request
        let deadline = min(headersDeadline, requestDeadline)
        if deadline == .max { timer.cancel() } else { timer.arm(at: deadline) }
    }

    private func timerFired() {
        switch timerPurpose {
        case .none:
            return
        case .idle:
            perform(machine.idleTimeoutFired())
        case .request:
            let now = server.loop.now
            let headComplete: Bool
            if case .readingRequest(let complete) = machine.state { headComplete = complete } else { return }
            if !headComplete && now >= headersDeadline {
                perform(machine.requestTimeoutFired(.headersTimeout))
            } else if now >= requestDeadline {
                perform(machine.requestTimeoutFired(.requestTimeout))
            } else {
                if headComplete { headersDeadline = .max }
                armRequestTimer()
            }
        case .delay(let status, let headers, let body):
            timerPurpose = .none
            writeResponse(status: status, headers: headers, body: body, method: head?.method ?? "GET", then: .responseDone(status: status))
        case .stream:
            timerPurpose = .none
            writeNextChunk()
        case .linger:
            perform(machine.lingerExpired())
        }
    }

    // MARK: Responses

    private func respond(persists: Bool) {
        guard let head else { return }
        if let handler = server.requestHandler {
            let request = ServerRequest(head: head, body: requestBody, connection: id, index: machine.requestCount)
            requestBody = []
            handler(request) { [weak self] response in
                // The answer may come much later; the client may be gone by then.
                guard let self, case .responding = self.machine.state, self.head != nil else { return }
                if response.mustClose { self.machine.responseRequiresClose() }
                self.writeResponse(status: response.status, headers: response.headers, body: response.body,
                                   method: head.method, then: .responseDone(status: response.status))
            }
            return
        }
        switch ServerRoutes.respond(to: head, connection: id, requestIndex: machine.requestCount) {
        case .complete(let status, let headers, let body, let mustClose):
            if mustClose { machine.responseRequiresClose() }
            writeResponse(status: status, headers: headers, body: body, method: head.method, then: .responseDone(status: status))
        case .delayed(let ms, let status, let headers, let body):
            timerPurpose = .delay(status: status, headers: headers, body: body)
            timer.arm(afterNanos: Int64(ms) * 1_000_000)
        case .stream(let chunks, let interval):
            // Unknown length: chunked on HTTP/1.1; HTTP/1.0 has no chunked coding, so the body ends
            // when the connection does (RFC 9112 §6.3 rule 8) and the connection cannot persist.
            streamIsChunked = responseFraming(bodyLength: nil, requestVersion: head.version) == .chunked
            if !streamIsChunked { machine.responseRequiresClose() }
            streamNext = 0
            streamCount = chunks
            streamInterval = interval
            var headers: HTTPHeaders = ["Content-Type": "text/plain"]
            if streamIsChunked { headers.add(name: "Transfer-Encoding", value: "chunked") }
            var out: [UInt8] = []
            HTTPEncoder.writeResponseHead(finish(HTTPResponseHead(status: 200, headers: headers)), into: &out)
            write(out, then: .streamChunk(status: 200))
        }
    }

    private func writeNextChunk() {
        var out: [UInt8] = []
        if streamNext < streamCount {
            streamNext += 1
            let chunk = ServerRoutes.streamChunk(streamNext)
            if streamIsChunked { HTTPEncoder.writeChunk(chunk, into: &out) } else { out += chunk }
            write(out, then: .streamChunk(status: 200))
        } else {
            if streamIsChunked { HTTPEncoder.writeLastChunk(into: &out) }
            write(out, then: .responseDone(status: 200))
        }
    }

    /// Adds the connection-management headers: `Connection` always, `Keep-Alive` on persistent
    /// responses when the idle timeout is on (and the configuration sends it), and `Date`.
    private func finish(_ response: HTTPResponseHead) -> HTTPResponseHead {
        var response = response
        let config = server.configuration
        response.headers.reserveCapacity(response.headers.count + 3)   // one allocation, not three
        if config.sendsDate { response.headers.add(name: "Date", value: server.dateHeader()) }
        if case .responding(true, _) = machine.state, !machine.isDraining {
            response.headers.add(name: "Connection", value: "keep-alive")
            if config.keepAliveTimeoutMs > 0 && config.sendsKeepAliveHeader {
                response.headers.add(name: "Keep-Alive", value: server.keepAliveHeaderValue())
            }
        } else {
            response.headers.add(name: "Connection", value: "close")
        }
        return response
    }

    private func writeResponse(status: Int, headers: HTTPHeaders, body: [UInt8], method: String, then completion: WriteCompletion) {
        var response = HTTPResponseHead(status: status, headers: headers)
        if case .closeAfter = completion {
            // Error responses already carry `Connection: close`.
        } else {
            response = finish(response)
        }
        var out = server.takeScratch()
        HTTPEncoder.writeResponse(response, body: body, requestMethod: method, into: &out)
        write(out, then: completion)
        server.returnScratch(out)
    }

    private func write(_ bytes: [UInt8], then completion: WriteCompletion) {
        if !pending.isEmpty {
            pending += bytes
            afterWrite = completion
            return
        }
        let outcome = bytes.withUnsafeBytes { Platform.write(fd, $0) }
        switch outcome {
        case .wrote(let n) where n == bytes.count:
            writeCompleted(completion)
        case .wrote(let n):
            pending = Array(bytes[n...])
            pendingOffset = 0
            afterWrite = completion
            server.loop.setInterest(fd, isReadPaused ? .writable : [.readable, .writable])
        case .wouldBlock:
            pending = bytes
            pendingOffset = 0
            afterWrite = completion
            server.loop.setInterest(fd, isReadPaused ? .writable : [.readable, .writable])
        case .failed:
            perform(machine.socketFailed())
        }
    }

    private func flush() {
        let outcome = pending.withUnsafeBytes { Platform.write(fd, UnsafeRawBufferPointer(rebasing: $0[pendingOffset...])) }
        switch outcome {
        case .wrote(let n):
            pendingOffset += n
            if pendingOffset == pending.count {
                pending = []
                pendingOffset = 0
                server.loop.setInterest(fd, isReadPaused ? .none : .readable)
                let completion = afterWrite
                afterWrite = .nothing
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
        case .streamChunk:
            if streamInterval > 0 && streamNext < streamCount {
                timerPurpose = .stream
                timer.arm(afterNanos: Int64(streamInterval) * 1_000_000)
            } else {
                writeNextChunk()
            }
        case .responseDone(let status):
            let willClose: Bool
            if case .responding(let persists, _) = machine.state { willClose = !persists || machine.isDraining } else { willClose = true }
            server.responseWritten(self, status: status, willClose: willClose)
            head = nil
            perform(machine.responseWritten())
        case .closeAfter:
            if case .closing(let reason) = machine.state { perform([.beginStagedClose(reason)]) }
        }
    }

    private func pauseReading() {
        isReadPaused = true
        server.loop.setInterest(fd, pending.isEmpty ? .none : .writable)
    }

    private func resumeReading() {
        guard isReadPaused else { return }
        isReadPaused = false
        server.loop.setInterest(fd, pending.isEmpty ? .readable : [.readable, .writable])
    }

    // MARK: Shutdown

    func shutdownRequested() { perform(machine.shutdownRequested()) }
    func shutdownDeadlinePassed() { perform(machine.shutdownDeadlinePassed()) }
}

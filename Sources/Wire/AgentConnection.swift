// One file past 400 lines on purpose: connecting, executing a request and sitting free are phases
// of one socket that share its private state (fd, phase, timers, the response parser); split into
// files, that state would have to be visible to the whole module.

import HTTP1
import Pooling

/// AgentConnection: one socket of the agent's pool. It carries out what the pool decided (connect,
/// send a request, sit free with an idle timer, close) and reports back what happened. It decides
/// nothing about reuse itself: that is `PoolStateMachine`'s job.
///
/// Under a simulated network every byte in and out, and the news of a close, passes through a
/// `DelayLine`, so the agent learns of things half a round trip late, as it would over a real link.
final class AgentConnection: LoopHandler {
    enum Phase { case connecting, handshaking, executing, free, closed }

    let id: ConnectionID
    let origin: HTTPOrigin
    /// `unowned(unsafe)`: the agent owns its connections, and its `deinit` closes every one that is
    /// left (unregistered from the loop, timers released), so no event or timer can reach a freed
    /// agent through here. Plain `unowned` cost an atomic `swift_unownedRetainStrong` and a release
    /// at every use, three times a request (~130 instructions, callgrind). A test drops an agent
    /// with a request in flight.
    private unowned(unsafe) let agent: Agent
    /// The agent's `timeoutMs` in nanoseconds, 0 for none (read at every response byte).
    private let inactivityNanos: Int64
    private let loop: EventLoop
    private(set) var fd: Int32 = -1
    private(set) var phase: Phase = .connecting
    private(set) var connectStarted: Int64 = 0
    private(set) var connectMs: Double?
    private(set) var requestsServed = 0
    /// The loop turn in which the socket last became free, when the readiness that completed its
    /// response said nothing of a close (see `brokenBeforeReuse`); -1 otherwise.
    private var freedInTurn = -1
    /// The last readiness event carried EPOLLRDHUP/EPOLLHUP: the peer's FIN (or an error) is here.
    private var peerClosingSeen = false
    private var parser = ResponseParser()
    private var outbound: DelayLine!
    private var inbound: DelayLine!
    private var pendingWrite: [UInt8] = []
    private var earlyItems: [DelayLine.Item] = []
    private var idleTimer: LoopTimer!
    private var timerPurpose: TimerPurpose = .none
    /// The simulated network this connection lives under, fixed when it was opened.
    let network: SimulatedNetwork

    // The exchange in flight.
    private(set) var request: RequestID?
    private(set) var requestSaidClose = false
    /// The caller reads this response's body; false: it takes the head and leaves the body.
    private(set) var requestReadsBody = true
    /// The response was handed over at its head, its body left unread: the parts that follow it
    /// (already buffered, or arriving before the close) are nobody's.
    private var bodyAbandoned = false
    private(set) var head: HTTPResponseHead?
    private(set) var body: [UInt8] = []
    private(set) var receivedResponseBytes = false
    private(set) var sentAt: Int64?
    private(set) var firstByteAt: Int64?

    private enum TimerPurpose { case none, handshake, inactivity, freeIdle }

    init(id: ConnectionID, origin: HTTPOrigin, agent: Agent, loop: EventLoop) {
        self.id = id
        self.origin = origin
        self.agent = agent
        self.loop = loop
        self.network = agent.network
        inactivityNanos = agent.configuration.timeoutMs.map { Int64(max(0, $0)) * 1_000_000 } ?? 0
        let oneWay = network.oneWayNanos
        outbound = DelayLine(loop: loop, delayNanos: oneWay) { [unowned self] item in
            if case .bytes(let bytes) = item { self.writeNow(bytes) }
        }
        inbound = DelayLine(loop: loop, delayNanos: oneWay) { [unowned self] item in self.delivered(item) }
        idleTimer = LoopTimer(loop: loop) { [unowned self] in self.timerFired() }
    }

    // MARK: Connecting

    /// Starts a non-blocking connect. Failure is reported after the current event, never re-entrantly.
    func connect() {
        connectStarted = loop.now
        do {
            let (fd, isPending) = try Platform.connect(ipv4: origin.host, port: origin.port)
            self.fd = fd
            Platform.setNoDelay(fd)
            if agent.configuration.pool.keepAlive {
                // Node sets SO_KEEPALIVE with keepAliveMsecs on a keep-alive agent's sockets.
                Platform.setTCPKeepAlive(fd, enabled: true, idleSeconds: Int32(max(1, agent.configuration.keepAliveMsecs / 1000)))
            }
            try loop.register(fd, handler: self, interest: isPending ? .writable : .readable)
            if !isPending { loop.afterCurrentEvent { [weak self] in self?.kernelConnected() } }
        } catch {
            let failure: PoolError = error.isConnectionRefused ? .refused : .other(error.description)
            if fd >= 0 { Platform.close(fd); fd = -1 }
            phase = .closed
            loop.afterCurrentEvent { [weak self] in
                guard let self else { return }
                self.agent.connectionFailed(self, error: failure, message: error.description)
            }
        }
    }

    private func kernelConnected() {
        guard phase == .connecting else { return }
        loop.setInterest(fd, .readable)
        let handshake = network.handshakeNanos
        if handshake > 0 {
            // Simulated: SYN → SYN-ACK (and any TLS round trips) before the first byte may leave.
            phase = .handshaking
            timerPurpose = .handshake
            idleTimer.arm(afterNanos: handshake)
        } else {
            established()
        }
    }

    private func established() {
        connectMs = Double(loop.now - connectStarted) / 1e6
        phase = .executing
        agent.connectionEstablished(self)
    }

    /// SO_KEEPALIVE and its idle seconds, read back from the kernel.
    var tcpKeepAlive: (enabled: Bool, idleSeconds: Int32)? { fd >= 0 ? Platform.tcpKeepAlive(fd) : nil }

    // MARK: Executing a request

    /// Checks a free socket before reusing it: EOF, a reset or unsolicited bytes make it unusable.
    /// Under a simulated network the agent knows only what the delay line has delivered (and a
    /// delivered close already retired the socket), so it does not look at the kernel: a FIN that
    /// reached the kernel a moment ago is, in the simulation, still on its way.
    func brokenBeforeReuse() -> CloseReason? {
        guard fd >= 0 else { return .closedByPeerWhileFree }
        if network.isOn || inbound.hasPending { return nil }
        // Freed in this very loop turn (a caller sending its next request from the previous one's
        // completion), by a readiness event without a hang-up (EPOLLRDHUP): when the loop last asked
        // the kernel, moments ago, no FIN had come, and it has not polled since. Skipping the read
        // saves one `read` that fails with EAGAIN per sequential request (one of four system calls:
        // write, read, epoll_wait, and this one). A server that closes right after its response
        // has its FIN seen here whenever it arrived before that poll (a test covers it); sockets
        // that sat free, which a server may have closed meanwhile, are looked at every time.
        if loop.iterations == freedInTurn { return nil }
        switch Platform.read(fd, into: loop.readBuffer) {
        case .wouldBlock: return nil
        case .endOfFile, .failed: return .closedByPeerWhileFree
        case .bytes: return .unsolicitedBytes
        }
    }

    /// Writes `request` (already encoded as `bytes`) and waits for its response.
    func execute(_ id: RequestID, method: String, bytes: [UInt8], saysClose: Bool, readsBody: Bool = true) {
        idleTimer.cancel()
        phase = .executing
        request = id
        requestSaidClose = saysClose
        requestReadsBody = readsBody
        bodyAbandoned = false
        head = nil
        body = []
        receivedResponseBytes = false
        sentAt = nil
        firstByteAt = nil
        // Bytes that arrived before the request was written answer no request of ours: a server
        // never speaks first. Taking them as this request's response would hand out a wrong body.
        if earlyItems.contains(where: { if case .bytes = $0 { true } else { false } }) {
            earlyItems = []
            fail(.unsolicitedResponse)
            return
        }
        // The write comes first, and the tidying after it. From here on the server is working on
        // the request, so what the agent does next overlaps with that instead of delaying it: every
        // instruction before the write is one the response waits for. (Measured against nginx with a
        // minimal C client: 2 µs of work before each write cost 11% of the requests per second;
        // the same 2 µs after it cost nothing.) Nothing read can arrive in between: responses are
        // read in a later turn of the loop, and the parser is ready before `earlyItems` are handed on.
        // With no simulated delay the bytes go straight out: through the delay line they were
        // wrapped in an item and passed to its closure (~180 instructions, callgrind).
        if outbound.deliversNow { writeNow(bytes) } else { outbound.push(.bytes(bytes)) }
        // A write that failed at once (a socket the server reset) is reported to the pool, whose
        // answer (fail or retry the request, close this socket) is carried out after this action:
        // until then the request is still this connection's, and the close disarms the timer.
        parser.reuse()
        parser.expectResponse(toMethod: method)
        armInactivity()
        if !earlyItems.isEmpty {
            let items = earlyItems
            earlyItems = []
            for item in items { delivered(item) }
        }
    }

    /// Simulated (see `AgentRequest.stallMs`): the next segment this connection receives is lost
    /// and resent `resentAfterNanos` later, holding back everything behind it.
    func loseNextSegment(resentAfterNanos: Int64) {
        inbound.loseNext(resentAfterNanos: resentAfterNanos)
    }

    private func writeNow(_ bytes: [UInt8]) {
        guard fd >= 0 else { return }
        if !pendingWrite.isEmpty {
            pendingWrite += bytes
            return
        }
        switch bytes.withUnsafeBytes({ Platform.write(fd, $0) }) {
        case .wrote(let n) where n == bytes.count:
            sentAt = loop.now
        case .wrote(let n):
            pendingWrite = Array(bytes[n...])
            loop.setInterest(fd, [.readable, .writable])
        case .wouldBlock:
            pendingWrite = bytes
            loop.setInterest(fd, [.readable, .writable])
        case .failed(let error):
            // Often a stale socket: the peer closed it. The read side will say the same; report once.
            inbound.push(.failed(error))
        }
    }

    func handleReadiness(readable: Bool, writable: Bool, hangup: Bool) {
        if phase == .connecting {
            guard writable || hangup else { return }
            let code = Platform.pendingError(fd)
            if code != 0 {
                let error = SystemError("connect", code: code)
                phase = .closed
                loop.unregister(fd)
                Platform.close(fd)
                fd = -1
                agent.connectionFailed(self, error: error.isConnectionRefused ? .refused : .other(error.description), message: error.description)
                return
            }
            kernelConnected()
            return
        }
        if writable && !pendingWrite.isEmpty {
            switch pendingWrite.withUnsafeBytes({ Platform.write(fd, $0) }) {
            case .wrote(let n):
                pendingWrite.removeFirst(n)
                if pendingWrite.isEmpty {
                    sentAt = loop.now
                    loop.setInterest(fd, .readable)
                }
            case .wouldBlock: break
            case .failed(let error): inbound.push(.failed(error))
            }
        }
        if readable || hangup {
            peerClosingSeen = hangup
            readAvailable()
        }
    }

    private func readAvailable() {
        while fd >= 0 {
            switch Platform.read(fd, into: loop.readBuffer) {
            case .bytes(let n):
                let bytes = UnsafeRawBufferPointer(rebasing: loop.readBuffer[0..<n])
                if !network.isOn && !inbound.hasPending && phase == .executing && request != nil {
                    // The common case, a response arriving with no simulated delay: parse straight
                    // from the loop's read buffer instead of copying the bytes into a delay-line item.
                    armInactivity()
                    responseBytesArrived(bytes)
                } else {
                    inbound.push(.bytes(Array(bytes)))
                }
                if n < loop.readBuffer.count { return }
            case .endOfFile:
                loop.setInterest(fd, .none)   // nothing more will come; don't spin on EOF
                inbound.push(.endOfFile)
                return
            case .wouldBlock:
                return
            case .failed(let error):
                loop.setInterest(fd, .none)
                inbound.push(.failed(error))
                return
            }
        }
    }

    /// Bytes or a close, as the agent gets to see them (after the simulated delay, if any).
    private func delivered(_ item: DelayLine.Item) {
        switch phase {
        case .closed:
            return
        case .connecting, .handshaking:
            // Something arrived (or the server hung up) before the agent may use the connection,
            // e.g. during a simulated handshake: keep it for the request that follows.
            earlyItems.append(item)
        case .free:
            if !agent.configuration.pool.checksBeforeReuse {
                // A pool that does not watch its free sockets: what arrived waits for the next
                // request on this socket, which then meets the close (or reads the stray bytes).
                earlyItems.append(item)
            }
            switch item {
            case .bytes: agent.freeSocketReceivedUnsolicitedBytes(self)
            case .endOfFile, .failed: agent.freeSocketClosedByPeer(self)
            }
        case .executing:
            guard request != nil else { return }
            armInactivity()
            switch item {
            case .bytes(let bytes):
                bytes.withUnsafeBytes { responseBytesArrived($0) }
            case .endOfFile:
                do {
                    // The close may complete a response that runs until close (RFC 9112 §6.3).
                    if let part = try parser.inputEnded() {
                        take(part)
                        while request != nil, let more = try parser.next() { take(more) }
                    }
                    if request != nil { fail(.closedBeforeResponse) }
                } catch {
                    // Cut off (the parser knew more was to come) is not the same failure as garbage.
                    fail(error.kind == .unexpectedEOF ? .truncatedResponse(error.description) : .malformedResponse(error.description))
                }
            case .failed(let error):
                fail(error.isConnectionReset ? .reset : .other(error.description))
            }
        }
    }

    /// Response bytes for the request in flight (after the simulated delay, if any).
    private func responseBytesArrived(_ bytes: UnsafeRawBufferPointer) {
        if firstByteAt == nil { firstByteAt = loop.now }
        receivedResponseBytes = true
        parser.append(bytes)
        parseResponse()
    }

    private func parseResponse() {
        do {
            while request != nil, let part = try parser.next() { take(part) }
        } catch {
            fail(.malformedResponse(error.description))
        }
    }

    private func take(_ part: ResponsePart) {
        switch part {
        case .head(let h, let framing):
            head = h
            // A caller that leaves the body unread is done with the response at its head. Only a
            // body empty by its framing leaves nothing behind; the parts of the body already here
            // (and any still coming) are the caller's to ignore, so the socket cannot be reused.
            if !requestReadsBody, framing != .none, framing != .contentLength(0) {
                bodyAbandoned = true
                completeResponse(head: h, closeDelimited: framing == .untilClose, bodyUnread: true)
            }
        case .body(let bytes):
            if bodyAbandoned { return }
            // Most bodies arrive in one piece: take that array as it is rather than copy it.
            if body.isEmpty { body = bytes } else { body += bytes }
        case .end(let closeDelimited):
            guard let head, !bodyAbandoned else { return }
            completeResponse(head: head, closeDelimited: closeDelimited, bodyUnread: false)
        }
    }

    /// The response is done for the caller (at its end, or at its head when the body is left
    /// unread): tells the agent whether the socket may carry another request.
    private func completeResponse(head: HTTPResponseHead, closeDelimited: Bool, bodyUnread: Bool) {
        requestsServed += 1
        idleTimer.cancel()
        timerPurpose = .none
        // RFC 9112 §9.3: reusable only if neither side said close and the body had a length.
        // What the head's Connection and Keep-Alive fields said, as the parser noted them.
        let fields = parser.connectionFields
        let persists = !closeDelimited && !requestSaidClose && fields.persists(version: head.version)
        let hint = fields.keepAliveFieldIndex.flatMap { KeepAliveHint(headerValue: head.headers.value(at: $0)) }
        // Bytes after the end of the response that nobody asked for: the socket can't be trusted.
        let hasUnsolicitedBytes = parser.bufferedByteCount > 0
        agent.responseCompleted(self, isKeepAlive: persists, hint: hint, bodyUnread: bodyUnread)
        if hasUnsolicitedBytes && phase == .free { agent.freeSocketReceivedUnsolicitedBytes(self) }
    }

    private func fail(_ error: PoolError) {
        guard request != nil else { return }
        idleTimer.cancel()
        agent.requestFailed(self, error: error, receivedResponseBytes: receivedResponseBytes)
    }

    /// The pool took the response: hands over its head and body (moved, not copied: a copy
    /// retained and later released each of their arrays and strings) and forgets the exchange.
    func finishExchange() -> (head: HTTPResponseHead?, body: [UInt8]) {
        request = nil
        var taken: (head: HTTPResponseHead?, body: [UInt8]) = (nil, [])
        swap(&taken.head, &head)
        swap(&taken.body, &body)
        return taken
    }

    // MARK: Free and closing

    func becameFree() {
        phase = .free
        request = nil
        freedInTurn = peerClosingSeen ? -1 : loop.iterations
        // Bytes after the response (unsolicited, reported by the caller) are dropped with the parser.
        // Otherwise the parser is left as it is: `execute` resets it for the next request.
        if parser.bufferedByteCount > 0 { parser = ResponseParser() }
    }

    /// Arms the free socket's idle timer to expire at `deadline` (loop clock, ns).
    func scheduleIdleTimeout(at deadline: Int64) {
        timerPurpose = .freeIdle
        idleTimer.arm(at: deadline)
    }

    func cancelIdleTimeout() {
        if timerPurpose == .freeIdle {
            idleTimer.cancel()
            timerPurpose = .none
        }
    }

    private func armInactivity() {
        guard inactivityNanos > 0 else { return }
        timerPurpose = .inactivity
        idleTimer.arm(afterNanos: inactivityNanos)
    }

    private func timerFired() {
        switch timerPurpose {
        case .none: return
        case .handshake:
            timerPurpose = .none
            if phase == .handshaking { established() }
        case .inactivity:
            timerPurpose = .none
            agent.socketTimedOut(self)
        case .freeIdle:
            timerPurpose = .none
            agent.idleTimeoutFired(self)
        }
    }

    func close() {
        phase = .closed
        request = nil
        idleTimer.release()   // its heap entry must not keep this connection alive
        outbound.cancel()
        inbound.cancel()
        if fd >= 0 {
            loop.unregister(fd)
            Platform.close(fd)
            fd = -1
        }
    }
}

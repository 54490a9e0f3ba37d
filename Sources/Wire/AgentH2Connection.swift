// One HTTP/2 connection of the agent (`protocol=h2`: cleartext with prior knowledge, RFC 9113
// §3.3). IO only: it connects, writes and reads, and carries out what `H2ClientConnection`
// decides (which request gets which stream, how many at once, what failed and whether it was
// processed). What becomes of each request is `AgentH2Pool`'s.
import HPACK
import HTTP2

final class AgentH2Connection: LoopHandler {
    enum Phase { case connecting, handshaking, open, closed }

    let id: Int
    let origin: HTTPOrigin
    private unowned let pool: AgentH2Pool
    private let loop: EventLoop
    private(set) var fd: Int32 = -1
    private(set) var phase: Phase = .connecting
    private(set) var machine: H2ClientConnection
    private(set) var connectStarted: Int64 = 0
    private(set) var connectMs: Double?
    /// Still taking new requests (no GOAWAY, not retired after a refused stream).
    var isAcceptingRequests = true
    /// Requests handed to this connection, for "reused" (a stream after the first).
    private(set) var requestsTaken = 0
    private(set) var responsesCompleted = 0
    private var output: [UInt8] = []
    private var isWritePending = false
    /// Actions reported while others were being carried out, in order (a completion that sends a
    /// request must not write its HEADERS before frames the machine produced earlier).
    private var backlog: [H2ClientAction] = []
    private var isPerforming = false
    private var outbound: DelayLine!
    private var inbound: DelayLine!
    private var handshakeTimer: LoopTimer!
    /// The agent's `timeout` (socket inactivity while requests are in flight), 0 for none.
    private let inactivityNanos: Int64
    private var inactivityTimer: LoopTimer?
    /// The inactivity timer fired: the requests in flight fail with `timedOut`.
    private(set) var isTimedOut = false
    let network: SimulatedNetwork
    /// A slow reader (`AgentConfiguration.h2ReadDelayMs`): DATA bytes are taken, and given back to
    /// the server's windows, this long after they arrive. 0: at once (the machine's own updates).
    private let readDelayNanos: Int64
    /// Bytes received and not yet taken, in arrival order.
    private var unread: [(due: Int64, stream: StreamID, count: Int)] = []
    private var unreadHead = 0
    private var readTimer: LoopTimer?

    init(id: Int, origin: HTTPOrigin, pool: AgentH2Pool, loop: EventLoop, configuration: H2Configuration, streamsBeforeSettings: Int,
         network: SimulatedNetwork, timeoutMs: Int?, readDelayNanos: Int64 = 0) {
        self.id = id
        self.readDelayNanos = readDelayNanos
        self.origin = origin
        self.pool = pool
        self.loop = loop
        self.network = network
        machine = H2ClientConnection(configuration: configuration, streamsBeforeSettings: streamsBeforeSettings)
        inactivityNanos = timeoutMs.map { Int64(max(0, $0)) * 1_000_000 } ?? 0
        let oneWay = network.oneWayNanos
        outbound = DelayLine(loop: loop, delayNanos: oneWay) { [unowned self] item in
            if case .bytes(let bytes) = item { self.writeNow(bytes) }
        }
        inbound = DelayLine(loop: loop, delayNanos: oneWay) { [unowned self] item in self.delivered(item) }
        handshakeTimer = LoopTimer(loop: loop) { [unowned self] in
            if self.phase == .handshaking { self.established() }
        }
        if inactivityNanos > 0 {
            inactivityTimer = LoopTimer(loop: loop) { [unowned self] in self.inactivityFired() }
        }
        if readDelayNanos > 0 { readTimer = LoopTimer(loop: loop) { [unowned self] in self.takeDueBytes() } }
    }

    /// Simulated (see `AgentRequest.stallMs`): the next segment this connection receives is lost
    /// and resent `resentAfterNanos` later; TCP delivers nothing behind it before, whichever
    /// stream the bytes belong to.
    func loseNextSegment(resentAfterNanos: Int64) {
        inbound.loseNext(resentAfterNanos: resentAfterNanos)
    }

    /// A slow reader takes `count` bytes of `stream` `readDelayNanos` from now.
    private func takeLater(_ stream: StreamID, _ count: Int) {
        guard let readTimer, count > 0 else { return }
        unread.append((loop.now + readDelayNanos, stream, count))
        if unread.count - unreadHead == 1 { readTimer.arm(at: unread[unreadHead].due) }
    }

    /// The bytes whose time has come are taken: the machine gives them back with WINDOW_UPDATE.
    private func takeDueBytes() {
        guard phase == .open else { return }
        let now = loop.now
        var actions: [H2ClientAction] = []
        while unreadHead < unread.count, unread[unreadHead].due <= now {
            let item = unread[unreadHead]
            unreadHead += 1
            actions += machine.dataConsumed(stream: item.stream, count: item.count)
        }
        if unreadHead == unread.count {
            unread.removeAll(keepingCapacity: true)
            unreadHead = 0
        } else {
            readTimer?.arm(at: unread[unreadHead].due)
        }
        perform(actions)
    }

    /// Re-armed by every read while requests are in flight, stopped when none is left.
    private func noteActivity() {
        guard let inactivityTimer else { return }
        if openStreams > 0 || queued > 0 {
            inactivityTimer.arm(afterNanos: inactivityNanos)
        } else {
            inactivityTimer.cancel()
        }
    }

    private func inactivityFired() {
        guard phase != .closed, openStreams > 0 || queued > 0 else { return }
        isTimedOut = true
        closeNow(reason: "timed out")
    }

    var openStreams: Int { machine.openStreamCount }
    var queued: Int { machine.queuedCount }
    var streamsOpened: Int { machine.streamsOpened }
    var peakStreams: Int { machine.peakOpenStreams }
    /// The server's SETTINGS_MAX_CONCURRENT_STREAMS, once known.
    var serverStreamLimit: Int? { machine.connection.peerMaxConcurrentStreams }

    // MARK: Connecting

    func connect() {
        connectStarted = loop.now
        do {
            let (fd, isPending) = try Platform.connect(ipv4: origin.host, port: origin.port)
            self.fd = fd
            Platform.setNoDelay(fd)
            try loop.register(fd, handler: self, interest: isPending ? .writable : .readable)
            if !isPending { loop.afterCurrentEvent { [weak self] in self?.kernelConnected() } }
        } catch {
            if fd >= 0 { Platform.close(fd); fd = -1 }
            phase = .closed
            let refused = error.isConnectionRefused
            loop.afterCurrentEvent { [weak self] in
                guard let self else { return }
                self.pool.connectFailed(self, refused: refused, message: error.description)
            }
        }
    }

    private func kernelConnected() {
        guard phase == .connecting else { return }
        loop.setInterest(fd, .readable)
        let handshake = network.handshakeNanos
        if handshake > 0 {
            phase = .handshaking
            handshakeTimer.arm(afterNanos: handshake)
        } else {
            established()
        }
    }

    private func established() {
        connectMs = Double(loop.now - connectStarted) / 1e6
        phase = .open
        pool.connected(self)
        perform(machine.start())
        // What arrived during a simulated handshake (the server's SETTINGS, say) is read now,
        // after our preface: the machine must not answer before it has started.
        let early = earlyItems
        earlyItems = []
        for item in early where phase == .open { delivered(item) }
    }
    private var earlyItems: [DelayLine.Item] = []

    // MARK: Requests

    func submit(_ request: H2Request, tag: Int) {
        requestsTaken += 1
        perform(machine.send(request, tag: tag))
        noteActivity()
    }

    func cancel(tag: Int) { perform(machine.cancel(tag: tag)) }

    /// Carries out the machine's actions in order; frames are written once the batch is done.
    private func perform(_ actions: [H2ClientAction]) {
        guard !isPerforming else {
            backlog += actions
            return
        }
        isPerforming = true
        var closing: H2Error?? = nil
        var batch = actions
        while true {
            for action in batch {
                switch action {
                case .sendPreface: output += H2Connection.clientPreface
                case .send(let frame): frame.encode(into: &output)
                case .started(let tag, let stream): pool.started(tag, stream: stream, on: self)
                case .response(let tag, let stream, let status, let fields, _): pool.head(tag, stream: stream, status: status, fields: fields)
                case .data(let tag, let stream, let bytes, _):
                    pool.body(tag, bytes)
                    if readDelayNanos > 0 { takeLater(stream, bytes.count) }
                case .trailers: break
                case .finished(let tag, _):
                    responsesCompleted += 1
                    pool.finished(tag, on: self)
                case .failed(let tag, let stream, let failure): pool.failed(tag, stream: stream, failure, on: self)
                case .wentAway(let last, let code):
                    isAcceptingRequests = false
                    pool.wentAway(self, lastStream: last, code)
                case .close(let error): closing = .some(error)
                }
            }
            if backlog.isEmpty { break }
            batch = backlog
            backlog = []
        }
        isPerforming = false
        flush()
        if case .some(let error) = closing {
            let reason = error.map { "HTTP/2 \($0.code): \($0.detail)" } ?? (machine.goAway.map { "server GOAWAY \($0.code)" } ?? "closed by the agent")
            finishClosing(reason: reason)
        }
    }

    private func flush() {
        guard !output.isEmpty, fd >= 0 else { return }
        let bytes = output
        output = []
        if outbound.deliversNow { writeNow(bytes) } else { outbound.push(.bytes(bytes)) }
    }

    private func writeNow(_ bytes: [UInt8]) {
        guard fd >= 0 else { return }
        if isWritePending {
            pendingWrite += bytes
            return
        }
        switch bytes.withUnsafeBytes({ Platform.write(fd, $0) }) {
        case .wrote(let n) where n == bytes.count:
            break
        case .wrote(let n):
            pendingWrite = Array(bytes[n...])
            isWritePending = true
            loop.setInterest(fd, [.readable, .writable])
        case .wouldBlock:
            pendingWrite = bytes
            isWritePending = true
            loop.setInterest(fd, [.readable, .writable])
        case .failed(let error):
            inbound.push(.failed(error))
        }
    }
    private var pendingWrite: [UInt8] = []

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
                pool.connectFailed(self, refused: error.isConnectionRefused, message: error.description)
                return
            }
            kernelConnected()
            return
        }
        if writable && isWritePending {
            switch pendingWrite.withUnsafeBytes({ Platform.write(fd, $0) }) {
            case .wrote(let n):
                pendingWrite.removeFirst(n)
                if pendingWrite.isEmpty {
                    isWritePending = false
                    loop.setInterest(fd, .readable)
                }
            case .wouldBlock: break
            case .failed(let error): inbound.push(.failed(error))
            }
        }
        if readable || hangup { readAvailable() }
    }

    private func readAvailable() {
        while fd >= 0 {
            switch Platform.read(fd, into: loop.readBuffer) {
            case .bytes(let n):
                let bytes = Array(UnsafeRawBufferPointer(rebasing: loop.readBuffer[0..<n]))
                if inbound.deliversNow { delivered(.bytes(bytes)) } else { inbound.push(.bytes(bytes)) }
                if n < loop.readBuffer.count { return }
            case .endOfFile:
                loop.setInterest(fd, .none)
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

    private func delivered(_ item: DelayLine.Item) {
        if phase == .handshaking || phase == .connecting {
            earlyItems.append(item)
            return
        }
        guard phase == .open else { return }
        switch item {
        case .bytes(let bytes):
            perform(machine.receivedBytes(bytes))
            noteActivity()
        case .endOfFile:
            let reason = machine.goAway.map { "server GOAWAY \($0.code), then closed" } ?? "closed by the server"
            perform(machine.connectionLost(reason))
            finishClosing(reason: reason)
        case .failed(let error):
            let reason = error.isConnectionReset ? "connection reset by peer" : error.description
            perform(machine.connectionLost(reason))
            finishClosing(reason: reason)
        }
    }

    /// Ends the connection from our side (the agent is destroyed, or idle after GOAWAY).
    func closeNow(reason: String) {
        guard phase != .closed else { return }
        perform(machine.close())
        finishClosing(reason: reason)
    }

    private func finishClosing(reason: String) {
        guard phase != .closed else { return }
        release()
        pool.closed(self, reason: reason)
    }

    /// Lets go of the socket and the timers without telling anyone (the agent's deinit); a close
    /// that the pool hears of is `finishClosing`.
    func release() {
        phase = .closed
        outbound.cancel()
        inbound.cancel()
        handshakeTimer.release()
        readTimer?.release()
        inactivityTimer?.release()
        if fd >= 0 {
            loop.unregister(fd)
            Platform.close(fd)
            fd = -1
        }
    }
}

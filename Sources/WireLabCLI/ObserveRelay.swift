import Wire

/// `observe --rtt D`: a simulated round trip between an outside client and the lab server. The
/// client connects to this relay's port; each connection is passed to the server on a connection of
/// its own (so the server's connection #n is the client's nth), with every byte and every FIN
/// delayed by half the RTT in each direction, and the first bytes of a connection by one RTT more:
/// the TCP handshake the kernel completed at once on loopback. The server's side is connected
/// half an RTT after the client's, when its SYN would have arrived, so opens and closes reach the
/// server in the order a real network would deliver them. So a request on a new connection
/// costs two RTTs and one on a reused connection one, as over a real network. A simulation: the
/// report says so; the client's own connect time still measures about zero.
final class ObserveRelay: LoopHandler {
    let loop: EventLoop
    let upstreamPort: UInt16
    let oneWayNanos: Int64
    private(set) var port: UInt16 = 0
    private var listenFD: Int32 = -1
    private var pairs: [ObjectIdentifier: RelayPair] = [:]

    init(loop: EventLoop, upstreamPort: UInt16, port: UInt16, rttMs: Double) throws(SystemError) {
        self.loop = loop
        self.upstreamPort = upstreamPort
        oneWayNanos = Int64(rttMs * 500_000)
        let (fd, chosen) = try Platform.listenLoopback(port: port)
        listenFD = fd
        self.port = chosen
        try loop.register(fd, handler: self, interest: .readable)
    }

    func handleReadiness(readable: Bool, writable: Bool, hangup: Bool) {
        while listenFD >= 0 {
            let fd = Platform.accept(listenFD)
            if fd < 0 { return }
            Platform.setNoDelay(fd)
            let pair = RelayPair(relay: self, clientFD: fd)
            do {
                try pair.start()
                pairs[ObjectIdentifier(pair)] = pair
            } catch {
                Platform.abort(fd)
            }
        }
    }

    func finished(_ pair: RelayPair) { pairs.removeValue(forKey: ObjectIdentifier(pair)) }

    func stopAccepting() {
        guard listenFD >= 0 else { return }
        loop.unregister(listenFD)
        Platform.close(listenFD)
        listenFD = -1
    }

    /// Stops accepting and drops every connection still relayed.
    func close() {
        stopAccepting()
        for pair in Array(pairs.values) { pair.tearDown(abort: false) }
    }
}

/// One client connection and its connection to the server.
final class RelayPair {
    unowned let relay: ObserveRelay
    let client: RelaySide
    let upstream: RelaySide
    private var done = false

    init(relay: ObserveRelay, clientFD: Int32) {
        self.relay = relay
        client = RelaySide(fd: clientFD, loop: relay.loop)
        upstream = RelaySide(fd: -1, loop: relay.loop)
        client.pair = self
        upstream.pair = self
        client.peer = upstream
        upstream.peer = client
        // The handshake's round trip, paid by the first bytes towards the server.
        upstream.extraDelayForFirst = relay.oneWayNanos * 2
    }

    /// Reads the client now; connects to the server half an RTT later, when its SYN would arrive.
    func start() throws(SystemError) {
        try relay.loop.register(client.fd, handler: client, interest: .readable)
        connectTimer = relay.loop.schedule(afterNanos: relay.oneWayNanos) { [weak self] in self?.connectUpstream() }
    }

    private var connectTimer: LoopTimer?

    private func connectUpstream() {
        guard !done else { return }
        do {
            let (fd, _) = try Platform.connect(ipv4: "127.0.0.1", port: relay.upstreamPort)
            Platform.setNoDelay(fd)
            upstream.fd = fd
            try relay.loop.register(fd, handler: upstream, interest: [.readable, .writable])
        } catch {
            tearDown(abort: true)
        }
    }

    /// Both directions ended (each side sent its FIN and it was passed on), or one failed.
    func sideFinished() {
        if client.inputEnded && upstream.inputEnded && client.outputFlushed && upstream.outputFlushed { tearDown(abort: false) }
    }

    func tearDown(abort: Bool) {
        guard !done else { return }
        done = true
        connectTimer?.cancel()
        for side in [client, upstream] {
            side.timer?.cancel()
            guard side.fd >= 0 else { continue }
            relay.loop.unregister(side.fd)
            if abort { Platform.abort(side.fd) } else { Platform.close(side.fd) }
        }
        relay.finished(self)
    }
}

/// One socket of a pair: what it reads goes to its peer, late; what the peer read it writes.
final class RelaySide: LoopHandler {
    var fd: Int32
    let loop: EventLoop
    weak var pair: RelayPair?
    weak var peer: RelaySide?
    /// Bytes (nil: the end of the stream) to write here, each not before its time.
    private var queue: [(due: Int64, bytes: [UInt8]?)] = []
    private var pending: [UInt8] = []
    private var endPending = false
    private(set) var inputEnded = false
    private(set) var outputFlushed = false
    var extraDelayForFirst: Int64 = 0
    var timer: LoopTimer?
    private var connected = false
    private var wantsWrite = false

    init(fd: Int32, loop: EventLoop) {
        self.fd = fd
        self.loop = loop
    }

    /// Queues what the peer read, to be written here after the one-way delay.
    func deliver(_ bytes: [UInt8]?, oneWay: Int64) {
        let delay = oneWay + extraDelayForFirst
        extraDelayForFirst = 0
        queue.append((max(loop.now + delay, queue.last?.due ?? 0), bytes))
        if queue.count == 1 { armTimer() }
    }

    private func armTimer() {
        guard let first = queue.first else { return }
        let wait = max(0, first.due - loop.now)
        timer = loop.schedule(afterNanos: wait) { [weak self] in self?.releaseDue() }
    }

    private func releaseDue() {
        let now = loop.now
        while let first = queue.first, first.due <= now {
            queue.removeFirst()
            if let bytes = first.bytes { pending += bytes } else { endPending = true }
        }
        flush()
        if !queue.isEmpty { armTimer() }
    }

    private func flush() {
        guard fd >= 0 else { return }   // the server side, not connected yet: it flushes when it is
        guard connected || pair?.client === self else {
            setWriteInterest(true)
            return
        }
        while !pending.isEmpty {
            let outcome = pending.withUnsafeBytes { Platform.write(fd, $0) }
            switch outcome {
            case .wrote(let n): pending.removeFirst(n)
            case .wouldBlock: setWriteInterest(true); return
            case .failed: pair?.tearDown(abort: true); return
            }
        }
        setWriteInterest(false)
        if endPending && !outputFlushed {
            Platform.shutdownWrite(fd)
            outputFlushed = true
            pair?.sideFinished()
        }
    }

    private func setWriteInterest(_ on: Bool) {
        guard on != wantsWrite, fd >= 0 else { return }
        wantsWrite = on
        loop.setInterest(fd, on ? [.readable, .writable] : (inputEnded ? .none : .readable))
    }

    func handleReadiness(readable: Bool, writable: Bool, hangup: Bool) {
        if writable && !connected && pair?.client !== self {
            if Platform.pendingError(fd) != 0 { pair?.tearDown(abort: true); return }
            connected = true
            wantsWrite = true   // registered with both
            flush()
            guard pair != nil else { return }
        } else if writable {
            flush()
        }
        guard readable || hangup, !inputEnded, let pair else { return }
        let oneWay = pair.relay.oneWayNanos
        while true {
            switch Platform.read(fd, into: loop.readBuffer) {
            case .bytes(let n):
                peer?.deliver(Array(UnsafeRawBufferPointer(rebasing: loop.readBuffer[..<n])), oneWay: oneWay)
            case .endOfFile:
                inputEnded = true
                if !wantsWrite { loop.setInterest(fd, .none) }
                peer?.deliver(nil, oneWay: oneWay)
                return
            case .wouldBlock:
                return
            case .failed:
                pair.tearDown(abort: true)
                return
            }
        }
    }
}

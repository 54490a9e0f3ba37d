/// RawConnection: a plain TCP socket on the event loop, with no HTTP in it. Lessons use it to put
/// exact bytes on the wire and show exactly what comes back; tests use it to misbehave on purpose.
public final class RawConnection: LoopHandler {
    public enum State: Equatable, Sendable {
        case connecting
        case open
        /// The peer sent FIN; we may still write.
        case peerClosed
        /// We closed (or aborted) it.
        case closed
        case failed(SystemError)
    }

    private let loop: EventLoop
    public private(set) var fd: Int32 = -1
    public private(set) var state: State = .connecting
    /// Everything received so far (callers may `take` it).
    public private(set) var received: [UInt8] = []
    /// When the connection was established and when the peer's FIN arrived (loop clock, ns).
    public private(set) var connectedAt: Int64?
    public private(set) var peerClosedAt: Int64?
    private var pending: [UInt8] = []
    /// Called on the loop thread whenever bytes arrive or the state changes.
    public var onChange: (() -> Void)?

    public init(loop: EventLoop) {
        self.loop = loop
    }

    /// A connection let go of while its socket is open closes the socket. While it is registered
    /// the loop holds it, so this runs once it was unregistered or its loop closed: a test or a
    /// lesson that forgot to close it does not leave a socket in CLOSE_WAIT for the rest of the
    /// process (one such socket, connected to a port a later test's server reused, was counted
    /// as that server's).
    deinit {
        if fd >= 0 { Platform.close(fd) }
    }

    /// Starts connecting to 127.0.0.1:`port` (or another IPv4 `host`).
    public func connect(host: String = "127.0.0.1", port: UInt16) {
        do {
            let (fd, isPending) = try Platform.connect(ipv4: host, port: port)
            self.fd = fd
            Platform.setNoDelay(fd)
            try loop.register(fd, handler: self, interest: isPending ? .writable : .readable)
            if !isPending { established() }
        } catch {
            if fd >= 0 { Platform.close(fd) }
            fd = -1
            state = .failed(error)
            onChange?()
        }
    }

    public var isOpen: Bool { state == .open || state == .peerClosed }
    public var text: String { String(decoding: received, as: UTF8.self) }

    /// Queues `bytes` and writes as much as the socket takes now.
    public func send(_ bytes: [UInt8]) {
        pending += bytes
        if state == .open || state == .peerClosed { flush() }
    }

    public func send(_ text: String) { send(Array(text.utf8)) }

    /// Removes and returns what has been received so far.
    public func take() -> [UInt8] {
        defer { received.removeAll() }
        return received
    }

    /// Puts bytes back at the front of what was received (a reader took more than it wanted).
    public func putBack(_ bytes: [UInt8]) {
        received = bytes + received
    }

    /// Half-close: send FIN after everything queued has been written, keep reading.
    public func shutdownWrite() {
        guard fd >= 0 else { return }
        if state == .connecting || !pending.isEmpty {
            wantsShutdown = true   // done by flush() once the queue is empty
            return
        }
        Platform.shutdownWrite(fd)
    }

    private var wantsShutdown = false

    /// Closes normally (FIN).
    public func close() {
        guard fd >= 0 else { return }
        loop.unregister(fd)
        Platform.close(fd)
        fd = -1
        state = .closed
        onChange?()
    }

    /// Closes with a reset (RST) instead of a FIN.
    public func abort() {
        guard fd >= 0 else { return }
        loop.unregister(fd)
        Platform.abort(fd)
        fd = -1
        state = .closed
        onChange?()
    }

    public func handleReadiness(readable: Bool, writable: Bool, hangup: Bool) {
        if state == .connecting {
            guard writable || hangup else { return }
            let error = Platform.pendingError(fd)
            if error != 0 {
                fail(SystemError("connect", code: error))
                return
            }
            established()
        }
        if writable && !pending.isEmpty { flush() }
        if readable || hangup { readAvailable() }
    }

    private func established() {
        state = .open
        connectedAt = loop.now
        loop.setInterest(fd, pending.isEmpty ? .readable : [.readable, .writable])
        if !pending.isEmpty { flush() } else if wantsShutdown { shutdownWrite() }
        onChange?()
    }

    private func readAvailable() {
        while fd >= 0 {
            switch Platform.read(fd, into: loop.readBuffer) {
            case .bytes(let n):
                received.append(contentsOf: UnsafeRawBufferPointer(rebasing: loop.readBuffer[0..<n]))
                onChange?()
            case .endOfFile:
                if state == .open {
                    state = .peerClosed
                    peerClosedAt = loop.now
                }
                // Nothing more will arrive: stop listening for readability, or the loop spins.
                loop.setInterest(fd, pending.isEmpty ? .none : .writable)
                onChange?()
                return
            case .wouldBlock:
                return
            case .failed(let error):
                fail(error)
                return
            }
        }
    }

    private func flush() {
        guard fd >= 0, !pending.isEmpty else { return }
        let outcome = pending.withUnsafeBytes { Platform.write(fd, $0) }
        switch outcome {
        case .wrote(let n):
            pending.removeFirst(n)
            if pending.isEmpty && wantsShutdown {
                wantsShutdown = false
                Platform.shutdownWrite(fd)
            }
            let wantRead = state == .open
            loop.setInterest(fd, pending.isEmpty ? (wantRead ? .readable : .none) : (wantRead ? [.readable, .writable] : .writable))
        case .wouldBlock:
            loop.setInterest(fd, [.readable, .writable])
        case .failed(let error):
            fail(error)
        }
    }

    private func fail(_ error: SystemError) {
        if fd >= 0 {
            loop.unregister(fd)
            Platform.close(fd)
            fd = -1
        }
        state = .failed(error)
        onChange?()
    }
}

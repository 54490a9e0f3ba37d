/// SimulatedNetwork: a round-trip time applied between the agent and whatever it talks to.
///
/// This is a simulation, and everything that shows it says so. On loopback a round trip takes a few
/// microseconds, so a lesson about handshake cost would measure nothing; with this on, the agent
/// behaves as if each direction took `rtt / 2`:
///
/// - A new TCP connection is usable after **one** RTT: SYN goes out, SYN-ACK comes back, and the
///   client's ACK travels together with the first request. (Not two, as some articles claim.)
/// - A TLS handshake, when `tlsRoundTrips` is 1 (TLS 1.3) or 2 (TLS 1.2), adds that many RTTs
///   before the request can leave. No encryption happens; only the waiting is modelled.
/// - Every request/response exchange costs one RTT: the request bytes leave `rtt/2` late and the
///   response bytes arrive `rtt/2` late. So does news of a close: a server's FIN reaches the agent
///   half an RTT after the server sent it, which is how the stale-connection race becomes visible.
///
/// The delays are event-loop timers; no thread sleeps.
public struct SimulatedNetwork: Sendable, Equatable, CustomStringConvertible {
    public var rttMs: Double
    public var tlsRoundTrips: Int

    public init(rttMs: Double = 0, tlsRoundTrips: Int = 0) {
        self.rttMs = rttMs
        self.tlsRoundTrips = tlsRoundTrips
    }

    public static let off = SimulatedNetwork()

    public var isOn: Bool { rttMs > 0 }
    var oneWayNanos: Int64 { Int64(rttMs * 500_000) }
    /// What must pass between the kernel's connect completing and the first request leaving.
    var handshakeNanos: Int64 { Int64(rttMs * 1_000_000) * Int64(1 + tlsRoundTrips) }

    public var description: String {
        guard isOn else { return "off" }
        var text = "simulated RTT \(rttMs)ms"
        if tlsRoundTrips > 0 { text += " + TLS \(tlsRoundTrips)-RTT handshake" }
        return text
    }
}

/// DelayLine: bytes (or an end-of-stream) that become visible only after a fixed delay, in order.
/// With a zero delay it delivers synchronously.
///
/// A simulated loss (`loseNext`): the next item pushed stands for a TCP segment that was lost and
/// resent, so it arrives that much later, and so does everything pushed after it until then,
/// because TCP hands the application its bytes in order: a segment that arrived behind a hole
/// waits in the kernel until the hole is filled. That is TCP's head-of-line blocking, and it is
/// why one lost segment on an HTTP/2 connection delays every stream on it.
final class DelayLine {
    enum Item { case bytes([UInt8]), endOfFile, failed(SystemError) }

    private var queue: [(due: Int64, item: Item)] = []
    private var head = 0
    private let loop: EventLoop
    private let delay: Int64
    private let deliver: (Item) -> Void
    private lazy var timer = LoopTimer(loop: loop) { [unowned self] in self.deliverDue() }
    /// Above 0: the next item pushed is lost and resent this many nanoseconds after it would have arrived.
    private var lossArmedNanos: Int64 = 0
    /// Nothing is delivered before this instant (the resent segment's arrival); 0: no hold.
    private var holdUntil: Int64 = 0

    init(loop: EventLoop, delayNanos: Int64, deliver: @escaping (Item) -> Void) {
        self.loop = loop
        self.delay = delayNanos
        self.deliver = deliver
    }

    var hasPending: Bool { head < queue.count }
    /// An item pushed now would be delivered at once: no delay, nothing ahead of it.
    var deliversNow: Bool { delay <= 0 && head == queue.count }

    func push(_ item: Item) {
        if deliversNow {
            deliver(item)
            return
        }
        var due = loop.now + delay
        if lossArmedNanos > 0 {
            holdUntil = due + lossArmedNanos
            lossArmedNanos = 0
        }
        if holdUntil > 0 { due = max(due, holdUntil) }
        queue.append((due, item))
        if queue.count - head == 1 { timer.arm(at: queue[head].due) }
    }

    /// Simulated: the next item pushed is lost, and its retransmission arrives `resentAfterNanos`
    /// after the item would have; every item pushed before then waits behind it. Only for a line
    /// with a delay (under the simulated network): a line without one delivers as it is pushed.
    func loseNext(resentAfterNanos: Int64) {
        guard delay > 0, resentAfterNanos > 0 else { return }
        lossArmedNanos = resentAfterNanos
    }

    func cancel() {
        queue.removeAll()
        head = 0
        lossArmedNanos = 0
        holdUntil = 0
        timer.cancel()
    }

    private func deliverDue() {
        let now = loop.now
        while head < queue.count, queue[head].due <= now {
            let item = queue[head].item
            head += 1
            deliver(item)
        }
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
            // The resent segment is in and nothing waits behind it: later items keep their own delay.
            if holdUntil <= now { holdUntil = 0 }
        } else {
            timer.arm(at: queue[head].due)
        }
    }
}

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
final class DelayLine {
    enum Item { case bytes([UInt8]), endOfFile, failed(SystemError) }

    private var queue: [(due: Int64, item: Item)] = []
    private var head = 0
    private let loop: EventLoop
    private let delay: Int64
    private let deliver: (Item) -> Void
    private lazy var timer = LoopTimer(loop: loop) { [unowned self] in self.deliverDue() }

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
        queue.append((loop.now + delay, item))
        if queue.count - head == 1 { timer.arm(at: queue[head].due) }
    }

    func cancel() {
        queue.removeAll()
        head = 0
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
        } else {
            timer.arm(at: queue[head].due)
        }
    }
}

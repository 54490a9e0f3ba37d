import Wire

/// Latencies of one benchmark phase and how long it took, reduced to the figures people compare.
public struct BenchFigures {
    public var completed: Int
    public var failed: Int
    public var elapsedNanos: Int64
    /// Per request, from submission to the end of the response, sorted ascending (ms).
    public var latenciesMs: [Double]
    /// Connections the agent opened during the phase.
    public var connectionsOpened: Int
    /// The first error seen, if any request failed.
    public var firstError: AgentError?

    public var requestsPerSecond: Double { elapsedNanos > 0 ? Double(completed) / (Double(elapsedNanos) / 1e9) : 0 }
    public var p50: Double { percentile(50) }
    public var p99: Double { percentile(99) }

    /// The nearest-rank percentile: the smallest latency with at least `p` % of them at or below it.
    public func percentile(_ p: Double) -> Double {
        guard !latenciesMs.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(latenciesMs.count)).rounded(.up))
        return latenciesMs[min(max(rank, 1), latenciesMs.count) - 1]
    }
}

/// BenchRunner: drives an `Agent` on one event loop as hard as a phase allows and times it.
///
/// Each request is sent from the previous one's completion (see `Phase`), so the loop never sleeps
/// between requests. Every phase is bounded twice: by its request count (or duration) and by
/// `limitNanos`.
public final class BenchRunner {
    public let loop: EventLoop
    public let origin: HTTPOrigin
    public let target: String
    /// No phase runs longer than this, whatever its count says.
    public var limitNanos: Int64 = 60_000_000_000
    /// `.h2`: every phase speaks HTTP/2 with prior knowledge (one connection, requests as streams).
    public var httpProtocol: AgentProtocol = .http1

    public init(loop: EventLoop, origin: HTTPOrigin, target: String) {
        self.loop = loop
        self.origin = origin
        self.target = target
    }

    /// `count` requests one after another on a keep-alive agent with one socket (reused), or on an
    /// agent with keep-alive off (a new connection and `Connection: close` for each).
    public func sequential(count: Int, keepAlive: Bool) -> BenchFigures {
        var configuration = AgentConfiguration()
        configuration.pool.keepAlive = keepAlive
        configuration.pool.maxSockets = 1
        configuration.httpProtocol = httpProtocol
        return drive(configuration: configuration, inFlight: 1, count: count, durationNanos: nil)
    }

    /// `connections` requests in flight at all times on a keep-alive agent with that many sockets,
    /// for `durationNanos` or until `count` requests completed.
    public func concurrent(connections: Int, count: Int?, durationNanos: Int64?) -> BenchFigures {
        var configuration = AgentConfiguration()
        configuration.pool.maxSockets = connections
        configuration.pool.maxFreeSockets = connections
        return drive(configuration: configuration, inFlight: connections, count: count, durationNanos: durationNanos)
    }

    /// HTTP/2: `streams` requests in flight at all times on one connection (h2load's `-c1 -mN`), for
    /// `durationNanos` or until `count` requests completed. The server's
    /// SETTINGS_MAX_CONCURRENT_STREAMS may hold some in the agent's queue.
    public func streams(_ streams: Int, count: Int?, durationNanos: Int64?) -> BenchFigures {
        var configuration = AgentConfiguration()
        configuration.httpProtocol = .h2
        return drive(configuration: configuration, inFlight: streams, count: count, durationNanos: durationNanos)
    }

    private func drive(configuration: AgentConfiguration, inFlight: Int, count: Int?, durationNanos: Int64?) -> BenchFigures {
        let agent = Agent(loop: loop, name: "bench", configuration: configuration)
        defer { agent.destroy() }
        let started = loop.now
        let deadline = started + min(durationNanos ?? limitNanos, limitNanos)
        let phase = Phase(agent: agent, request: AgentRequest(origin: origin, target: target), count: count, deadline: deadline)
        phase.start(inFlight: inFlight)
        // Wake the loop at the deadline even if no response comes, so the phase always ends.
        let alarm = loop.schedule(afterNanos: deadline - started) {}
        loop.run(until: { phase.isDone }, timeoutNanos: deadline - started + 5_000_000_000)
        alarm.cancel()
        let elapsed = loop.now - started
        phase.latencies.sort()
        return BenchFigures(completed: phase.finished - phase.failed, failed: phase.failed + (phase.submitted - phase.finished),
                            elapsedNanos: elapsed, latenciesMs: phase.latencies, connectionsOpened: agent.stats.created,
                            firstError: phase.firstError)
    }
}

/// One phase in flight: its counters, and the one completion every request of the phase shares.
///
/// The next request is sent from the previous one's completion, as wrk does: the agent takes a
/// `send` from inside a completion (it queues the new request behind the batch it is carrying
/// out), and the socket freed a moment ago is reused in the same loop turn. Before, the next
/// request went through `afterCurrentEvent` with a new closure, and the completion was a new
/// closure too: ~1,300 of the ~19,600 instructions a request (callgrind, against nginx).
private final class Phase {
    let agent: Agent
    let request: AgentRequest
    let count: Int?
    let deadline: Int64
    var latencies: [Double] = []
    var submitted = 0, finished = 0, failed = 0
    var firstError: AgentError?
    var isStopping = false
    /// Made once, `unowned`: the phase outlives every request it sends (`drive` waits for them all,
    /// and destroying the agent fails any that are left before the phase goes).
    private var completion: ((AgentResult) -> Void)!

    init(agent: Agent, request: AgentRequest, count: Int?, deadline: Int64) {
        self.agent = agent
        self.request = request
        self.count = count
        self.deadline = deadline
        latencies.reserveCapacity(min(count ?? 100_000, 1_000_000))
        completion = { [unowned self] result in self.finish(result) }
    }

    var isDone: Bool { finished == submitted && !mayStart() }

    func start(inFlight: Int) {
        for _ in 0..<inFlight where mayStart() { submit() }
    }

    private func mayStart() -> Bool {
        if isStopping { return false }
        if let count, submitted >= count { return false }
        if agent.loop.now >= deadline { isStopping = true; return false }
        return true
    }

    private func submit() {
        submitted += 1
        agent.send(request, completion: completion)
    }

    private func finish(_ result: AgentResult) {
        finished += 1
        if let error = result.error {
            failed += 1
            if firstError == nil { firstError = error }
            // A refused connection will not get better by asking again.
            if error.kind == "refused" { isStopping = true }
        } else {
            latencies.append(result.timings.done)
        }
        if mayStart() { submit() }
    }
}

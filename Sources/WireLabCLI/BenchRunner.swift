import Wire

/// Latencies of one benchmark phase and how long it took, reduced to the figures people compare.
struct BenchFigures {
    var completed: Int
    var failed: Int
    var elapsedNanos: Int64
    /// Per request, from submission to the end of the response, sorted ascending (ms).
    var latenciesMs: [Double]
    /// Connections the agent opened during the phase.
    var connectionsOpened: Int
    /// The first error seen, if any request failed.
    var firstError: AgentError?

    var requestsPerSecond: Double { elapsedNanos > 0 ? Double(completed) / (Double(elapsedNanos) / 1e9) : 0 }
    var p50: Double { percentile(50) }
    var p99: Double { percentile(99) }

    /// The nearest-rank percentile: the smallest latency with at least `p` % of them at or below it.
    func percentile(_ p: Double) -> Double {
        guard !latenciesMs.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(latenciesMs.count)).rounded(.up))
        return latenciesMs[min(max(rank, 1), latenciesMs.count) - 1]
    }
}

/// BenchRunner: drives an `Agent` on one event loop as hard as a phase allows and times it.
///
/// The next request is submitted from `afterCurrentEvent` of the previous one's completion, so the
/// loop never sleeps between requests and the agent is never re-entered from its own callback.
/// Every phase is bounded twice: by its request count (or duration) and by `limitNanos`.
final class BenchRunner {
    let loop: EventLoop
    let origin: HTTPOrigin
    let target: String
    /// No phase runs longer than this, whatever its count says.
    var limitNanos: Int64 = 60_000_000_000

    init(loop: EventLoop, origin: HTTPOrigin, target: String) {
        self.loop = loop
        self.origin = origin
        self.target = target
    }

    /// `count` requests one after another on a keep-alive agent with one socket (reused), or on an
    /// agent with keep-alive off (a new connection and `Connection: close` for each).
    func sequential(count: Int, keepAlive: Bool) -> BenchFigures {
        var configuration = AgentConfiguration()
        configuration.pool.keepAlive = keepAlive
        configuration.pool.maxSockets = 1
        return drive(configuration: configuration, inFlight: 1, count: count, durationNanos: nil)
    }

    /// `connections` requests in flight at all times on a keep-alive agent with that many sockets,
    /// for `durationNanos` or until `count` requests completed.
    func concurrent(connections: Int, count: Int?, durationNanos: Int64?) -> BenchFigures {
        var configuration = AgentConfiguration()
        configuration.pool.maxSockets = connections
        configuration.pool.maxFreeSockets = connections
        return drive(configuration: configuration, inFlight: connections, count: count, durationNanos: durationNanos)
    }

    private func drive(configuration: AgentConfiguration, inFlight: Int, count: Int?, durationNanos: Int64?) -> BenchFigures {
        let agent = Agent(loop: loop, name: "bench", configuration: configuration)
        defer { agent.destroy() }
        let request = AgentRequest(origin: origin, target: target)
        var latencies: [Double] = []
        latencies.reserveCapacity(min(count ?? 100_000, 1_000_000))
        var submitted = 0, finished = 0, failed = 0
        var firstError: AgentError?
        let started = loop.now
        let deadline = started + min(durationNanos ?? limitNanos, limitNanos)
        var isStopping = false

        func mayStart() -> Bool {
            if isStopping { return false }
            if let count, submitted >= count { return false }
            if loop.now >= deadline { isStopping = true; return false }
            return true
        }
        func submit() {
            submitted += 1
            agent.send(request) { result in
                finished += 1
                if let error = result.error {
                    failed += 1
                    if firstError == nil { firstError = error }
                    // A refused connection will not get better by asking again.
                    if error.kind == "refused" { isStopping = true }
                } else {
                    latencies.append(result.timings.done)
                }
                self.loop.afterCurrentEvent { if mayStart() { submit() } }
            }
        }
        for _ in 0..<inFlight where mayStart() { submit() }
        // Wake the loop at the deadline even if no response comes, so the phase always ends.
        let alarm = loop.schedule(afterNanos: deadline - started) {}
        loop.run(until: { finished == submitted && !mayStart() }, timeoutNanos: deadline - started + 5_000_000_000)
        alarm.cancel()
        let elapsed = loop.now - started
        latencies.sort()
        return BenchFigures(completed: finished - failed, failed: failed + (submitted - finished), elapsedNanos: elapsed,
                            latenciesMs: latencies, connectionsOpened: agent.stats.created, firstError: firstError)
    }
}

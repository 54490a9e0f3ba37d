// Property-style test: random but valid event sequences, from a seeded generator, never break the
// pool's invariants. The harness plays the IO layer: it carries out the actions into its own model of
// which sockets are open, connecting, busy or free, and only reports events that model allows.
import Pooling
import Testing

/// SplitMix64: a tiny, seedable generator, so a failing seed replays exactly.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound.
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    mutating func chance(_ percent: Int) -> Bool {
        below(100) < percent
    }

    mutating func pick<T>(_ values: [T]) -> T? {
        values.isEmpty ? nil : values[below(values.count)]
    }
}

/// The IO layer's view of the pool, built only from the actions it was given.
struct IOModel {
    var pool: PoolStateMachine
    let configuration: PoolConfiguration
    var open: [ConnectionID: Origin] = [:]
    var connecting: Set<ConnectionID> = []
    var executing: [ConnectionID: (request: RequestID, isReused: Bool)] = [:]
    var timers: Set<ConnectionID> = []
    var everCreated: [ConnectionID] = []
    var submitted: [RequestID] = []
    var finishCount: [RequestID: Int] = [:]
    var violations: [String] = []

    init(configuration: PoolConfiguration) {
        self.configuration = configuration
        self.pool = PoolStateMachine(configuration: configuration)
    }

    var free: [ConnectionID] {
        open.keys.filter { !connecting.contains($0) && executing[$0] == nil }.sorted()
    }

    func isFinished(_ request: RequestID) -> Bool { finishCount[request, default: 0] > 0 }

    mutating func carryOut(_ actions: PoolActions) {
        for action in actions {
            switch action {
            case .createConnection(let connection, let origin):
                if open[connection] != nil { violations.append("\(connection) created twice") }
                open[connection] = origin
                connecting.insert(connection)
                everCreated.append(connection)
            case .execute(let request, let connection, let isReused):
                if open[connection] == nil { violations.append("execute on closed \(connection)") }
                if isFinished(request) { violations.append("execute of finished \(request)") }
                if executing[connection] != nil { violations.append("execute on busy \(connection)") }
                if executing.values.contains(where: { $0.request == request }) {
                    violations.append("\(request) executing twice")
                }
                if isReused == connecting.contains(connection) {
                    violations.append("execute \(request) on \(connection) with wrong isReused \(isReused)")
                }
                if timers.contains(connection) { violations.append("execute on \(connection) with its idle timer running") }
                connecting.remove(connection)
                executing[connection] = (request, isReused)
            case .succeed(let request, _), .fail(let request, _):
                finishCount[request, default: 0] += 1
                if finishCount[request]! > 1 { violations.append("\(request) finished twice") }
            case .retrying(let request, _):
                if isFinished(request) { violations.append("retrying finished \(request)") }
            case .scheduleIdleTimeout(let connection, let afterMs):
                if afterMs <= 0 { violations.append("idle timeout \(afterMs) ms") }
                timers.insert(connection)
            case .cancelIdleTimeout(let connection):
                if timers.remove(connection) == nil { violations.append("cancel of no timer on \(connection)") }
            case .close(let connection, _):
                if open.removeValue(forKey: connection) == nil { violations.append("close of unknown \(connection)") }
                connecting.remove(connection)
                executing[connection] = nil
                timers.remove(connection)
            }
        }
    }

    /// Checks the pool's invariants against this model and the pool's own stats.
    mutating func checkInvariants() {
        let stats = pool.stats
        let free = free
        if stats.total.open != open.count { violations.append("stats open \(stats.total.open) != model \(open.count)") }
        if stats.total.free != free.count { violations.append("stats free \(stats.total.free) != model \(free.count)") }
        if open.count > configuration.maxTotalSockets { violations.append("\(open.count) sockets over maxTotalSockets") }
        for origin in Set(open.values).union(stats.byOrigin.keys) {
            let counts = stats.byOrigin[origin] ?? PoolStats.Counts()
            let openHere = open.values.filter { $0 == origin }.count
            let freeHere = free.filter { open[$0] == origin }.count
            if counts.open != openHere { violations.append("\(origin): stats open \(counts.open) != model \(openHere)") }
            if counts.free != freeHere { violations.append("\(origin): stats free \(counts.free) != model \(freeHere)") }
            if openHere > configuration.maxSockets { violations.append("\(origin): \(openHere) sockets over maxSockets") }
            if freeHere > configuration.maxFreeSockets { violations.append("\(origin): \(freeHere) free over maxFreeSockets") }
            if counts.waiting > 0 {
                let atOriginLimit = openHere >= configuration.maxSockets
                let atTotalLimitWithNothingToEvict = open.count >= configuration.maxTotalSockets && free.isEmpty
                if freeHere > 0 || !(atOriginLimit || atTotalLimitWithNothingToEvict) {
                    violations.append("\(origin): \(counts.waiting) waiting although a socket could be had")
                }
            }
        }
        if !timers.isSubset(of: Set(free)) { violations.append("idle timer on a socket that is not free") }
        let unfinished = submitted.filter { !isFinished($0) }.count
        if unfinished != stats.total.waiting + stats.total.inUse {
            violations.append("\(unfinished) unfinished != waiting \(stats.total.waiting) + in use \(stats.total.inUse)")
        }
        if stats.submitted != submitted.count { violations.append("stats submitted \(stats.submitted) != \(submitted.count)") }
    }

    /// Reports one random event the IO layer could legitimately report now; false if it had none.
    mutating func randomEvent(_ random: inout SplitMix64) -> Bool {
        let connectingNow = connecting.sorted()
        let executingNow = executing.keys.sorted()
        switch random.below(20) {
        case 0..<5:
            let origin = random.pick(["a", "b", "c"] as [Origin])!
            let method = random.pick(["GET", "GET", "POST", "PUT", "HEAD"])!
            let (request, actions) = pool.requestSubmitted(origin: origin, method: method)
            submitted.append(request)
            carryOut(actions)
        case 5..<9:
            guard let connection = random.pick(connectingNow) else { return false }
            carryOut(pool.connectionEstablished(connection))
        case 9:
            guard let connection = random.pick(connectingNow) else { return false }
            open[connection] = nil
            connecting.remove(connection)
            carryOut(pool.connectionFailed(connection, error: .refused))
        case 10..<15:
            guard let connection = random.pick(executingNow) else { return false }
            executing[connection] = nil
            let hint: KeepAliveHint? = random.chance(50) ? nil : KeepAliveHint(
                timeoutSeconds: random.chance(50) ? nil : random.below(7),
                max: random.chance(50) ? nil : 1 + random.below(4)
            )
            carryOut(pool.responseCompleted(connection, isKeepAlive: random.chance(85), hint: hint))
        case 15:
            guard let connection = random.pick(executingNow) else { return false }
            executing[connection] = nil
            carryOut(pool.requestFailed(connection, error: .reset, receivedResponseBytes: random.chance(30)))
        case 16:
            // A live timer, or a stale one for a socket that is busy or closed.
            let stale = everCreated.filter { !free.contains($0) }
            guard let connection = random.chance(70) ? random.pick(timers.sorted()) : random.pick(stale) else {
                return false
            }
            carryOut(pool.idleTimeoutFired(connection))
        case 17:
            guard let connection = random.pick(free) else { return false }
            if random.chance(50) {
                carryOut(pool.freeSocketClosedByPeer(connection))
            } else {
                carryOut(pool.freeSocketReceivedUnsolicitedBytes(connection))
            }
        case 18:
            guard let connection = random.pick(executingNow.filter { executing[$0]!.isReused }) else { return false }
            executing[connection] = nil
            carryOut(pool.reusedSocketFoundBroken(connection, reason: .closedByPeerWhileFree))
        default:
            guard let connection = random.pick(everCreated) else { return false }
            if executing[connection] != nil { executing[connection] = nil }
            carryOut(pool.socketTimedOut(connection))
        }
        return true
    }

    /// Lets every connection open and every response complete, until nothing is in flight.
    mutating func drain() {
        var rounds = 0
        while let connection = connecting.min() ?? executing.keys.min(), rounds < 10_000 {
            rounds += 1
            if connecting.contains(connection) {
                carryOut(pool.connectionEstablished(connection))
            } else {
                executing[connection] = nil
                carryOut(pool.responseCompleted(connection, isKeepAlive: true, hint: nil))
            }
            checkInvariants()
        }
    }
}

@Suite("Pool invariants under random events")
struct PoolInvariantTests {
    @Test("random valid event sequences never break the limits, and every request finishes exactly once", arguments: 1...30)
    func randomSequences(seed: Int) {
        var random = SplitMix64(state: UInt64(seed))
        let configuration = PoolConfiguration(
            keepAlive: random.chance(90),
            maxSockets: 1 + random.below(3),
            maxTotalSockets: 1 + random.below(5),
            maxFreeSockets: random.below(3),
            freeSocketTimeoutMs: random.chance(50) ? nil : 4000,
            scheduling: random.chance(50) ? .lifo : .fifo,
            keepAliveHintMarginMs: random.pick([0, 500, 1000])!,
            ignoresKeepAliveHint: random.chance(20),
            checksBeforeReuse: random.chance(70),
            retriesStaleRequests: random.chance(70)
        )
        var model = IOModel(configuration: configuration)
        var events = 0
        while events < 400 && model.violations.isEmpty {
            if model.randomEvent(&random) {
                events += 1
                model.checkInvariants()
            }
        }
        #expect(model.violations == [], "seed \(seed), \(configuration), after \(events) events")

        // Liveness: with the network behaving, every request still in the pool completes.
        model.drain()
        let stats = model.pool.stats
        #expect(model.violations == [], "seed \(seed) while draining")
        #expect(stats.total.waiting == 0 && stats.total.inUse == 0, "seed \(seed): \(stats.total) after draining")

        // Destroying closes what is left; afterwards every request has finished exactly once.
        let (request, actions) = model.pool.requestSubmitted(origin: "a", method: "GET")
        model.submitted.append(request)
        model.carryOut(actions)
        model.carryOut(model.pool.destroyed())
        #expect(model.open.isEmpty)
        #expect(model.violations == [])
        #expect(model.submitted.allSatisfy { model.finishCount[$0] == 1 }, "seed \(seed): a request did not finish exactly once")
        #expect(model.pool.stats.succeeded + model.pool.stats.failed == model.submitted.count)
    }
}

// The numbers a lesson prints, after a scripted scenario.
import Pooling
import Testing

@Suite("Pool statistics")
struct StatsTests {
    @Test("the counters after a scenario of reuse, a stale retry, an overflow and an idle timeout")
    func countersAfterScenario() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxSockets: 2, maxFreeSockets: 1))
        _ = pool.openBusySocket("a")  // r1 on c1
        _ = pool.openBusySocket("a")  // r2 on c2
        _ = pool.submit("a")  // r3 waits
        _ = pool.complete(c(1))  // r1 done, r3 takes c1
        _ = pool.complete(c(2))  // r2 done, c2 free
        _ = pool.complete(c(1))  // r3 done, free list full: c1 closes
        _ = pool.submit("a")  // r4 reuses c2
        _ = pool.requestFailed(c(2), error: .reset, receivedResponseBytes: false)  // stale: r4 resent on c3
        _ = pool.submit("b")  // r5 on c4, connecting

        var stats = pool.stats
        #expect(stats.total == PoolStats.Counts(inUse: 2, connecting: 2, free: 0, waiting: 0))
        #expect(stats.byOrigin == [
            "a": PoolStats.Counts(inUse: 1, connecting: 1),
            "b": PoolStats.Counts(inUse: 1, connecting: 1),
        ])
        #expect(stats.submitted == 5)
        #expect(stats.succeeded == 3)
        #expect(stats.failed == 0)
        #expect(stats.created == 4)
        #expect(stats.reused == 2)
        #expect(stats.retried == 1)
        #expect(stats.closed == 2)
        #expect(stats.closedByReason == [.freeListFull: 1, .staleOnReuse: 1])
        #expect(stats.requestsServed == [c(1): 2, c(2): 1, c(3): 0, c(4): 0])

        _ = pool.connectionEstablished(c(3))
        _ = pool.complete(c(3))
        _ = pool.idleTimeoutFired(c(3))
        stats = pool.stats
        #expect(stats.total == PoolStats.Counts(inUse: 1, connecting: 1, free: 0, waiting: 0))
        #expect(stats.closedByReason == [.freeListFull: 1, .staleOnReuse: 1, .freeSocketTimeout: 1])
        #expect(stats.closed == 3)
        #expect(stats.succeeded == 4)
    }

    @Test("requests served are answered for open, closed and never-opened connections alike")
    func requestsServedOnEveryConnection() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxFreeSockets: 1))
        _ = pool.openBusySocket("a")  // r1 on c1
        _ = pool.openBusySocket("a")  // r2 on c2
        _ = pool.submit("b")  // r3 on c3, connecting
        _ = pool.complete(c(1))  // c1 free, served 1
        _ = pool.submit("a")  // r4 reuses c1
        _ = pool.complete(c(1))  // c1 free again, served 2
        _ = pool.complete(c(2))  // free list full: c2 closes, served 1
        _ = pool.connectionFailed(c(3), error: .refused)  // c3 never opened
        #expect(pool.requestsServed(on: c(1)) == 2)
        #expect(pool.requestsServed(on: c(2)) == 1)
        #expect(pool.requestsServed(on: c(3)) == 0)
        #expect(pool.requestsServed(on: c(4)) == nil)
        #expect(pool.stats.requestsServed == [c(1): 2, c(2): 1, c(3): 0])

        _ = pool.idleTimeoutFired(c(1))  // c1 closes: its count stays
        #expect(pool.requestsServed(on: c(1)) == 2)
        #expect(pool.stats.requestsServed == [c(1): 2, c(2): 1, c(3): 0])
    }

    @Test("the free lists are exposed in the order the sockets came free")
    func freeListsInOrder() {
        var pool = PoolStateMachine()
        for _ in 1...3 { _ = pool.openBusySocket("a") }
        _ = pool.openBusySocket("b")
        _ = pool.complete(c(3))
        _ = pool.complete(c(1))
        _ = pool.complete(c(4))
        let stats = pool.stats
        #expect(stats.freeLists == ["a": [c(3), c(1)], "b": [c(4)]])
        #expect(stats.byOrigin["a"] == PoolStats.Counts(inUse: 1, connecting: 0, free: 2, waiting: 0))
        #expect(stats.total.open == 4)
    }
}

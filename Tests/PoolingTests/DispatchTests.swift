// A request arrives: free socket, new connection, eviction, or the queue.
import Pooling
import Testing

@Suite("Dispatching a request")
struct DispatchTests {
    @Test("with nothing open, a request opens a connection and runs on it once it is established")
    func opensConnection() {
        var pool = PoolStateMachine()
        let (request, actions) = pool.requestSubmitted(origin: "a", method: "GET")
        #expect(request == r(1))
        #expect(actions == [.createConnection(c(1), origin: "a")])
        #expect(pool.connectionEstablished(c(1)) == [.execute(r(1), on: c(1), isReused: false)])
        #expect(pool.complete(c(1)) == [.succeed(r(1), on: c(1)), .scheduleIdleTimeout(c(1), afterMs: 4000)])
    }

    @Test("a free socket is reused, and its idle timer cancelled before the request is written")
    func reusesFreeSocket() {
        var pool = PoolStateMachine()
        _ = pool.openFreeSocket("a")
        #expect(pool.submit("a") == [.cancelIdleTimeout(c(1)), .execute(r(2), on: c(1), isReused: true)])
    }

    @Test("a free socket without an idle limit is reused with no timer to cancel")
    func reusesFreeSocketWithoutTimer() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(freeSocketTimeoutMs: nil))
        _ = pool.openBusySocket("a")
        #expect(pool.complete(c(1)) == [.succeed(r(1), on: c(1))])
        #expect(pool.submit("a") == [.execute(r(2), on: c(1), isReused: true)])
    }

    @Test("a free socket is only reused for its own origin")
    func freeSocketIsPerOrigin() {
        var pool = PoolStateMachine()
        _ = pool.openFreeSocket("a")
        #expect(pool.submit("b") == [.createConnection(c(2), origin: "b")])
    }

    @Test("maxSockets caps one origin; the rest wait, and other origins are unaffected")
    func perOriginLimit() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxSockets: 2))
        #expect(pool.submit("a") == [.createConnection(c(1), origin: "a")])
        #expect(pool.submit("a") == [.createConnection(c(2), origin: "a")])
        #expect(pool.submit("a") == [])
        #expect(pool.submit("b") == [.createConnection(c(3), origin: "b")])
        let stats = pool.stats
        #expect(stats.byOrigin["a"] == PoolStats.Counts(inUse: 2, connecting: 2, free: 0, waiting: 1))
        #expect(stats.byOrigin["b"] == PoolStats.Counts(inUse: 1, connecting: 1, free: 0, waiting: 0))
        #expect(stats.total.waiting == 1)
    }

    @Test("maxTotalSockets caps all origins together")
    func totalLimit() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxTotalSockets: 2))
        #expect(pool.submit("a") == [.createConnection(c(1), origin: "a")])
        #expect(pool.submit("b") == [.createConnection(c(2), origin: "b")])
        #expect(pool.submit("c") == [])
        #expect(pool.stats.total == PoolStats.Counts(inUse: 2, connecting: 2, free: 0, waiting: 1))
    }

    @Test("waiting requests of one origin start in the order they were submitted")
    func queueIsFIFO() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxSockets: 1))
        _ = pool.openBusySocket("a")
        #expect(pool.submit("a") == [])
        #expect(pool.submit("a") == [])
        #expect(pool.completeAndClose(c(1)) == [
            .succeed(r(1), on: c(1)), .close(c(1), .responseNotReusable), .createConnection(c(2), origin: "a"),
        ])
        #expect(pool.connectionEstablished(c(2)) == [.execute(r(2), on: c(2), isReused: false)])
        #expect(pool.completeAndClose(c(2)) == [
            .succeed(r(2), on: c(2)), .close(c(2), .responseNotReusable), .createConnection(c(3), origin: "a"),
        ])
        #expect(pool.connectionEstablished(c(3)) == [.execute(r(3), on: c(3), isReused: false)])
    }

    @Test("lifo takes the most recently freed socket, fifo the least recently freed", arguments: [
        (PoolConfiguration.Scheduling.lifo, 3),
        (PoolConfiguration.Scheduling.fifo, 2),
    ])
    func scheduling(scheduling: PoolConfiguration.Scheduling, expected: Int) {
        var pool = PoolStateMachine(configuration: PoolConfiguration(scheduling: scheduling))
        for _ in 1...3 { _ = pool.openBusySocket("a") }
        _ = pool.complete(c(2))
        _ = pool.complete(c(1))
        _ = pool.complete(c(3))
        #expect(pool.freeList(for: "a") == [c(2), c(1), c(3)])
        #expect(pool.submit("a") == [.cancelIdleTimeout(c(expected)), .execute(r(4), on: c(expected), isReused: true)])
    }

    @Test("at the total limit, a free socket of another origin is closed to make room")
    func evictsOtherOrigin() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxTotalSockets: 1))
        _ = pool.openFreeSocket("a")
        #expect(pool.submit("b") == [.close(c(1), .evictedForOtherOrigin), .createConnection(c(2), origin: "b")])
        #expect(pool.stats.closedByReason == [.evictedForOtherOrigin: 1])
    }

    @Test("eviction picks the free socket that has been idle longest")
    func evictsLongestIdle() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxTotalSockets: 3))
        _ = pool.openBusySocket("a")
        _ = pool.openBusySocket("b")
        _ = pool.openBusySocket("a")
        _ = pool.complete(c(3))
        _ = pool.complete(c(2))
        _ = pool.complete(c(1))
        #expect(pool.submit("d") == [.close(c(3), .evictedForOtherOrigin), .createConnection(c(4), origin: "d")])
    }

    @Test("eviction compares every origin's free sockets, whichever origin was seen first")
    func evictsLongestIdleOfAnyOrigin() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxTotalSockets: 3))
        _ = pool.openBusySocket("a")
        _ = pool.openBusySocket("b")
        _ = pool.openBusySocket("a")
        _ = pool.complete(c(2))  // b's socket comes free first
        _ = pool.complete(c(1))
        _ = pool.complete(c(3))
        #expect(pool.submit("d") == [.close(c(2), .evictedForOtherOrigin), .createConnection(c(4), origin: "d")])
    }

    @Test("a request whose own origin is at maxSockets waits instead of evicting another origin's socket")
    func noEvictionWhenOriginIsFull() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxSockets: 1, maxTotalSockets: 2))
        _ = pool.openBusySocket("a")
        _ = pool.openFreeSocket("b")
        #expect(pool.submit("a") == [])
        #expect(pool.stats.byOrigin["b"]?.free == 1)
    }

    @Test("a request held back only by the total limit gets the slot of a socket that comes free elsewhere")
    func releasedSocketMakesRoomForOtherOrigin() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxTotalSockets: 1))
        _ = pool.openBusySocket("a")
        #expect(pool.submit("b") == [])
        #expect(pool.complete(c(1)) == [
            .succeed(r(1), on: c(1)), .close(c(1), .evictedForOtherOrigin), .createConnection(c(2), origin: "b"),
        ])
    }

    @Test("a freed slot goes to the oldest waiter of any origin when its own origin has none")
    func freedSlotGoesToOldestOtherWaiter() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxSockets: 1, maxTotalSockets: 2))
        _ = pool.openBusySocket("a")  // r1 on c1
        _ = pool.openBusySocket("b")  // r2 on c2
        #expect(pool.submit("x") == [])  // r3: total limit
        #expect(pool.submit("a") == [])  // r4: origin limit
        #expect(pool.submit("y") == [])  // r5: total limit
        #expect(pool.completeAndClose(c(2)) == [
            .succeed(r(2), on: c(2)), .close(c(2), .responseNotReusable), .createConnection(c(3), origin: "x"),
        ])
        #expect(pool.completeAndClose(c(1)) == [
            .succeed(r(1), on: c(1)), .close(c(1), .responseNotReusable), .createConnection(c(4), origin: "a"),
        ])
        #expect(pool.connectionEstablished(c(3)) == [.execute(r(3), on: c(3), isReused: false)])
        #expect(pool.connectionEstablished(c(4)) == [.execute(r(4), on: c(4), isReused: false)])
        #expect(pool.stats.byOrigin["y"]?.waiting == 1)
    }

    @Test("a freed slot goes to the oldest waiter, not to the origin that started waiting first")
    func freedSlotGoesToOldestWaiterNotFirstOrigin() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxTotalSockets: 2))
        _ = pool.openBusySocket("a")  // r1 on c1
        _ = pool.openBusySocket("b")  // r2 on c2
        #expect(pool.submit("y") == [])  // r3
        #expect(pool.submit("x") == [])  // r4
        #expect(pool.submit("y") == [])  // r5
        #expect(pool.completeAndClose(c(1)) == [
            .succeed(r(1), on: c(1)), .close(c(1), .responseNotReusable), .createConnection(c(3), origin: "y"),
        ])
        // y still waits (r5), but x's r4 is older.
        #expect(pool.completeAndClose(c(2)) == [
            .succeed(r(2), on: c(2)), .close(c(2), .responseNotReusable), .createConnection(c(4), origin: "x"),
        ])
        #expect(pool.connectionEstablished(c(4)) == [.execute(r(4), on: c(4), isReused: false)])
        #expect(pool.stats.byOrigin["y"]?.waiting == 1)
    }

    @Test("a freed slot goes to its own origin's waiter before an older waiter of another origin")
    func freedSlotPrefersOwnOrigin() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxSockets: 1, maxTotalSockets: 2))
        _ = pool.openBusySocket("a")  // r1 on c1
        _ = pool.openBusySocket("b")  // r2 on c2
        #expect(pool.submit("x") == [])  // r3
        #expect(pool.submit("a") == [])  // r4
        #expect(pool.completeAndClose(c(1)) == [
            .succeed(r(1), on: c(1)), .close(c(1), .responseNotReusable), .createConnection(c(3), origin: "a"),
        ])
        #expect(pool.connectionEstablished(c(3)) == [.execute(r(4), on: c(3), isReused: false)])
    }
}

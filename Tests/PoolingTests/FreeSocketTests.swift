// What happens to a socket while it is free, when it is taken off the free list, and the
// inactivity timeout.
import Pooling
import Testing

@Suite("Free sockets and timeouts")
struct FreeSocketTests {
    @Test("the idle timer closes a free socket")
    func idleTimeoutCloses() {
        var pool = PoolStateMachine()
        _ = pool.openFreeSocket("a")
        #expect(pool.idleTimeoutFired(c(1)) == [.close(c(1), .freeSocketTimeout)])
        #expect(pool.freeList(for: "a") == [])
        #expect(pool.submit("a") == [.createConnection(c(2), origin: "a")])
    }

    @Test("an idle timer that fires after the socket was reused or closed is stale and ignored")
    func staleIdleTimer() {
        var pool = PoolStateMachine()
        _ = pool.openFreeSocket("a")
        _ = pool.submit("a")
        #expect(pool.idleTimeoutFired(c(1)) == [])
        _ = pool.completeAndClose(c(1))
        #expect(pool.idleTimeoutFired(c(1)) == [])
        #expect(pool.stats.closedByReason == [.responseNotReusable: 1])
    }

    @Test("a free socket closed by the server is closed and forgotten")
    func closedByPeer() {
        var pool = PoolStateMachine()
        _ = pool.openFreeSocket("a")
        #expect(pool.freeSocketClosedByPeer(c(1)) == [.close(c(1), .closedByPeerWhileFree)])
        #expect(pool.stats.total == PoolStats.Counts())
    }

    @Test("a free socket that receives unsolicited bytes is closed")
    func unsolicitedBytes() {
        var pool = PoolStateMachine()
        _ = pool.openFreeSocket("a")
        #expect(pool.freeSocketReceivedUnsolicitedBytes(c(1)) == [.close(c(1), .unsolicitedBytes)])
    }

    @Test("closing a free socket at the total limit starts a request waiting for another origin")
    func freeSocketCloseStartsWaiter() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxSockets: 1, maxTotalSockets: 2))
        _ = pool.openFreeSocket("a")  // c1 free
        _ = pool.openBusySocket("b")  // c2 busy
        #expect(pool.submit("b") == [])  // b is at maxSockets
        #expect(pool.freeSocketClosedByPeer(c(1)) == [.close(c(1), .closedByPeerWhileFree)])
        #expect(pool.stats.byOrigin["b"]?.waiting == 1)
    }

    @Test("a reused socket found broken before writing is closed, and the request dispatched again without counting a retry")
    func reusedSocketFoundBroken() {
        var pool = PoolStateMachine()
        _ = pool.openBusySocket("a")
        _ = pool.openBusySocket("a")
        _ = pool.complete(c(1))
        _ = pool.complete(c(2))
        #expect(pool.submit("a") == [.cancelIdleTimeout(c(2)), .execute(r(3), on: c(2), isReused: true)])
        #expect(pool.reusedSocketFoundBroken(c(2), reason: .closedByPeerWhileFree) == [
            .close(c(2), .closedByPeerWhileFree), .cancelIdleTimeout(c(1)), .execute(r(3), on: c(1), isReused: true),
        ])
        #expect(pool.reusedSocketFoundBroken(c(1), reason: .unsolicitedBytes) == [
            .close(c(1), .unsolicitedBytes), .createConnection(c(3), origin: "a"),
        ])
        #expect(pool.connectionEstablished(c(3)) == [.execute(r(3), on: c(3), isReused: false)])
        let stats = pool.stats
        #expect(stats.retried == 0)
        #expect(stats.reused == 0)
        #expect(stats.closedByReason == [.closedByPeerWhileFree: 1, .unsolicitedBytes: 1])
    }

    @Test("the inactivity timeout fails the request and closes its connection; it is not resent")
    func socketTimedOut() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxSockets: 1))
        _ = pool.openFreeSocket("a")
        _ = pool.submit("a")  // r2 on reused c1
        _ = pool.submit("a")  // r3 waits
        #expect(pool.socketTimedOut(c(1)) == [
            .fail(r(2), .timedOut), .close(c(1), .timedOut), .createConnection(c(2), origin: "a"),
        ])
        #expect(pool.socketTimedOut(c(2)) == [.fail(r(3), .timedOut), .close(c(2), .timedOut)])
    }

    @Test("an inactivity timeout for a free or closed socket is stale and ignored")
    func staleSocketTimeout() {
        var pool = PoolStateMachine()
        _ = pool.openFreeSocket("a")
        #expect(pool.socketTimedOut(c(1)) == [])
        _ = pool.idleTimeoutFired(c(1))
        #expect(pool.socketTimedOut(c(1)) == [])
    }
}

// The agent is destroyed.
import Pooling
import Testing

@Suite("Destroying the agent")
struct DestroyTests {
    @Test("destroying fails every in-flight and queued request and closes every connection")
    func destroyEndsEverything() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxSockets: 2))
        _ = pool.openFreeSocket("a")  // r1, c1 free
        _ = pool.submit("a")  // r2 on reused c1
        _ = pool.submit("a")  // r3 on connecting c2
        _ = pool.submit("a")  // r4 waits
        _ = pool.openFreeSocket("b")  // r5, c3 free
        #expect(pool.destroyed() == [
            .fail(r(2), .agentDestroyed), .close(c(1), .agentDestroyed),
            .fail(r(3), .agentDestroyed), .close(c(2), .agentDestroyed),
            .close(c(3), .agentDestroyed),
            .fail(r(4), .agentDestroyed),
        ])
        #expect(pool.isDestroyed)
        let stats = pool.stats
        #expect(stats.total == PoolStats.Counts())
        #expect(stats.closedByReason == [.agentDestroyed: 3])
        #expect(stats.succeeded == 2)
        #expect(stats.failed == 3)
    }

    @Test("after destroying, new requests fail at once and every other event is ignored")
    func eventsAfterDestroy() {
        var pool = PoolStateMachine()
        _ = pool.openBusySocket("a")
        _ = pool.submit("a")
        _ = pool.destroyed()
        #expect(pool.requestSubmitted(origin: "a", method: "GET") == (r(3), [.fail(r(3), .agentDestroyed)]))
        #expect(pool.connectionEstablished(c(2)) == [])
        #expect(pool.connectionFailed(c(2), error: .refused) == [])
        #expect(pool.complete(c(1)) == [])
        #expect(pool.requestFailed(c(1), error: .reset, receivedResponseBytes: false) == [])
        #expect(pool.idleTimeoutFired(c(1)) == [])
        #expect(pool.freeSocketClosedByPeer(c(1)) == [])
        #expect(pool.freeSocketReceivedUnsolicitedBytes(c(1)) == [])
        #expect(pool.reusedSocketFoundBroken(c(1), reason: .closedByPeerWhileFree) == [])
        #expect(pool.socketTimedOut(c(1)) == [])
        #expect(pool.destroyed() == [])
        #expect(pool.stats.failed == 3)
    }
}

// A connection opens, or fails to.
import Pooling
import Testing

@Suite("Opening connections")
struct ConnectTests {
    @Test("a failed connect fails its request, is not resent, and frees the slot for a waiter")
    func connectFailureFreesSlot() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxSockets: 1))
        #expect(pool.submit("a") == [.createConnection(c(1), origin: "a")])
        #expect(pool.submit("a") == [])
        #expect(pool.connectionFailed(c(1), error: .refused) == [
            .fail(r(1), .refused), .createConnection(c(2), origin: "a"),
        ])
        #expect(pool.connectionEstablished(c(2)) == [.execute(r(2), on: c(2), isReused: false)])
        let stats = pool.stats
        #expect(stats.created == 2)
        #expect(stats.connectFailures == 1)
        #expect(stats.closed == 0)
        #expect(stats.failed == 1)
    }

    @Test("a failed connect with nobody waiting only fails its request")
    func connectFailureAlone() {
        var pool = PoolStateMachine()
        _ = pool.submit("a")
        #expect(pool.connectionFailed(c(1), error: .other("no route to host")) == [.fail(r(1), .other("no route to host"))])
        #expect(pool.stats.total == PoolStats.Counts())
    }
}

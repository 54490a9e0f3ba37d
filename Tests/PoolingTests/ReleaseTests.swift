// A response completed: keep the socket or close it, and who gets it.
import Pooling
import Testing

@Suite("Releasing a socket after a response")
struct ReleaseTests {
    @Test("a socket that comes free goes to the oldest waiter before the free list")
    func handsOffToOldestWaiter() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxSockets: 1))
        _ = pool.openBusySocket("a")
        _ = pool.submit("a")
        _ = pool.submit("a")
        #expect(pool.complete(c(1)) == [.succeed(r(1), on: c(1)), .execute(r(2), on: c(1), isReused: true)])
        #expect(pool.complete(c(1)) == [.succeed(r(2), on: c(1)), .execute(r(3), on: c(1), isReused: true)])
        #expect(pool.complete(c(1)) == [.succeed(r(3), on: c(1)), .scheduleIdleTimeout(c(1), afterMs: 4000)])
        #expect(pool.stats.reused == 2)
        #expect(pool.requestsServed(on: c(1)) == 3)
    }

    @Test("agent keepAlive off closes every socket after one response")
    func agentKeepAliveOff() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(keepAlive: false))
        _ = pool.openBusySocket("a")
        #expect(pool.complete(c(1)) == [.succeed(r(1), on: c(1)), .close(c(1), .agentKeepAliveDisabled)])
        #expect(pool.submit("a") == [.createConnection(c(2), origin: "a")])
    }

    @Test("a response that is not reusable (server said close, or read until close) closes the socket")
    func serverSaidClose() {
        var pool = PoolStateMachine()
        _ = pool.openBusySocket("a")
        #expect(pool.completeAndClose(c(1)) == [.succeed(r(1), on: c(1)), .close(c(1), .responseNotReusable)])
    }

    @Test("a body left unread closes the socket (bodyUnread), counted like the other reasons; a waiter gets a new connection")
    func bodyUnread() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxSockets: 1))
        _ = pool.openBusySocket("a")
        _ = pool.submit("a")   // r2 waits for the one socket
        #expect(pool.responseCompleted(c(1), isKeepAlive: true, hint: nil, bodyUnread: true) == [
            .succeed(r(1), on: c(1)), .close(c(1), .bodyUnread), .createConnection(c(2), origin: "a"),
        ])
        #expect(pool.stats.closedByReason == [.bodyUnread: 1])
        #expect(pool.stats.reused == 0)
        // The same response read in full keeps the socket.
        _ = pool.connectionEstablished(c(2))
        #expect(pool.complete(c(2)) == [.succeed(r(2), on: c(2)), .scheduleIdleTimeout(c(2), afterMs: 4000)])
    }

    @Test("an earlier rule names the close when it would close the socket anyway", arguments: [
        (PoolConfiguration(keepAlive: false), true, CloseReason.agentKeepAliveDisabled),
        (PoolConfiguration(), false, CloseReason.responseNotReusable),
    ])
    func earlierRuleWinsOverBodyUnread(configuration: PoolConfiguration, isKeepAlive: Bool, expected: CloseReason) {
        var pool = PoolStateMachine(configuration: configuration)
        _ = pool.openBusySocket("a")
        #expect(pool.responseCompleted(c(1), isKeepAlive: isKeepAlive, hint: nil, bodyUnread: true) == [
            .succeed(r(1), on: c(1)), .close(c(1), expected),
        ])
        // After the server's own close rules, before the hint's: the socket was reusable but for the body.
        var hinted = PoolStateMachine()
        _ = hinted.openBusySocket("a")
        #expect(hinted.responseCompleted(c(1), isKeepAlive: true, hint: KeepAliveHint(max: 1), bodyUnread: true) == [
            .succeed(r(1), on: c(1)), .close(c(1), .bodyUnread),
        ])
    }

    @Test("a Keep-Alive timeout hint lowers the idle expiry to the hint minus one second", arguments: [
        (PoolConfiguration(), KeepAliveHint(timeoutSeconds: 5), 4000),
        (PoolConfiguration(), KeepAliveHint(timeoutSeconds: 3), 2000),
        (PoolConfiguration(), KeepAliveHint(timeoutSeconds: 2), 1000),
        (PoolConfiguration(), KeepAliveHint(timeoutSeconds: 60), 4000),
        (PoolConfiguration(), KeepAliveHint(timeoutSeconds: Int.max), 4000),
        (PoolConfiguration(freeSocketTimeoutMs: nil), KeepAliveHint(timeoutSeconds: 5), 4000),
        (PoolConfiguration(freeSocketTimeoutMs: 1500), KeepAliveHint(timeoutSeconds: 5), 1500),
        (PoolConfiguration(), KeepAliveHint(max: 100), 4000),
    ])
    func hintLowersExpiry(configuration: PoolConfiguration, hint: KeepAliveHint, expectedMs: Int) {
        var pool = PoolStateMachine(configuration: configuration)
        _ = pool.openBusySocket("a")
        #expect(pool.complete(c(1), hint: hint) == [
            .succeed(r(1), on: c(1)), .scheduleIdleTimeout(c(1), afterMs: expectedMs),
        ])
    }

    @Test("a Keep-Alive timeout of one second or less is too short to pool", arguments: [0, 1])
    func hintTooShort(timeoutSeconds: Int) {
        var pool = PoolStateMachine()
        _ = pool.openBusySocket("a")
        #expect(pool.complete(c(1), hint: KeepAliveHint(timeoutSeconds: timeoutSeconds)) == [
            .succeed(r(1), on: c(1)), .close(c(1), .keepAliveHintTooShort),
        ])
    }

    @Test("the server's Keep-Alive max is honoured: the socket closes after max responses")
    func serverMax() {
        var pool = PoolStateMachine()
        let hint = KeepAliveHint(timeoutSeconds: 5, max: 2)
        _ = pool.openBusySocket("a")
        #expect(pool.complete(c(1), hint: hint) == [.succeed(r(1), on: c(1)), .scheduleIdleTimeout(c(1), afterMs: 4000)])
        #expect(pool.submit("a") == [.cancelIdleTimeout(c(1)), .execute(r(2), on: c(1), isReused: true)])
        #expect(pool.complete(c(1), hint: hint) == [.succeed(r(2), on: c(1)), .close(c(1), .serverMaxReached)])
        #expect(pool.requestsServed(on: c(1)) == 2)
    }

    @Test("the close rules apply in order: agent setting, server close, server max, hint timeout", arguments: [
        (false, false, KeepAliveHint(timeoutSeconds: 0, max: 1), CloseReason.agentKeepAliveDisabled),
        (true, false, KeepAliveHint(timeoutSeconds: 0, max: 1), CloseReason.responseNotReusable),
        (true, true, KeepAliveHint(timeoutSeconds: 0, max: 1), CloseReason.serverMaxReached),
        (true, true, KeepAliveHint(timeoutSeconds: 0, max: 2), CloseReason.keepAliveHintTooShort),
    ])
    func closeRuleOrder(agentKeepAlive: Bool, isKeepAlive: Bool, hint: KeepAliveHint, expected: CloseReason) {
        var pool = PoolStateMachine(configuration: PoolConfiguration(keepAlive: agentKeepAlive))
        _ = pool.openBusySocket("a")
        #expect(pool.responseCompleted(c(1), isKeepAlive: isKeepAlive, hint: hint) == [
            .succeed(r(1), on: c(1)), .close(c(1), expected),
        ])
    }

    @Test("a socket that must close is not handed to a waiter; the waiter gets a new connection instead")
    func closingSocketNotHandedOff() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxSockets: 1))
        _ = pool.openBusySocket("a")
        _ = pool.submit("a")
        #expect(pool.complete(c(1), hint: KeepAliveHint(max: 1)) == [
            .succeed(r(1), on: c(1)), .close(c(1), .serverMaxReached), .createConnection(c(2), origin: "a"),
        ])
    }

    @Test("a socket that comes free when the origin already has maxFreeSockets free is closed")
    func freeListFull() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxFreeSockets: 1))
        _ = pool.openBusySocket("a")
        _ = pool.openBusySocket("a")
        _ = pool.openBusySocket("b")
        #expect(pool.complete(c(1)) == [.succeed(r(1), on: c(1)), .scheduleIdleTimeout(c(1), afterMs: 4000)])
        #expect(pool.complete(c(2)) == [.succeed(r(2), on: c(2)), .close(c(2), .freeListFull)])
        // The limit is per origin.
        #expect(pool.complete(c(3)) == [.succeed(r(3), on: c(3)), .scheduleIdleTimeout(c(3), afterMs: 4000)])
    }

    @Test("maxFreeSockets 0 keeps no free socket, but still hands sockets to waiters")
    func noFreeSockets() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxSockets: 1, maxFreeSockets: 0))
        _ = pool.openBusySocket("a")
        _ = pool.submit("a")
        #expect(pool.complete(c(1)) == [.succeed(r(1), on: c(1)), .execute(r(2), on: c(1), isReused: true)])
        #expect(pool.complete(c(1)) == [.succeed(r(2), on: c(1)), .close(c(1), .freeListFull)])
    }

    @Test("isFree: true only for a socket kept for reuse, not one handed to a waiter or closed")
    func isFree() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxSockets: 1, maxFreeSockets: 1))
        _ = pool.openBusySocket("a")
        #expect(!pool.isFree(c(1)))
        _ = pool.submit("a")
        _ = pool.complete(c(1))
        #expect(!pool.isFree(c(1)), "handed to the waiting request")
        _ = pool.complete(c(1))
        #expect(pool.isFree(c(1)))
        _ = pool.submit("a")
        _ = pool.completeAndClose(c(1))
        #expect(!pool.isFree(c(1)), "closed")
        #expect(!pool.isFree(c(99)), "never opened")
    }
}

// The three defences against the stale-connection race, each switched off on its own: the hint
// margin, the check before reuse, and the retry. With all three off the pool is a naive client.
import Pooling
import Testing

@Suite("Defences against stale connections, switched off one by one")
struct NaiveClientTests {
    static let naive = PoolConfiguration(
        keepAliveHintMarginMs: 0, ignoresKeepAliveHint: true, checksBeforeReuse: false, retriesStaleRequests: false)

    @Test("the defaults keep every defence on, with Node's one-second margin")
    func defaults() {
        let configuration = PoolConfiguration()
        #expect(configuration.keepAliveHintMarginMs == 1000)
        #expect(!configuration.ignoresKeepAliveHint)
        #expect(configuration.checksBeforeReuse)
        #expect(configuration.retriesStaleRequests)
    }

    @Test("a negative hint margin is named")
    func negativeMargin() {
        let configuration = PoolConfiguration(keepAliveHintMarginMs: -1)
        #expect(configuration.validate() == [.keepAliveHintMarginNegative(-1)])
        #expect(configuration.validate().first?.description == "keepAliveHintMarginMs must be 0 or more, not -1")
    }

    // MARK: The hint margin

    @Test("the margin is what the hint loses: expiry = timeout - margin", arguments: [
        (0, 2, 2000), (250, 2, 1750), (1000, 2, 1000), (1000, 5, 4000), (0, 5, 4000), (500, 3, 2500),
    ])
    func marginSetsExpiry(marginMs: Int, timeoutSeconds: Int, expectedMs: Int) {
        var pool = PoolStateMachine(configuration: PoolConfiguration(keepAliveHintMarginMs: marginMs))
        _ = pool.openBusySocket("a")
        #expect(pool.complete(c(1), hint: KeepAliveHint(timeoutSeconds: timeoutSeconds)) == [
            .succeed(r(1), on: c(1)), .scheduleIdleTimeout(c(1), afterMs: expectedMs),
        ])
    }

    @Test("a margin that eats the whole hint keeps nothing", arguments: [(2000, 2), (3000, 2), (0, 0)])
    func marginTooLarge(marginMs: Int, timeoutSeconds: Int) {
        var pool = PoolStateMachine(configuration: PoolConfiguration(keepAliveHintMarginMs: marginMs))
        _ = pool.openBusySocket("a")
        #expect(pool.complete(c(1), hint: KeepAliveHint(timeoutSeconds: timeoutSeconds)) == [
            .succeed(r(1), on: c(1)), .close(c(1), .keepAliveHintTooShort),
        ])
    }

    @Test("a pool that ignores the hint keeps its own idle limit, whatever timeout= says")
    func ignoresTimeout() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(ignoresKeepAliveHint: true))
        _ = pool.openBusySocket("a")
        #expect(pool.complete(c(1), hint: KeepAliveHint(timeoutSeconds: 1)) == [
            .succeed(r(1), on: c(1)), .scheduleIdleTimeout(c(1), afterMs: 4000),
        ])
        var unlimited = PoolStateMachine(configuration: PoolConfiguration(freeSocketTimeoutMs: nil, ignoresKeepAliveHint: true))
        _ = unlimited.openBusySocket("a")
        #expect(unlimited.complete(c(1), hint: KeepAliveHint(timeoutSeconds: 2)) == [.succeed(r(1), on: c(1))])
    }

    @Test("a pool that ignores the hint ignores max= too; the server's Connection: close still counts")
    func ignoresMax() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(ignoresKeepAliveHint: true))
        let hint = KeepAliveHint(timeoutSeconds: 5, max: 1)
        _ = pool.openBusySocket("a")
        #expect(pool.complete(c(1), hint: hint) == [.succeed(r(1), on: c(1)), .scheduleIdleTimeout(c(1), afterMs: 4000)])
        _ = pool.submit("a")
        #expect(pool.responseCompleted(c(1), isKeepAlive: false, hint: hint) == [
            .succeed(r(2), on: c(1)), .close(c(1), .responseNotReusable),
        ])
    }

    // MARK: The check before reuse

    @Test("without the check a peer close goes unnoticed: the socket stays free and the next request is sent into it")
    func uncheckedPeerClose() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(checksBeforeReuse: false))
        _ = pool.openFreeSocket("a")
        #expect(pool.freeSocketClosedByPeer(c(1)) == [])
        #expect(pool.freeList(for: "a") == [c(1)])
        #expect(pool.stats.total.free == 1)
        #expect(pool.submit("a") == [.cancelIdleTimeout(c(1)), .execute(r(2), on: c(1), isReused: true)])
        // The request meets the close; the retry (still on) saves it on a new connection.
        let actions = pool.requestFailed(c(1), error: .closedBeforeResponse, receivedResponseBytes: false)
        #expect(Array(actions.dropFirst()) == [.close(c(1), .staleOnReuse), .createConnection(c(2), origin: "a")])
        #expect(pool.stats.closedByReason[.closedByPeerWhileFree] == nil)
    }

    @Test("without the check stray bytes on a free socket go unnoticed too")
    func uncheckedUnsolicitedBytes() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(checksBeforeReuse: false))
        _ = pool.openFreeSocket("a")
        #expect(pool.freeSocketReceivedUnsolicitedBytes(c(1)) == [])
        #expect(pool.freeList(for: "a") == [c(1)])
    }

    @Test("with the check a peer close retires the free socket, and the request gets a new connection")
    func checkedPeerClose() {
        var pool = PoolStateMachine()
        _ = pool.openFreeSocket("a")
        #expect(pool.freeSocketClosedByPeer(c(1)) == [.close(c(1), .closedByPeerWhileFree)])
        #expect(pool.submit("a") == [.createConnection(c(2), origin: "a")])
    }

    // MARK: The retry

    @Test("without retries a GET that meets a stale socket fails, and says retries are off")
    func retriesOff() {
        var pool = RetryTests.reusedRequest(configuration: PoolConfiguration(retriesStaleRequests: false))
        #expect(pool.requestFailed(c(1), error: .closedBeforeResponse, receivedResponseBytes: false) == [
            .fail(r(2), .notRetried(.closedBeforeResponse, because: .retriesDisabled)),
            .close(c(1), .requestFailed),
        ])
        #expect(pool.stats.retried == 0)
        #expect(PoolError.notRetried(.reset, because: .retriesDisabled).description == "connection reset (not retried: retries are off)")
    }

    @Test("retries off is checked last: a request that could never be resent names the real reason")
    func retriesOffLast() {
        let off = PoolConfiguration(retriesStaleRequests: false)
        var post = RetryTests.reusedRequest("POST", configuration: off)
        #expect(post.requestFailed(c(1), error: .reset, receivedResponseBytes: false).first
            == .fail(r(2), .notRetried(.reset, because: .notIdempotent(method: "POST"))))
        var fresh = PoolStateMachine(configuration: off)
        _ = fresh.openBusySocket("a")
        #expect(fresh.requestFailed(c(1), error: .reset, receivedResponseBytes: false).first
            == .fail(r(1), .notRetried(.reset, because: .freshConnection)))
        var started = RetryTests.reusedRequest(configuration: off)
        #expect(started.requestFailed(c(1), error: .reset, receivedResponseBytes: true).first
            == .fail(r(2), .notRetried(.reset, because: .responseStarted)))
    }

    // MARK: All three off

    @Test("a naive client: hint ignored, the server's close unnoticed, the request lost")
    func naiveClient() {
        var pool = PoolStateMachine(configuration: Self.naive)
        _ = pool.openBusySocket("a")
        // The server said it keeps idle connections 2 s; the naive pool keeps them its own 4 s.
        #expect(pool.complete(c(1), hint: KeepAliveHint(timeoutSeconds: 2)) == [
            .succeed(r(1), on: c(1)), .scheduleIdleTimeout(c(1), afterMs: 4000),
        ])
        #expect(pool.freeSocketClosedByPeer(c(1)) == [])
        #expect(pool.submit("a") == [.cancelIdleTimeout(c(1)), .execute(r(2), on: c(1), isReused: true)])
        #expect(pool.requestFailed(c(1), error: .closedBeforeResponse, receivedResponseBytes: false) == [
            .fail(r(2), .notRetried(.closedBeforeResponse, because: .retriesDisabled)),
            .close(c(1), .requestFailed),
        ])
        #expect(pool.stats.failed == 1)
    }
}

// A request failed on its connection: the stale-connection resend, and every reason not to.
import Pooling
import Testing

@Suite("Resending after a stale connection")
struct RetryTests {
    /// A pool where request #2 is running on reused connection #1.
    static func reusedRequest(_ method: String = "GET", configuration: PoolConfiguration = PoolConfiguration()) -> PoolStateMachine {
        var pool = PoolStateMachine(configuration: configuration)
        _ = pool.openFreeSocket("a")
        _ = pool.submit("a", method)
        return pool
    }

    @Test("a reused connection that fails before any response byte is closed, and an idempotent request resent once on a new connection")
    func staleRetry() throws {
        var pool = Self.reusedRequest()
        let actions = pool.requestFailed(c(1), error: .reset, receivedResponseBytes: false)
        #expect(actions.count == 3)
        guard case .retrying(r(2), let reason) = actions.first else {
            Issue.record("expected .retrying first, got \(actions)")
            return
        }
        #expect(reason.contains("RFC 9112 §9.3.1"))
        #expect(Array(actions.dropFirst()) == [.close(c(1), .staleOnReuse), .createConnection(c(2), origin: "a")])
        #expect(pool.connectionEstablished(c(2)) == [.execute(r(2), on: c(2), isReused: false)])
        #expect(pool.complete(c(2)) == [.succeed(r(2), on: c(2)), .scheduleIdleTimeout(c(2), afterMs: 4000)])
        #expect(pool.stats.retried == 1)
        #expect(pool.stats.closedByReason == [.staleOnReuse: 1])
    }

    @Test("each request is judged by its own method, whatever the requests before it used")
    func methodsOfInterleavedRequests() {
        // The machine keeps each distinct method once and remembers the last: a request after one
        // with another method, and one with a method seen before, must still get their own.
        // Submitted in turn: GET (opens conn#1), POST on it, GET (conn#2), GET on it, GET (conn#3), PUT on it.
        var pool = PoolStateMachine()
        for method in ["POST", "GET", "PUT"] {
            _ = pool.openFreeSocket("a")
            _ = pool.submit("a", method)
        }
        let post = pool.requestFailed(c(1), error: .reset, receivedResponseBytes: false)
        #expect(post.first == .fail(r(2), .notRetried(.reset, because: .notIdempotent(method: "POST"))))
        guard case .retrying(r(4), let reason) = pool.requestFailed(c(2), error: .reset, receivedResponseBytes: false).first else {
            Issue.record("expected the GET to be resent")
            return
        }
        #expect(reason.contains("resending GET once"))
        guard case .retrying(r(6), let putReason) = pool.requestFailed(c(3), error: .reset, receivedResponseBytes: false).first else {
            Issue.record("expected the PUT to be resent")
            return
        }
        #expect(putReason.contains("resending PUT once"))
    }

    @Test("every idempotent method is resent", arguments: ["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"])
    func idempotentMethodsRetried(method: String) {
        var pool = Self.reusedRequest(method)
        let actions = pool.requestFailed(c(1), error: .closedBeforeResponse, receivedResponseBytes: false)
        #expect(Array(actions.dropFirst()) == [.close(c(1), .staleOnReuse), .createConnection(c(2), origin: "a")])
    }

    @Test("a non-idempotent method is never resent", arguments: ["POST", "PATCH", "CONNECT", "get"])
    func nonIdempotentNotRetried(method: String) {
        var pool = Self.reusedRequest(method)
        #expect(pool.requestFailed(c(1), error: .reset, receivedResponseBytes: false) == [
            .fail(r(2), .notRetried(.reset, because: .notIdempotent(method: method))),
            .close(c(1), .requestFailed),
        ])
        #expect(pool.stats.retried == 0)
    }

    @Test("a request on a fresh connection is never resent")
    func freshConnectionNotRetried() {
        var pool = PoolStateMachine()
        _ = pool.openBusySocket("a")
        #expect(pool.requestFailed(c(1), error: .reset, receivedResponseBytes: false) == [
            .fail(r(1), .notRetried(.reset, because: .freshConnection)),
            .close(c(1), .requestFailed),
        ])
    }

    @Test("a request whose response had started is not resent")
    func responseStartedNotRetried() {
        var pool = Self.reusedRequest()
        #expect(pool.requestFailed(c(1), error: .malformedResponse("bad chunk size"), receivedResponseBytes: true) == [
            .fail(r(2), .notRetried(.malformedResponse("bad chunk size"), because: .responseStarted)),
            .close(c(1), .requestFailed),
        ])
    }

    @Test("a resent request that fails again is not resent a second time")
    func retriedOnlyOnce() {
        var pool = Self.reusedRequest()
        _ = pool.requestFailed(c(1), error: .reset, receivedResponseBytes: false)
        _ = pool.connectionEstablished(c(2))
        #expect(pool.requestFailed(c(2), error: .reset, receivedResponseBytes: false) == [
            .fail(r(2), .notRetried(.reset, because: .alreadyRetried)),
            .close(c(2), .requestFailed),
        ])
        #expect(pool.stats.retried == 1)
    }

    @Test("the resend opens a new connection even when another free socket exists")
    func retryNeverUsesFreeSocket() {
        var pool = PoolStateMachine()
        _ = pool.openBusySocket("a")
        _ = pool.openBusySocket("a")
        _ = pool.complete(c(1))
        _ = pool.complete(c(2))
        #expect(pool.submit("a") == [.cancelIdleTimeout(c(2)), .execute(r(3), on: c(2), isReused: true)])
        let actions = pool.requestFailed(c(2), error: .reset, receivedResponseBytes: false)
        #expect(Array(actions.dropFirst()) == [.close(c(2), .staleOnReuse), .createConnection(c(3), origin: "a")])
        #expect(pool.freeList(for: "a") == [c(1)])
    }

    @Test("the resent request keeps its slot: it does not queue behind waiters")
    func retryKeepsSlot() {
        var pool = Self.reusedRequest(configuration: PoolConfiguration(maxSockets: 1))
        #expect(pool.submit("a") == [])
        let actions = pool.requestFailed(c(1), error: .reset, receivedResponseBytes: false)
        #expect(Array(actions.dropFirst()) == [.close(c(1), .staleOnReuse), .createConnection(c(2), origin: "a")])
        #expect(pool.connectionEstablished(c(2)) == [.execute(r(2), on: c(2), isReused: false)])
        #expect(pool.stats.byOrigin["a"]?.waiting == 1)
    }

    @Test("a failure that is not resent frees the slot for a waiter")
    func failureFreesSlot() {
        var pool = PoolStateMachine(configuration: PoolConfiguration(maxSockets: 1))
        _ = pool.openBusySocket("a", "POST")
        _ = pool.submit("a")
        #expect(pool.requestFailed(c(1), error: .reset, receivedResponseBytes: true) == [
            .fail(r(1), .notRetried(.reset, because: .freshConnection)),
            .close(c(1), .requestFailed),
            .createConnection(c(2), origin: "a"),
        ])
    }
}

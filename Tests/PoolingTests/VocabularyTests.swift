// The small types: Keep-Alive hint parsing, configuration checks, stable names.
import Pooling
import Testing

@Suite("Pool vocabulary")
struct VocabularyTests {
    @Test("Keep-Alive header values parse into a hint", arguments: [
        ("timeout=5, max=100", KeepAliveHint(timeoutSeconds: 5, max: 100)),
        ("timeout=5", KeepAliveHint(timeoutSeconds: 5)),
        ("Max=3", KeepAliveHint(max: 3)),
        ("  TIMEOUT = 2 ,max=7", KeepAliveHint(timeoutSeconds: 2, max: 7)),
        ("timeout=\"4\"", KeepAliveHint(timeoutSeconds: 4)),
        ("timeout=abc, max=2", KeepAliveHint(max: 2)),
        ("timeout=99999999999999999999999", KeepAliveHint(timeoutSeconds: Int.max)),
        ("timeout=1, timeout=9", KeepAliveHint(timeoutSeconds: 1)),
    ])
    func parsesHint(value: String, expected: KeepAliveHint) {
        #expect(KeepAliveHint(headerValue: value) == expected)
    }

    @Test("a Keep-Alive value with nothing usable is no hint", arguments: ["", "foo", "timeout=", "max=-1", "timeout=1x"])
    func rejectsHint(value: String) {
        #expect(KeepAliveHint(headerValue: value) == nil)
    }

    @Test("the defaults are Node's")
    func defaults() {
        let configuration = PoolConfiguration()
        #expect(configuration.keepAlive)
        #expect(configuration.maxSockets == Int.max)
        #expect(configuration.maxTotalSockets == Int.max)
        #expect(configuration.maxFreeSockets == 256)
        #expect(configuration.freeSocketTimeoutMs == 4000)
        #expect(configuration.scheduling == .lifo)
        #expect(configuration.validate() == [])
    }

    @Test("unusable settings are named")
    func validation() {
        let configuration = PoolConfiguration(maxSockets: 0, maxTotalSockets: -1, maxFreeSockets: -2, freeSocketTimeoutMs: 0)
        #expect(configuration.validate() == [
            .maxSocketsBelowOne(0), .maxTotalSocketsBelowOne(-1), .maxFreeSocketsNegative(-2),
            .freeSocketTimeoutNotPositive(0),
        ])
        #expect(configuration.validate().first?.description == "maxSockets must be at least 1, not 0")
    }

    @Test("every close reason has a stable, distinct name")
    func closeReasonNames() {
        let names = CloseReason.allCases.map(\.description)
        #expect(names == [
            "agent keepAlive off", "server said close", "body unread", "server max requests reached",
            "keep-alive hint too short", "free list full", "free socket timeout", "stale on reuse",
            "closed by peer while free", "unsolicited bytes", "agent destroyed", "timed out",
            "request failed", "evicted for other origin",
        ])
        #expect(Set(names).count == names.count)
    }

    @Test("errors and actions read well in a trace")
    func descriptions() {
        #expect(PoolError.notRetried(.reset, because: .notIdempotent(method: "POST")).description
            == "connection reset (not retried: POST is not idempotent)")
        #expect(PoolAction.close(c(3), .freeSocketTimeout).description == "close conn#3: free socket timeout")
        #expect(PoolAction.execute(r(2), on: c(1), isReused: true).description == "execute req#2 on conn#1 (reused)")
    }
}

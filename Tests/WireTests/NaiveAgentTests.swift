import HTTP1
import Pooling
import Testing
@testable import Wire

/// The embedded server closes idle connections after 300 ms and says `Keep-Alive: timeout=0`
/// (whole seconds, rounded down), which an agent that honours the hint can't pool at all: these
/// agents ignore it, so they keep the socket past the server's close, and the second request,
/// sent 600 ms later, finds it closed. Which defence is on decides what happens next.
@Suite("Agent: a naive client, and each defence on its own")
struct NaiveAgentTests {
    struct Outcome {
        var second: AgentResult
        var agent: Agent
        var server: ServerHarness
    }

    /// First request, a pause past the server's idle close, then the second request.
    static func requestAfterServerClosed(_ change: (inout PoolConfiguration) -> Void, method: String = "GET") throws -> Outcome {
        let h = try ServerHarness { $0.keepAliveTimeoutMs = 300 }
        var pool = PoolConfiguration(ignoresKeepAliveHint: true)
        change(&pool)
        let agent = Agent(loop: h.loop, configuration: agentConfig { $0.pool = pool })
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        let first = sendSequentially(agent, [AgentRequest(origin: origin)])
        #expect(first.first?.status == 200)
        _ = h.waitForClose("the server's idle close")
        let pause = h.loop.now + 300_000_000
        h.loop.schedule(afterMs: 300) {}
        _ = h.wait("the pause") { h.loop.now >= pause }
        let second = try #require(sendSequentially(agent, [AgentRequest(method: method, origin: origin)]).first)
        return Outcome(second: second, agent: agent, server: h)
    }

    @Test("all defences off: the request is sent into the closed socket and fails, not retried")
    func naive() throws {
        let o = try Self.requestAfterServerClosed { $0.checksBeforeReuse = false; $0.retriesStaleRequests = false }
        #expect(o.second.isReused)
        #expect(o.second.error == .notRetried(.closedBeforeResponse, because: "the agent's retries are off"))
        #expect(o.agent.stats.closedByReason == [.requestFailed: 1])
        #expect(o.server.server.stats.requests == 1)   // the server never saw the second request
    }

    @Test("the check alone: the closed free socket is retired, the request takes a new connection")
    func checkOnly() throws {
        let o = try Self.requestAfterServerClosed { $0.retriesStaleRequests = false }
        #expect(o.second.status == 200)
        #expect(!o.second.isReused && !o.second.isRetried)
        #expect(o.agent.stats.closedByReason == [.closedByPeerWhileFree: 1])
    }

    @Test("the retry alone: the request fails on the stale socket and is resent once on a new one")
    func retryOnly() throws {
        let o = try Self.requestAfterServerClosed { $0.checksBeforeReuse = false }
        #expect(o.second.status == 200)
        #expect(o.second.isRetried)
        #expect(o.agent.stats.closedByReason == [.staleOnReuse: 1])
        #expect(o.agent.stats.retried == 1)
    }

    @Test("the retry never resends a POST: it fails, and says why")
    func postNotRetried() throws {
        let o = try Self.requestAfterServerClosed({ $0.checksBeforeReuse = false }, method: "POST")
        #expect(o.second.error == .notRetried(.closedBeforeResponse, because: "POST is not idempotent"))
    }

    @Test("hint margin 0: the free socket expires exactly at the server's advertised timeout")
    func zeroMargin() throws {
        let h = try ServerHarness { $0.keepAliveTimeoutMs = 1_000 }   // timeout=1: the default margin keeps nothing
        let agent = Agent(loop: h.loop, configuration: agentConfig { $0.pool.keepAliveHintMarginMs = 0 })
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        _ = sendSequentially(agent, [AgentRequest(origin: origin)])
        #expect(agent.stats.total.free == 1)
        let start = h.loop.now
        _ = h.wait("the socket to go") { agent.stats.total.free == 0 }
        #expect(Double(h.loop.now - start) / 1e6 >= 900)
        let defaultAgent = Agent(loop: h.loop)
        _ = sendSequentially(defaultAgent, [AgentRequest(origin: origin)])
        #expect(defaultAgent.stats.closedByReason == [.keepAliveHintTooShort: 1])
    }

    @Test("a server that advertises a longer timeout than it keeps, or none at all")
    func advertisedHint() throws {
        let h = try ServerHarness { $0.keepAliveTimeoutMs = 1_500; $0.advertisedKeepAliveTimeoutMs = 5_000; $0.maxRequestsPerSocket = 3 }
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        let agent = Agent(loop: h.loop)
        let first = try #require(sendSequentially(agent, [AgentRequest(origin: origin)]).first)
        #expect(first.head?.headers["Keep-Alive"] == "timeout=5, max=3")
        h.server.configuration.sendsKeepAliveHeader = false
        let second = try #require(sendSequentially(agent, [AgentRequest(origin: origin)]).first)
        #expect(second.head?.headers["Keep-Alive"] == nil)
        #expect(second.head?.headers["Connection"] == "keep-alive")
    }
}

@Suite("Mystery servers")
struct MysteryServerTests {
    @Test("the same number always gives the same server, within the documented ranges")
    func ranges() {
        #expect(ServerConfiguration.mystery(7) == ServerConfiguration.mystery(7))
        var seen = Set<Int>()
        var hints = (truth: 0, none: 0, longer: 0)
        for n in 1...400 {
            let c = ServerConfiguration.mystery(n)
            #expect((1_000...4_000).contains(c.keepAliveTimeoutMs) && c.keepAliveTimeoutMs % 500 == 0)
            #expect(c.maxRequestsPerSocket == 0 || (3...9).contains(c.maxRequestsPerSocket))
            #expect((1_000...3_000).contains(c.headersTimeoutMs) && c.headersTimeoutMs % 500 == 0)
            if !c.sendsKeepAliveHeader { hints.none += 1 }
            else if let advertised = c.advertisedKeepAliveTimeoutMs {
                #expect(advertised > c.keepAliveTimeoutMs)
                hints.longer += 1
            } else { hints.truth += 1 }
            seen.insert(c.keepAliveTimeoutMs)
        }
        #expect(seen.count == 7)
        #expect(hints.truth > 0 && hints.none > 0 && hints.longer > 0)
        #expect(ServerConfiguration.mystery(1) != ServerConfiguration.mystery(2))
    }
}

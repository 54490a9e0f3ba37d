import HTTP1
import HTTP2
import Testing
@testable import Wire

/// RFC 9113 §8.7 in the agent: what the server did not process is sent again once on a new
/// connection, even a POST; what it may have processed never is.
@Suite("Agent over HTTP/2: GOAWAY and REFUSED_STREAM")
struct AgentH2RetryTests {
    static func post(_ origin: HTTPOrigin, _ path: String) -> AgentRequest {
        AgentRequest(method: "POST", origin: origin, target: path, body: Array("payload".utf8))
    }

    @Test("a POST refused with REFUSED_STREAM is resent on a new connection and succeeds")
    func refusedStreamRetried() throws {
        let loop = try EventLoop()
        defer { loop.close() }
        let server = try ScriptedH2Server(loop: loop) { peer, stream in
            if peer.number == 1 { peer.reset(stream, .refusedStream) } else { peer.answer(stream, "second") }
        }
        let agent = Agent(loop: loop, configuration: agentConfig { $0.httpProtocol = .h2 })
        let results = sendSequentially(agent, [AgentH2RetryTests.post(server.origin, "/buy")])
        #expect(results.first?.status == 200)
        #expect(results.first?.bodyText == "second")
        #expect(results.first?.isRetried == true)
        #expect(results.first?.retryReason?.contains("REFUSED_STREAM") == true)
        #expect(results.first?.connection == 2 && results.first?.stream == 1)
        #expect(server.log == ["#1 stream 1 /buy 7", "#2 stream 1 /buy 7"])
        #expect(agent.stats.retried == 1 && agent.stats.created == 2)
        #expect(agent.h2Stats?.notProcessed == 1)
    }

    @Test("GOAWAY: streams above its last id are resent on a new connection, the one below finishes")
    func goAwayRetriesTheUnprocessed() throws {
        let loop = try EventLoop()
        defer { loop.close() }
        let server = try ScriptedH2Server(loop: loop) { peer, stream in
            if peer.number == 1 {
                // Wait for all three, then process only stream 1.
                guard peer.requests.count == 3 else { return }
                peer.goAway(lastStream: 1)
                peer.answer(1, "first")
            } else {
                peer.answer(stream, "again \(stream)")
            }
        }
        let agent = Agent(loop: loop, configuration: agentConfig { $0.httpProtocol = .h2 })
        let results = sendInParallel(agent, ["/a", "/b", "/c"].map { AgentH2RetryTests.post(server.origin, $0) })
        #expect(results.map(\.status) == [200, 200, 200])
        #expect(results.map(\.bodyText) == ["first", "again 1", "again 3"])
        #expect(results.map(\.isRetried) == [false, true, true])
        #expect(results.map(\.connection) == [1, 2, 2])
        #expect(results[1].retryReason?.contains("GOAWAY") == true)
        #expect(agent.stats.created == 2)
    }

    @Test("a POST reset with INTERNAL_ERROR may have been processed: not resent")
    func otherResetNotRetried() throws {
        let loop = try EventLoop()
        defer { loop.close() }
        let server = try ScriptedH2Server(loop: loop) { peer, stream in peer.reset(stream, .internalError) }
        let agent = Agent(loop: loop, configuration: agentConfig { $0.httpProtocol = .h2 })
        let results = sendSequentially(agent, [AgentH2RetryTests.post(server.origin, "/buy")])
        #expect(results.first?.isRetried == false)
        #expect(results.first?.error?.description.contains("may have processed it") == true)
        #expect(results.first?.error?.description.contains("INTERNAL_ERROR") == true)
        #expect(server.log.count == 1)
    }

    @Test("the connection dropped under a POST: not resent; a queued request never sent is")
    func droppedConnection() throws {
        let loop = try EventLoop()
        defer { loop.close() }
        let server = try ScriptedH2Server(loop: loop) { peer, _ in
            if peer.number == 1 { peer.close() } else { peer.answer(1, "fresh") }
        }
        let agent = Agent(loop: loop, configuration: agentConfig { $0.httpProtocol = .h2 })
        let results = sendSequentially(agent, [AgentH2RetryTests.post(server.origin, "/buy")])
        #expect(results.first?.isRetried == false)
        #expect(results.first?.error?.description.contains("may have been processed") == true)
        #expect(server.log.count == 1)
        // The next request opens a new connection.
        #expect(sendSequentially(agent, [AgentRequest(origin: server.origin)]).first?.bodyText == "fresh")
    }
}

import HTTP1
import HTTP2
import Testing
@testable import Wire

/// The agent's `protocol=h2` against our own server (h2c with prior knowledge), on loopback port 0.
@Suite("Agent over HTTP/2")
struct AgentH2Tests {
    static func h2Agent(_ h: ServerHarness, _ change: (inout AgentConfiguration) -> Void = { _ in }) -> Agent {
        Agent(loop: h.loop, configuration: agentConfig {
            $0.httpProtocol = .h2
            change(&$0)
        })
    }

    @Test("a slow and a fast request on one h2 connection: the fast one finishes first")
    func multiplexed() throws {
        let h = try ServerHarness()
        let agent = AgentH2Tests.h2Agent(h)
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        var order: [String] = []
        var results: [String: AgentResult] = [:]
        for target in ["/delay/300", "/"] {
            agent.send(AgentRequest(origin: origin, target: target)) {
                order.append(target)
                results[target] = $0
            }
        }
        #expect(h.wait("both responses") { results.count == 2 })
        #expect(order == ["/", "/delay/300"])
        #expect(results.values.map(\.status) == [200, 200])
        #expect(results["/delay/300"]?.stream == 1 && results["/"]?.stream == 3)
        #expect(Set(results.values.compactMap(\.connection)) == [1])
        #expect(results["/"]?.head?.version.major == 2)
        #expect(h.server.stats.accepted == 1)
        #expect(agent.stats.created == 1)
        #expect(agent.h2Stats?.streams == 2)
        #expect(agent.h2Stats?.peakStreams == 2)
    }

    @Test("more requests than the server's SETTINGS_MAX_CONCURRENT_STREAMS queue: never refused, one connection")
    func queueBeyondTheLimit() throws {
        let h = try ServerHarness { $0.http2.maxConcurrentStreams = 2 }
        let agent = AgentH2Tests.h2Agent(h)
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        let results = sendInParallel(agent, (0..<7).map { _ in AgentRequest(origin: origin, target: "/delay/30") })
        #expect(results.map(\.status) == Array(repeating: 200, count: 7))
        #expect(results.map(\.stream).sorted() == [1, 3, 5, 7, 9, 11, 13])
        #expect(results.allSatisfy { !$0.isRetried })
        #expect(agent.h2Stats?.peakStreams == 2)
        #expect(agent.h2Stats?.serverStreamLimit == 2)
        #expect(agent.h2Stats?.notProcessed == 0)
        #expect(agent.stats.created == 1)
        #expect(h.server.stats.accepted == 1)
    }

    @Test("a POST body and a response body both past the 65,535-byte window")
    func bigBodies() throws {
        let h = try ServerHarness()
        h.server.requestHandler = { request, answer in
            answer(ServerResponse(status: 200, headers: [:], body: Array("got \(request.body.count)".utf8)))
        }
        let agent = AgentH2Tests.h2Agent(h)
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        let body = (0..<300_000).map { UInt8($0 % 251) }
        let results = sendInParallel(agent, [AgentRequest(method: "POST", origin: origin, target: "/upload", body: body)])
        #expect(results.first?.bodyText == "got 300000")
        h.server.requestHandler = nil
        let download = sendSequentially(agent, [AgentRequest(origin: origin, target: "/bytes/500000")])
        #expect(download.first?.body.count == 500_000)
        #expect(download.first?.stream == 3)
        #expect(agent.stats.created == 1)
    }

    @Test("the server's idle GOAWAY retires the connection; the next request opens a new one")
    func goAwayThenNewConnection() throws {
        let h = try ServerHarness { $0.keepAliveTimeoutMs = 100 }
        let agent = AgentH2Tests.h2Agent(h)
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        #expect(sendSequentially(agent, [AgentRequest(origin: origin)]).first?.status == 200)
        #expect(h.wait("the agent to see the idle close") { agent.stats.closed == 1 })
        #expect(agent.closeReasons[1]?.contains("GOAWAY") == true)
        let again = sendSequentially(agent, [AgentRequest(origin: origin)])
        #expect(again.first?.status == 200)
        #expect(again.first?.connection == 2 && again.first?.stream == 1)
        #expect(agent.stats.created == 2)
    }

    @Test("a refused connection fails the request with refused")
    func refused() throws {
        let loop = try EventLoop()
        defer { loop.close() }
        let (fd, port) = try Platform.listenLoopback(port: 0)
        Platform.close(fd)
        let agent = Agent(loop: loop, configuration: agentConfig { $0.httpProtocol = .h2 })
        let results = sendSequentially(agent, [AgentRequest(origin: HTTPOrigin(host: "127.0.0.1", port: port))])
        #expect(results.first?.error == .refused)
    }
}

@Suite("Agent over HTTP/2: destroy")
struct AgentH2DestroyTests {
    @Test("destroy fails the requests in flight with destroyed and closes the connection")
    func destroy() throws {
        let h = try ServerHarness()
        let agent = AgentH2Tests.h2Agent(h)
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        var result: AgentResult?
        agent.send(AgentRequest(origin: origin, target: "/delay/2000")) { result = $0 }
        #expect(h.wait("the request to be on its stream") { (agent.h2Stats?.openStreams ?? 0) == 1 })
        agent.destroy()
        #expect(h.wait("the failure") { result != nil })
        #expect(result?.error == .destroyed)
        #expect(agent.stats.closedByReason[.agentDestroyed] == 1)
        var late: AgentResult?
        agent.send(AgentRequest(origin: origin)) { late = $0 }
        #expect(late?.error == .destroyed)
    }
}

@Suite("Agent over HTTP/2: timeout")
struct AgentH2TimeoutTests {
    @Test("timeout: a stream with nothing arriving fails with timedOut and the connection closes")
    func inactivity() throws {
        let h = try ServerHarness()
        let agent = AgentH2Tests.h2Agent(h) { $0.timeoutMs = 100 }
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        let results = sendInParallel(agent, [AgentRequest(origin: origin, target: "/delay/2000")])
        #expect(results.first?.error == .timedOut)
        #expect(agent.stats.closedByReason[.timedOut] == 1)
        // A quick one on a new connection is not cut off.
        #expect(sendSequentially(agent, [AgentRequest(origin: origin, target: "/delay/20")]).first?.status == 200)
    }
}

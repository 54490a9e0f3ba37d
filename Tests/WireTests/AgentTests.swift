import HTTP1
import Pooling
import Testing
@testable import Wire

/// Sends requests through `agent` one after another, each waiting for the previous (bounded).
func sendSequentially(_ agent: Agent, _ requests: [AgentRequest], timeoutMs: Int = 5_000) -> [AgentResult] {
    var results: [AgentResult] = []
    for request in requests {
        var result: AgentResult?
        agent.send(request) { result = $0 }
        let ok = agent.loop.run(until: { result != nil }, timeoutNanos: Int64(timeoutMs) * 1_000_000)
        if !ok { Issue.record("timed out waiting for \(request.method) \(request.target)") }
        if let result { results.append(result) }
    }
    return results
}

/// Sends all `requests` at once and waits for every result (bounded).
func sendInParallel(_ agent: Agent, _ requests: [AgentRequest], timeoutMs: Int = 5_000) -> [AgentResult] {
    var results = [AgentResult?](repeating: nil, count: requests.count)
    for (i, request) in requests.enumerated() { agent.send(request) { results[i] = $0 } }
    let ok = agent.loop.run(until: { results.allSatisfy { $0 != nil } }, timeoutNanos: Int64(timeoutMs) * 1_000_000)
    if !ok { Issue.record("timed out waiting for \(requests.count) parallel requests") }
    return results.compactMap { $0 }
}

func agentConfig(_ change: (inout AgentConfiguration) -> Void = { _ in }) -> AgentConfiguration {
    var config = AgentConfiguration()
    change(&config)
    return config
}

@Suite("Agent against the embedded server")
struct AgentServerTests {
    @Test("five sequential requests with keep-alive use one connection")
    func reuse() throws {
        let h = try ServerHarness()
        let agent = Agent(loop: h.loop, configuration: agentConfig { $0.pool.maxSockets = 1 })
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        let results = sendSequentially(agent, Array(repeating: AgentRequest(origin: origin), count: 5))
        #expect(results.map(\.status) == [200, 200, 200, 200, 200])
        #expect(results.map(\.isReused) == [false, true, true, true, true])
        #expect(Set(results.compactMap(\.connection)).count == 1)
        #expect(h.server.stats.accepted == 1)
        #expect(agent.stats.created == 1 && agent.stats.reused == 4)
        #expect(results[0].timings.connect != nil && results[1].timings.connect == nil)
    }

    @Test("keepAlive=false opens a connection per request and sends Connection: close")
    func noKeepAlive() throws {
        let h = try ServerHarness()
        let agent = Agent(loop: h.loop, configuration: agentConfig { $0.pool.keepAlive = false })
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        let results = sendSequentially(agent, Array(repeating: AgentRequest(origin: origin, target: "/echo"), count: 3))
        #expect(results.allSatisfy { $0.bodyText.contains(#"["Connection","close"]"#) })
        #expect(h.server.stats.accepted == 3)
        #expect(agent.stats.closedByReason[.agentKeepAliveDisabled] == 3)
    }

    @Test("maxSockets=3: three parallel requests open three connections, then sequential ones reuse them")
    func poolParallelThenSequential() throws {
        let h = try ServerHarness()
        let agent = Agent(loop: h.loop, configuration: agentConfig { $0.pool.maxSockets = 3; $0.pool.maxFreeSockets = 2 })
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        let parallel = sendInParallel(agent, Array(repeating: AgentRequest(origin: origin, target: "/delay/20"), count: 3))
        #expect(parallel.count == 3)
        #expect(h.server.stats.accepted == 3)
        // maxFreeSockets=2: one of the three is closed when all come free.
        #expect(agent.stats.closedByReason[.freeListFull] == 1)
        h.server.resetStats()
        _ = sendSequentially(agent, Array(repeating: AgentRequest(origin: origin), count: 3))
        #expect(h.server.stats.accepted == 0)
    }

    @Test("requests beyond maxSockets wait in a FIFO queue")
    func queueing() throws {
        let h = try ServerHarness()
        let agent = Agent(loop: h.loop, configuration: agentConfig { $0.pool.maxSockets = 1 })
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        var order: [String] = []
        for path in ["/delay/30", "/status/201", "/status/202"] {
            agent.send(AgentRequest(origin: origin, target: path)) { order.append($0.request.target) }
        }
        #expect(agent.stats.total.waiting == 2)
        h.wait("three responses") { order.count == 3 }
        #expect(order == ["/delay/30", "/status/201", "/status/202"])
        #expect(h.server.stats.accepted == 1)
    }

    @Test("the server's Keep-Alive timeout lowers the free socket's expiry")
    func hintLowersExpiry() throws {
        let h = try ServerHarness { $0.keepAliveTimeoutMs = 2_000 }   // hint timeout=2 → 1000 ms free
        let agent = Agent(loop: h.loop, configuration: agentConfig { $0.pool.freeSocketTimeoutMs = 30_000 })
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        _ = sendSequentially(agent, [AgentRequest(origin: origin)])
        let start = h.loop.now
        h.wait("the agent to expire its free socket") { agent.stats.closedByReason[.freeSocketTimeout] == 1 }
        let waited = Double(h.loop.now - start) / 1e6
        #expect(waited >= 990)
        h.wait("the server to see the client close") { !h.closeReasons().isEmpty }
        #expect(h.closeReasons() == [.clientClosed])   // the agent closed first, not the server
    }

    @Test("maxRequestsPerSocket on the server: the agent opens a new connection after Connection: close")
    func serverMax() throws {
        let h = try ServerHarness { $0.maxRequestsPerSocket = 2 }
        let agent = Agent(loop: h.loop, configuration: agentConfig { $0.pool.maxSockets = 1 })
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        let results = sendSequentially(agent, Array(repeating: AgentRequest(origin: origin), count: 5))
        #expect(results.compactMap(\.connection) == [1, 1, 2, 2, 3])
        #expect(h.server.stats.accepted == 3)
    }

    @Test("TCP keepalive is set on keep-alive sockets and read back with getsockopt")
    func tcpKeepAlive() throws {
        let h = try ServerHarness()
        let agent = Agent(loop: h.loop, configuration: agentConfig { $0.keepAliveMsecs = 7_000 })
        _ = sendSequentially(agent, [AgentRequest(origin: HTTPOrigin(host: "127.0.0.1", port: h.server.port))])
        let keepAlive = agent.tcpKeepAliveOfAnOpenSocket
        #expect(keepAlive?.enabled == true)
        #expect(keepAlive?.idleSeconds == 7)
    }

    @Test("destroy closes sockets and fails queued requests")
    func destroy() throws {
        let h = try ServerHarness()
        let agent = Agent(loop: h.loop, configuration: agentConfig { $0.pool.maxSockets = 1 })
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        var results: [AgentResult] = []
        agent.send(AgentRequest(origin: origin, target: "/delay/500")) { results.append($0) }
        agent.send(AgentRequest(origin: origin)) { results.append($0) }
        h.wait("the first request to reach the server") { h.server.stats.requests == 1 }
        agent.destroy()
        h.wait("both requests to finish") { results.count == 2 }
        #expect(results.allSatisfy { $0.error?.kind == "destroyed" })
        h.wait("the server to see the close") { h.server.stats.open == 0 }
    }

    @Test("simulated RTT: a new connection costs one RTT more than a reused one")
    func simulatedRTT() throws {
        let h = try ServerHarness()
        let agent = Agent(loop: h.loop, configuration: agentConfig { $0.network = SimulatedNetwork(rttMs: 40) })
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        let results = sendSequentially(agent, [AgentRequest(origin: origin), AgentRequest(origin: origin)])
        #expect(results[0].timings.done >= 80)     // handshake RTT + request RTT
        #expect(results[1].timings.done >= 40)     // request RTT only
        #expect(results[0].timings.done < 80 + 40) // not two handshake RTTs
        #expect((results[0].timings.connect ?? 0) >= 40)
    }
}

@Suite("Agent under a simulated network")
struct AgentSimulationTests {
    @Test("a server that closes during the simulated handshake fails the request instead of hanging")
    func closedDuringHandshake() throws {
        let h = try ServerHarness { $0.keepAliveTimeoutMs = 50 }
        let agent = Agent(loop: h.loop, configuration: agentConfig { $0.network = SimulatedNetwork(rttMs: 200) })
        let results = sendSequentially(agent, [AgentRequest(origin: HTTPOrigin(host: "127.0.0.1", port: h.server.port))])
        #expect(results.first?.error?.kind == "closed")
        #expect(h.closeReasons() == [.keepAliveTimeout])
    }

    @Test("TLS round trips are added to the handshake")
    func tlsRoundTrips() throws {
        let h = try ServerHarness()
        let agent = Agent(loop: h.loop, configuration: agentConfig { $0.network = SimulatedNetwork(rttMs: 50, tlsRoundTrips: 2) })
        let results = sendSequentially(agent, [AgentRequest(origin: HTTPOrigin(host: "127.0.0.1", port: h.server.port))])
        let connect = try #require(results.first?.timings.connect)
        #expect(connect >= 150)         // TCP 1 RTT + TLS 1.2's 2 RTT
        #expect(connect < 200)          // not a fourth round trip
    }
}

@Suite("Agent against servers that misbehave")
struct AgentMisbehaviourTests {
    @Test("connection refused is its own error")
    func refused() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let (fd, port) = try Platform.listenLoopback(port: 0)
        Platform.close(fd)   // nothing listens there now
        let agent = Agent(loop: loop)
        let results = sendSequentially(agent, [AgentRequest(origin: HTTPOrigin(host: "127.0.0.1", port: port))])
        #expect(results.first?.error == .refused)
    }

    @Test("a server that closes an idle socket: the agent notices and uses a new connection")
    func closesIdle() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { peer, _ in
            peer.send(ScriptedServer.ok)
            peer.close()   // no Connection: close, just gone
        }
        let agent = Agent(loop: loop)
        let results = sendSequentially(agent, [AgentRequest(origin: server.origin), AgentRequest(origin: server.origin)])
        #expect(results.map(\.status) == [200, 200])
        #expect(results[1].isReused == false)
        #expect(results[1].isRetried == false)
        #expect(agent.stats.closedByReason[.closedByPeerWhileFree] == 1)
    }

    @Test("stale connection: a GET that fails on a reused socket before any byte is retried once on a new one")
    func staleRetry() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { peer, n in
            if n == 1 { peer.send(ScriptedServer.ok) } else { peer.close() }   // the race: closed as request 2 arrives
        }
        let agent = Agent(loop: loop)
        let first = sendSequentially(agent, [AgentRequest(origin: server.origin)])
        #expect(first.first?.status == 200)
        let second = sendSequentially(agent, [AgentRequest(origin: server.origin)])
        #expect(second.first?.status == 200)
        #expect(second.first?.isRetried == true)
        #expect(second.first?.isReused == false)
        #expect(agent.stats.retried == 1)
        #expect(agent.stats.closedByReason[.staleOnReuse] == 1)
    }

    @Test("POST is never retried after a stale connection")
    func postNotRetried() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { peer, n in
            if n == 1 { peer.send(ScriptedServer.ok) } else { peer.close() }
        }
        let agent = Agent(loop: loop)
        _ = sendSequentially(agent, [AgentRequest(origin: server.origin)])
        let post = sendSequentially(agent, [AgentRequest(method: "POST", origin: server.origin, body: Array("x".utf8))])
        #expect(post.first?.isRetried == false)
        #expect(post.first?.error?.description.contains("POST is not idempotent") == true)
    }

    @Test("a failure on a fresh connection is not retried")
    func freshNotRetried() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { peer, _ in peer.close() }
        let agent = Agent(loop: loop)
        let results = sendSequentially(agent, [AgentRequest(origin: server.origin)])
        #expect(results.first?.isRetried == false)
        #expect(results.first?.error?.description.contains("new connection") == true)
    }

    @Test("a reset mid-response is a reset, not retried (the response had started)")
    func resetMidResponse() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { peer, _ in
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
            peer.reset()
        }
        let agent = Agent(loop: loop)
        let results = sendSequentially(agent, [AgentRequest(origin: server.origin)])
        let error = results.first?.error
        #expect(error?.kind == "reset" || error?.kind == "closed")
        #expect(results.first?.isRetried == false)
    }

    @Test("garbage instead of a response is a malformed-response error that says what and where")
    func garbage() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { peer, _ in peer.send("HELLO THERE\r\n\r\n") }
        let agent = Agent(loop: loop)
        let results = sendSequentially(agent, [AgentRequest(origin: server.origin)])
        guard case .malformedResponse(let what)? = results.first?.error?.unwrapped else {
            Issue.record("expected a malformed response, got \(String(describing: results.first?.error))")
            return
        }
        #expect(what.contains("byte"))
    }

    @Test("unsolicited bytes on a free socket get it discarded")
    func unsolicited() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { peer, _ in
            peer.send(ScriptedServer.ok + "SURPRISE")
        }
        let agent = Agent(loop: loop)
        let results = sendSequentially(agent, [AgentRequest(origin: server.origin), AgentRequest(origin: server.origin)])
        #expect(results.map(\.status) == [200, 200])
        #expect(results[1].isReused == false)
        #expect(agent.stats.closedByReason[.unsolicitedBytes] == 2)   // both answers carried the surprise
    }

    @Test("a server that never answers hits the agent's socket timeout")
    func neverAnswers() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { _, _ in }
        let agent = Agent(loop: loop, configuration: agentConfig { $0.timeoutMs = 100 })
        let results = sendSequentially(agent, [AgentRequest(origin: server.origin)])
        #expect(results.first?.error?.kind == "timeout")
        #expect(agent.stats.closedByReason[.timedOut] == 1)
    }

    @Test("a response without length is read until close and the socket is not reused")
    func readUntilClose() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { peer, _ in
            peer.send("HTTP/1.1 200 OK\r\n\r\nuntil the end")
            peer.close()
        }
        let agent = Agent(loop: loop)
        let results = sendSequentially(agent, [AgentRequest(origin: server.origin)])
        #expect(results.first?.bodyText == "until the end")
        #expect(agent.stats.closedByReason[.responseNotReusable] == 1)
    }

    @Test("HEAD, 204 and 304 have no body; 1xx is skipped")
    func noBodyCases() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { peer, n in
            switch n {
            case 1: peer.send("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n")
            case 2: peer.send("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")
            default: peer.send("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n")
            }
        }
        let agent = Agent(loop: loop, configuration: agentConfig { $0.pool.maxSockets = 1 })
        let results = sendSequentially(agent, [
            AgentRequest(method: "HEAD", origin: server.origin),
            AgentRequest(origin: server.origin),
            AgentRequest(origin: server.origin),
        ])
        #expect(results.map(\.status) == [200, 204, 304])
        #expect(results.allSatisfy { $0.body.isEmpty })
        #expect(results.map(\.isReused) == [false, true, true])
    }
}

extension AgentError {
    var unwrapped: AgentError {
        if case .notRetried(let inner, _) = self { return inner.unwrapped }
        return self
    }
}

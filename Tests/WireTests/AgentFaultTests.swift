import HTTP1
import Pooling
import Testing
@testable import Wire

/// The agent against a server that breaks in every way a real one can. Three promises, checked in
/// every case: a wrong or truncated body is never a success; a request that must not be resent
/// (RFC 9110 §9.2.2) never is; and when the agent is done, no socket of its is left on the server's port.
@Suite("Agent fault injection", .serialized)
struct AgentFaultTests {
    static let body = "0123456789abcdefghij"
    static let counted = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\nConnection: keep-alive\r\n\r\n" + body
    static let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n5\r\n56789\r\na\r\nabcdefghij\r\n0\r\n\r\n"

    /// Destroys the agent, then waits (bounded) until the scripted server's port holds only its listener.
    static func expectNoLeftoverSockets(_ agent: Agent, _ server: ScriptedServer, _ loop: EventLoop) {
        agent.destroy()
        let clean = loop.run(until: { SocketAccounting.socketsOnPort(server.port, ignoring: server.strangers) - server.openPeerCount == 1 }, timeoutNanos: 5_000_000_000)
        if !clean { Issue.record("sockets left on port \(server.port): \(SocketAccounting.socketsOnPort(server.port, ignoring: server.strangers)), peers open \(server.openPeerCount): \(SocketAccounting.describeSockets(onPort: server.port))") }
        for peer in server.peers { peer.close() }
        #expect(loop.run(until: { SocketAccounting.socketsOnPort(server.port, ignoring: server.strangers) == 1 }, timeoutNanos: 5_000_000_000))
    }

    @Test("a response cut by a close (FIN) after every possible byte count is never a success, unless it was whole",
          arguments: [counted, chunked])
    func closedAfterN(response: String) throws {
        let bytes = Array(response.utf8)
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        var cut = 0
        let server = try ScriptedServer(loop: loop) { peer, _ in
            peer.send(Array(bytes[0..<cut]))
            peer.close()
        }
        let agent = Agent(loop: loop)
        var kinds: [String: Int] = [:]
        for n in 0...bytes.count {
            cut = n
            let result = sendSequentially(agent, [AgentRequest(origin: server.origin)]).first
            if n == bytes.count {
                #expect(result?.isSuccess == true, "the whole response")
                #expect(result?.bodyText == Self.body)
            } else {
                #expect(result?.isSuccess == false, "cut after \(n) bytes, got \(String(describing: result?.bodyText))")
                kinds[result?.error?.kind ?? "none", default: 0] += 1
            }
        }
        // Nothing arrived: closed. Anything arrived: truncated (not "malformed": nothing was wrong with it).
        #expect(kinds == ["closed": 1, "truncated": bytes.count - 1], "\(kinds)")
        Self.expectNoLeftoverSockets(agent, server, loop)
    }

    @Test("a response cut by a reset (RST) after N bytes is never a success", arguments: [0, 10, 17, 40, 70, 84])
    func resetAfterN(n: Int) throws {
        let bytes = Array(Self.counted.utf8)
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { peer, _ in
            peer.send(Array(bytes[0..<min(n, bytes.count - 1)]))
            peer.reset()
        }
        let agent = Agent(loop: loop)
        let result = sendSequentially(agent, [AgentRequest(origin: server.origin)]).first
        #expect(result?.isSuccess == false)
        #expect(["reset", "truncated", "closed"].contains(result?.error?.kind ?? "none"), "\(String(describing: result?.error))")
        #expect(result?.isRetried == false, "a failure on a fresh connection is the server's answer, not a stale socket")
        Self.expectNoLeftoverSockets(agent, server, loop)
    }

    @Test("a truncated chunked body: the chunk promised more, the close says truncated, and where")
    func truncatedChunked() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { peer, _ in
            peer.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n14\r\nonly ten b")
            peer.close()
        }
        let agent = Agent(loop: loop)
        let result = sendSequentially(agent, [AgentRequest(origin: server.origin)]).first
        #expect(result?.error?.kind == "truncated")
        #expect(result?.error?.description.contains("in the middle of chunk data") == true, "\(String(describing: result?.error))")
        Self.expectNoLeftoverSockets(agent, server, loop)
    }

    @Test("Content-Length longer than the body: truncated on close, a timeout when the server just stops")
    func contentLengthLonger() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        var closes = true
        let server = try ScriptedServer(loop: loop) { peer, _ in
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort")
            if closes { peer.close() }
        }
        let agent = Agent(loop: loop, configuration: agentConfig { $0.timeoutMs = 150 })
        let cut = sendSequentially(agent, [AgentRequest(origin: server.origin)]).first
        #expect(cut?.error?.kind == "truncated")
        closes = false
        let stalled = sendSequentially(agent, [AgentRequest(origin: server.origin)]).first
        #expect(stalled?.error?.kind == "timeout")
        #expect(stalled?.body.isEmpty == true, "a failure hands out no partial body")
        Self.expectNoLeftoverSockets(agent, server, loop)
    }

    @Test("Content-Length shorter than the body: the response is exactly Content-Length bytes, and the socket is not reused")
    func contentLengthShorter() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { peer, _ in
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdefgh")
        }
        let agent = Agent(loop: loop)
        let results = sendSequentially(agent, [AgentRequest(origin: server.origin), AgentRequest(origin: server.origin)])
        #expect(results.map(\.bodyText) == ["abc", "abc"])
        #expect(results[1].isReused == false, "the extra bytes answer nothing: that socket can't be trusted")
        #expect(agent.stats.closedByReason[.unsolicitedBytes] == 2)
        Self.expectNoLeftoverSockets(agent, server, loop)
    }

    @Test("a garbage status line: malformed, with where and why", arguments: [
        "HTTP/1.1 2OO OK\r\n\r\n", "SSH-2.0-OpenSSH_9.6\r\n", "HTTP/1.1 999 Nine\r\n\r\n", "HTTP/2 200\r\n\r\n", "\u{0}\u{0}\u{0}\r\n\r\n",
    ])
    func garbageStatusLine(line: String) throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { peer, _ in peer.send(line) }
        let agent = Agent(loop: loop)
        let result = sendSequentially(agent, [AgentRequest(origin: server.origin)]).first
        #expect(result?.error?.kind == "malformed", "\(String(describing: result?.error))")
        #expect(result?.error?.description.contains("at byte") == true)
        Self.expectNoLeftoverSockets(agent, server, loop)
    }

    @Test("a response that arrives after the response (a second answer to one request) is never taken for the next request's")
    func extraResponseLater() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { peer, n in
            peer.send(ScriptedServer.ok)
            // A moment later, an answer to nothing, while the socket sits free.
            _ = loop.schedule(afterNanos: 20_000_000) { peer.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nWRONG") }
        }
        let agent = Agent(loop: loop)
        let first = sendSequentially(agent, [AgentRequest(origin: server.origin)])
        #expect(loop.run(until: { agent.stats.closedByReason[.unsolicitedBytes] == 1 }, timeoutNanos: 2_000_000_000))
        let second = sendSequentially(agent, [AgentRequest(origin: server.origin)])
        #expect((first + second).map(\.bodyText) == ["ok", "ok"])
        #expect(second.first?.isReused == false)
        Self.expectNoLeftoverSockets(agent, server, loop)
    }

    /// The server resets a free socket, and the next request is sent in the same turn, before the
    /// agent has polled: with the check before reuse off, the write itself fails (the kernel already
    /// holds the reset). `execute` writes first and readies the parser and the inactivity timer
    /// after, for a request the pool then fails or retries elsewhere, closing this socket.
    static func writeIntoReset(retries: Bool) throws -> (second: AgentResult, agent: Agent, server: ScriptedServer, loop: EventLoop) {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { peer, _ in peer.send(Self.counted) }
        let agent = Agent(loop: loop, configuration: agentConfig {
            $0.pool.checksBeforeReuse = false
            $0.pool.retriesStaleRequests = retries
        })
        let first = sendSequentially(agent, [AgentRequest(origin: server.origin)]).first
        #expect(first?.status == 200)
        try #require(server.peers.count == 1)
        server.peers[0].reset()
        var second: AgentResult?
        agent.send(AgentRequest(origin: server.origin)) { second = $0 }
        #expect(loop.run(until: { second != nil }, timeoutNanos: 5_000_000_000))
        return (try #require(second), agent, server, loop)
    }

    @Test("a write into a socket the server reset fails at once: the request fails, and nothing waits on that socket")
    func writeIntoResetFails() throws {
        let o = try Self.writeIntoReset(retries: false)
        #expect(o.second.isReused)
        #expect(o.second.isSuccess == false)
        #expect(["reset", "closed"].contains(o.second.error?.kind ?? "none"), "\(String(describing: o.second.error))")
        #expect(o.server.heads.count == 1, "the second request never reached the server")
        #expect(o.agent.stats.closedByReason == [.requestFailed: 1])
        Self.expectNoLeftoverSockets(o.agent, o.server, o.loop)
    }

    @Test("a write into a reset socket, retries on: the GET is sent again, on a new connection")
    func writeIntoResetRetried() throws {
        let o = try Self.writeIntoReset(retries: true)
        #expect(o.second.status == 200)
        #expect(o.second.isRetried)
        #expect(!o.second.isReused)
        #expect(o.server.heads.count == 2)
        #expect(o.agent.stats.closedByReason == [.staleOnReuse: 1])
        Self.expectNoLeftoverSockets(o.agent, o.server, o.loop)
    }

    @Test("a server that speaks first: the bytes answer no request, so the request is not sent there")
    func speaksFirst() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { _, _ in }
        server.onAccept = { peer in peer.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nWRONG") }
        // A simulated handshake holds the request back until the greeting has surely arrived.
        let agent = Agent(loop: loop, configuration: agentConfig { $0.network = SimulatedNetwork(rttMs: 40) })
        let result = sendSequentially(agent, [AgentRequest(origin: server.origin)]).first
        #expect(result?.isSuccess == false)
        #expect(result?.error?.kind == "unsolicited", "\(String(describing: result?.error))")
        #expect(server.heads.isEmpty, "the request never went out on that connection")
        Self.expectNoLeftoverSockets(agent, server, loop)
    }

    @Test("a server that never answers: a timeout error, and the socket closed")
    func neverAnswers() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try ScriptedServer(loop: loop) { _, _ in }
        let agent = Agent(loop: loop, configuration: agentConfig { $0.timeoutMs = 80 })
        let result = sendSequentially(agent, [AgentRequest(method: "POST", origin: server.origin, body: Array("x".utf8))]).first
        #expect(result?.error?.kind == "timeout")
        #expect(result?.isRetried == false)
        #expect(server.heads.count == 1)
        Self.expectNoLeftoverSockets(agent, server, loop)
    }

    @Test("a server that closes idle sockets at random times: every GET succeeds with its own body; no POST is ever sent twice",
          arguments: [UInt64(1), 2, 3])
    func randomIdleCloses(seed: UInt64) throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        var random = SeededRandom(state: seed)
        let server = try ScriptedServer(loop: loop) { peer, _ in
            guard let id = ScriptedServer.header("X-Id", in: peer.server.heads.last ?? "") else { return }
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: \(id.utf8.count)\r\nKeep-Alive: timeout=5\r\n\r\n\(id)")
            // Then, often, close the socket at a random moment while it sits idle in the agent's pool.
            if random.below(3) > 0 {
                _ = loop.schedule(afterNanos: Int64(random.below(6_000_000))) { peer.close() }
            }
        }
        let agent = Agent(loop: loop, configuration: agentConfig { $0.pool.maxSockets = 2 })
        var results: [AgentResult] = []
        var pause: LoopTimer?
        for index in 0..<120 {
            let method = index % 3 == 0 ? "POST" : "GET"
            var headers = HTTPHeaders()
            headers.add(name: "X-Id", value: "\(method)-\(index)")
            results += sendSequentially(agent, [AgentRequest(method: method, origin: server.origin, headers: headers, body: method == "POST" ? Array("b".utf8) : [])])
            // Idle for a random 0-5 ms, so some closes land while the socket is free and some after reuse.
            var waited = false
            pause = loop.schedule(afterNanos: Int64(random.below(5_000_000))) { waited = true }
            _ = loop.run(until: { waited }, timeoutNanos: 1_000_000_000)
        }
        pause?.cancel()
        for (index, result) in results.enumerated() {
            let id = "\(index % 3 == 0 ? "POST" : "GET")-\(index)"
            if result.isSuccess { #expect(result.bodyText == id, "a success carries its own body") }
            if index % 3 == 0 {
                #expect(result.isRetried == false, "\(id) was retried")
                if !result.isSuccess { #expect(result.error?.description.contains("POST is not idempotent") == true, "\(String(describing: result.error))") }
            } else {
                #expect(result.isSuccess, "\(id): \(String(describing: result.error))")
            }
        }
        // Counted at the server: no POST arrived twice.
        let postsSeen = server.heads.compactMap { ScriptedServer.header("X-Id", in: $0) }.filter { $0.hasPrefix("POST-") }
        #expect(postsSeen.count == Set(postsSeen).count, "a POST reached the server twice")
        Self.expectNoLeftoverSockets(agent, server, loop)
    }
}

extension ScriptedServer {
    /// Peers the scripted server has not closed yet.
    var openPeerCount: Int { peers.filter { !$0.isClosed }.count }

    /// The value of `name` in a raw request head, or nil.
    static func header(_ name: String, in head: String) -> String? {
        for line in head.split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, asciiEqualsIgnoringCase(parts[0], name) { return String(parts[1].drop { $0 == " " || $0 == "\t" }) }
        }
        return nil
    }
}

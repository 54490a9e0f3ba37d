import HTTP1
import Pooling
import Testing
@testable import Wire

// The rules the agent's per-request shortcuts rely on (see Agent.swift): a request value sent again
// is encoded again only if it changed; an idle timer asked for and made unnecessary in the same
// batch is never armed, and one still needed is; an action's connection and entry stay in their
// tables while the action runs, whatever observers and completions do meanwhile.

/// Runs the loop until `condition` holds, at most `timeoutMs`; records an issue if it does not.
@discardableResult
private func waitFor(_ loop: EventLoop, _ what: String, timeoutMs: Int = 5_000, _ condition: () -> Bool) -> Bool {
    let met = loop.run(until: condition, timeoutNanos: Int64(timeoutMs) * 1_000_000)
    if !met { Issue.record("timed out waiting for \(what)") }
    return met
}

/// Sends `request` and waits (bounded) for its status, keeping nothing else of the result: the
/// agent's own memo is then the only other holder of the request's box.
private func statusOf(_ agent: Agent, _ request: AgentRequest) -> Int? {
    var status: Int?? = .none
    agent.send(request) { status = .some($0.status) }
    waitFor(agent.loop, "\(request.method) \(request.target)") { status != nil }
    return status ?? nil
}

/// A server that answers every request with an empty 200 and keeps the connection open.
private func emptyOKServer(_ loop: EventLoop) throws -> ScriptedServer {
    try ScriptedServer(loop: loop) { peer, _ in peer.send("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") }
}

@Suite("The agent's per-request shortcuts")
struct AgentHotPathTests {
    @Test("a request value sent again is sent as it is now: every change after a send is encoded afresh")
    func changedRequestEncodedAgain() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try emptyOKServer(loop)
        let agent = Agent(loop: loop, configuration: agentConfig { $0.pool.maxSockets = 1 })
        var request = AgentRequest(origin: server.origin, target: "/a")
        #expect(statusOf(agent, request) == 200)
        #expect(statusOf(agent, request) == 200)   // the same value: the same bytes
        request.target = "/b"
        #expect(statusOf(agent, request) == 200)
        request.method = "DELETE"
        #expect(statusOf(agent, request) == 200)
        request.headers.add(name: "X-Step", value: "5")
        #expect(statusOf(agent, request) == 200)
        request.headers = ["Connection": "close"]
        #expect(statusOf(agent, request) == 200)
        request.headers = [:]
        request.body = Array("hi".utf8)
        #expect(statusOf(agent, request) == 200)
        let lines = server.heads.map { $0.split(separator: "\r\n").map(String.init) }
        #expect(lines.map { $0.first } == ["GET /a HTTP/1.1", "GET /a HTTP/1.1", "GET /b HTTP/1.1", "DELETE /b HTTP/1.1",
                                           "DELETE /b HTTP/1.1", "DELETE /b HTTP/1.1", "DELETE /b HTTP/1.1"])
        #expect(server.heads[0] == server.heads[1])
        #expect(lines[4].contains("X-Step: 5") && !lines[3].contains("X-Step: 5"))
        #expect(!lines[5].contains("X-Step: 5") && lines[5].contains("Connection: close"))
        #expect(lines[6].contains("Content-Length: 2") && !lines[6].contains("Connection: close"))
        // The sixth said `Connection: close` itself: the agent did not keep that socket.
        #expect(agent.stats.closedByReason[.responseNotReusable] == 1)
        #expect(agent.stats.created == 2)
    }

    @Test("two origins with the same address: each request keeps its own Host")
    func sameAddressOtherHost() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try emptyOKServer(loop)
        let agent = Agent(loop: loop, configuration: agentConfig { $0.pool.maxSockets = 1 })
        let a = AgentRequest(origin: HTTPOrigin(host: "127.0.0.1", port: server.port, hostHeader: "a.test"))
        let b = AgentRequest(origin: HTTPOrigin(host: "127.0.0.1", port: server.port, hostHeader: "b.test"))
        for request in [a, a, b, a] { #expect(statusOf(agent, request) == 200) }
        #expect(server.heads.map { $0.contains("Host: a.test") } == [true, true, false, true])
        #expect(agent.stats.created == 1)
    }

    @Test("a socket reused from a completion is never timed out meanwhile, and expires once it sits free")
    func reusedFromCompletionThenExpires() throws {
        let h = try ServerHarness()
        let agent = Agent(loop: h.loop, configuration: agentConfig {
            $0.pool.maxSockets = 1
            $0.pool.freeSocketTimeoutMs = 150
        })
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        var events: [AgentEvent] = []
        agent.addObserver { events.append($0) }
        // Each request is sent from the previous one's completion, as the bench does: the socket is
        // freed and taken back in one batch. Every response takes longer than the idle limit.
        var statuses: [Int?] = []
        var finishedAt: Int64 = 0
        func sendNext() {
            agent.send(AgentRequest(origin: origin, target: "/delay/200")) { result in
                statuses.append(result.status)
                finishedAt = agent.loop.now
                if statuses.count < 3 { sendNext() }
            }
        }
        sendNext()
        waitFor(h.loop, "three chained responses") { statuses.count == 3 }
        #expect(statuses == [200, 200, 200])
        #expect(agent.stats.created == 1 && agent.stats.reused == 2)
        #expect(agent.stats.closedByReason.isEmpty)
        // Now it sits free: its idle timer runs, from when it was freed.
        waitFor(h.loop, "the free socket to expire") { agent.stats.closedByReason[.freeSocketTimeout] == 1 }
        #expect(Double(h.loop.now - finishedAt) / 1e6 >= 140)
        // Each request was written before anything else was said about it, and answered after.
        let perRequest = events.compactMap { event -> String? in
            switch event {
            case .sent(let request, _, _): "sent \(request)"
            case .response(let request, _, _): "response \(request)"
            default: nil
            }
        }
        #expect(perRequest == ["sent 1", "response 1", "sent 2", "response 2", "sent 3", "response 3"])
    }

    @Test("the inactivity timeout of a request sent from a completion is not replaced by the idle timer it made unnecessary")
    func inactivityAfterReuseFromCompletion() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        // Answers the first request only.
        let server = try ScriptedServer(loop: loop) { peer, n in
            if n == 1 { peer.send("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") }
        }
        let agent = Agent(loop: loop, configuration: agentConfig {
            $0.pool.maxSockets = 1
            $0.pool.freeSocketTimeoutMs = 50
            $0.timeoutMs = 300
        })
        var results: [AgentResult] = []
        agent.send(AgentRequest(origin: server.origin)) { first in
            results.append(first)
            agent.send(AgentRequest(origin: server.origin)) { results.append($0) }
        }
        waitFor(loop, "the second request to time out") { results.count == 2 }
        #expect(results.first?.status == 200)
        #expect(results.last?.error?.unwrapped == .timedOut)
        #expect(results.last?.isReused == true)
        #expect(agent.stats.closedByReason[.timedOut] == 1 && agent.stats.closedByReason[.freeSocketTimeout] == nil)
    }

    @Test("a socket closed in the batch that freed it never gets its idle timer")
    func closedInTheBatchThatFreedIt() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try emptyOKServer(loop)
        let agent = Agent(loop: loop, configuration: agentConfig { $0.pool.freeSocketTimeoutMs = 30 })
        var status: Int?
        agent.send(AgentRequest(origin: server.origin)) { result in
            status = result.status
            agent.destroy()   // from the completion: the socket was freed in this very batch
        }
        waitFor(loop, "the response") { status != nil }
        #expect(status == 200)
        #expect(agent.closeReasons[1] == "agent destroyed")
        // Past the idle limit: nothing fires for the closed socket.
        loop.run(until: { false }, timeoutNanos: 80_000_000)
        #expect(agent.stats.closedByReason == [.agentDestroyed: 1])
        #expect(agent.stats.succeeded == 1 && agent.stats.failed == 0)
    }

    @Test("an observer that destroys the agent while an action runs: the action finishes on the connection it started with")
    func destroyedFromInsideAnAction() throws {
        for trigger in ["sent", "response"] {
            let loop = try EventLoop()
            defer { loop.close() }   // what the test left registered would keep the loop
            let server = try emptyOKServer(loop)
            let agent = Agent(loop: loop, configuration: agentConfig { $0.pool.maxSockets = 1 })
            agent.addObserver { event in
                switch (trigger, event) {
                case ("sent", .sent), ("response", .response): agent.destroy()
                default: break
                }
            }
            var result: AgentResult?
            agent.send(AgentRequest(origin: server.origin)) { result = $0 }
            waitFor(loop, "the result (destroyed on \(trigger))") { result != nil }
            if trigger == "sent" {
                // The request was written, then the destroy (queued behind the write) failed it.
                #expect(result?.error == .destroyed)
                #expect(result?.connection == 1)
            } else {
                // The response was taken before the destroy (queued behind it) closed the socket.
                #expect(result?.status == 200)
            }
            #expect(agent.closeReasons[1] == "agent destroyed")
            #expect(agent.isDestroyed)
        }
    }

    @Test("a request sent from a deinit that freeing a finished request runs is still carried out")
    func sentFromAFreedCompletion() throws {
        final class SendsWhenFreed {
            let body: () -> Void
            init(_ body: @escaping () -> Void) { self.body = body }
            deinit { body() }
        }
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let server = try emptyOKServer(loop)
        let agent = Agent(loop: loop, configuration: agentConfig { $0.pool.maxSockets = 1 })
        var second: AgentResult?
        var token: SendsWhenFreed? = SendsWhenFreed {
            agent.send(AgentRequest(origin: server.origin, target: "/second")) { second = $0 }
        }
        var first: Int?
        // Only the completion holds the token now: it goes when the agent frees the finished entry.
        agent.send(AgentRequest(origin: server.origin, target: "/first")) { [token] result in
            first = result.status
            _ = token
        }
        token = nil
        waitFor(loop, "the request sent from the deinit") { second != nil }
        #expect(first == 200 && second?.status == 200)
        #expect(server.heads.count == 2 && agent.stats.created == 1)
    }
}

import HTTP1
import Pooling
import Testing
@testable import Wire

/// `readsBody: false`: the caller takes the head and leaves the body, so the socket is not reused.
@Suite("Agent: a response body left unread")
struct AgentUnreadBodyTests {
    @Test("a body left unread: the head is the caller's, the socket closes (bodyUnread) and the next request opens a new one")
    func unreadBodyIsNotReused() throws {
        let h = try ServerHarness()
        let agent = Agent(loop: h.loop, configuration: agentConfig { $0.pool.maxSockets = 1 })
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        let unread = AgentRequest(origin: origin, target: "/bytes/100000", readsBody: false)
        let read = AgentRequest(origin: origin, target: "/bytes/100000")
        let results = sendSequentially(agent, [unread, unread, read, read])
        #expect(results.map(\.status) == [200, 200, 200, 200])
        #expect(results.map(\.body.count) == [0, 0, 100_000, 100_000])
        #expect(results[0].head?.headers["Content-Length"] == "100000", "the head arrived whole")
        #expect(results.map(\.connection) == [1, 2, 3, 3])
        #expect(results.map(\.isReused) == [false, false, false, true])
        #expect(agent.stats.closedByReason == [.bodyUnread: 2])
        #expect(agent.closeReasons[1] == "body unread" && agent.closeReasons[2] == "body unread")
        h.wait("the server to see both unread connections end") { h.server.stats.accepted == 3 && h.server.stats.open == 1 }
    }

    @Test("a body that is empty by its framing leaves nothing unread: HEAD, 204 and Content-Length 0 keep the socket")
    func emptyBodiesAreReused() throws {
        let h = try ServerHarness()
        let agent = Agent(loop: h.loop, configuration: agentConfig { $0.pool.maxSockets = 1 })
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        let requests = [
            AgentRequest(method: "HEAD", origin: origin, target: "/bytes/5000", readsBody: false),
            AgentRequest(origin: origin, target: "/status/204", readsBody: false),
            AgentRequest(origin: origin, target: "/bytes/0", readsBody: false),
            AgentRequest(origin: origin, target: "/"),
        ]
        let results = sendSequentially(agent, requests)
        #expect(results.map(\.status) == [200, 204, 200, 200])
        #expect(results.map(\.isReused) == [false, true, true, true])
        #expect(agent.stats.closedByReason.isEmpty)
    }

    @Test("a chunked body left unread closes the socket too")
    func chunkedUnread() throws {
        let h = try ServerHarness()
        let agent = Agent(loop: h.loop, configuration: agentConfig { $0.pool.maxSockets = 1 })
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        let results = sendSequentially(agent, [
            AgentRequest(origin: origin, target: "/stream/3?interval=20", readsBody: false),
            AgentRequest(origin: origin, target: "/"),
        ])
        #expect(results.map(\.status) == [200, 200])
        #expect(results[0].head?.headers["Transfer-Encoding"] == "chunked" && results[0].body.isEmpty)
        #expect(results.map(\.connection) == [1, 2])
        #expect(agent.stats.closedByReason == [.bodyUnread: 1])
    }
}

import Foundation
import Testing
import Wire
@testable import LabRun

/// `observe`'s impure half with scripted clients on loopback (port 0): our own agent with and
/// without keep-alive, and a raw socket that half-closes. The session's server and the client
/// share the session's loop; every wait is bounded.
@Suite("Client session with scripted clients")
struct ClientSessionAgentTests {
    /// Three sequential GETs by an agent on `session`'s loop; the observation once the agent is done
    /// and the server has seen its connections close (at most 5 s of waiting in all).
    static func observeAgent(keepAlive: Bool) throws -> (ClientObservation, [AgentResult]) {
        let session = try ClientSession(configuration: ServerConfiguration())
        var configuration = AgentConfiguration()
        configuration.pool.keepAlive = keepAlive
        let agent = Agent(loop: session.loop, name: "scripted", configuration: configuration)
        let origin = HTTPOrigin(host: "127.0.0.1", port: session.server.port)
        var results: [AgentResult] = []
        func next() {
            guard results.count < 3 else { agent.destroy(); return }
            agent.send(AgentRequest(origin: origin, target: "/echo?n=\(results.count + 1)")) { result in
                results.append(result)
                next()
            }
        }
        next()
        session.wait(forMs: 5_000) { results.count == 3 && session.server.stats.open == 0 }
        session.settle(atMostMs: 1_000)
        let observation = session.finish()
        session.shutDown()
        return (observation, results)
    }

    @Test("a keep-alive agent's 3 sequential requests reach the server on 1 connection, 2 reused")
    func keepAliveAgent() throws {
        let (o, results) = try Self.observeAgent(keepAlive: true)
        #expect(results.count == 3)
        #expect(results.allSatisfy { $0.error == nil && $0.status == 200 })
        #expect(o.requests.count == 3)
        #expect(o.connections.count == 1)
        #expect(o.reusedRequests == 2)
        #expect(o.connections.first?.requests == 3)
        #expect(o.requests.map(\.target) == ["/echo?n=1", "/echo?n=2", "/echo?n=3"])
        #expect(o.diagnosis.first?.hasPrefix("3 requests on 1 connection") == true)
    }

    @Test("without keep-alive the same 3 requests take 3 connections, none reused, each closed")
    func noKeepAliveAgent() throws {
        let (o, results) = try Self.observeAgent(keepAlive: false)
        #expect(results.count == 3)
        #expect(results.allSatisfy { $0.error == nil && $0.status == 200 })
        #expect(o.requests.count == 3)
        #expect(o.connections.count == 3)
        #expect(o.reusedRequests == 0)
        #expect(o.connections.allSatisfy { $0.requests == 1 && $0.closedAtMs != nil && $0.closedBy != "shutdown" })
        #expect(o.diagnosis.first?.hasPrefix("3 requests on 3 connections") == true)
    }

    @Test("a raw socket that sends one request and half-closes still gets its answer, then the server closes")
    func halfClose() throws {
        let session = try ClientSession(configuration: ServerConfiguration())
        let raw = RawConnection(loop: session.loop)
        raw.connect(port: session.server.port)
        var sent = false
        raw.onChange = {
            if raw.state == .open && !sent {
                sent = true
                raw.send("GET /echo?half HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                raw.shutdownWrite()
            }
        }
        session.wait(forMs: 5_000) { raw.state == .peerClosed || raw.state == .closed }
        session.settle(atMostMs: 1_000)
        let observation = session.finish()
        raw.close()
        session.shutDown()
        #expect(sent)
        #expect(raw.text.hasPrefix("HTTP/1.1 200"))
        #expect(observation.requests.count == 1)
        #expect(observation.requests.first?.target == "/echo?half")
        #expect(observation.connections.count == 1)
        #expect(observation.connections.first?.closedAtMs != nil)
        #expect(observation.connections.first?.closedBy != "shutdown")
    }
}

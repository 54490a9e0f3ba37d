import HTTP1
import Testing
@testable import Wire

/// The two knobs that make the server misbehave on purpose, for clients to survive:
/// `closeSilentlyAfter` (a close after a response that said keep-alive) and `dropReusedRequests`
/// (a request on a reused connection read whole and never answered). Decisions first, as events
/// and actions; then the same over loopback sockets.
@Suite("Server misbehaviour: closing without saying so, dropping a request on a reused connection")
struct ServerMisbehaviourTests {
    typealias Machine = ServerConnectionStateMachine

    // MARK: Decisions

    @Test("closeSilentlyAfter 2: response 1 persists, response 2 persists too and then the connection closes")
    func silentCloseDecision() {
        var m = Machine(maxRequests: 0, closeSilentlyAfter: 2)
        ServerConnectionStateMachineTests.request(&m)
        #expect(m.state == .responding(persists: true, closeReason: nil))
        #expect(Array(m.responseWritten()) == [.startIdleTimer, .parseBufferedBytes])
        let (_, received) = ServerConnectionStateMachineTests.request(&m)
        // The response is written as persistent: nothing in it says close.
        #expect(received == [.respond(persists: true)])
        #expect(Array(m.responseWritten()) == [.beginStagedClose(.closedSilently)])
        #expect(m.state == .closing(.closedSilently))
    }

    @Test("a request dropped after it arrived whole: no response, the connection closes at once")
    func dropDecision() {
        var m = Machine(maxRequests: 0)
        _ = m.requestBegan()
        let (head, fields) = ServerConnectionStateMachineTests.head()
        m.headReceived(head, connection: fields)
        #expect(Array(m.requestDropped()) == [.closeNow(.droppedRequest)])
        #expect(m.state == .closed(.droppedRequest))
        // Nothing is left to drop on a closed connection.
        #expect(Array(m.requestDropped()).isEmpty)
    }

    // MARK: Over loopback

    @Test("closeSilentlyAfter 1: the response says keep-alive, then the server closes (closedSilently) and the client reads EOF")
    func silentCloseOnTheWire() throws {
        let h = try ServerHarness { $0.closeSilentlyAfter = 1 }
        let c = h.connect()
        c.send(get("/"))
        #expect(h.waitForClose() == .closedSilently)
        h.wait("EOF at the client") { c.state == .peerClosed }
        let responses = ServerHarness.responses(c.received)
        #expect(responses.count == 1)
        #expect(responses.first?.head.headers["Connection"] == "keep-alive")
        #expect(responses.first?.head.headers["Keep-Alive"] == "timeout=5")
        // The response event says what the response said: not close.
        #expect(h.events.contains(.response(connection: 1, status: 200, willClose: false)))
        #expect(h.server.stats.closes[.closedSilently] == 1)
    }

    @Test("closeSilentlyAfter 2 with three pipelined requests: two answered, both keep-alive, the third never processed")
    func silentCloseAfterTwo() throws {
        let h = try ServerHarness { $0.closeSilentlyAfter = 2 }
        let c = h.connect()
        c.send(get("/") + get("/echo") + get("/"))
        #expect(h.waitForClose() == .closedSilently)
        let responses = ServerHarness.responses(c.received)
        #expect(responses.count == 2)
        #expect(responses.allSatisfy { $0.head.headers["Connection"] == "keep-alive" })
        #expect(h.server.stats.requests == 2)
    }

    @Test("dropReusedRequests 1: the first request on a reused connection is read and unanswered; later ones are answered")
    func dropOne() throws {
        let h = try ServerHarness { $0.dropReusedRequests = 1 }
        let a = h.connect()
        a.send(get("/"))
        h.wait("first response") { a.responseCount == 1 }
        a.send(get("/echo"))
        #expect(h.waitForClose() == .droppedRequest)
        h.wait("EOF at the client") { a.state == .peerClosed }
        #expect(a.responseCount == 1)
        #expect(h.server.stats.requests == 2)
        #expect(h.server.stats.reusedRequests == 1)
        // The one drop is spent: a second connection's reused request is answered.
        let b = h.connect()
        b.send(get("/"))
        h.wait("b's first response") { b.responseCount == 1 }
        b.send(get("/"))
        h.wait("b's second response") { b.responseCount == 2 }
        #expect(h.closeReasons() == [.droppedRequest])
    }

    @Test("dropReusedRequests every one: a POST on a reused connection arrives whole (the server saw it) and is never answered")
    func dropEveryPost() throws {
        let h = try ServerHarness { $0.dropReusedRequests = .max }
        var heads: [HTTPRequestHeadSummary] = []
        h.server.addObserver { if case .request(_, _, let head) = $0 { heads.append(head) } }
        for _ in 0..<2 {
            let c = h.connect()
            c.send(get("/"))
            h.wait("first response") { c.responseCount == 1 }
            c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nonce")
            h.wait("EOF at the client") { c.state == .peerClosed }
            #expect(c.responseCount == 1)
        }
        #expect(h.closeReasons() == [.droppedRequest, .droppedRequest])
        #expect(heads.map(\.method) == ["GET", "POST", "GET", "POST"])
        #expect(heads.filter { $0.method == "POST" }.allSatisfy { $0.contentLength == 4 })
        #expect(h.server.stats.responses == 2)
    }
}

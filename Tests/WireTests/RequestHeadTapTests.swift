import HTTP1
import Testing
@testable import Wire

/// `LoopbackServer.requestHeadTap`: every parsed head, in full, before its `.request` event
/// (`wirelab observe` reads the client's headers from it).
@Suite("The server's request head tap")
struct RequestHeadTapTests {
    @Test("the tap sees each head with every header as sent, with its connection and number, before the event")
    func seesHeads() throws {
        let h = try ServerHarness()
        var seen: [(connection: Int, index: Int, head: HTTPRequestHead, eventsBefore: Int)] = []
        h.server.requestHeadTap = { connection, index, head in seen.append((connection, index, head, h.events.count)) }
        let c = h.connect()
        c.send("GET /echo?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: probe/1\r\nX-Thing: one\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        h.wait("two responses") { ServerHarness.responses(c.received).count == 2 }
        #expect(seen.map(\.connection) == [1, 1])
        #expect(seen.map(\.index) == [1, 2])
        #expect(seen.first?.head.target == "/echo?x=1")
        #expect(seen.first?.head.headers.fields.map(\.name) == ["Host", "User-Agent", "X-Thing"])
        #expect(seen.first?.head.headers["user-agent"] == "probe/1")
        // The tap runs before the request's event: no `.request` had been emitted by then.
        let before = h.events.prefix(seen.first?.eventsBefore ?? 0)
        #expect(!before.contains { if case .request = $0 { return true } else { return false } })
        #expect(h.events.contains { if case .request = $0 { return true } else { return false } })
        c.close()
    }
}

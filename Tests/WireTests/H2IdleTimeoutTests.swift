import HTTP2
import Testing
@testable import Wire

@Suite("Server: the h2 idle timeout of 0 means none, as over HTTP/1.1", .serialized)
struct H2IdleTimeoutTests {
    @Test("keepAliveTimeoutMs 0: an idle h2 connection stays open and still answers a PING")
    func zeroMeansNever() throws {
        let h = try ServerHarness { $0.keepAliveTimeoutMs = 0 }
        let c = H2TestClient(h)
        c.get("/", stream: 1)
        h.wait("the response") { c.update(); return c.ended.contains(1) }
        // Idle now. A PING round trip after the response proves the connection is still served;
        // a second one a little later proves no timer of zero length closed it in between.
        for round in 1...2 {
            var out: [UInt8] = []
            Frame.ping(ack: false, opaque: UInt64(round)).encode(into: &out)
            c.raw.send(out)
            h.wait("PING ACK \(round)") {
                c.update()
                return c.frames.contains { if case .ping(true, let o) = $0 { o == UInt64(round) } else { false } }
            }
        }
        #expect(c.goaways.isEmpty)
        #expect(c.raw.isOpen)
        #expect(h.server.stats.open == 1)
    }
}

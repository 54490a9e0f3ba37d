import HPACK
import HTTP1
import HTTP2
import Testing
@testable import Wire

/// `LoopbackServer.responseWriteTap` and `requestHeadSizeTap`: the heads and sizes of what went over
/// the wire, checked against the bytes the client received (`wirelab observe`'s HAR reads them).
@Suite("The server's response write tap")
struct ResponseWriteTapTests {
    @Test("a written head is read back: status, field lines in order, values without leading spaces, its size")
    func parseHead() throws {
        let bytes = Array("HTTP/1.1 404 Not Found\r\nA: b\r\nC:\t d e\r\n\r\nbody".utf8)
        let (write, size) = try #require(ResponseWrite.head(in: bytes))
        #expect(size == bytes.count - 4)
        #expect(write == .head(status: 404, fields: [ResponseField(name: "A", value: "b"), ResponseField(name: "C", value: "d e")], bytes: size))
        #expect(ResponseWrite.head(in: Array("HTTP/1.1 200 OK\r\nA: b\r\n".utf8)) == nil)
    }

    /// Sends `request` on a fresh connection of `h` and returns the taps' reports and the bytes received.
    static func exchange(_ h: ServerHarness, _ request: String, methods: [String] = ["GET"]) -> (writes: [ResponseWrite], headSizes: [Int], received: [UInt8]) {
        var writes: [ResponseWrite] = [], sizes: [Int] = []
        h.server.responseWriteTap = { _, stream, write in #expect(stream == nil); writes.append(write) }
        h.server.requestHeadSizeTap = { _, bytes in sizes.append(bytes) }
        let c = h.connect()
        c.send(request)
        h.wait("the response written and received") { h.server.stats.responses == 1 && ServerHarness.responses(c.received, methods: methods).count == 1 }
        c.close()
        return (writes, sizes, c.received)
    }

    /// The head's size and the body's wire bytes, from `writes`.
    static func sizes(_ writes: [ResponseWrite]) -> (head: Int, wire: Int, content: Int, fields: [ResponseField]) {
        var head = 0, wire = 0, content = 0
        var fields: [ResponseField] = []
        for write in writes {
            switch write {
            case .head(_, let f, let bytes): head = bytes; fields = f
            case .body(let w, let c): wire += w; content += c
            }
        }
        return (head, wire, content, fields)
    }

    @Test("whole responses (the root's cached bytes, /echo, /bytes): head and body add up to the bytes received")
    func wholeResponses() throws {
        for target in ["/", "/echo", "/bytes/300"] {
            let h = try ServerHarness()
            let request = "GET \(target) HTTP/1.1\r\nHost: a\r\nUser-Agent: t/1\r\n\r\n"
            let (writes, headSizes, received) = Self.exchange(h, request)
            let s = Self.sizes(writes)
            #expect(headSizes == [request.utf8.count], "\(target)")
            #expect(s.head + s.wire == received.count, "\(target)")
            #expect(s.content == s.wire, "\(target)")
            let response = try #require(ServerHarness.responses(received).first)
            #expect(String(s.wire) == response.head.headers["Content-Length"], "\(target)")
            #expect(s.fields.map(\.name) == response.head.headers.fields.map(\.name), "\(target)")
            #expect(s.fields.first { $0.name == "Content-Length" }?.value == String(s.content), "\(target)")
        }
    }

    @Test("a chunked stream: wire bytes include the chunk framing, content does not; HEAD writes no body")
    func streamed() throws {
        let h = try ServerHarness()
        let (writes, _, received) = Self.exchange(h, get("/stream/3"))
        let s = Self.sizes(writes)
        #expect(s.head + s.wire == received.count)
        #expect(s.content == 24)   // "chunk 1\n" three times
        #expect(s.wire > s.content)
        #expect(s.fields.contains(ResponseField(name: "Transfer-Encoding", value: "chunked")))
        let head = try ServerHarness()
        let (headWrites, _, headReceived) = Self.exchange(head, "HEAD /stream/3 HTTP/1.1\r\nHost: a\r\n\r\n", methods: ["HEAD"])
        let hs = Self.sizes(headWrites)
        #expect(hs.wire == 0 && hs.content == 0)
        #expect(hs.head == headReceived.count)
    }

    @Test("HTTP/2: each response's head (fields without pseudo-headers, its HEADERS frame's size) and DATA frames (wire and content) are reported",
          arguments: ["/", "/echo", "/bytes/300"])
    func overHTTP2(_ target: String) throws {
        let h = try ServerHarness()
        var writes: [ResponseWrite] = []
        h.server.responseWriteTap = { _, stream, write in #expect(stream == 1); writes.append(write) }
        let c = H2TestClient(h)
        c.get(target, stream: 1)
        h.wait("the h2 response") { c.update(); return c.ended.contains(1) && h.server.stats.responses == 1 }
        let s = Self.sizes(writes)
        guard case .head(let status, _, _)? = writes.first else {
            Issue.record("no head first: \(writes)")
            return
        }
        #expect(status == 200)
        // What the client received on stream 1, frame by frame (no padding: re-encoding gives their size).
        var headBytes = 0, wire = 0
        for frame in c.frames {
            switch frame {
            case .headers(1, _, _, _, _, _), .continuation(1, _, _): headBytes += frame.encoded.count
            case .data(1, _, _, _): wire += frame.encoded.count
            default: break
            }
        }
        #expect(s.head == headBytes)
        #expect(s.wire == wire)
        #expect(s.content == c.bodies[1]?.count ?? 0)
        let sent = (c.headers[1] ?? []).filter { $0.name.first != UInt8(ascii: ":") }
        #expect(s.fields == sent.map { ResponseField(name: $0.nameString, value: $0.valueString) })
        #expect(s.fields.first { $0.name == "content-length" }?.value == String(s.content))
    }
}

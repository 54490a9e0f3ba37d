#if canImport(Glibc)
import Glibc
#endif
import HTTP2
import Testing
@testable import Wire

/// A client that asks an h2 connection for more than the socket holds and stops reading: the
/// server must stop reading that connection while its socket is full (or a client that never reads
/// could make it buffer without end), and carry on, losing nothing, once the client reads again.
@Suite("Server: an h2 connection whose socket is full stops reading until it drains", .serialized)
struct H2BackpressureTests {
    /// How many bytes wait unread in `fd`'s receive queue.
    static func unreadBytes(_ fd: Int32) -> Int {
        var count: Int32 = 0
        return ioctl(fd, UInt(FIONREAD), &count) == 0 ? Int(count) : -1
    }

    @Test("12 × /bytes/1000000 unread: the server stops writing and reading; a request sent meanwhile waits unread; then all of it arrives")
    func stopsReadingWhenFull() throws {
        let h = try ServerHarness()
        let c = H2TestClient(h)
        // A small receive buffer of our own (no autotuning): the kernel holds little for us.
        var size: Int32 = 64 * 1024
        setsockopt(c.raw.fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        // Windows wide open, so only the socket holds the server back, not flow control.
        var open: [UInt8] = []
        Frame.settings(ack: false, [Setting(.initialWindowSize, UInt32(maxWindowSize))]).encode(into: &open)
        Frame.windowUpdate(stream: 0, increment: UInt32(maxWindowSize - 65_535)).encode(into: &open)
        c.raw.send(open)
        let count = 12, size1 = 1_000_000
        for i in 0..<count { c.get("/bytes/\(size1)", stream: StreamID(2 * i + 1)) }
        h.wait("the requests to arrive") { c.update(); return h.server.stats.requests == count }
        // Stop reading: the client's socket fills, then the server's.
        h.loop.setInterest(c.raw.fd, .none)
        let server = try #require(h.server.handlerForTesting(id: 1) as? H2ServerConnection)
        h.wait("the server to find its socket full") { server.isWaitingForWritable }
        #expect(server.unwrittenCount > 0)
        // A request sent now reaches the server's socket and stays there: the server is not reading.
        let lateStream = StreamID(2 * count + 1)
        let late = c.requestBytes("GET", "/", stream: lateStream)
        // Written past RawConnection, whose own writes would turn reading back on.
        let wrote = late.withUnsafeBytes { Platform.write(c.raw.fd, $0) }
        guard case .wrote(let n) = wrote, n == late.count else { Issue.record("could not write the late request: \(wrote)"); return }
        let serverFD = server.fd
        h.wait("the late request to reach the server's socket") { Self.unreadBytes(serverFD) >= late.count }
        // A round trip on another connection takes loop turns in which a server that read this
        // socket would have read it: the bytes must still be there after it.
        let marker = h.connect()
        marker.send(get("/"))
        h.wait("a response on another connection") { marker.responseCount == 1 }
        #expect(Self.unreadBytes(serverFD) >= late.count, "the server read while its socket was full")
        #expect(server.isWaitingForWritable)
        #expect(h.server.stats.requests == count + 1, "only the other connection's request was read")
        // Read again: everything arrives, then the late request is read and answered.
        h.loop.setInterest(c.raw.fd, .readable)
        h.wait("every response", timeoutMs: 30_000) {
            c.update()
            return (0..<count).allSatisfy { c.ended.contains(StreamID(2 * $0 + 1)) } && c.headers[lateStream] != nil
        }
        #expect(c.parseError == nil)
        for i in 0..<count { #expect(c.bodies[StreamID(2 * i + 1)]?.count == size1, "stream \(2 * i + 1)") }
        #expect(c.status(lateStream) == "200")
        #expect(h.server.stats.requests == count + 2)
        #expect(!server.isWaitingForWritable)
        #expect(c.goaways.isEmpty)
    }
}

import HTTP1
import Wire

/// What `wirelab bench --idle-connections N` measured.
struct IdleMemoryFigures {
    var requested: Int
    /// Connections that got their response and were left open, idle.
    var idle: Int
    /// Open connections the server counted at the end (it should be `idle`).
    var serverOpen: Int?
    var rssBefore: Int
    var rssAfter: Int

    var bytesPerConnection: Double { idle > 0 ? Double(rssAfter - rssBefore) / Double(idle) : 0 }
}

/// BenchIdle: the memory an idle keep-alive connection costs. It opens N connections to the
/// embedded server, sends one request on each, waits for the answer, leaves them all open and idle,
/// and compares the process's resident set size before and after.
///
/// Client and server run in one process here, so the figure is the cost of *both* ends of a
/// connection (a `RawConnection` and a `ServerConnection`), not the server's alone; the kernel's
/// socket buffers are not in RSS at all. `docs/bench/idle-rss.sh` measures the server alone, with the
/// clients in another process. It closes every connection it opened before returning.
enum BenchIdle {
    enum Problem: Error {
        case openFileLimit(have: Int, need: Int)
        case noRSS
        case connectFailed(String)

        var message: String {
            switch self {
            case .openFileLimit(let have, let need):
                return "the open-file limit is \(have); this needs about \(need) (both ends of every connection are in this process). Try 'ulimit -n \(need)'"
            case .noRSS: return "this platform does not report the resident set size (/proc/self/statm)"
            case .connectFailed(let why): return why
            }
        }
    }

    static func measure(count: Int, server: BenchServer, loop: EventLoop, timeoutMs: Int = 10_000) throws(Problem) -> IdleMemoryFigures {
        let need = 2 * count + 256
        let limit = Platform.raiseOpenFileLimit(to: need)
        guard limit >= need else { throw .openFileLimit(have: limit, need: need) }
        let request = Array("GET / HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\n\r\n".utf8)

        // Warm up: the first connection allocates the loop's and the allocator's working set.
        let warm = try openBatch(1, port: server.port, request: request, loop: loop, timeoutMs: timeoutMs)
        for connection in warm { connection.close() }
        loop.run(until: { false }, timeoutNanos: 50_000_000)
        guard let before = Platform.residentBytes() else { throw .noRSS }

        var open: [RawConnection] = []
        open.reserveCapacity(count)
        // Batches stay well under the listen backlog, so no SYN is dropped and retried a second later.
        while open.count < count {
            open += try openBatch(min(500, count - open.count), port: server.port, request: request, loop: loop, timeoutMs: timeoutMs)
        }
        loop.run(until: { false }, timeoutNanos: 200_000_000)   // let the server finish its bookkeeping
        let serverOpen = server.stats?.open
        guard let after = Platform.residentBytes() else { throw .noRSS }
        for connection in open { connection.close() }
        return IdleMemoryFigures(requested: count, idle: open.count, serverOpen: serverOpen, rssBefore: before, rssAfter: after)
    }

    /// Opens `n` connections, sends `request` on each, and waits for every complete response. The
    /// connections keep no response bytes and no callback afterwards.
    private static func openBatch(_ n: Int, port: UInt16, request: [UInt8], loop: EventLoop, timeoutMs: Int) throws(Problem) -> [RawConnection] {
        var connections: [RawConnection] = []
        var answered = 0, failed = 0
        for _ in 0..<n {
            let connection = RawConnection(loop: loop)
            connection.onChange = { [unowned connection] in
                switch connection.state {
                case .failed, .peerClosed, .closed:
                    failed += 1
                    connection.onChange = nil
                case .open where isCompleteResponse(connection.received):
                    _ = connection.take()
                    answered += 1
                    connection.onChange = nil
                case .open, .connecting:
                    break
                }
            }
            connection.connect(port: port)
            connection.send(request)
            connections.append(connection)
        }
        let met = loop.run(until: { answered + failed == n }, timeoutNanos: Int64(timeoutMs) * 1_000_000)
        guard met, failed == 0 else {
            for connection in connections { connection.close() }
            throw .connectFailed(met ? "\(failed) of \(n) connections failed or were closed by the server" : "only \(answered) of \(n) connections were answered within \(timeoutMs) ms")
        }
        return connections
    }

    private static func isCompleteResponse(_ bytes: [UInt8]) -> Bool {
        var parser = ResponseParser()
        parser.append(bytes)
        while let part = try? parser.next() {
            if case .end = part { return true }
        }
        return false
    }
}

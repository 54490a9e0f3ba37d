import Wire
import Bench

/// BenchReport: the figures of one `wirelab bench` run, rendered as a table for people or one JSON
/// object for machines. It measures nothing itself.
struct BenchReport {
    var target: String
    /// The target is WireLab's own server, run on a thread of this process.
    var isEmbeddedServer: Bool
    var isDebugBuild: Bool
    var sequentialKeepAlive: BenchFigures?
    var sequentialNewConnection: BenchFigures?
    var concurrent: BenchFigures?
    var concurrentConnections = 0
    var idle: IdleMemoryFigures?
    /// HTTP/2 (`--h2`): the streams in flight in the concurrent phase.
    var h2Streams: Int?

    /// How many times faster sequential requests are on one kept-alive connection than on a new
    /// connection each, from the two measured rates.
    var speedup: Double? {
        guard let k = sequentialKeepAlive, let n = sequentialNewConnection, n.requestsPerSecond > 0 else { return nil }
        return k.requestsPerSecond / n.requestsPerSecond
    }

    func text() -> String {
        var out = "WireLab bench against \(target)" + (isEmbeddedServer ? "  (embedded server, own thread)" : "") + "\n"
        if isDebugBuild { out += "note: these numbers are from a debug build; build with -c release for real figures\n" }
        var rows: [[String]] = []
        func row(_ name: String, _ f: BenchFigures, connections: String) {
            rows.append([name, String(f.completed), connections, Format.fixed(Double(f.elapsedNanos) / 1e9, 2),
                         Format.fixed(f.requestsPerSecond, 0), Format.fixed(f.p50, 3), Format.fixed(f.p99, 3), String(f.failed)])
        }
        if let streams = h2Streams {
            if let f = sequentialKeepAlive { row("sequential, h2 (one stream at a time)", f, connections: String(f.connectionsOpened)) }
            if let f = concurrent { row("concurrent, h2 (\(streams) streams in flight)", f, connections: String(concurrentConnections)) }
        } else {
            if let f = sequentialKeepAlive { row("sequential, keep-alive", f, connections: String(f.connectionsOpened)) }
            if let f = sequentialNewConnection { row("sequential, new connection each", f, connections: String(f.connectionsOpened)) }
            if let f = concurrent { row("concurrent, keep-alive", f, connections: String(concurrentConnections)) }
        }
        if !rows.isEmpty {
            let header = ["phase", "requests", "conns", "seconds", "req/s", "p50 ms", "p99 ms", "errors"]
            let widths = header.indices.map { i in max(header[i].count, rows.map { $0[i].count }.max() ?? 0) }
            func line(_ cells: [String]) -> String {
                "  " + cells.enumerated().map { i, cell in i == 0 ? cell.rightPadded(to: widths[i]) : cell.leftPadded(to: widths[i]) }.joined(separator: "  ") + "\n"
            }
            out += line(header)
            out += "  " + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
            for cells in rows { out += line(cells) }
            if let speedup { out += "  speedup of keep-alive over a new connection per request: \(Format.fixed(speedup, 2))×\n" }
            for f in [sequentialKeepAlive, sequentialNewConnection, concurrent].compactMap({ $0 }) {
                if let error = f.firstError { out += "  first error: \(error)\n"; break }
            }
        }
        if let m = idle {
            out += "  idle keep-alive connections: \(m.idle) of \(m.requested) open after one request each"
                + (m.serverOpen.map { " (server counts \($0) open)" } ?? "") + "\n"
            out += "  RSS before \(kib(m.rssBefore)), after \(kib(m.rssAfter)): \(Format.fixed(m.bytesPerConnection / 1024, 2)) KiB per connection\n"
            out += "  (client and server ends both live in this process; see docs/benchmarks.md for the server alone)\n"
        }
        return out
    }

    private func kib(_ bytes: Int) -> String { Format.fixed(Double(bytes) / 1024, 0) + " KiB" }

    func json() -> JSONValue {
        func figures(_ f: BenchFigures?, connections: Int? = nil) -> JSONValue {
            guard let f else { return .null }
            return .object([
                ("requests", .integer(f.completed)),
                ("errors", .integer(f.failed)),
                ("connections", .integer(connections ?? f.connectionsOpened)),
                ("seconds", .number(Format.rounded(Double(f.elapsedNanos) / 1e9, 4))),
                ("requests_per_second", .number(Format.rounded(f.requestsPerSecond, 1))),
                ("p50_ms", .number(Format.rounded(f.p50, 4))),
                ("p99_ms", .number(Format.rounded(f.p99, 4))),
            ])
        }
        var members: [(String, JSONValue)] = [
            ("target", .string(target)),
            ("embedded_server", .bool(isEmbeddedServer)),
            ("build", .string(isDebugBuild ? "debug" : "release")),
            ("protocol", .string(h2Streams == nil ? "http1.1" : "h2")),
        ]
        if let streams = h2Streams { members.append(("streams", .integer(streams))) }
        if sequentialKeepAlive != nil || sequentialNewConnection != nil {
            members.append(("sequential", .object([
                ("keep_alive", figures(sequentialKeepAlive)),
                ("new_connection", figures(sequentialNewConnection)),
                ("speedup", speedup.map { .number(Format.rounded($0, 3)) } ?? .null),
            ])))
        }
        if concurrent != nil { members.append(("concurrent", figures(concurrent, connections: concurrentConnections))) }
        if let m = idle {
            members.append(("idle_connections", .object([
                ("requested", .integer(m.requested)),
                ("idle", .integer(m.idle)),
                ("server_open", m.serverOpen.map(JSONValue.integer) ?? .null),
                ("rss_before_bytes", .integer(m.rssBefore)),
                ("rss_after_bytes", .integer(m.rssAfter)),
                ("bytes_per_connection", .number(Format.rounded(m.bytesPerConnection, 1))),
                ("measures", .string("client and server in one process")),
            ])))
        }
        return .object(members)
    }
}

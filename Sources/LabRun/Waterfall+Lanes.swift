import Wire

extension Waterfall {
    /// One request placed on the run's time axis: milliseconds since the run started.
    struct Span: Equatable {
        /// When the script sent it.
        var submitted: Double
        /// When it got a socket (`timings.assigned`), or `submitted` if it never did.
        var assigned: Double
        /// When its connection was open: `assigned`, plus `timings.connect` on a new connection.
        var connected: Double
        /// When the response was complete, or the request failed.
        var done: Double
        var isFailed: Bool
        /// The HTTP/2 stream that carried it, nil over HTTP/1.1 (see `RequestRecord.stream`).
        var stream: Int?

        /// How long it waited for a socket (the pool's queue).
        var queueWait: Double { assigned - submitted }

        init(submitted: Double, assigned: Double, connected: Double, done: Double, isFailed: Bool, stream: Int? = nil) {
            self.submitted = submitted
            self.assigned = assigned
            self.connected = connected
            self.done = done
            self.isFailed = isFailed
            self.stream = stream
        }

        init(_ record: RequestRecord, startedNanos: Int64) {
            let timings = record.result.timings
            submitted = Double(timings.startNanos - startedNanos) / 1e6
            if record.stream != nil {
                // An HTTP/2 stream is assigned when its HEADERS leave, after the connection opened:
                // its `connect` (the stream that opened the connection) lies before `assigned`.
                connected = submitted + max(0, timings.assigned ?? 0)
                assigned = max(submitted, connected - max(0, timings.connect ?? 0))
            } else {
                assigned = submitted + max(0, timings.assigned ?? 0)
                connected = assigned + max(0, timings.connect ?? 0)
            }
            done = max(submitted + timings.done, connected)
            isFailed = record.result.error != nil
            stream = record.stream
        }
    }

    /// One row of the connection picture: a connection and the requests it carried, in the order
    /// they got it; or, with `connections` nil, the requests that failed before they had one. A
    /// folded row (see `folded`) holds a run of connections that carried one request each. A raw
    /// socket's row (`isSocket`, `agent` is "socket NAME") also has its `life`: from its connect to
    /// its close (nil: still open at the end), and the time it spent `connecting`.
    struct Lane: Equatable {
        var agent: String
        var connections: ClosedRange<Int>?
        var spans: [Span] = []
        var isSocket = false
        /// The server the connection went to, when not the embedded one (see `RequestRecord.destination`).
        var destination: String?
        var life: (from: Double, to: Double?)?
        var connecting: (from: Double, to: Double)?

        static func == (a: Lane, b: Lane) -> Bool {
            a.agent == b.agent && a.connections == b.connections && a.spans == b.spans && a.isSocket == b.isSocket && a.destination == b.destination
                && a.life?.from == b.life?.from && a.life?.to == b.life?.to
                && a.connecting?.from == b.connecting?.from && a.connecting?.to == b.connecting?.to
        }

        /// When the lane was first used: its first request, or a socket's connect.
        var firstUse: Double { min(connecting?.from ?? .infinity, spans.map(\.assigned).min() ?? .infinity) }
        /// Where its drawing ends: its last response, or a socket's close.
        var lastUse: Double { max(life?.to ?? life?.from ?? 0, spans.map(\.done).max() ?? 0) }

        init(agent: String, connection: Int?) {
            self.agent = agent
            connections = connection.map { $0...$0 }
        }

        var failures: Int { spans.count(where: \.isFailed) }
        var isFolded: Bool { (connections?.count ?? 0) > 1 }
        /// An HTTP/2 connection: its requests went as streams, side by side, not one after another.
        var isMultiplexed: Bool { spans.contains { $0.stream != nil } }
    }

    /// `lanes` with every run of two or more connections that follow each other — same agent,
    /// consecutive numbers, one request each — folded into one row. A connection that carried more
    /// than one request is never folded. `render` folds only when there are more than `laneLimit`
    /// lanes: a picture that fits shows every connection on a row of its own.
    static func folded(_ lanes: [Lane]) -> [Lane] {
        var rows: [Lane] = []
        for lane in lanes {
            if let last = rows.last, let previous = last.connections, let next = lane.connections,
               !last.isSocket, !lane.isSocket, !last.isMultiplexed, !lane.isMultiplexed, last.destination == lane.destination, last.agent == lane.agent, last.spans.count == previous.count, lane.spans.count == 1,
               next.lowerBound == previous.upperBound + 1 {
                rows[rows.count - 1].connections = previous.lowerBound...next.upperBound
                rows[rows.count - 1].spans += lane.spans
            } else {
                rows.append(lane)
            }
        }
        return rows
    }

    /// The records as connection lanes, in the order the connections were first used (a tie goes
    /// to the agent name, then the connection number, so the order never depends on the order of
    /// `records`), and the "no connection" lane when some request never had a connection.
    static func lanes(of records: [RequestRecord], startedNanos: Int64) -> (connected: [Lane], unconnected: Lane?) {
        let placed = records.map { (record: $0, span: Span($0, startedNanos: startedNanos)) }.sorted { a, b in
            (a.span.submitted, a.span.assigned, a.record.agent, a.record.result.connection ?? .max, a.span.done)
                < (b.span.submitted, b.span.assigned, b.record.agent, b.record.result.connection ?? .max, b.span.done)
        }
        var lanes: [Lane] = []
        var laneIndex: [String: Int] = [:]
        var unconnected: Lane?
        for (record, span) in placed {
            guard let connection = record.result.connection else {
                unconnected = unconnected ?? Lane(agent: "", connection: nil)
                unconnected?.spans.append(span)
                continue
            }
            // A re-created agent (`agent pool` run again) is a new pool whose numbers start at 1 again.
            let key = "\(record.agent)\u{0}\(record.generation)\u{0}\(connection)"
            if laneIndex[key] == nil {
                laneIndex[key] = lanes.count
                lanes.append(Lane(agent: record.agentLabel, connection: connection))
                lanes[lanes.count - 1].destination = record.destination
            }
            lanes[laneIndex[key]!].spans.append(span)
        }
        for index in lanes.indices {
            lanes[index].spans.sort { ($0.assigned, $0.submitted, $0.done) < ($1.assigned, $1.submitted, $1.done) }
        }
        return (lanes, unconnected)
    }

    /// The numbers printed under the lanes.
    struct Summary: Equatable {
        var connectionsOpened: Int
        var requests: Int
        var reused: Int
        /// The longest any request waited for a socket, in ms (`timings.assigned`).
        var longestQueueWait: Double
        var failed: Int
        /// Requests that went as HTTP/2 streams.
        var streams: Int = 0

        /// `sockets` are the raw sockets' lanes: each is a connection, each of its requests a
        /// request, and every one after its first a reuse, as the server counts them.
        init(_ records: [RequestRecord], connections: Int, sockets: [Lane] = []) {
            connectionsOpened = connections + sockets.count
            requests = records.count + sockets.map(\.spans.count).reduce(0, +)
            reused = records.count(where: \.result.isReused) + sockets.map { max(0, $0.spans.count - 1) }.reduce(0, +)
            // An HTTP/2 stream's `assigned` includes opening the connection (see `Span`).
            longestQueueWait = records.compactMap { record in
                record.result.timings.assigned.map { record.stream == nil ? $0 : max(0, $0 - (record.result.timings.connect ?? 0)) }
            }.max() ?? 0
            failed = records.count(where: { $0.result.error != nil })
            streams = records.count(where: { $0.stream != nil })
        }

        /// The summary as comma-separated items, for `flow`.
        var items: [String] {
            var items = ["Summary: \(plural(connectionsOpened, "connection")) opened", plural(requests, "request"),
                         "\(reused) reused"] + (streams > 0 ? ["\(streams) as HTTP/2 streams"] : []) + ["longest queue wait \(fixed(longestQueueWait)) ms"]
            if failed > 0 { items.append("\(failed) failed") }
            return items.indices.map { items[$0] + ($0 == items.count - 1 ? "" : ",") }
        }
    }

    /// "1 request", "3 requests".
    static func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
}

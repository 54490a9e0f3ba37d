import Wire

extension Waterfall {
    /// One row per request, grouped by the connection that carried it (connections in order of
    /// first use, a connection's requests in time order), each drawn with its phases:
    ///
    ///     ░ waiting for a socket   ▓ opening the connection   ▒ waiting for the first byte   █ receiving
    ///
    /// then how long it took and what came of it. The picture `--waterfall=requests` prints; a run
    /// with 200 requests prints 200 rows. Rows are not cut to `width`: long labels push them wider.
    ///
    /// A raw socket's requests (`sockets`, those the embedded server read on it) are rows of their
    /// own under `socket NAME`, labelled `(raw bytes)`: from when the server read the request to
    /// when it answered, drawn as the wait for the first byte.
    ///
    /// `plain`: as in `render`, a cut label ends in "..." that keeps the columns in plain mode.
    public static func renderRequests(_ records: [RequestRecord], sockets: [SocketRecord] = [], startedNanos: Int64,
                                      width: Int = 100, plain: Bool = false) -> String {
        if plain != cutsForPlain {
            return $cutsForPlain.withValue(plain) { renderRequests(records, sockets: sockets, startedNanos: startedNanos, width: width, plain: plain) }
        }
        let exchanges = sockets.filter { $0.connectedNanos != nil }.flatMap { socket in socket.exchanges.map { (socket.name, $0) } }
        guard !records.isEmpty || !exchanges.isEmpty else { return "No requests were made.\n" }
        let socketRows = exchanges.map { name, exchange -> (lane: String, label: String, start: Double, t: RequestTimings, note: String) in
            var t = RequestTimings()
            t.startNanos = exchange.requestNanos
            t.done = exchange.responseNanos.map { max(0, Double($0 - exchange.requestNanos) / 1e6) } ?? 0
            t.firstByte = t.done
            return ("socket \(name)", "(raw bytes)", Double(exchange.requestNanos - startedNanos) / 1e6, t,
                    exchange.responseNanos == nil ? "no answer" : "answered")
        }
        let rows = socketRows + records.map { record -> (lane: String, label: String, start: Double, t: RequestTimings, note: String) in
            let r = record.result
            let start = Double(r.timings.startNanos - startedNanos) / 1e6
            let lane = r.connection.map { "\(record.agent) #\($0)" } ?? "\(record.agent) —"
            var note = r.error.map { "✘ \($0.kind)" } ?? "\(r.status.map(String.init) ?? "")"
            note += r.isReused ? " reused" : (r.connection == nil ? "" : " new")
            if r.isRetried { note += " retried" }
            if let stream = record.stream { note += " stream \(stream)" }
            return (lane, "\(r.request.method) \(r.request.target)", start, r.timings, note)
        }
        let end = rows.map { $0.start + $0.t.done }.max() ?? 1
        let laneWidth = min(16, rows.map(\.lane.count).max() ?? 4)
        let labelWidth = min(22, rows.map(\.label.count).max() ?? 4)
        // A row is "  lane  label |bar| 1234.5 ms note": 19 columns around the bar, plus the longest note.
        let noteWidth = rows.map(\.note.count).max() ?? 0
        let barWidth = max(20, width - laneWidth - labelWidth - 19 - noteWidth)
        let scale = Double(barWidth) / max(end, 0.001)
        var out = "Waterfall: \(rows.count) request\(rows.count == 1 ? "" : "s") over \(fixed(end)) ms "
            + "(one column ≈ \(fixed(end / Double(barWidth))) ms)\n"
        out += "  ░ waiting for a socket  ▓ connecting  ▒ waiting for the first byte  █ receiving\n"
        // Group by lane, lanes in order of first use, rows in time order.
        var laneOrder: [String] = []
        for row in rows.sorted(by: { $0.start < $1.start }) where !laneOrder.contains(row.lane) { laneOrder.append(row.lane) }
        for lane in laneOrder {
            for row in rows.filter({ $0.lane == lane }).sorted(by: { $0.start < $1.start }) {
                var bar = [Character](repeating: " ", count: barWidth)
                func paint(_ from: Double, _ to: Double, _ mark: Character) {
                    let a = Int((row.start + from) * scale), b = max(a + 1, Int((row.start + to) * scale))
                    for i in max(0, a)..<min(barWidth, b) { bar[i] = mark }
                }
                let t = row.t
                let assigned = t.assigned ?? 0
                let connectEnd = assigned + (t.connect ?? 0)
                let firstByte = t.firstByte ?? t.done
                if assigned > 0 { paint(0, assigned, "░") }
                if let connect = t.connect, connect > 0 { paint(assigned, connectEnd, "▓") }
                paint(max(connectEnd, assigned), firstByte, "▒")
                if t.done > firstByte { paint(firstByte, t.done, "█") }
                out += "  " + pad(row.lane, laneWidth) + "  " + pad(row.label, labelWidth) + " |" + String(bar) + "| "
                    + fixed(t.done).leftPadded(7) + " ms " + row.note + "\n"
            }
        }
        return out
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count > width ? cut(text, to: width) : text + String(repeating: " ", count: width - text.count)
    }
}

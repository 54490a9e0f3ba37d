import Wire

extension ClientObservation {
    /// The plain-words diagnosis: each sentence starts with the number it rests on.
    public var diagnosis: [String] {
        let n = requests.count, used = usedConnections
        guard n > 0 else {
            return connections.isEmpty
                ? ["0 requests: nothing reached the server; is the client pointed at the URL (WIRELAB_URL, {url})?"]
                : ["0 requests on \(observedCount(connections.count, "connection")): the client connected but sent no complete request head."]
        }
        var lines: [String] = []
        let reused = reusedRequests
        if n == 1 {
            lines.append("1 request on 1 connection: nothing to reuse; send more requests to see whether the client keeps the connection.")
        } else if reused == 0 && maxRequestsInFlight >= n {
            lines.append("\(n) requests on \(observedCount(used, "connection")), all \(n) in flight at once: HTTP/1.1 needs a connection per request in flight, so none could be reused; a pool limit (maxSockets) would queue them on fewer.")
        } else if reused == 0 {
            lines.append("\(n) requests on \(observedCount(used, "connection")): each request paid a new handshake; reuse a session/agent (keep-alive).")
        } else if used == 1 {
            lines.append("\(n) requests on 1 connection: \(reused) reused it; the client keeps its connection alive.")
        } else {
            lines.append("\(n) requests on \(observedCount(used, "connection")): \(reused) reused an open connection, \(used) paid a handshake.")
        }
        let streams = http2Requests
        if streams > 0 {
            let h2 = connections.filter { $0.protocolVersion == "HTTP/2" }.count
            lines.append("\(streams) of the requests \(streams == 1 ? "was an HTTP/2 stream" : "were HTTP/2 streams") on \(observedCount(h2, "connection")), "
                + "at most \(maxRequestsInFlightOnOneConnection) in flight on one: HTTP/2 multiplexes, so a request in flight needs no connection of its own.")
        }
        let asked = requests.filter { ($0.header("Connection") ?? "").lowercased().split(separator: ",").contains { $0.filter { $0 != " " && $0 != "\t" } == "close" } }.count
        if asked > 0 {
            lines.append("\(observedCount(asked, "request")) said Connection: close: the client itself asked for its connection to end.")
        }
        let old = requests.filter { $0.version == "HTTP/1.0" && ($0.header("Connection") ?? "").lowercased() != "keep-alive" }.count
        if old > 0 {
            lines.append("\(observedCount(old, "request")) \(old == 1 ? "was" : "were") HTTP/1.0 without keep-alive: one request per connection by default.")
        }
        let most = maxOpenConnections
        if most > 1 {
            lines.append("\(most) connections were open at once: the client ran requests in parallel (or kept idle ones while opening more).")
        }
        if requestsAfterClose > 0 {
            lines.append("\(observedCount(requestsAfterClose, "request")) arrived after the server said Connection: close on that connection: the client sent past the close (pipelined, or ignored it).")
        }
        let serverClosed = connections.filter { $0.closedBy == "server" && ["keepAliveTimeout", "maxRequests"].contains($0.closeReason ?? "") }
        if !serverClosed.isEmpty {
            let reasons = Self.tallyStrings(serverClosed.map { $0.closeReason == "keepAliveTimeout" ? "keep-alive timeout" : "max requests" })
            lines.append("\(observedCount(serverClosed.count, "connection")) closed by the server (\(reasons)): the client's next request needed a new one.")
        }
        return lines
    }

    static func tallyStrings(_ values: [String]) -> String {
        tally(values).map { "\($0.1) \($0.0)" }.joined(separator: ", ")
    }

    /// The text report: totals, connections, requests, a lane waterfall, the diagnosis.
    public func report(width: Int = 64) -> String {
        var out = "Observed \(observedCount(requests.count, "request")) on \(observedCount(connections.count, "connection"))"
        out += " (\(reusedRequests) reused); at most \(maxOpenConnections) open at once; at most \(observedCount(maxRequestsInFlight, "request")) in flight\n"
        if !requests.isEmpty {
            out += "  HTTP versions: " + versions.map { "\($0.0) ×\($0.1)" }.joined(separator: ", ") + "\n"
            out += "  User-Agents:   " + userAgents.map { "\($0.0) ×\($0.1)" }.joined(separator: ", ") + "\n"
        }
        out += "  requests sent after the server announced Connection: close: \(requestsAfterClose)\n"
        if !connections.isEmpty {
            out += "\nConnections:\n"
            for c in connections {
                var line = "  #\(c.id)  " + observedCount(c.requests, "request").leftPadded(to: 11) + "  " + (c.protocolVersion ?? "-").rightPadded(to: 8)
                line += "  opened " + ms(c.openedAtMs)
                if let closed = c.closedAtMs {
                    line += "  closed " + ms(closed) + " by " + (c.closedBy ?? "?") + " (" + (c.closeReason ?? "?") + ")"
                } else {
                    line += "  still open"
                }
                out += line + "\n"
            }
        }
        if !requests.isEmpty {
            out += "\nRequests:\n"
            for r in requests {
                var line = "  " + "#\(r.connection).\(r.indexOnConnection)".rightPadded(to: 7) + " \(r.method) \(r.target)"
                line += "  → " + (r.status.map(String.init) ?? "no response")
                line += "  at " + ms(r.arrivedAtMs)
                if let done = r.respondedAtMs { line += ", answered in " + ms(done - r.arrivedAtMs) }
                if r.responseClosed { line += ", Connection: close" }
                if r.sentAfterClose { line += "  (sent after close)" }
                out += line + "\n"
            }
        }
        if !connections.isEmpty {
            out += "\n" + waterfall(width: width)
        }
        out += "\nDiagnosis:\n"
        for line in diagnosis { out += "  " + line + "\n" }
        return out
    }

    /// One lane per connection across the observed time: `-` while open, a digit for each
    /// request (its number on the connection; `+` from 10), `|` where the server closed it, `x`
    /// where the client did.
    public func waterfall(width: Int = 64) -> String {
        let columns = max(width, 10)
        // From the first connection's open (the time before it is the client starting up).
        let start = connections.map(\.openedAtMs).min() ?? 0
        let end = max(endedAtMs, connections.compactMap(\.closedAtMs).max() ?? 0, requests.map(\.arrivedAtMs).max() ?? 0, start + 1)
        func column(_ ms: Double) -> Int { min(columns - 1, max(0, Int(((ms - start) / (end - start) * Double(columns - 1)).rounded()))) }
        let shown = connections.prefix(40)
        var out = "Waterfall (one lane per connection, \(self.ms(start)) to \(self.ms(end))):\n"
        let label = (shown.map { "#\($0.id)".count }.max() ?? 2)
        for c in shown {
            var lane = [Character](repeating: " ", count: columns)
            let from = column(c.openedAtMs), to = column(c.closedAtMs ?? end)
            for i in from...max(from, to) { lane[i] = "-" }
            var lastMark = -1
            for r in requests where r.connection == c.id {
                // Requests closer together than a column go to the next free one, so each shows.
                var at = column(r.arrivedAtMs)
                while at < columns - 1, lane[at] != "-", lane[at] != " " { at += 1 }
                lane[at] = r.indexOnConnection < 10 ? Character(String(r.indexOnConnection)) : "+"
                lastMark = max(lastMark, at)
            }
            // The close comes after the requests it ended, even when they share its column.
            if let closed = c.closedAtMs, c.closedBy != "shutdown" {
                lane[min(columns - 1, max(column(closed), lastMark + 1))] = c.closedBy == "client" ? "x" : "|"
            }
            while lane.last == " " { lane.removeLast() }
            out += "  " + "#\(c.id)".rightPadded(to: label) + " " + String(lane) + "\n"
        }
        if connections.count > shown.count { out += "  (\(connections.count - shown.count) more connections not drawn)\n" }
        out += "  " + String(repeating: " ", count: label) + " digits: requests (number on the connection); | server closed; x client closed\n"
        return out
    }

    func ms(_ value: Double) -> String {
        value >= 1000 ? Format.fixed(value / 1000, 3) + "s" : Format.fixed(value, 1) + "ms"
    }

    /// The `--json` object (docs/observe.md): stable keys in a fixed order.
    public func json(extra: [(String, JSONValue)] = []) -> JSONValue {
        func number(_ ms: Double?) -> JSONValue { ms.map { .number(($0 * 1000).rounded() / 1000) } ?? .null }
        let connectionsJSON: [JSONValue] = connections.map { c in
            .object([
                ("id", .integer(c.id)),
                ("requests", .integer(c.requests)),
                ("protocol", c.protocolVersion.map(JSONValue.string) ?? .null),
                ("openedAtMs", number(c.openedAtMs)),
                ("closedAtMs", number(c.closedAtMs)),
                ("closedBy", c.closedBy.map(JSONValue.string) ?? .null),
                ("closeReason", c.closeReason.map(JSONValue.string) ?? .null),
                ("announcedCloseAtMs", number(c.announcedCloseAtMs)),
            ])
        }
        let requestsJSON: [JSONValue] = requests.map { r in
            .object([
                ("method", .string(r.method)),
                ("target", .string(r.target)),
                ("version", .string(r.version)),
                ("connection", .integer(r.connection)),
                ("indexOnConnection", .integer(r.indexOnConnection)),
                ("status", r.status.map(JSONValue.integer) ?? .null),
                ("arrivedAtMs", number(r.arrivedAtMs)),
                ("respondedAtMs", number(r.respondedAtMs)),
                ("responseClosed", .bool(r.responseClosed)),
                ("sentAfterClose", .bool(r.sentAfterClose)),
                ("userAgent", r.userAgent.map(JSONValue.string) ?? .null),
                ("stream", r.stream.map(JSONValue.integer) ?? .null),
            ])
        }
        var fields: [(String, JSONValue)] = [
            ("requests", .integer(requests.count)),
            ("reusedRequests", .integer(reusedRequests)),
            ("maxOpenConnections", .integer(maxOpenConnections)),
            ("connectionCount", .integer(connections.count)),
            ("maxRequestsInFlight", .integer(maxRequestsInFlight)),
            ("requestsAfterClose", .integer(requestsAfterClose)),
            ("versions", .object(versions.map { ($0.0, .integer($0.1)) })),
            ("userAgents", .object(userAgents.map { ($0.0, .integer($0.1)) })),
            ("durationMs", number(endedAtMs)),
            ("connections", .array(connectionsJSON)),
            ("requestList", .array(requestsJSON)),
            ("diagnosis", .array(diagnosis.map(JSONValue.string))),
        ]
        fields += extra
        return .object(fields)
    }
}

/// "1 request", "2 requests".
func observedCount(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

import Wire

/// One request head the lab's server parsed, with the simulated network in force at that moment.
struct SeenRequest {
    var method: String
    var target: String
    var contentLength: Int?
    var rttMs: Double
    var tlsRoundTrips: Int

    /// "POST /echo": how `run.seen[...]` names it.
    var name: String { method + " " + target }
}

// The `run` fields a challenge key reads to check that a learner's script did what its challenge
// asks: what reached the server, how many requests were in flight at once, which network they
// crossed. They count the whole run, like the rest of `run`.
extension LabEnvironment {
    func noteSeen(_ head: HTTPRequestHeadSummary) {
        seenRequests.append(SeenRequest(method: head.method, target: head.target, contentLength: head.contentLength,
                                        rttMs: network.rttMs, tlsRoundTrips: network.tlsRoundTrips))
    }

    func keyFields() -> [(String, LabValue)] {
        let seen = seenRequests
        let log = requestLog
        let seenObject = LiveObject("the requests the server parsed", fields: [], display: { Self.describe(seen) }) { name in
            .number(Double(seen.filter { $0.name == name }.count))
        }
        let lengths = LiveObject("the Content-Length of each request the server parsed", fields: [], display: { Self.describe(seen) }) { name in
            guard let first = seen.first(where: { $0.name == name }) else { return LabValue.none }
            return first.contentLength.map { .number(Double($0)) } ?? LabValue.none
        }
        let names = Array(Set(log.map(\.agent))).sorted()
        let okBy = LiveObject("2xx answers by agent", fields: names, display: { names.joined(separator: ", ") }) { name in
            .number(Double(log.filter { $0.agent == name && ($0.result.status ?? 0) / 100 == 2 && $0.result.error == nil }.count))
        }
        var afterShutdown = 0
        if let since = shutdownStartedNanos {
            afterShutdown = log.filter { $0.result.timings.startNanos > since && ($0.result.status ?? 0) / 100 == 2 && $0.result.error == nil }.count
        }
        return [
            ("sockets", .number(Double(sockets.count))),
            ("seen", .object(seenObject)),
            ("contentLength", .object(lengths)),
            ("maxInFlight", .number(Double(Self.maxInFlight(log)))),
            ("minRtt", seen.map(\.rttMs).min().map { .number($0) } ?? LabValue.none),
            ("minTls", seen.map(\.tlsRoundTrips).min().map { .number(Double($0)) } ?? LabValue.none),
            ("afterShutdown", .number(Double(afterShutdown))),
            ("forwarded", .number(Double(proxies.values.map(\.forwarded).reduce(0, +)))),
            ("upstreamFailures", .number(Double(proxies.values.map(\.upstreamFailures).reduce(0, +)))),
            ("okBy", .object(okBy)),
        ]
    }

    /// The most requests that were started and not yet finished at one instant: each request's
    /// interval runs from its submission to its response (or failure).
    static func maxInFlight(_ log: [RequestRecord]) -> Int {
        var edges: [(Int64, Int)] = []
        for record in log {
            let start = record.result.timings.startNanos
            edges.append((start, 1))
            edges.append((start + Int64(record.result.timings.done * 1_000_000), -1))
        }
        // At the same instant an end comes before a start: back to back is not overlapping.
        edges.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var current = 0, most = 0
        for (_, change) in edges {
            current += change
            most = max(most, current)
        }
        return most
    }

    /// "POST /echo (Content-Length: 5), GET /": what the server parsed, for a key's message.
    static func describe(_ seen: [SeenRequest]) -> String {
        if seen.isEmpty { return "no requests" }
        let shown = seen.prefix(8).map { $0.name + ($0.contentLength.map { " (Content-Length: \($0))" } ?? "") }
        return shown.joined(separator: ", ") + (seen.count > 8 ? ", and \(seen.count - 8) more" : "")
    }
}

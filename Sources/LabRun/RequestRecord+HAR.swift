import Wire

/// HAR 1.2 of a lesson's own requests (the agent's side), for `run LESSON --har FILE`: the same
/// entry shape as `ClientObservation.har`, with the agent's measured phases as timings.
///
/// `blocked` is the wait for a socket, `connect` the new connection's opening (-1 on a reused one;
/// it includes a simulated handshake when `--rtt` is on), `send` until the last request byte left,
/// `wait` until the first response byte, `receive` until the response was complete. `time` is
/// their sum (the request's whole duration). `connection` is `agent:number`, so reuse shows as
/// entries that share one. A simulated RTT is named in `_simulatedRttMs`: it is inside the
/// measured phases (the lab delays bytes on its own loop), and marked so.
public enum RequestHAR {
    /// `epochMs(nanos)` turns a loop-clock instant into milliseconds since 1970.
    public static func har(_ records: [RequestRecord], epochMs: (Int64) -> Double, creatorVersion: String,
                           simulatedRttMs: Double? = nil) -> JSONValue {
        .object([("log", .object([
            ("version", .string("1.2")),
            ("creator", .object([("name", .string("wirelab")), ("version", .string(creatorVersion))])),
            ("pages", .array([])),
            ("entries", .array(records.map { entry($0, epochMs: epochMs, simulatedRttMs: simulatedRttMs) })),
            ("comment", .string("A WireLab lesson run: timings are the lab agent's, measured on its event loop")),
        ]))])
    }

    static func round(_ ms: Double) -> Double { (ms * 1000).rounded() / 1000 }

    static func entry(_ record: RequestRecord, epochMs: (Int64) -> Double, simulatedRttMs: Double?) -> JSONValue {
        let result = record.result, t = result.timings
        let total = max(0, t.done)
        let blocked = max(0, t.assigned ?? 0)
        let connect = t.connect.map { max(0, $0) }
        let sent = t.sent.map { max($0, blocked + (connect ?? 0)) }
        let firstByte = t.firstByte.map { max($0, sent ?? 0) }
        // The phases that happened, each from the end of the one before; what is unknown is 0, so
        // the parts always add up to the whole.
        let send = max(0, (sent ?? total) - blocked - (connect ?? 0))
        let wait = max(0, (firstByte ?? total) - (sent ?? total))
        let receive = max(0, total - (firstByte ?? total))
        let time = blocked + (connect ?? 0) + send + wait + receive
        let request = result.request
        let headers: [JSONValue] = request.headers.fields.map { .object([("name", .string($0.name)), ("value", .string($0.value))]) }
        let status = result.status ?? 0
        var responseHeaders: [JSONValue] = []
        var mimeType = ""
        if let head = result.head {
            responseHeaders = head.headers.fields.map { .object([("name", .string($0.name)), ("value", .string($0.value))]) }
            mimeType = head.headers["Content-Type"] ?? ""
        }
        var extra: [(String, JSONValue)] = [("_agent", .string(record.agent)), ("_scriptLine", .integer(record.line))]
        if result.isRetried { extra.append(("_retried", .string(result.retryReason ?? "retried"))) }
        if let error = result.error { extra.append(("_error", .string(error.description))) }
        if let simulatedRttMs { extra.append(("_simulatedRttMs", .number(simulatedRttMs))) }
        let connectionID = result.connection.map { "\(record.agent):\($0)" } ?? ""
        return .object([
            ("startedDateTime", .string(ClientObservation.iso8601(epochMs: epochMs(t.startNanos)))),
            ("time", .number(round(time))),
            ("request", .object([
                ("method", .string(request.method)),
                ("url", .string("http://\(request.origin.host):\(request.origin.port)\(request.target)")),
                ("httpVersion", .string("HTTP/1.1")),
                ("cookies", .array([])),
                ("headers", .array(headers)),
                ("queryString", .array(ClientObservation.query(request.target))),
                ("headersSize", .integer(-1)),
                ("bodySize", .integer(request.body.count)),
            ])),
            ("response", .object([
                ("status", .integer(status)),
                ("statusText", .string(result.head?.reason ?? "")),
                ("httpVersion", .string(result.head.map { $0.version.description } ?? "")),
                ("cookies", .array([])),
                ("headers", .array(responseHeaders)),
                ("content", .object([("size", .integer(result.body.count)), ("mimeType", .string(mimeType))])),
                ("redirectURL", .string(result.head?.headers["Location"] ?? "")),
                ("headersSize", .integer(-1)),
                ("bodySize", .integer(result.head == nil ? -1 : result.body.count)),
            ])),
            ("cache", .object([])),
            ("timings", .object([
                ("blocked", .number(round(blocked))), ("dns", .integer(-1)),
                ("connect", connect.map { .number(round($0)) } ?? .integer(-1)), ("ssl", .integer(-1)),
                ("send", .number(round(send))), ("wait", .number(round(wait))), ("receive", .number(round(receive))),
            ])),
            ("serverIPAddress", .string(request.origin.host)),
            ("connection", .string(connectionID)),
            ("_connectionId", .string(connectionID)),   // what Chromium's importer shows as Connection ID
        ] + extra)
    }
}

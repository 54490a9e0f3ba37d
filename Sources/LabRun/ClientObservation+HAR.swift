import HTTP1
import Wire

/// HAR 1.2 (the HTTP Archive format DevTools import and export) from what the server observed.
///
/// Seen from the server, a request's life is: its head arrived, then its response was written.
/// So `timings.wait` is that span, `send` and `receive` are 0 (the server does not see the
/// client's bytes leave or its response arrive), and `blocked`, `dns`, `connect` and `ssl` are -1
/// (not measured: the client's side). `time` is their sum over the non-negative ones, as the spec
/// asks. Over HTTP/1.1 the server reports the heads as they went over the wire, so the request's
/// `headersSize` and the response's `headers`, `headersSize`, `bodySize` (body bytes as written,
/// chunk framing included) and `content.size` (without it) are the written bytes. What it does not
/// report (HTTP/2, a request never answered) is left out rather than invented: the response's headers
/// are then the connection-management field it said (`Connection`), and sizes are -1 (unknown).
extension ClientObservation {
    public struct HARContext: Sendable {
        public var creatorName = "wirelab"
        public var creatorVersion: String
        /// The origin requests were made to, e.g. `http://127.0.0.1:41234`.
        public var origin: String
        public var serverIPAddress = "127.0.0.1"
        /// A simulated round-trip time, when one was applied; recorded as `_simulatedRttMs`, never
        /// added to measured timings.
        public var simulatedRttMs: Double?
        public init(creatorVersion: String, origin: String, simulatedRttMs: Double? = nil) {
            self.creatorVersion = creatorVersion
            self.origin = origin
            self.simulatedRttMs = simulatedRttMs
        }
    }

    public func har(_ context: HARContext) -> JSONValue {
        let entries: [JSONValue] = requests.map { entry($0, context) }
        return .object([("log", .object([
            ("version", .string("1.2")),
            ("creator", .object([("name", .string(context.creatorName)), ("version", .string(context.creatorVersion))])),
            ("pages", .array([])),
            ("entries", .array(entries)),
            ("comment", .string("Observed by the WireLab server: timings are the server's view (wait = head arrived to response written)")),
        ]))])
    }

    private func entry(_ r: ObservedRequest, _ context: HARContext) -> JSONValue {
        let wait = max(0, (r.respondedAtMs ?? endedAtMs) - r.arrivedAtMs)
        let waitRounded = (wait * 1000).rounded() / 1000
        let url = r.target.hasPrefix("/") ? context.origin + r.target : r.target
        var extra: [(String, JSONValue)] = [
            ("_requestOnConnection", .integer(r.indexOnConnection)),
            ("_observedBy", .string("server")),
        ]
        if let rtt = context.simulatedRttMs { extra.append(("_simulatedRttMs", .number(rtt))) }
        if r.sentAfterClose { extra.append(("_sentAfterClose", .bool(true))) }
        let request: JSONValue = .object([
            ("method", .string(r.method)),
            ("url", .string(url)),
            ("httpVersion", .string(r.version)),
            ("cookies", .array(cookies(r.header("Cookie")))),
            ("headers", .array(r.headers.map { .object([("name", .string($0.name)), ("value", .string($0.value))]) })),
            ("queryString", .array(Self.query(r.target))),
            ("headersSize", .integer(r.headSize ?? -1)),
            ("bodySize", .integer(Int(r.header("Content-Length") ?? "") ?? (r.header("Transfer-Encoding") == nil ? 0 : -1))),
        ])
        let status = r.status ?? 0
        var responseHeaders: [JSONValue] = []
        var mimeType = "", location = ""
        // The written head only with a written response: a head whose body never finished is not one.
        let written = r.status == nil ? nil : r.responseHeaders
        if let written {
            responseHeaders = written.map { .object([("name", .string($0.name)), ("value", .string($0.value))]) }
            mimeType = written.first { $0.name.lowercased() == "content-type" }?.value ?? ""
            location = written.first { $0.name.lowercased() == "location" }?.value ?? ""
        } else if r.status != nil {
            responseHeaders.append(.object([("name", .string("Connection")), ("value", .string(r.responseClosed ? "close" : "keep-alive"))]))
        }
        let response: JSONValue = .object([
            ("status", .integer(status)),
            ("statusText", .string(r.status == nil ? "" : HTTPStatus.reasonPhrase(status))),
            ("httpVersion", .string(r.version)),
            ("cookies", .array([])),
            ("headers", .array(responseHeaders)),
            ("content", .object([("size", .integer(written == nil ? -1 : r.responseContentBytes ?? -1)), ("mimeType", .string(mimeType))])),
            ("redirectURL", .string(location)),
            ("headersSize", .integer(written == nil ? -1 : r.responseHeadSize ?? -1)),
            ("bodySize", .integer(written == nil ? -1 : r.responseBodyBytes ?? -1)),
        ])
        return .object([
            ("startedDateTime", .string(Self.iso8601(epochMs: startedEpochMs + r.arrivedAtMs))),
            ("time", .number(waitRounded)),
            ("request", request),
            ("response", response),
            ("cache", .object([])),
            ("timings", .object([
                ("blocked", .integer(-1)), ("dns", .integer(-1)), ("connect", .integer(-1)), ("ssl", .integer(-1)),
                ("send", .integer(0)), ("wait", .number(waitRounded)), ("receive", .integer(0)),
            ])),
            ("serverIPAddress", .string(context.serverIPAddress)),
            ("connection", .string(String(r.connection))),
            // Chromium's importer reads the connection id from `_connectionId` (its Network panel's
            // Connection ID column) and takes `connection` for the remote port.
            ("_connectionId", .string(String(r.connection))),
        ] + extra)
    }

    static func query(_ target: String) -> [JSONValue] {
        guard let q = target.firstIndex(of: "?") else { return [] }
        return target[target.index(after: q)...].split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return .object([("name", .string(String(parts[0]))), ("value", .string(parts.count > 1 ? String(parts[1]) : ""))])
        }
    }

    private func cookies(_ header: String?) -> [JSONValue] {
        guard let header else { return [] }
        return header.split(separator: ";").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].filter { $0 != " " }
            guard !name.isEmpty else { return nil }
            return .object([("name", .string(name)), ("value", .string(parts.count > 1 ? String(parts[1]) : ""))])
        }
    }

    /// `2026-12-06T19:31:10.123Z` from milliseconds since 1970 (UTC; proleptic Gregorian).
    public static func iso8601(epochMs: Double) -> String {
        let totalMs = Int64(epochMs.rounded())
        var days = totalMs / 86_400_000
        var msOfDay = totalMs % 86_400_000
        if msOfDay < 0 { msOfDay += 86_400_000; days -= 1 }
        // Days to civil date (Howard Hinnant's algorithm, written out).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let h = msOfDay / 3_600_000, m = msOfDay / 60_000 % 60, s = msOfDay / 1000 % 60, f = msOfDay % 1000
        let fraction = f < 10 ? "00\(f)" : f < 100 ? "0\(f)" : "\(f)"
        return "\(year)-\(two(month))-\(two(day))T\(two(h)):\(two(m)):\(two(s)).\(fraction)Z"
    }
}

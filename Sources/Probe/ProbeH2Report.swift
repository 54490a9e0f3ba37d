import HTTP2
import Wire

/// H2Report: what the h2c check found (RFC 9113 §3.3, prior knowledge). A value, like `ProbeReport`:
/// `ProbeSession.h2Check` fills it in, the renderers below print it.
struct H2Report {
    /// The connection was made and the preface sent.
    var tried = false
    /// The server's first frame was SETTINGS.
    var accepted = false
    /// What the server did instead, as a sentence ("it answered with HTTP/1: HTTP/1.1 400 Bad Request").
    var refusal: String?
    /// The server's SETTINGS as sent, in order (a repeated one counts by its last value).
    var settings: [Setting] = []
    var settingsAcked = false
    var get = Get.notTried
    var getTarget = "/"
    var concurrency: Concurrency?
    /// The server answered stream 1, then ended the connection (GOAWAY or a close), as a sentence.
    var endedAfterFirst: String?
    var idle = Idle.notMeasured("not tried")
    var pushPromises = 0
    var requestsSent = 0
    /// The connection window the server grants the probe's DATA: 65,535 plus its WINDOW_UPDATE
    /// increments on stream 0 received up to the response on stream 1 (nil: not measured).
    var connectionWindow: Int?

    enum Get {
        case notTried
        case answered(status: Int, bodyBytes: Int)
        case reset(ErrorCode)
        /// GOAWAY or a close (or a frame we could not read) came instead.
        case ended(String)
        case noResponse

        var status: Int? { if case .answered(let s, _) = self { s } else { nil } }

        var detail: String {
            switch self {
            case .notTried: return "not tried"
            case .answered(let s, let n): return "\(s) (\(n) body byte\(n == 1 ? "" : "s"))"
            case .reset(let code): return "the server reset the stream (\(code))"
            case .ended(let why): return why
            case .noResponse: return "no complete response in time"
            }
        }
    }

    /// N GETs opened at once on the one connection.
    struct Concurrency {
        /// What the probe was asked to open, and what it opened: no more than the server allows.
        var requested: Int
        var opened: Int
        /// Answered with END_STREAM, refused with RST_STREAM (any code), still open at the bound.
        var answered: Int
        var reset: Int
        var resetCodes: [ErrorCode]
        var pending: Int
        var statuses: [Int]
        /// GOAWAY or a close came while they were open.
        var endedBy: String?

        var detail: String {
            var parts = ["\(answered) of \(opened) answered"]
            let distinct = Array(Set(statuses)).sorted()
            if !distinct.isEmpty { parts[0] += " (status \(distinct.map(String.init).joined(separator: ", ")))" }
            if reset > 0 { parts.append("\(reset) reset (\(Array(Set(resetCodes.map(\.description))).sorted().joined(separator: ", ")))") }
            if pending > 0 { parts.append("\(pending) unanswered in time") }
            if let endedBy { parts.append(endedBy) }
            var text = parts.joined(separator: ", ")
            if opened < requested { text += "; \(requested) were asked for, the server's SETTINGS_MAX_CONCURRENT_STREAMS allows \(opened)" }
            return text
        }
    }

    enum Idle {
        /// GOAWAY arrived this many seconds after the last response, with this code (and the
        /// connection closed within the wait or not).
        case goaway(seconds: Double, code: ErrorCode, closed: Bool)
        /// The server closed without GOAWAY.
        case closed(seconds: Double)
        /// Neither by the end of the wait.
        case openPastWait(seconds: Double)
        case notMeasured(String)

        var word: String {
            switch self {
            case .goaway: return "goaway"
            case .closed: return "closed without goaway"
            case .openPastWait: return "open past wait"
            case .notMeasured: return "not measured"
            }
        }

        var detail: String {
            switch self {
            case .goaway(let s, let code, let closed):
                return "GOAWAY (\(code)) \(Format.fixed(s, 2)) s after the last response" + (closed ? ", then it closed" : "")
            case .closed(let s): return "the server closed the connection \(Format.fixed(s, 2)) s after the last response, without GOAWAY"
            case .openPastWait(let s): return "no GOAWAY, still open when the probe's \(Format.fixed(s, s == s.rounded() ? 0 : 2)) s wait ran out"
            case .notMeasured(let why): return "not measured: \(why)"
            }
        }
    }

    // MARK: The settings, named, with their defaults

    /// The six settings of RFC 9113 §6.5.2 and two later ones, with the value in force when a
    /// server does not send it (nil: no limit).
    static let known: [(id: UInt16, name: String, json: String, initial: UInt32?)] = [
        (0x1, "HEADER_TABLE_SIZE", "header_table_size", 4_096),
        (0x2, "ENABLE_PUSH", "enable_push", 1),
        (0x3, "MAX_CONCURRENT_STREAMS", "max_concurrent_streams", nil),
        (0x4, "INITIAL_WINDOW_SIZE", "initial_window_size", 65_535),
        (0x5, "MAX_FRAME_SIZE", "max_frame_size", 16_384),
        (0x6, "MAX_HEADER_LIST_SIZE", "max_header_list_size", nil),
        (0x8, "ENABLE_CONNECT_PROTOCOL", "enable_connect_protocol", 0),      // RFC 8441
        (0x9, "NO_RFC7540_PRIORITIES", "no_rfc7540_priorities", 0),          // RFC 9218
    ]

    /// The value the server sent for `id` (its last, if repeated), or nil.
    func sent(_ id: UInt16) -> UInt32? { settings.last { $0.id.rawValue == id }?.value }

    /// SETTINGS_MAX_CONCURRENT_STREAMS as sent; nil when not sent (no limit, §5.1.2).
    var maxConcurrentStreams: UInt32? { sent(0x3) }

    /// The window each new stream of the probe's starts with: SETTINGS_INITIAL_WINDOW_SIZE as sent,
    /// or 65,535 when not sent.
    var initialWindow: Int { Int(sent(0x4) ?? 65_535) }

    /// The receive windows, in words: `stream 65535 (SETTINGS_INITIAL_WINDOW_SIZE not sent),
    /// connection 1048576 (65535 + WINDOW_UPDATE 983041 on stream 0)`.
    var windowsDetail: String {
        let stream = "stream \(initialWindow)" + (sent(0x4) == nil ? " (SETTINGS_INITIAL_WINDOW_SIZE not sent)" : " (SETTINGS_INITIAL_WINDOW_SIZE)")
        guard let connectionWindow else { return stream + ", connection not measured" }
        let increments = connectionWindow - 65_535
        let connection = "connection \(connectionWindow)"
            + (increments == 0 ? " (no WINDOW_UPDATE on stream 0)" : " (65535 + WINDOW_UPDATE \(increments) on stream 0)")
        return stream + ", " + connection
    }

    var maxConcurrentStreamsText: String {
        maxConcurrentStreams.map(String.init) ?? "no limit (not sent)"
    }

    /// One line per setting: `MAX_CONCURRENT_STREAMS  100`, `MAX_FRAME_SIZE  16384 (default: not sent)`.
    var settingRows: [(String, String)] {
        var rows = Self.known.map { setting -> (String, String) in
            if let value = sent(setting.id) { return (setting.name, String(value)) }
            return (setting.name, (setting.initial.map(String.init) ?? "no limit") + " (default: not sent)")
        }
        let knownIDs = Set(Self.known.map(\.id))
        var seen = Set<UInt16>()
        for s in settings where !knownIDs.contains(s.id.rawValue) && seen.insert(s.id.rawValue).inserted {
            rows.append(("0x" + String(s.id.rawValue, radix: 16), String(sent(s.id.rawValue) ?? s.value) + " (unknown setting)"))
        }
        return rows
    }

    /// The settings as sent, in one line: `MAX_CONCURRENT_STREAMS=100, INITIAL_WINDOW_SIZE=65535`.
    var sentSummary: String {
        settings.isEmpty ? "none (an empty SETTINGS frame: every default)" : settings.map(\.description).joined(separator: ", ")
    }

    // MARK: Rendering

    var verdict: String {
        if !tried { return "not tried" }
        if accepted { return "yes  (its first frame was SETTINGS" + (settingsAcked ? ", and it acknowledged ours)" : "; it did not acknowledge ours)") }
        return "no   (" + (refusal ?? "no SETTINGS frame in time") + ")"
    }

    func rows() -> [(String, String)] {
        var rows = [("h2c, prior knowledge", verdict)]
        guard accepted else { return rows }
        for (name, value) in settingRows { rows.append(("  SETTINGS_" + name, value)) }
        rows.append(("h2 max concurrent streams", maxConcurrentStreamsText))
        rows.append(("h2 GET \(getTarget) on stream 1", get.detail))
        rows.append(("h2 windows for the client's DATA", windowsDetail))
        if let c = concurrency { rows.append(("h2 \(c.requested) GETs at once, one connection", c.detail)) }
        if let endedAfterFirst { rows.append(("h2 GETs at once, one connection", "not tried: " + endedAfterFirst)) }
        rows.append(("h2 idle", idle.detail))
        if pushPromises > 0 { rows.append(("h2 PUSH_PROMISE", "\(pushPromises), though the probe's SETTINGS said ENABLE_PUSH=0")) }
        return rows
    }

    func json() -> JSONValue {
        func number(_ v: UInt32?) -> JSONValue { v.map { .integer(Int($0)) } ?? .null }
        var settingsJSON: [(String, JSONValue)] = Self.known.map { s in
            (s.json, .object([("value", number(sent(s.id) ?? s.initial)), ("sent", .bool(sent(s.id) != nil))]))
        }
        let knownIDs = Set(Self.known.map(\.id))
        var seen = Set<UInt16>()
        for s in settings where !knownIDs.contains(s.id.rawValue) && seen.insert(s.id.rawValue).inserted {
            settingsJSON.append(("0x" + String(s.id.rawValue, radix: 16), .object([("value", number(sent(s.id.rawValue))), ("sent", .bool(true))])))
        }
        let getJSON: JSONValue
        switch get {
        case .answered(let status, let n): getJSON = .object([("outcome", .string("answered")), ("status", .integer(status)), ("body_bytes", .integer(n)), ("detail", .string(get.detail))])
        case .reset: getJSON = .object([("outcome", .string("reset")), ("status", .null), ("body_bytes", .null), ("detail", .string(get.detail))])
        case .ended: getJSON = .object([("outcome", .string("ended")), ("status", .null), ("body_bytes", .null), ("detail", .string(get.detail))])
        case .noResponse: getJSON = .object([("outcome", .string("no response")), ("status", .null), ("body_bytes", .null), ("detail", .string(get.detail))])
        case .notTried: getJSON = .null
        }
        let concurrencyJSON: JSONValue = concurrency.map { c in
            .object([("requested", .integer(c.requested)), ("opened", .integer(c.opened)), ("answered", .integer(c.answered)),
                     ("reset", .integer(c.reset)), ("pending", .integer(c.pending)), ("detail", .string(c.detail))])
        } ?? .null
        let idleJSON: JSONValue
        switch idle {
        case .goaway(let s, let code, let closed):
            idleJSON = .object([("outcome", .string(idle.word)), ("seconds", .number(Format.rounded(s, 3))), ("error_code", .string(code.description)), ("closed", .bool(closed)), ("detail", .string(idle.detail))])
        case .closed(let s):
            idleJSON = .object([("outcome", .string(idle.word)), ("seconds", .number(Format.rounded(s, 3))), ("error_code", .null), ("closed", .bool(true)), ("detail", .string(idle.detail))])
        case .openPastWait, .notMeasured:
            idleJSON = .object([("outcome", .string(idle.word)), ("seconds", .null), ("error_code", .null), ("closed", .bool(false)), ("detail", .string(idle.detail))])
        }
        return .object([
            ("prior_knowledge", .bool(accepted)),
            ("refusal", refusal.map(JSONValue.string) ?? .null),
            ("settings", accepted ? .object(settingsJSON) : .null),
            ("settings_acked", .bool(settingsAcked)),
            ("max_concurrent_streams", number(maxConcurrentStreams)),
            ("initial_window", accepted ? .integer(initialWindow) : .null),
            ("connection_window", connectionWindow.map(JSONValue.integer) ?? .null),
            ("get", getJSON),
            ("concurrent", concurrencyJSON),
            ("idle", accepted ? idleJSON : .null),
            ("push_promises", .integer(pushPromises)),
            ("requests_sent", .integer(requestsSent)),
        ])
    }
}

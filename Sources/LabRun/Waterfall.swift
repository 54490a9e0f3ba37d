import Wire

/// One request a script made: which agent, which line, and what happened.
public struct RequestRecord: Sendable {
    public var agent: String
    public var result: AgentResult
    public var line: Int
    /// Which agent of that name: 1 for the first, 2 once `agent NAME` made it again, and so on.
    public var generation: Int
    /// Where the request went when not to the lab's embedded server: `box` (a named server), a
    /// proxy's name, `port N`. Nil for the embedded server.
    public var destination: String?
    /// The HTTP/2 stream that carried it (1, 3, 5...: `result.stream`), or nil for a request over
    /// HTTP/1.1. The waterfall draws the streams of one connection as overlapping bars under its lane.
    public var stream: Int? { result.stream > 0 ? result.stream : nil }

    /// `stream`, when given, is stored as the result's (for records built by hand).
    public init(agent: String, result: AgentResult, line: Int, generation: Int = 1, destination: String? = nil,
                stream: Int? = nil) {
        self.agent = agent
        self.result = result
        self.line = line
        self.generation = generation
        self.destination = destination
        if let stream { self.result.stream = stream }
    }

    /// The agent's name as the waterfall labels it: `pool`, then `pool(2)` for a re-created one.
    public var agentLabel: String { generation > 1 ? "\(agent)(\(generation))" : agent }
}

/// Waterfall: DevTools-style timelines of the requests of one run, drawn with text so they work in
/// any terminal. Two pictures of the same records:
///
/// - `render`, the default (`--waterfall`): one lane per connection. Reuse shows as several
///   requests along one row, a request that waited for a socket shows its wait, and a lesson with
///   200 requests on 3 connections draws 3 rows.
/// - `renderRequests` (`--waterfall=requests`): one row per request, with its phases.
///
/// Both are pure: the same records give the same text. Neither colours anything.
public enum Waterfall {
    /// Which picture to draw.
    public enum Layout: String, CaseIterable, Sendable {
        /// One lane per connection: `render`.
        case connections
        /// One row per request: `renderRequests`.
        case requests
    }

    /// The most connection lanes drawn; the rest are counted on one "… N more connections" line.
    public static let laneLimit = 40

    /// Wider than this, a waterfall gains nothing: `width` is clamped to it.
    public static let maxWidth = 200

    /// One lane per connection. Each connection (`agent #id`) is one row, rows in the order the
    /// connections were first used; its requests are drawn one after another along a time axis
    /// shared by every row, in alternating shades so neighbours stand apart. Time spent opening the
    /// connection and waiting for a socket (`timings.assigned`) is drawn before the request it
    /// delayed. Requests that failed before they had a connection share a "no connection" row.
    /// Past `laneLimit` connections, the rest are counted, not drawn. Under the rows, a summary:
    /// connections opened, requests, reused, the longest queue wait, and failures if any.
    ///
    /// No line is wider than `width` columns (at most `maxWidth`). Below about 40 columns the bars
    /// get short and labels are cut, but the lines still fit.
    ///
    /// `sockets`, the raw sockets the script opened, get a lane each too ("socket NAME"), with the
    /// requests the server read on them.
    ///
    /// `plain`: the text will go through `PlainText.ascii` (plain mode), so a label cut short ends
    /// in "..." taking the cut's columns, not "…" that plain mode would widen by two.
    public static func render(_ records: [RequestRecord], sockets: [SocketRecord] = [], startedNanos: Int64,
                              width: Int = 100, plain: Bool = false) -> String {
        if plain != cutsForPlain {
            return $cutsForPlain.withValue(plain) { render(records, sockets: sockets, startedNanos: startedNanos, width: width, plain: plain) }
        }
        guard !records.isEmpty || sockets.contains(where: { $0.connectedNanos != nil }) else {
            return "No requests were made.\n"
        }
        return LaneChart(records: records, sockets: sockets, startedNanos: startedNanos, width: min(max(width, 1), maxWidth)).text
    }

    /// The picture `layout` names: `render` or `renderRequests` (a row per request, raw sockets' included).
    public static func render(_ records: [RequestRecord], sockets: [SocketRecord] = [], startedNanos: Int64, width: Int = 100,
                              layout: Layout, plain: Bool = false) -> String {
        switch layout {
        case .connections: return render(records, sockets: sockets, startedNanos: startedNanos, width: width, plain: plain)
        case .requests: return renderRequests(records, sockets: sockets, startedNanos: startedNanos, width: width, plain: plain)
        }
    }

    /// Set while rendering for plain mode (`plain: true`): `cut` ends with "..." instead of "…".
    @TaskLocal static var cutsForPlain = false

    /// What a cut label ends with: "…", or in plain mode "..." (three columns).
    static var cutMark: String { cutsForPlain ? "..." : "…" }

    /// Milliseconds as the waterfall prints them: two decimals below 10, one above.
    static func fixed(_ value: Double) -> String { LabValue.fixed(value, value < 10 ? 2 : 1) }
}

/// TraceEvent: one connection event for `wirelab run --trace` — who (the server or an agent, and
/// which connection), what happened, when, and which statements were running then — so a reader
/// can keep to the events that matter (`--trace=conn:3`, `agent:ka`, `line:60-70`) or count them
/// (`--trace=summary`). It is not part of the experiment's output and never matched.
public struct TraceEvent: Sendable, Equatable {
    public enum Source: Sendable, Equatable, Hashable {
        case server
        case agent(String)

        public var label: String {
            switch self {
            case .server: "server"
            case .agent(let name): "agent \(name)"
            }
        }
    }

    /// What happened, in the order a connection lives through it.
    public enum Kind: String, Sendable, CaseIterable {
        // The server's side.
        case opened, request, response, closed
        // An agent's side (`response` and `closed` are shared).
        case waited = "waited for a socket"
        case connecting, connected
        case connectFailed = "connect failed"
        case sent, retried, failed

        /// The kinds `source` reports, in the order a connection lives through them.
        static func order(for source: Source) -> [Kind] {
            switch source {
            case .server: [.opened, .request, .response, .closed]
            case .agent: [.waited, .connecting, .connected, .connectFailed, .sent, .response, .retried, .failed, .closed]
            }
        }
    }

    public var source: Source
    /// The server's connection number (counted across the run), or the agent's own socket number;
    /// nil for an event about a request alone (it waited, was retried, failed).
    public var connection: Int?
    public var kind: Kind
    /// What a summary counts within a kind: a close's reason, `reused` or `new` for a request.
    public var detail: String?
    /// The event in words, as `--trace` prints it after the time.
    public var text: String
    /// Milliseconds since the run started.
    public var elapsedMs: Double
    /// The file lines of the statements running when it happened, outermost first.
    public var lines: [Int]
    /// HTTP/2: the stream of `connection` the request went out on (a `sent` event of an h2
    /// agent), so a waterfall can draw a connection's streams under its one lane. nil otherwise.
    public var stream: Int?

    public init(source: Source, connection: Int?, kind: Kind, detail: String? = nil, text: String,
                elapsedMs: Double = 0, lines: [Int] = [], stream: Int? = nil) {
        self.stream = stream
        self.source = source
        self.connection = connection
        self.kind = kind
        self.detail = detail
        self.text = text
        self.elapsedMs = elapsedMs
        self.lines = lines
    }

    /// The line `--trace` prints: `[    0.4ms] server   #1 opened`.
    public var rendered: String {
        "[\(LabValue.fixed(elapsedMs, 1).leftPadded(7))ms] \(text)"
    }
}

/// TraceTally: counts trace events per source and kind (and per detail within a kind), and which
/// statements they happened under, for `--trace=summary`.
public struct TraceTally: Sendable {
    public private(set) var total = 0
    private var sources: [TraceEvent.Source] = []
    private var counts: [TraceEvent.Source: [TraceEvent.Kind: (count: Int, details: [(String, Int)])]] = [:]
    private var byLine: [Int: Int] = [:]

    public init() {}

    public mutating func add(_ event: TraceEvent) {
        total += 1
        if counts[event.source] == nil { sources.append(event.source) }
        var kinds = counts[event.source] ?? [:]
        var entry = kinds[event.kind] ?? (0, [])
        entry.count += 1
        if let detail = event.detail {
            if let index = entry.details.firstIndex(where: { $0.0 == detail }) { entry.details[index].1 += 1 } else { entry.details.append((detail, 1)) }
        }
        kinds[event.kind] = entry
        counts[event.source] = kinds
        if let line = event.lines.last { byLine[line, default: 0] += 1 }
    }

    /// The summary: per source (in the order they first appeared) one row per kind with its count
    /// and, where there are any, its details; then the statements most events happened under.
    public func lines(busiestStatements: Int = 3) -> [String] {
        var out: [String] = []
        let width = TraceEvent.Kind.allCases.map(\.rawValue.count).max() ?? 0
        for source in sources {
            out.append("  " + source.label)
            let kinds = counts[source] ?? [:]
            for kind in TraceEvent.Kind.order(for: source) {
                guard let entry = kinds[kind] else { continue }
                var row = "    " + kind.rawValue.rightPadding(width) + "  " + String(entry.count).leftPadded(6)
                if !entry.details.isEmpty {
                    row += "  (" + entry.details.sorted { $0.1 > $1.1 }.map { "\($0.1) \($0.0)" }.joined(separator: ", ") + ")"
                }
                out.append(row)
            }
        }
        let busiest = byLine.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(busiestStatements)
        if !busiest.isEmpty {
            out.append("  most events happened while " + busiest.map { "line \($0.key) ran (\($0.value))" }.joined(separator: ", "))
        }
        return out
    }
}

extension String {
    func rightPadding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

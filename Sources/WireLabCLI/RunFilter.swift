import LabRun
import Wire

/// RunFilter: what `--trace=...` and `--waterfall=...` keep, from a comma-separated list.
///
/// - who: `server` (the server's events), `conn:N` or `conn:N-M` (the server's connection #N, the
///   number in `server #N` lines), `agent` (every agent), `agent:NAME`, `agent:NAME#N` (that
///   agent's socket #N). Several of these keep any of them. `server` and `conn:` are for the trace
///   only: the waterfall draws the agents' requests.
/// - when: `line:N` or `line:N-M`: while a statement on those file lines was running (the line
///   numbers errors print). Several keep any of them.
/// - `summary` (trace only): counts per event instead of each event.
/// - `socket`, `socket:NAME` (waterfall only): the script's raw sockets, or the one named NAME
///   (`open NAME`). Raw sockets are drawn when no who-filter and no line filter is given, or when
///   one of these names them: they record no statement lines, so line filters do not narrow them,
///   and `agent:...` alone leaves them out.
///
/// An event must pass both groups that were given: `agent:ka,line:60-70` is agent ka's events while
/// lines 60-70 ran.
struct RunFilter: Equatable {
    enum Who: Equatable {
        case server
        case serverConnections(ClosedRange<Int>)
        case agents
        case agent(String, connection: Int?)
        /// The script's raw sockets (nil: all of them), for the waterfall.
        case socket(String?)
    }

    var who: [Who] = []
    var lines: [ClosedRange<Int>] = []
    var isSummary = false
    /// The words as given, for the line that says how many events were kept.
    var spec = ""

    var isEmpty: Bool { who.isEmpty && lines.isEmpty }

    static let words = ["server", "conn:", "agent", "agent:", "line:", "summary", "socket", "socket:"]

    /// Parses the items of `text` that are filters; `other` is called with each item that is not
    /// one (the waterfall's layout) and returns false when that item is not understood either.
    static func parse(_ text: String, option: String,
                      other: (String) -> Bool = { _ in false }) throws(UsageError) -> RunFilter {
        var filter = RunFilter(spec: text)
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let (word, value) = item.firstIndex(of: ":").map { (String(item[..<$0]), String(item[item.index(after: $0)...])) } ?? (item, nil)
            switch (word, value) {
            case ("server", nil) where option == "trace": filter.who.append(.server)
            case ("agent", nil): filter.who.append(.agents)
            case ("socket", nil) where option == "waterfall": filter.who.append(.socket(nil))
            case ("socket", let value?) where option == "waterfall":
                guard !value.isEmpty else { throw bad(item, option, "socket or socket:NAME (the name after 'open')") }
                filter.who.append(.socket(value))
            case ("summary", nil) where option == "trace": filter.isSummary = true
            case ("conn", let value?) where option == "trace":
                guard let range = range(value) else { throw bad(item, option, "conn:N or conn:N-M with connection numbers from 1") }
                filter.who.append(.serverConnections(range))
            case ("line", let value?):
                guard let range = range(value) else { throw bad(item, option, "line:N or line:N-M with file line numbers") }
                filter.lines.append(range)
            case ("agent", let value?):
                let parts = value.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard let name = parts.first, !name.isEmpty else { throw bad(item, option, "agent:NAME or agent:NAME#N") }
                var connection: Int?
                if parts.count == 2 {
                    guard let n = Int(parts[1]), n >= 1 else { throw bad(item, option, "agent:NAME#N with a socket number from 1") }
                    connection = n
                }
                filter.who.append(.agent(name, connection: connection))
            default:
                if other(item) { continue }
                throw unknown(item, word: word, option: option)
            }
        }
        return filter
    }

    /// The usage error for an item that is neither a filter nor (for the waterfall) a layout.
    private static func unknown(_ item: String, word: String, option: String) -> UsageError {
        let filters = option == "trace"
            ? "filters (server, conn:N, agent, agent:NAME, agent:NAME#N, line:N-M, summary)"
            : "filters (agent, agent:NAME, agent:NAME#N, socket, socket:NAME, line:N-M)"
        let layouts = Waterfall.Layout.allCases.map(\.rawValue)
        var message = option == "waterfall"
            ? "Option '--waterfall' expects \(layouts.joined(separator: " or ")) and \(filters), got '\(item)'"
            : "Option '--trace' expects \(filters), got '\(item)'"
        let candidates = (option == "waterfall" ? layouts : []) + words.filter { option == "trace" ? !["socket", "socket:"].contains($0) : !["server", "conn:", "summary"].contains($0) }
        if option == "waterfall" && (word == "server" || word == "conn" || word == "summary") {
            message += "\n'\(word)' is for --trace: the waterfall draws the agents' requests (agent:NAME#N keeps one socket)"
        } else if let guess = closestWord(to: word, in: candidates.map { $0.hasSuffix(":") ? String($0.dropLast()) : $0 }) {
            let full = candidates.first { $0 == guess || $0 == guess + ":" } ?? guess
            message += "\nDid you mean '--\(option)=\(full)\(full.hasSuffix(":") ? "..." : "")'?"
        }
        return UsageError(message, command: "run")
    }

    private static func range(_ text: String) -> ClosedRange<Int>? {
        let ends = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { Int($0) }
        guard let low = ends.first ?? nil, low >= 1 else { return nil }
        guard ends.count == 2 else { return low...low }
        guard let high = ends[1], high >= low else { return nil }
        return low...high
    }

    private static func bad(_ item: String, _ option: String, _ wanted: String) -> UsageError {
        UsageError("Option '--\(option)': '\(item)' is not a filter: expected \(wanted)", command: "run")
    }

    /// Whether the trace keeps `event`.
    func keeps(_ event: TraceEvent) -> Bool {
        let whoHolds = who.isEmpty || who.contains { who in
            switch (who, event.source) {
            case (.server, .server): return true
            case (.serverConnections(let range), .server): return event.connection.map(range.contains) ?? false
            case (.agents, .agent): return true
            case (.agent(let name, let connection), .agent(let agent)):
                return name == agent && (connection == nil || connection == event.connection)
            default: return false
            }
        }
        return whoHolds && keepsLines(event.lines)
    }

    /// Whether the waterfall keeps `record` (a request an agent made): agent and line filters
    /// apply; the server's connection numbers are not the waterfall's rows.
    func keeps(_ record: RequestRecord) -> Bool {
        let whoHolds = who.isEmpty || who.contains { who in
            switch who {
            case .agents: return true
            case .agent(let name, let connection):
                return name == record.agent && (connection == nil || connection == record.result.connection)
            case .server, .serverConnections, .socket: return false
            }
        }
        return whoHolds && keepsLines([record.line])
    }

    /// Whether the waterfall draws the raw socket `name` (as `SocketRecord.name`, `c` or `c(2)`):
    /// with no filter at all, or when `socket` or `socket:NAME` names it (a name without `(n)`
    /// keeps every socket opened under it).
    func keepsSocket(_ name: String) -> Bool {
        if who.isEmpty { return lines.isEmpty }
        let base = name.firstIndex(of: "(").map { String(name[..<$0]) } ?? name
        return who.contains { who in
            if case .socket(let wanted) = who { return wanted == nil || wanted == name || wanted == base }
            return false
        }
    }

    private func keepsLines(_ running: [Int]) -> Bool {
        lines.isEmpty || running.contains { line in lines.contains { $0.contains(line) } }
    }
}

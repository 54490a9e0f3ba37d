// The events an `on` hook can listen to. The interpreter emits them; this table is the one place
// that lists them, so the parser can catch a misspelt event before the experiment runs.

/// A dotted event path such as `server.connection` or `agent.pool.reuse`.
public struct EventName: Sendable, Hashable, CustomStringConvertible {
    public var path: [String]

    public init(_ path: [String]) {
        self.path = path
    }

    public var description: String { path.joined(separator: ".") }

    /// `server.<event>`: what the embedded server saw.
    public static let serverEvents = ["connection", "request", "response", "idle", "close"]
    /// `agent.<name>.<event>`: what an agent's pool did (any agent name, `fetch` included).
    public static let agentEvents = ["connect", "reuse", "close"]

    /// Whether the interpreter emits this event.
    public var isKnown: Bool {
        switch path.count {
        case 2: path[0] == "server" && Self.serverEvents.contains(path[1])
        case 3: path[0] == "agent" && Self.agentEvents.contains(path[2])
        default: false
        }
    }

    /// The known event closest to this misspelling, if one is close: `server.conection` gives
    /// `server.connection`. For an agent event the agent's name is kept as written.
    var suggestion: EventName? {
        var candidates = Self.serverEvents.map { "server.\($0)" }
        if path.count == 3 || path.first == "agent" {
            let name = path.count >= 2 ? path[1] : "NAME"
            candidates += Self.agentEvents.map { "agent.\(name).\($0)" }
        }
        return closestWord(to: description, among: candidates).map { EventName($0.split(separator: ".").map(String.init)) }
    }
}

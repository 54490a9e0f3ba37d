// The names the pool gives things. The state machine allocates every ID itself, counting up from 1,
// so "connection #2" in a trace is the second connection this agent ever asked to open.

/// One request handed to the agent. Allocated by `PoolStateMachine.requestSubmitted(origin:method:)`;
/// a request keeps its ID when it waits, when it is resent after a stale connection, and when it is
/// dispatched again after a reused socket was found broken.
public struct RequestID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int

    public init(_ rawValue: Int) {
        self.rawValue = rawValue
    }

    public static func < (lhs: RequestID, rhs: RequestID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String { "req#\(rawValue)" }
}

/// One TCP connection the pool asked the IO layer to open (`PoolAction.createConnection`).
/// IDs are never reused: a connection that closed stays closed, and its ID names it in the history.
public struct ConnectionID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int

    public init(_ rawValue: Int) {
        self.rawValue = rawValue
    }

    public static func < (lhs: ConnectionID, rhs: ConnectionID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String { "conn#\(rawValue)" }
}

/// Where a request goes, as the pool keys it: "host:port", for example "127.0.0.1:8080".
/// Every limit except `maxTotalSockets` is counted per origin, and a socket is only ever reused for
/// the origin it was opened to. The pool does not parse or normalise the name: two spellings of the
/// same server are two origins.
public struct Origin: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let name: String

    public init(_ name: String) {
        self.name = name
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public static func < (lhs: Origin, rhs: Origin) -> Bool {
        lhs.name < rhs.name
    }

    public var description: String { name }
}

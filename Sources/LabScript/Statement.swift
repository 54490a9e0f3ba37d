// The syntax tree for statements: what the interpreter walks.

/// A parsed lab script: its top-level statements in order.
public struct Script: Sendable, Equatable {
    public var statements: [Statement]

    public init(_ statements: [Statement]) {
        self.statements = statements
    }
}

/// A statement and where it starts (its first token: `let` for `let r = pool GET /`, the agent
/// name for `pool GET /`).
public struct Statement: Sendable, Equatable {
    public var kind: Stmt
    public var location: SourceLocation

    public init(_ kind: Stmt, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}

/// What a statement does. Statements that produce a result (a request, `recv`,
/// `server shutdown`) carry `bindTo`: where the result goes (`let r = ...` or `r = ...`), or nil.
public enum Stmt: Sendable, Equatable {
    // The lab's machinery.

    /// `server keepAliveTimeout=5s headersTimeout=60s`: configure the embedded server.
    case configureServer([Setting])
    /// `server shutdown grace=2s`, or `let s = server shutdown grace=1s` to bind its report.
    case shutdownServer([Setting], bindTo: Binding?)
    /// `server box keepAliveTimeout=1500ms` or `server box mystery=7`: create (or replace) a second,
    /// named server, reached with `to=box` or `box.url`.
    case namedServer(name: String, settings: [Setting])
    /// `server restart`: a fresh server with the current settings.
    case restartServer
    /// `reset server`: zero the server's counters.
    case resetServer
    /// `reset pool`: zero an agent's statistics.
    case resetAgent(name: String)
    /// `agent pool keepAlive=true maxSockets=3`: create or replace an agent.
    case agent(name: String, settings: [Setting])
    /// `network rtt=50ms`: the simulated network between agent and server.
    case network([Setting])
    /// `network off`.
    case networkOff
    /// `limit 20s`: this experiment's time limit.
    case limit(Expression)
    /// `proxy edge upstream=pool`: an in-process reverse proxy.
    case proxy(name: String, settings: [Setting])

    // Traffic.

    /// `pool GET /delay/200 "Connection: close" body="hi"`, `let r = pool GET /`, or `r = pool GET /`.
    case request(Request, bindTo: Binding?)
    /// `open c`, `open c to=edge`, `open c port=8080`: a raw TCP socket.
    case open(socket: String, settings: [Setting])
    /// `send c "GET / HTTP/1.1\r\n\r\n"`.
    case send(socket: String, data: Expression)
    /// `recv c until="\r\n\r\n" timeout=1s`, usually as `let t = recv c ...`.
    case receive(Receive, bindTo: Binding?)
    /// `close c`: half-close with FIN.
    case close(socket: String)
    /// `abort c`: reset the connection with RST.
    case abort(socket: String)

    // Names, output and checks.

    /// `let x = 1 + 2`: bind a new name.
    case `let`(name: String, value: Expression)
    /// `x = x + 1`: assign to an existing name.
    case assign(name: String, value: Expression)
    /// `print "..."`; `print` alone (nil) prints an empty line.
    case print(Expression?)
    /// `expect a > b "message"`.
    case expect(Expression, message: Expression?)

    // Control flow and time.

    /// `{ ... }`: a sequence (inside `parallel { }` it groups statements that run in order).
    case block([Statement])
    /// `if a { } else if b { } else { }`: the branches in order, then the `else` body if any.
    case `if`([ConditionalBranch], else: [Statement]?)
    /// `repeat 5 { }`, `repeat n as i { }` (i counts from 1).
    case `repeat`(count: Expression, index: String?, body: [Statement])
    /// `parallel { a; b }` (count nil: each statement of the body runs concurrently) or
    /// `parallel 10 as i { }` (count copies of the whole body run concurrently). Waits for all.
    case parallel(count: Expression?, index: String?, body: [Statement])
    /// `sleep 200ms`.
    case sleep(Expression)
    /// `measure noKA { }`: run the body and bind its measurements to the name.
    case measure(name: String, body: [Statement])
    /// `on server.connection { }`: run the body (only print, let, assignment, expect, if) each
    /// time the event happens, with the event bound to `event`.
    case on(event: EventName, body: [Statement])
}

/// Where a statement's result goes. `let r = pool GET /` declares `r` in the statement's own
/// scope; `r = pool GET /` assigns to an `r` that already exists, in this scope or an enclosing one,
/// which is how a request inside `parallel { }` or `repeat { }` hands its result to a name outside
/// the block. A string literal is a `let`: `bindTo: "r"`.
public enum Binding: Sendable, Equatable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// `let NAME = ...`: a new name.
    case `let`(String)
    /// `NAME = ...`: a name that must already exist.
    case assign(String)

    public init(stringLiteral name: String) { self = .let(name) }

    /// The name bound or assigned.
    public var name: String {
        switch self {
        case .let(let name), .assign(let name): name
        }
    }

    public var description: String {
        switch self {
        case .let(let name): "let \(name)"
        case .assign(let name): name
        }
    }
}

/// A request statement's parts: `AGENT METHOD TARGET header-strings... key=expr...`.
public struct Request: Sendable, Equatable {
    /// The agent's name (`fetch` is the predefined default agent).
    public var agent: String
    /// The method as written, always capitals: `GET`.
    public var method: String
    /// A string expression: an unquoted path (`/delay/{ms}`) or a quoted string (`"http://..."`).
    public var target: Expression
    /// String expressions such as `"Connection: close"`, in order.
    public var headers: [Expression]
    /// `body="hello"`, `timeout=2s` ...: free-form, the interpreter decides which it knows.
    public var settings: [Setting]

    public init(agent: String, method: String, target: Expression, headers: [Expression] = [], settings: [Setting] = []) {
        self.agent = agent
        self.method = method
        self.target = target
        self.headers = headers
        self.settings = settings
    }
}

/// A `recv` statement's parts.
public struct Receive: Sendable, Equatable {
    public enum Stop: Sendable, Equatable {
        /// No `until=` or `bytes=`: whatever the first read returns.
        case firstRead
        /// `until="\r\n\r\n"`: read until this text has arrived (it is included).
        case delimiter(Expression)
        /// `bytes=N`: read exactly N bytes.
        case byteCount(Expression)
        /// `until=close`: read until the peer closes the connection.
        case close
    }

    public var socket: String
    public var stop: Stop
    /// `timeout=1s`, nil for the interpreter's default.
    public var timeout: Expression?

    public init(socket: String, stop: Stop = .firstRead, timeout: Expression? = nil) {
        self.socket = socket
        self.stop = stop
        self.timeout = timeout
    }
}

/// `key=expr`, as in `maxSockets=3` or `body="hello"`; `location` is the key's.
public struct Setting: Sendable, Equatable {
    public var key: String
    public var value: Expression
    public var location: SourceLocation

    public init(key: String, value: Expression, at location: SourceLocation) {
        self.key = key
        self.value = value
        self.location = location
    }
}

/// One `if` or `else if` arm.
public struct ConditionalBranch: Sendable, Equatable {
    public var condition: Expression
    public var body: [Statement]

    public init(condition: Expression, body: [Statement]) {
        self.condition = condition
        self.body = body
    }
}

// Statements. A statement is one line (or ends at `;`); it starts with a keyword, with
// `AGENT METHOD` (a request: `pool GET /`), or with `NAME =` (an assignment).
// The whole statement grammar is one file (past 400 lines) so that it reads next to
// docs/lab-script.md: the keyword switch and the parser of each form, in one place.

extension Parser {
    mutating func statement() throws(ScriptDiagnostic) -> Statement {
        let start = peek
        let kind: Stmt
        switch start.kind {
        case .leftBrace:
            try checkAllowedInHook("a '{ }' block", at: start)
            kind = .block(try block(of: "{"))
        case .identifier(let word):
            if let keyword = StatementKeyword(rawValue: word) {
                if !keyword.isAllowedInHook { try checkAllowedInHook("'\(word)'", at: start) }
                kind = try keywordStatement(keyword)
            } else if peek(1).kind == .equal {
                kind = try assignment()
            } else if isAtRequest {
                try checkAllowedInHook("a request", at: start)
                kind = .request(try request(), bindTo: nil)
            } else {
                throw unknownStatement(word, at: start)
            }
        case .string:
            throw error("expected a statement such as print \"...\"", at: start)
        default:
            throw error("expected a statement", at: start)
        }
        try endOfStatement()
        return Statement(kind, at: start.location)
    }

    /// A statement ends at a newline or `;` (consumed), or before a `}` or the end of the script.
    private mutating func endOfStatement() throws(ScriptDiagnostic) {
        switch peek.kind {
        case .newline, .semicolon: advance()
        case .rightBrace, .end: break
        default: throw error("expected a new line or ';' after the statement", at: peek)
        }
    }

    /// `NAME METHOD`: an agent name then a word in capitals.
    private var isAtRequest: Bool {
        guard case .identifier(let agent) = peek.kind, !isReservedWord(agent),
              case .identifier(let method) = peek(1).kind else { return false }
        return isMethodWord(method)
    }

    /// Hooks run inside the event loop's callbacks, so they may only do things that finish at once.
    private func checkAllowedInHook(_ what: String, at token: Token) throws(ScriptDiagnostic) {
        guard hookDepth > 0 else { return }
        throw ScriptDiagnostic(
            "\(what) can't be used inside an 'on' hook, which may only contain print, let, assignments, expect and if",
            at: token)
    }

    private func unknownStatement(_ word: String, at token: Token) -> ScriptDiagnostic {
        let next = peek(1)
        if case .identifier(let method) = next.kind, commonHTTPMethods.contains(method.uppercased()) {
            return ScriptDiagnostic("expected the HTTP method in capitals, like \(method.uppercased()), found '\(method)'", at: next)
        }
        let keywords = StatementKeyword.allCases.filter { $0 != .else }.map(\.rawValue)
        if let suggestion = closestWord(to: word, among: keywords) {
            return ScriptDiagnostic("unknown statement '\(word)'; did you mean '\(suggestion)'?", at: token)
        }
        return ScriptDiagnostic(
            "expected a statement such as print, let, or a request like fetch GET /, found '\(word)'", at: token)
    }

    private mutating func keywordStatement(_ keyword: StatementKeyword) throws(ScriptDiagnostic) -> Stmt {
        let keywordToken = advance()
        switch keyword {
        case .server:
            if check(word: "shutdown"), peek(1).kind != .equal {
                advance()
                return .shutdownServer(try settings(after: "server shutdown", example: "grace=2s", isRequired: false), bindTo: nil)
            }
            if check(word: "restart"), peek(1).kind != .equal {
                advance()
                return .restartServer
            }
            if isAtStatementEnd {
                throw error("expected a setting like keepAliveTimeout=5s, 'shutdown' or 'restart' after 'server'", at: peek)
            }
            if case .identifier(let word) = peek.kind, peek(1).kind != .equal {
                return try namedServer(word)
            }
            return .configureServer(try settings(after: "server", example: "keepAliveTimeout=5s"))

        case .reset:
            guard case .identifier(let name) = peek.kind, name == "server" || !isReservedWord(name) else {
                throw error("expected 'server' or an agent name after 'reset'", at: peek)
            }
            advance()
            return name == "server" ? .resetServer : .resetAgent(name: name)

        case .agent:
            let name = try newName(after: "agent")
            boundNames.insert(name)
            return .agent(name: name, settings: try settings(after: "agent \(name)", example: "maxSockets=3", isRequired: false))

        case .network:
            if check(word: "off"), peek(1).kind != .equal {
                advance()
                return .networkOff
            }
            if isAtStatementEnd {
                throw error("expected a setting like rtt=50ms or 'off' after 'network'", at: peek)
            }
            return .network(try settings(after: "network", example: "rtt=50ms"))

        case .limit:
            return .limit(try durationArgument(after: "limit"))

        case .proxy:
            let name = try newName(after: "proxy")
            boundNames.insert(name)
            return .proxy(name: name, settings: try settings(after: "proxy \(name)", example: "upstream=pool", isRequired: false))

        case .let:
            return try letStatement()

        case .print:
            return .print(isAtStatementEnd ? nil : try expression())

        case .expect:
            if isAtStatementEnd {
                throw error("expected a condition like r.status == 200 after 'expect'", at: peek)
            }
            let condition = try expression()
            var message: Expression?
            if case .string = peek.kind { message = try expression() }
            return .expect(condition, message: message)

        case .repeat:
            if isAtStatementEnd || check(.leftBrace) {
                throw error("expected a count like 5 after 'repeat'", at: peek)
            }
            let count = try expression()
            let index = try loopIndex(owner: "repeat")
            return .repeat(count: count, index: index, body: try block(of: "repeat"))

        case .parallel:
            if check(.leftBrace) {
                return .parallel(count: nil, index: nil, body: try block(of: "parallel"))
            }
            if isAtStatementEnd {
                throw error("expected '{' or a count like 10 after 'parallel'", at: peek)
            }
            let count = try expression()
            let index = try loopIndex(owner: "parallel")
            return .parallel(count: count, index: index, body: try block(of: "parallel"))

        case .sleep:
            return .sleep(try durationArgument(after: "sleep"))

        case .measure:
            let name = try newName(after: "measure")
            boundNames.insert(name)
            return .measure(name: name, body: try block(of: "measure"))

        case .on:
            let event = try eventName()
            hookDepth += 1
            defer { hookDepth -= 1 }
            return .on(event: event, body: try block(of: "on"))

        case .if:
            return try ifStatement()

        case .else:
            throw ScriptDiagnostic("expected 'else' only right after the '}' of an 'if' block", at: keywordToken)

        case .open:
            let name = try newName(after: "open")
            boundNames.insert(name)
            return .open(socket: name, settings: try settings(
                after: "open \(name)", example: "to=edge", isRequired: false, allowedKeys: ["to", "port"]))

        case .send:
            let socket = try socketName(after: "send")
            if isAtStatementEnd {
                throw error("expected the data to send, like \"PING\\r\\n\", after 'send \(socket)'", at: peek)
            }
            return .send(socket: socket, data: try expression())

        case .recv:
            return .receive(try receive(), bindTo: nil)

        case .close:
            return .close(socket: try socketName(after: "close"))

        case .abort:
            return .abort(socket: try socketName(after: "abort"))
        }
    }

    /// `server NAME settings`: a second server, at its name. A server setting written without its
    /// value (`server keepAliveTimeout 5s`) is reported as that, not as a server's name.
    private mutating func namedServer(_ word: String) throws(ScriptDiagnostic) -> Stmt {
        if let example = Self.serverSettingExamples[word] {
            throw error("expected '=' after '\(word)', like \(word)=\(example)", at: peek(1))
        }
        let name = try newName(after: "server")
        if isAtStatementEnd {
            throw error("expected settings like mystery=7 or keepAliveTimeout=1500ms after 'server \(name)'", at: peek)
        }
        boundNames.insert(name)
        return .namedServer(name: name, settings: try settings(after: "server \(name)", example: "mystery=7 or keepAliveTimeout=1500ms"))
    }

    /// The server's settings with an example value, known here only to tell a forgotten `=` from a
    /// server's name.
    static let serverSettingExamples: [String: String] = [
        "keepAliveTimeout": "5s", "headersTimeout": "60s", "requestTimeout": "300s", "maxRequestsPerSocket": "100",
        "maxBodyBytes": "1024", "keepAliveHint": "5s", "mystery": "7", "closeSilentlyAfter": "1", "dropReusedRequests": "1",
        "h2MaxConcurrentStreams": "100", "h2InitialWindowSize": "65535", "h2MaxFrameSize": "16384", "h2Only": "true",
    ]

    // MARK: Binding

    /// `let NAME = value`, where the value may also be a request, `recv` or `server shutdown`.
    private mutating func letStatement() throws(ScriptDiagnostic) -> Stmt {
        let name = try newName(after: "let")
        try expect(.equal, "expected '=' after 'let \(name)'")
        defer { boundNames.insert(name) }
        if isAtStatementEnd {
            throw error("expected a value after 'let \(name) ='", at: peek)
        }
        if check(word: "recv") {
            try checkAllowedInHook("'recv'", at: peek)
            advance()
            return .receive(try receive(), bindTo: .let(name))
        }
        if check(word: "server"), check(word: "shutdown", offset: 1) {
            try checkAllowedInHook("'server shutdown'", at: peek)
            advance()
            advance()
            return .shutdownServer(try settings(after: "server shutdown", example: "grace=2s", isRequired: false), bindTo: .let(name))
        }
        if isAtRequest {
            try checkAllowedInHook("a request", at: peek)
            return .request(try request(), bindTo: .let(name))
        }
        return .let(name: name, value: try expression())
    }

    /// `NAME = expr`, or `NAME = ` a request, `recv` or `server shutdown`: the result goes to a name
    /// that already exists (in this block or an enclosing one).
    private mutating func assignment() throws(ScriptDiagnostic) -> Stmt {
        let nameToken = advance()
        let name = nameToken.text
        if isReservedWord(name) {
            throw ScriptDiagnostic("expected a name before '=', but '\(name)' is a keyword", at: nameToken)
        }
        advance()
        if isAtStatementEnd {
            throw error("expected a value after '\(name) ='", at: peek)
        }
        defer { boundNames.insert(name) }
        if check(word: "recv") {
            try checkAllowedInHook("'recv'", at: peek)
            advance()
            return .receive(try receive(), bindTo: .assign(name))
        }
        if check(word: "server"), check(word: "shutdown", offset: 1) {
            try checkAllowedInHook("'server shutdown'", at: peek)
            advance()
            advance()
            return .shutdownServer(try settings(after: "server shutdown", example: "grace=2s", isRequired: false), bindTo: .assign(name))
        }
        if isAtRequest {
            try checkAllowedInHook("a request", at: peek)
            return .request(try request(), bindTo: .assign(name))
        }
        return .assign(name: name, value: try expression())
    }

    /// A name being introduced (by let, agent, proxy, measure, open, `as`): not a keyword.
    private mutating func newName(after owner: String) throws(ScriptDiagnostic) -> String {
        guard case .identifier(let name) = peek.kind else {
            throw error("expected a name after '\(owner)'", at: peek)
        }
        if isReservedWord(name) {
            throw ScriptDiagnostic("expected a name after '\(owner)', but '\(name)' is a keyword", at: peek)
        }
        advance()
        return name
    }

    private mutating func socketName(after owner: String) throws(ScriptDiagnostic) -> String {
        guard case .identifier(let name) = peek.kind, !isReservedWord(name) else {
            throw error("expected a socket name (from 'open') after '\(owner)'", at: peek)
        }
        advance()
        return name
    }

    /// `as NAME` after a repeat or parallel count, or nothing.
    private mutating func loopIndex(owner: String) throws(ScriptDiagnostic) -> String? {
        guard match(word: "as") else { return nil }
        let name = try newName(after: "as")
        boundNames.insert(name)
        return name
    }

    // MARK: Settings and arguments

    /// `key=expr key=expr ...` to the end of the statement. Each key at most once.
    private mutating func settings(
        after owner: String, example: String, isRequired: Bool = true, allowedKeys: [String]? = nil
    ) throws(ScriptDiagnostic) -> [Setting] {
        var settings: [Setting] = []
        while !isAtStatementEnd {
            guard case .identifier = peek.kind, peek(1).kind == .equal else {
                throw error("expected a setting like \(example)", at: peek)
            }
            if let allowedKeys, !allowedKeys.contains(peek.text) {
                let keys = allowedKeys.map { "\($0)=" }.joined(separator: " or ")
                throw ScriptDiagnostic("expected \(keys) after '\(owner)', found '\(peek.text)='", at: peek)
            }
            try setting(into: &settings)
        }
        if isRequired, settings.isEmpty {
            throw error("expected a setting like \(example) after '\(owner)'", at: peek)
        }
        return settings
    }

    /// One `key=expr`, at a key known to be followed by `=`.
    private mutating func setting(into settings: inout [Setting]) throws(ScriptDiagnostic) {
        let key = advance()
        advance()
        if settings.contains(where: { $0.key == key.text }) {
            throw ScriptDiagnostic("expected each setting once, but '\(key.text)' is set again", at: key)
        }
        if isAtStatementEnd {
            throw error("expected a value after '\(key.text)='", at: peek)
        }
        settings.append(Setting(key: key.text, value: try expression(), at: key.location))
    }

    /// The argument of `sleep` and `limit`: a duration literal, an expression built from one, or
    /// a name bound earlier. A bare number (which unit?) and an unknown word are mistakes.
    private mutating func durationArgument(after keyword: String) throws(ScriptDiagnostic) -> Expression {
        let message = "expected a duration like 200ms after '\(keyword)'"
        if isAtStatementEnd { throw error(message, at: peek) }
        let first = peek
        let value: Expression
        do throws(ScriptDiagnostic) {
            value = try expression()
        } catch {
            if error.location == first.location, !first.isInvalid { throw self.error(message, at: first) }
            throw error
        }
        switch value.kind {
        case .number(let number):
            throw ScriptDiagnostic(
                "expected a duration like \(SyntaxPrinter.format(number))ms after '\(keyword)', found a number without a unit",
                at: value.location)
        case .variable(let name) where !boundNames.contains(name):
            throw error(message, at: first)
        case .string, .bool, .noneLiteral:
            throw error(message, at: first)
        default:
            return value
        }
    }

    // MARK: Requests and sockets

    /// `AGENT METHOD TARGET header-strings... key=expr...`, at the agent name.
    private mutating func request() throws(ScriptDiagnostic) -> Request {
        let agent = advance().text
        let method = advance().text
        let targetMessage = "expected a request target like / or \"/path\" after '\(method)'"
        let target: Expression
        switch peek.kind {
        case .path(let segments), .string(let segments):
            let token = advance()
            let string = try interpolatedString(segments)
            if case .text(let text)? = string.parts.first,
               !["/", "http://", "https://", "*"].contains(where: text.hasPrefix) {
                throw ScriptDiagnostic("\(targetMessage), found \(token.text)", at: token)
            }
            target = Expression(.string(string), at: token.location)
        default:
            throw error(targetMessage, at: peek)
        }
        var headers: [Expression] = []
        var settings: [Setting] = []
        while !isAtStatementEnd {
            if case .string = peek.kind {
                headers.append(try expression())
            } else if case .identifier = peek.kind, peek(1).kind == .equal {
                try setting(into: &settings)
            } else {
                throw error("expected a header like \"Accept: text/plain\" or an option like body=\"hi\"", at: peek)
            }
        }
        return Request(agent: agent, method: method, target: target, headers: headers, settings: settings)
    }

    /// `recv SOCKET [until="..."|until=close|bytes=N] [timeout=D]`, at the socket name.
    private mutating func receive() throws(ScriptDiagnostic) -> Receive {
        let socket = try socketName(after: "recv")
        var receive = Receive(socket: socket)
        var seen: Set<String> = []
        while !isAtStatementEnd {
            guard case .identifier(let key) = peek.kind, peek(1).kind == .equal else {
                throw error("expected an option like until=\"\\r\\n\\r\\n\", bytes=100 or timeout=1s", at: peek)
            }
            let keyToken = advance()
            advance()
            guard seen.insert(key).inserted else {
                throw ScriptDiagnostic("expected each setting once, but '\(key)' is set again", at: keyToken)
            }
            if isAtStatementEnd {
                throw error("expected a value after '\(key)='", at: peek)
            }
            switch key {
            case "until", "bytes":
                guard receive.stop == .firstRead else {
                    throw ScriptDiagnostic("expected either until= or bytes= after 'recv \(socket)', not both", at: keyToken)
                }
                if key == "bytes" {
                    receive.stop = .byteCount(try expression())
                } else if match(word: "close") {
                    receive.stop = .close
                } else {
                    receive.stop = .delimiter(try expression())
                }
            case "timeout":
                receive.timeout = try expression()
            default:
                throw ScriptDiagnostic("expected until=, bytes= or timeout= after 'recv \(socket)', found '\(key)='", at: keyToken)
            }
        }
        return receive
    }

    // MARK: Hooks and conditionals

    /// A dotted event path after `on`, checked against the events the interpreter emits.
    private mutating func eventName() throws(ScriptDiagnostic) -> EventName {
        let first = peek
        guard case .identifier(let head) = first.kind else {
            throw error("expected an event like server.connection after 'on'", at: first)
        }
        advance()
        var path = [head]
        while match(.dot) {
            guard case .identifier(let part) = peek.kind else {
                throw error("expected a name after '.' in the event", at: peek)
            }
            advance()
            path.append(part)
        }
        let event = EventName(path)
        guard event.isKnown else {
            if let suggestion = event.suggestion {
                throw ScriptDiagnostic("unknown event '\(event)'; did you mean '\(suggestion)'?", at: first)
            }
            throw ScriptDiagnostic(
                "expected an event like server.connection, server.request or agent.NAME.connect, found '\(event)'",
                at: first)
        }
        return event
    }

    /// `if c { } else if c { } else { }`, after `if`. `else` may also start the line after a `}`.
    private mutating func ifStatement() throws(ScriptDiagnostic) -> Stmt {
        var branches = [ConditionalBranch(condition: try condition(after: "if"), body: try block(of: "if"))]
        while true {
            var next = current
            while tokens[next].kind == .newline { next += 1 }
            guard tokens[next].kind == .identifier("else") else { break }
            current = next + 1
            if match(word: "if") {
                branches.append(ConditionalBranch(condition: try condition(after: "else if"), body: try block(of: "else if")))
            } else {
                return .if(branches, else: try block(of: "else"))
            }
        }
        return .if(branches, else: nil)
    }

    private mutating func condition(after owner: String) throws(ScriptDiagnostic) -> Expression {
        if isAtStatementEnd || check(.leftBrace) {
            throw error("expected a condition after '\(owner)'", at: peek)
        }
        return try expression()
    }
}

extension Token {
    var isInvalid: Bool {
        if case .invalid = kind { return true }
        return false
    }
}

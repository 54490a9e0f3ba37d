import LabScript

// The statements, by what they act on: control flow, names and checks (Interpreter+ControlFlow),
// the servers (Interpreter+Server), proxies (Interpreter+Proxy), agents and their requests
// (Interpreter+Requests), raw sockets (Interpreter+Sockets). This file dispatches and holds the
// helpers they share: numbers, words, bindings, and the errors that name a misspelling.

extension Interpreter {
    /// Runs one statement; `done` is called exactly once (possibly before this returns).
    func execute(_ statement: Statement, scope: Scope, done: @escaping Done) {
        currentLocation = statement.location
        let token = statementStarted(statement.location)
        let finished: Done = { [weak self] error in
            self?.statementEnded(token)
            done(error)
        }
        do {
            try executeThrowing(statement, scope: scope, done: finished)
        } catch {
            finished(error)
        }
    }


    private func executeThrowing(_ statement: Statement, scope: Scope, done: @escaping Done) throws(LabRuntimeError) {
        let at = statement.location
        switch statement.kind {
        case .let(let name, let value): try define(name, value, scope, done: done)
        case .assign(let name, let value): try assign(name, value, scope, at: at, done: done)
        case .print(let value): try printLine(value, scope, done: done)
        case .expect(let condition, let message): try check(condition, message, scope, at: at, done: done)
        case .block(let body): runSequence(body, from: 0, scope: Scope(parent: scope), done: done)
        case .if(let branches, let elseBody): try runIf(branches, elseBody, scope, done: done)
        case .repeat(let count, let index, let body):
            runRepeat(body, count: try wholeNumber(count, scope, what: "repeat count"), from: 1, index: index, scope: scope, done: done)
        case .parallel(let count, let index, let body): try runParallel(count, index, body, scope, done: done)
        case .sleep(let duration): try sleep(duration, scope, at: at, done: done)
        case .measure(let name, let body): measure(name, body, scope, done: done)
        case .on(let event, let body):
            hooks.append((event, body))
            done(nil)
        case .limit(let duration): try limit(duration, scope, at: at, done: done)

        case .configureServer(let settings): try configureServer(settings, scope, done: done)
        case .namedServer(let name, let settings):
            try startNamedServer(name, settings, scope, at: at)
            done(nil)
        case .restartServer: try restartServer(at: at, done: done)
        case .resetServer:
            lab.resetServerStats()
            done(nil)
        case .shutdownServer(let settings, let bindTo): try shutdownServer(settings, bindTo, scope, at: at, done: done)
        case .proxy(let name, let settings):
            try startProxy(name, settings, scope, at: at)
            done(nil)

        case .agent(let name, let settings): try startAgent(name, settings, scope, done: done)
        case .resetAgent(let name): try resetAgent(name, at: at, done: done)
        case .network(let settings): try configureNetwork(settings, scope, done: done)
        case .networkOff:
            setNetwork(.off)
            done(nil)
        case .request(let request, let bindTo): try sendRequest(request, scope: scope, bindTo: bindTo, at: at, done: done)

        case .open(let name, let settings): try openSocket(name, settings, scope, at: at, done: done)
        case .send(let name, let data): try send(data, on: name, scope, at: at, done: done)
        case .receive(let receive, let bindTo): try receiveBytes(receive, scope: scope, bindTo: bindTo, at: at, done: done)
        case .close(let name): try closeSocket(name, at: at, done: done)
        case .abort(let name): try abortSocket(name, at: at, done: done)
        }
    }

    /// The port a `to=` setting names: the embedded `server`, a proxy, or a named server.
    func port(to setting: Setting, _ scope: Scope, owner: String) throws(LabRuntimeError) -> UInt16 {
        let target = try settingWord(setting, scope)
        if target == "server" { return lab.server.port }
        if let proxy = lab.proxies[target] { return proxy.port }
        if let named = lab.servers[target] { return named.server.port }
        var message = "\(owner)to=\(target): there is no proxy or server named '\(target)' (to= takes server, a proxy or a named server)"
        if let guess = closestName(target, ["server"] + Array(lab.proxies.keys) + Array(lab.servers.keys)) {
            message += "; did you mean '\(guess)'?"
        }
        throw LabRuntimeError(message, at: setting.location)
    }

    /// A setting whose value is a word: `scheduling=fifo` (a bare name) or `scheduling="fifo"`.
    func settingWord(_ setting: Setting, _ scope: Scope) throws(LabRuntimeError) -> String {
        if case .variable(let name) = setting.value.kind, scope.lookup(name) == nil { return name }
        return try evaluate(setting.value, scope).description
    }

    // MARK: Helpers

    /// Before a statement whose result is assigned (`r = pool GET /`) starts: the name must exist
    /// already, so the mistake is reported before anything is sent.
    func checkBinding(_ binding: Binding?, _ scope: Scope, at: SourceLocation) throws(LabRuntimeError) {
        guard case .assign(let name)? = binding, scope.lookup(name) == nil else { return }
        throw undefinedName(name, scope, at: at)
    }

    /// Stores a finished statement's result: a new name for `let`, the existing one (in this scope
    /// or an enclosing one, checked by `checkBinding`) for an assignment.
    func bind(_ binding: Binding, in scope: Scope, _ value: LabValue) {
        switch binding {
        case .let(let name): scope.define(name, value)
        case .assign(let name): _ = scope.assign(name, value)
        }
    }

    /// An assignment to a name that no enclosing scope defines: a misspelling, or a missing `let`.
    func undefinedName(_ name: String, _ scope: Scope, at: SourceLocation) -> LabRuntimeError {
        if let guess = closestName(name, scope.allNames) {
            return LabRuntimeError("'\(name)' is not defined; did you mean '\(guess)'? (use 'let \(name) = ...' to create it)", at: at)
        }
        return LabRuntimeError("'\(name)' is not defined; use 'let \(name) = ...' to create it", at: at)
    }

    func number(_ expression: Expression, _ scope: Scope, what: String) throws(LabRuntimeError) -> Double {
        let value = try evaluate(expression, scope)
        guard case .number(let n) = value else { throw LabRuntimeError("\(what) must be a number, got \(value.typeName)", at: expression.location) }
        return n
    }

    func wholeNumber(_ expression: Expression, _ scope: Scope, what: String) throws(LabRuntimeError) -> Int {
        let n = try number(expression, scope, what: what)
        guard n >= 0, n == n.rounded(), n <= 1_000_000 else {
            throw LabRuntimeError("\(what) must be a whole number from 0 to 1000000, got \(LabValue.format(n))", at: expression.location)
        }
        return Int(n)
    }

    func unknownSetting(_ setting: Setting, _ known: [String], of what: String) -> LabRuntimeError {
        var message = "\(what) has no setting '\(setting.key)'"
        if let guess = closestName(setting.key, known) { message += "; did you mean '\(guess)'?" } else { message += " (settings: \(known.joined(separator: ", ")))" }
        return LabRuntimeError(message, at: setting.location)
    }

    func unknownAgent(_ name: String, at: SourceLocation) -> LabRuntimeError {
        var message = "there is no agent named '\(name)'"
        if let guess = closestName(name, Array(lab.agents.keys)) { message += "; did you mean '\(guess)'?" } else { message += "; create one with 'agent \(name) keepAlive=true'" }
        return LabRuntimeError(message, at: at)
    }

    func unknownSocket(_ name: String, at: SourceLocation) -> LabRuntimeError {
        LabRuntimeError("there is no socket named '\(name)'; open one with 'open \(name)'", at: at)
    }
}


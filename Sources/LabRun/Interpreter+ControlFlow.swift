import LabScript

// Statements that act on the script itself: names, output, checks, blocks, loops, time.

extension Interpreter {
    func define(_ name: String, _ value: Expression, _ scope: Scope, done: Done) throws(LabRuntimeError) {
        scope.define(name, try evaluate(value, scope))
        done(nil)
    }

    func assign(_ name: String, _ value: Expression, _ scope: Scope, at: SourceLocation, done: Done) throws(LabRuntimeError) {
        let result = try evaluate(value, scope)
        guard scope.assign(name, result) else { throw undefinedName(name, scope, at: at) }
        done(nil)
    }

    func printLine(_ value: Expression?, _ scope: Scope, done: Done) throws(LabRuntimeError) {
        emitLine(try value.map { (v) throws(LabRuntimeError) -> String in try evaluate(v, scope).description } ?? "")
        done(nil)
    }

    /// `expect CONDITION [MESSAGE]`: a failure is recorded with the values it compared; the run goes on.
    func check(_ condition: Expression, _ message: Expression?, _ scope: Scope, at: SourceLocation, done: Done) throws(LabRuntimeError) {
        let holds = try evaluate(condition, scope).isTruthy
        expectsChecked += 1
        if !holds {
            var text = "expect failed: \(condition)"
            var observed: String?
            var values: [String?]
            if case .binary(let op, let left, let right) = condition.kind, op != .and, op != .or {
                let (l, r) = (try evaluate(left, scope), try evaluate(right, scope))
                observed = "\(l) \(op.rawValue) \(r)"
                text += " (\(observed!))"
                values = [Self.shown(l), Self.shown(r)]
            } else if case .unary(.not, let operand) = condition.kind {
                values = [Self.shown(try evaluate(operand, scope))]
            } else {
                values = [Self.shown(try evaluate(condition, scope))]
            }
            let note = try message.map { (m) throws(LabRuntimeError) -> String in try evaluate(m, scope).description }
            if let note { text += " — \(note)" }
            expectFailures.append(ExpectFailure(location: at, message: text, observed: observed, note: note,
                                                condition: condition, values: values))
        }
        done(nil)
    }

    func runIf(_ branches: [ConditionalBranch], _ elseBody: [Statement]?, _ scope: Scope, done: @escaping Done) throws(LabRuntimeError) {
        for branch in branches where try evaluate(branch.condition, scope).isTruthy {
            runSequence(branch.body, from: 0, scope: Scope(parent: scope), done: done)
            return
        }
        if let elseBody { runSequence(elseBody, from: 0, scope: Scope(parent: scope), done: done) } else { done(nil) }
    }

    /// `parallel N [as i] { ... }` runs the body N times at once; `parallel { ... }` runs each of its
    /// statements at once.
    func runParallel(_ count: Expression?, _ index: String?, _ body: [Statement], _ scope: Scope, done: @escaping Done) throws(LabRuntimeError) {
        guard let count else {
            runConcurrently(body.map { (Scope(parent: scope), [$0]) }, done: done)
            return
        }
        let n = try wholeNumber(count, scope, what: "parallel count")
        let branches = (0..<n).map { i -> (Scope, [Statement]) in
            let inner = Scope(parent: scope)
            if let index { inner.define(index, .number(Double(i + 1))) }
            return (inner, body)
        }
        runConcurrently(branches, done: done)
    }

    func sleep(_ duration: Expression, _ scope: Scope, at: SourceLocation, done: @escaping Done) throws(LabRuntimeError) {
        let ms = try number(duration, scope, what: "sleep duration")
        guard ms >= 0 else { throw LabRuntimeError("sleep needs a duration of 0 or more", at: at) }
        lab.loop.schedule(afterMs: ms) { [weak self] in
            guard let self, !self.isFinished else { return }
            done(nil)
        }
    }

    /// `measure NAME { ... }`: the body's time and the server's requests and connections during it.
    func measure(_ name: String, _ body: [Statement], _ scope: Scope, done: @escaping Done) {
        let start = lab.loop.now
        let requestsBefore = lab.server.stats.requests, connectionsBefore = lab.server.stats.accepted
        runSequence(body, from: 0, scope: Scope(parent: scope)) { [weak self] error in
            guard let self else { return }
            let ms = Double(self.lab.loop.now - start) / 1e6
            scope.define(name, .object(RecordObject("measurement \(name)", [
                ("ms", .number(ms)),
                ("requests", .number(Double(self.lab.server.stats.requests - requestsBefore))),
                ("connections", .number(Double(self.lab.server.stats.accepted - connectionsBefore))),
            ])))
            done(error)
        }
    }

    func limit(_ duration: Expression, _ scope: Scope, at: SourceLocation, done: Done) throws(LabRuntimeError) {
        let ms = try number(duration, scope, what: "time limit")
        guard ms > 0 else { throw LabRuntimeError("limit needs a positive duration", at: at) }
        armDeadline(Int(ms), at: at)
        done(nil)
    }
}

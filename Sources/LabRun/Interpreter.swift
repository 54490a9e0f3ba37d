import HTTP1
import LabScript
import Pooling
import Wire

/// A runtime error: what went wrong and the line it happened on.
public struct LabRuntimeError: Error, Equatable, Sendable {
    public var message: String
    public var location: SourceLocation

    public init(_ message: String, at location: SourceLocation) {
        self.message = message
        self.location = location
    }

    public var asDiagnostic: ScriptDiagnostic { ScriptDiagnostic(message, at: location) }
}

/// A failed `expect`: the line, the condition as written, and the values it saw.
public struct ExpectFailure: Equatable, Sendable {
    public var location: SourceLocation
    public var message: String
    /// The values the comparison saw, like "121 <= 3" (nil when the condition is not a comparison).
    public var observed: String? = nil
    /// The author's message, evaluated (nil when the `expect` has none).
    public var note: String? = nil
    /// The condition as parsed, so feedback can say it in words.
    public var condition: Expression? = nil
    /// The values the condition saw, shown as text (strings quoted; nil for none): a comparison's two
    /// sides, the operand of a `not`, else the condition's own value.
    public var values: [String?] = []
}

/// Names and their values; blocks and loop iterations get a child scope.
final class Scope {
    private var values: [String: LabValue] = [:]
    let parent: Scope?
    init(parent: Scope?) { self.parent = parent }

    func lookup(_ name: String) -> LabValue? { values[name] ?? parent?.lookup(name) }
    func define(_ name: String, _ value: LabValue) { values[name] = value }

    /// Assigns to the nearest scope that defines `name`; false when none does.
    func assign(_ name: String, _ value: LabValue) -> Bool {
        if values[name] != nil { values[name] = value; return true }
        return parent?.assign(name, value) ?? false
    }

    var allNames: [String] { Array(values.keys) + (parent?.allNames ?? []) }
}

/// Interpreter: walks a lab script's syntax tree on the shared event loop.
///
/// Statements that take time (requests, `sleep`, `parallel`, sockets, shutdown) finish through a
/// continuation; the others finish at once. A sequence runs in a loop while its statements finish
/// at once (a trampoline) and resumes from a continuation when one had to wait, so a long
/// `repeat` of quick statements never grows the stack. Nothing here blocks or sleeps a thread.
public final class Interpreter {
    typealias Done = (LabRuntimeError?) -> Void

    let lab: LabEnvironment
    let globals = Scope(parent: nil)
    var hooks: [(event: EventName, body: [Statement])] = []
    /// Output the script printed, line by line, in order.
    public private(set) var output: [String] = []
    public internal(set) var expectFailures: [ExpectFailure] = []
    /// How many `expect` statements were evaluated (held or not).
    public internal(set) var expectsChecked = 0
    public private(set) var runtimeError: LabRuntimeError?
    public private(set) var isFinished = false
    var deadline: LoopTimer?
    var limitMs: Int
    var limitLocation: SourceLocation?
    /// Called with each line as it is printed (the live stream).
    public var onPrint: (String) -> Void = { _ in }

    init(lab: LabEnvironment, limitMs: Int) {
        self.lab = lab
        self.limitMs = limitMs
    }

    /// Runs `script`; `completion` runs once, when it finished, failed or ran out of time.
    func run(_ script: Script, completion: @escaping () -> Void) {
        lab.interpreter = self
        armDeadline(limitMs, at: nil)
        runSequence(script.statements, from: 0, scope: globals) { [weak self] error in
            self?.finish(error)
            completion()
        }
    }

    /// The loop-clock instant the time limit falls at. The timer below enforces it while the script
    /// waits; `isPastDeadline` enforces it while the script computes without waiting (a loop of
    /// quick statements never returns to the event loop, so no timer could fire).
    var deadlineNanos: Int64 = .max
    private var stepsSinceClockCheck = 0

    /// Counts one step of a sequence or loop; every 4096 steps it reads the clock, and past the time
    /// limit it stops the run with the same error the timer gives.
    func isPastDeadline() -> Bool {
        stepsSinceClockCheck += 1
        guard stepsSinceClockCheck >= 4096 else { return isFinished }
        stepsSinceClockCheck = 0
        if lab.loop.now >= deadlineNanos {
            abort(LabRuntimeError("the experiment did not finish within its time limit of \(LabValue.format(Double(limitMs) / 1000))s"
                + (limitLocation == nil ? " (raise it with `limit 60s` or --limit)" : ""), at: runningLocation))
        }
        return isFinished
    }

    func armDeadline(_ ms: Int, at location: SourceLocation?) {
        limitMs = ms
        limitLocation = location
        deadlineNanos = lab.loop.now + Int64(ms) * 1_000_000
        deadline?.cancel()
        deadline = lab.loop.schedule(afterMs: Double(ms)) { [weak self] in
            guard let self, !self.isFinished else { return }
            self.abort(LabRuntimeError("the experiment did not finish within its time limit of \(LabValue.format(Double(ms) / 1000))s"
                + (location == nil ? " (raise it with `limit 60s` or --limit)" : ""), at: self.runningLocation))
        }
    }

    /// The statement started last (a hook's statements count too, while they run).
    var currentLocation = SourceLocation(line: 0, column: 0)
    /// Statements that have started and not finished, in the order they started: an outer one
    /// (`repeat`, `measure`, `parallel`) before the statements it is waiting for.
    private(set) var runningStatements: [(token: Int, location: SourceLocation)] = []
    private var nextStatementToken = 0

    /// The statement the run is in now, for errors that happen between statements (the time limit,
    /// Ctrl-C): the innermost one still running. A hook that ran while it waited does not count:
    /// its statements had finished.
    var runningLocation: SourceLocation { runningStatements.last?.location ?? currentLocation }

    /// The file lines of every statement running now, outermost first (for `--trace=line:N`).
    var runningLines: [Int] { runningStatements.map(\.location.line) }

    func statementStarted(_ location: SourceLocation) -> Int {
        nextStatementToken += 1
        runningStatements.append((nextStatementToken, location))
        return nextStatementToken
    }

    func statementEnded(_ token: Int) {
        // Usually the last one (statements nest); a parallel branch may end out of order.
        if let index = runningStatements.lastIndex(where: { $0.token == token }) { runningStatements.remove(at: index) }
    }
    private var abortCompletion: (() -> Void)?

    /// Stops the run now: pending continuations will find `isFinished` and do nothing.
    func abort(_ error: LabRuntimeError) {
        guard !isFinished else { return }
        finish(error)
        finishedEarly?()
    }

    var finishedEarly: (() -> Void)?

    private func finish(_ error: LabRuntimeError?) {
        guard !isFinished else { return }
        isFinished = true
        deadline?.cancel()
        if runtimeError == nil { runtimeError = error }
    }

    /// Prints `text`, one output line per line of it. Lines end at LF; a CR before it (HTTP's CRLF)
    /// is dropped, so raw protocol text prints as clean lines.
    func emitLine(_ text: String) {
        for piece in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(String.UnicodeScalarView(piece))
            if line.unicodeScalars.last == "\r" { line.unicodeScalars.removeLast() }
            output.append(line)
            onPrint(line)
        }
    }

    // MARK: Sequences

    /// Runs `statements[start...]` in order, then calls `done` once.
    func runSequence(_ statements: [Statement], from start: Int, scope: Scope, done: @escaping Done) {
        var index = start
        while index < statements.count {
            if isPastDeadline() { return }
            var completedAtOnce = false
            var failure: LabRuntimeError?
            var isInsideCall = true
            let resumeIndex = index + 1
            execute(statements[index], scope: scope) { [weak self] error in
                if isInsideCall {
                    completedAtOnce = true
                    failure = error
                    return
                }
                guard let self, !self.isFinished else { return }
                if let error { done(error) } else { self.runSequence(statements, from: resumeIndex, scope: scope, done: done) }
            }
            isInsideCall = false
            guard completedAtOnce else { return }   // it will resume through the continuation
            if let failure { done(failure); return }
            index += 1
        }
        done(nil)
    }

    /// Runs `body` `count` times in order, each time in a fresh scope with `index` bound from 1.
    func runRepeat(_ body: [Statement], count: Int, from iteration: Int, index: String?, scope: Scope, done: @escaping Done) {
        var i = iteration
        while i <= count {
            if isPastDeadline() { return }
            let inner = Scope(parent: scope)
            if let index { inner.define(index, .number(Double(i))) }
            var completedAtOnce = false
            var failure: LabRuntimeError?
            var isInsideCall = true
            let next = i + 1
            runSequence(body, from: 0, scope: inner) { [weak self] error in
                if isInsideCall {
                    completedAtOnce = true
                    failure = error
                    return
                }
                guard let self, !self.isFinished else { return }
                if let error { done(error) } else { self.runRepeat(body, count: count, from: next, index: index, scope: scope, done: done) }
            }
            isInsideCall = false
            guard completedAtOnce else { return }
            if let failure { done(failure); return }
            i += 1
        }
        done(nil)
    }

    /// Starts every branch at once; `done` runs when all have finished, with the first error.
    func runConcurrently(_ branches: [(Scope, [Statement])], done: @escaping Done) {
        guard !branches.isEmpty else { done(nil); return }
        var remaining = branches.count
        var firstError: LabRuntimeError?
        for (scope, body) in branches {
            runSequence(body, from: 0, scope: scope) { error in
                if firstError == nil { firstError = error }
                remaining -= 1
                if remaining == 0 { done(firstError) }
            }
            if isFinished { return }
        }
    }

    // MARK: Hooks

    /// Runs the hooks registered for `event` with `event` bound to `fields`. Hooks are synchronous
    /// (the parser allows only print, let, assignment, expect and if in them).
    func fire(_ path: [String], _ fields: [(String, LabValue)]) {
        guard !isFinished else { return }
        for hook in hooks where hook.event.path == path {
            let scope = Scope(parent: globals)
            scope.define("event", .object(RecordObject("event \(path.joined(separator: "."))", fields)))
            var failure: LabRuntimeError?
            runSequence(hook.body, from: 0, scope: scope) { failure = $0 }
            if let failure { abort(failure); return }
        }
    }
}

extension Interpreter {
    /// A value as failure feedback shows it: strings quoted, none as nil.
    static func shown(_ value: LabValue) -> String? {
        switch value {
        case .none: return nil
        case .string(let text): return "\"\(text)\""
        default: return value.description
        }
    }
}

import Foundation
import LabKit
import LabScript
import Wire

/// How an experiment ended, from best to worst.
public enum Verdict: String, Sendable {
    /// The live output matched the expected output (and every `expect` held).
    case match
    /// There was no expected output to compare with; the script ran and every `expect` held.
    case ran
    /// The live output differed from the expected output.
    case mismatch
    /// The run had a simulated delay from its options (`--rtt`) that the expected output was not
    /// written for, and the output differed. What can be judged was: the script ran without an error
    /// and every `expect` held. The difference is shown as what the delay changed, not as a failure.
    case notJudged = "not judged"
    /// An `expect` failed.
    case expectFailed = "expect failed"
    /// The script could not be parsed, or stopped with a runtime error (including the time limit).
    case broken

    /// The process exit status for this verdict: 0 match (or not judged), 1 mismatch or failed
    /// expect, 2 broken.
    public var exitCode: Int32 {
        switch self {
        case .match, .ran, .notJudged: return 0
        case .mismatch, .expectFailed: return 1
        case .broken: return 2
        }
    }
}

/// Settings for one run.
public struct RunOptions: Sendable {
    /// A simulated round-trip time applied from the start (the script's `network` can change it).
    public var network = SimulatedNetwork.off
    /// The default time limit; a script's own `limit` replaces it.
    public var limitMs = 30_000
    public var serverConfiguration = ServerConfiguration()
    /// Lets another thread stop the run (the stepper's Ctrl-C).
    public var cancellation: RunCancellation?
    /// Called with the run's event loop as soon as it exists: tests keep a weak reference, to check
    /// that nothing holds the lab once the run is over.
    var loopCreated: (@Sendable (EventLoop) -> Void)?
    public init() {}
}

/// RunCancellation: stops a running experiment from another thread. The run ends soon after
/// `cancel()` with the runtime error "stopped"; cancelling before the run starts stops it at once.
public final class RunCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var action: (@Sendable () -> Void)?

    public init() {}

    public var isCancelled: Bool { lock.withLock { cancelled } }

    public func cancel() {
        let action: (@Sendable () -> Void)? = lock.withLock {
            cancelled = true
            return self.action
        }
        action?()
    }

    /// Installs what `cancel()` does; runs it at once when the run was already cancelled.
    func install(_ newAction: (@Sendable () -> Void)?) {
        let runNow: Bool = lock.withLock {
            action = newAction
            return cancelled && newAction != nil
        }
        if runNow { newAction?() }
    }
}

/// Work a challenge check runs in the same lab after the script: the answer to a predict key and
/// the conditions of a build or your-server key.
public struct Epilogue {
    /// Evaluated in the script's global scope after it ends (a predict key's `answer:`). The answer
    /// and the conditions may read a mystery server's hidden settings; the script may not.
    public var answer: LabScript.Expression?
    /// Run after the script in a fresh scope that sees only the lab's objects, with counters for
    /// the whole run, so `reset` in the learner's script can't hide anything from them.
    public var conditions: Script?
    /// Extra read-only values the conditions can name (`probe` for a your-server key).
    public var values: [String: LabValue] = [:]

    public init(answer: LabScript.Expression? = nil, conditions: Script? = nil, values: [String: LabValue] = [:]) {
        self.answer = answer
        self.conditions = conditions
        self.values = values
    }
}

/// What the epilogue found.
public struct EpilogueOutcome {
    /// The predict answer's value, when it could be evaluated.
    public var answer: LabValue?
    /// Conditions that did not hold.
    public var failures: [ExpectFailure] = []
    /// Conditions checked in all (each `expect` counts once).
    public var checked = 0
    /// An error in the answer or the conditions (a broken key, or a name the learner's script never made).
    public var error: LabRuntimeError?
}

/// What one run produced.
public struct ExperimentOutcome {
    public var output: [String] = []
    public var expectFailures: [ExpectFailure] = []
    public var runtimeError: LabRuntimeError?
    public var parseErrors: [ScriptDiagnostic] = []
    public var match: MatchResult?
    public var elapsedMs: Double = 0
    /// The requests the script's statements made (for `--waterfall`).
    public var requests: [RequestRecord] = []
    /// The raw sockets the script opened, with the requests the server read on them (the waterfall
    /// draws a lane for each).
    public var sockets: [SocketRecord] = []
    /// Connections the embedded server accepted over the whole run.
    public var serverConnections = 0
    /// The loop-clock instant the run started; request timings are relative to their own start.
    public var startedNanos: Int64 = 0
    /// What the epilogue found, when one was given.
    public var epilogue: EpilogueOutcome?
    /// True when the run was stopped through its `RunCancellation`.
    public var wasCancelled = false
    /// What the lab counted over the whole run (server and agents), a few lines for feedback.
    public var labSummary: [String] = []
    /// How many `expect` statements the script evaluated (held or not).
    public var expectsChecked = 0
    /// The simulated network the run started with (`RunOptions.network`, from `--rtt`). Expected
    /// output is written for none, so under one a difference is not a failure (`Verdict.notJudged`).
    public var startingNetwork = SimulatedNetwork.off

    public var verdict: Verdict {
        if !parseErrors.isEmpty || runtimeError != nil { return .broken }
        if !expectFailures.isEmpty { return .expectFailed }
        guard let match else { return .ran }
        if match.isMatch { return .match }
        return startingNetwork.isOn ? .notJudged : .mismatch
    }
}

extension ExperimentOutcome {
    /// Why a `notJudged` run is not a failure, and what was judged, in one sentence.
    public var notJudgedExplanation: String {
        let differing = match?.lines.filter(\.isFailure).count ?? 0
        let rtt = startingNetwork.rttMs
        let rttText = rtt == rtt.rounded() ? "\(Int(rtt))ms" : "\(rtt)ms"
        var text = "Output not judged: the expected output assumes no simulated delay; with a simulated RTT of \(rttText), "
            + "\(differing) line\(differing == 1 ? "" : "s") differ\(differing == 1 ? "s" : "") (above: what the delay changed). "
        text += expectsChecked == 0
            ? "It ran without an error (the script has no expect to judge it by)."
            : "What can be judged held: no error, and \(expectsChecked == 1 ? "its expect" : "all \(expectsChecked) expects")."
        return text
    }

    /// The diff of a `notJudged` run under a heading that says what it is: what the simulated delay
    /// changed, not a failure. Empty when the output matched.
    public func delayChangesRendered(color: Bool) -> String {
        guard let match, !match.isMatch else { return "" }
        let style = Style(isEnabled: color)
        let rendered = match.render(color: color)
        let body = rendered.firstIndex(of: "\n").map { rendered[rendered.index(after: $0)...] } ?? ""
        var location = "first at expected line \(match.firstFailureExpectedLine ?? 0)"
        if let fileLine = match.firstFailureFileLine { location += " (file line \(fileLine))" }
        return style.yellow("What the simulated delay changed") + ": " + location + "\n" + body
    }

    /// The verdict as `wirelab run` and the stepper word it: the diff when there is one, then one
    /// verdict line (and a note under a simulated RTT). Each item may hold several lines.
    public func verdictLines(style: Style) -> [String] {
        let seconds = Format.fixed(elapsedMs / 1000, 2)
        switch verdict {
        case .match:
            return [style.green("\(style.ok) Output matches the expected output") + style.dim(" (\(output.count) lines in \(seconds)s)")]
        case .ran:
            return [style.green("\(style.ok) Ran") + style.dim(" in \(seconds)s (no expected output to compare with)")]
        case .mismatch:
            return (match.map { [$0.render(color: style.isEnabled)] } ?? [])
                + [style.red("\(style.fail) Output differs from the expected output") + style.dim(" (ran in \(seconds)s)")]
        case .notJudged:
            return [delayChangesRendered(color: style.isEnabled),
                    style.yellow("\(style.neutral) " + notJudgedExplanation) + style.dim(" (ran in \(seconds)s)")]
        case .expectFailed:
            var lines = match.flatMap { $0.isMatch ? nil : [$0.render(color: style.isEnabled)] } ?? []
            lines.append(style.red("\(style.fail) \(expectFailures.count) expect\(expectFailures.count == 1 ? "" : "s") failed"))
            if startingNetwork.isOn {
                lines.append(style.dim("  (under a simulated RTT of \(startingNetwork.rttMs)ms; the lesson was written for none, "
                    + "so an expect about timing may not hold under it)"))
            }
            return lines
        case .broken:
            let what = parseErrors.isEmpty ? "stopped with an error" : "has \(parseErrors.count) syntax error\(parseErrors.count == 1 ? "" : "s")"
            return [style.red("\(style.fail) The experiment \(what)")]
        }
    }
}

/// ExperimentRunner: runs one script live — a fresh event loop, the embedded server on
/// 127.0.0.1:0, the default agent `fetch` — then compares what it printed with the expected output.
public enum ExperimentRunner {
    /// Runs `source` (whose first line is file line `lineOffset + 1`). `onLine` receives each printed
    /// line as it happens; `onTrace` (if given) receives connection events as they happen.
    public static func run(source: String, lineOffset: Int = 0, expected: String?, expectedFirstLine: Int? = nil,
                           options: RunOptions = RunOptions(), epilogue: Epilogue? = nil,
                           onLine: @escaping (String) -> Void = { _ in },
                           onTrace: ((TraceEvent) -> Void)? = nil) -> ExperimentOutcome {
        var outcome = ExperimentOutcome()
        outcome.startingNetwork = options.network
        let script: Script
        do {
            script = try LabScriptParser.parse(source, lineOffset: lineOffset)
        } catch {
            outcome.parseErrors = error.diagnostics
            return outcome
        }
        let loop: EventLoop
        let lab: LabEnvironment
        do {
            loop = try EventLoop()
            options.loopCreated?(loop)
            lab = try LabEnvironment(loop: loop, serverConfiguration: options.serverConfiguration, network: options.network)
        } catch {
            outcome.runtimeError = LabRuntimeError("cannot start the lab: \(error)", at: SourceLocation(line: lineOffset + 1, column: 1))
            return outcome
        }
        let started = loop.now
        lab.startedNanos = started
        lab.trace = onTrace.map { trace in
            { event in
                var event = event
                event.elapsedMs = Double(loop.now - started) / 1e6
                trace(event)
            }
        }
        let interpreter = Interpreter(lab: lab, limitMs: options.limitMs)
        interpreter.onPrint = onLine
        var finished = false
        interpreter.finishedEarly = { finished = true }
        let stopper = UncheckedSendable(interpreter)
        options.cancellation?.install { [loop] in
            loop.execute { stopper.value.abort(LabRuntimeError("stopped", at: stopper.value.runningLocation)) }
        }
        interpreter.run(script) { finished = true }
        // The interpreter's own deadline ends the run; this outer bound only guards against a bug.
        loop.run(until: { finished }, timeoutNanos: Int64(options.limitMs + 600_000) * 1_000_000)
        options.cancellation?.install(nil)
        outcome.wasCancelled = options.cancellation?.isCancelled ?? false
        if !finished {
            interpreter.abort(LabRuntimeError("the experiment did not finish (internal bound reached)", at: interpreter.runningLocation))
        }
        outcome.elapsedMs = Double(loop.now - started) / 1e6
        if let epilogue, interpreter.runtimeError == nil {
            outcome.epilogue = runEpilogue(epilogue, after: interpreter, lab: lab, limitMs: options.limitMs)
        }
        outcome.labSummary = lab.summaryLines()
        outcome.sockets = lab.socketRecords()
        outcome.serverConnections = lab.serverConnectionsAccepted
        lab.trace = nil   // what the teardown closes is not part of the experiment
        lab.tearDown()
        loop.run(until: { lab.server.stats.open == 0 }, timeoutNanos: 500_000_000)
        // The loop will not run again: its heap may still hold cancelled timers whose actions reach
        // the lab (a `recv` deadline holds the script's scope), which would keep it all alive.
        defer { loop.close() }
        outcome.output = interpreter.output
        // The script's requests, then those proxies forwarded upstream (drawn, not counted by `run`).
        outcome.requests = lab.requestLog + lab.forwardedLog
        outcome.startedNanos = started
        outcome.expectFailures = interpreter.expectFailures
        outcome.expectsChecked = interpreter.expectsChecked
        outcome.runtimeError = interpreter.runtimeError
        if let expected, outcome.runtimeError == nil {
            outcome.match = OutputMatcher.match(expected: expected, actual: interpreter.output.joined(separator: "\n"), expectedFirstLine: expectedFirstLine)
        }
        return outcome
    }

    /// Evaluates the answer in the script's scope, then runs the conditions in a fresh interpreter
    /// on the same lab with whole-run counters.
    private static func runEpilogue(_ epilogue: Epilogue, after interpreter: Interpreter, lab: LabEnvironment, limitMs: Int) -> EpilogueOutcome {
        var result = EpilogueOutcome()
        // The key checks the learner's findings against the truth: a mystery server's settings.
        lab.revealsMysteries = true
        if let answer = epilogue.answer {
            do throws(LabRuntimeError) {
                result.answer = try interpreter.evaluate(answer, interpreter.globals)
            } catch {
                result.error = error
                return result
            }
        }
        guard let conditions = epilogue.conditions else { return result }
        lab.countsWholeRun = true
        let checker = Interpreter(lab: lab, limitMs: limitMs)
        for (name, value) in epilogue.values { checker.globals.define(name, value) }
        var finished = false
        checker.finishedEarly = { finished = true }
        checker.run(conditions) { finished = true }
        lab.loop.run(until: { finished }, timeoutNanos: Int64(limitMs + 60_000) * 1_000_000)
        result.failures = checker.expectFailures
        result.checked = checker.expectsChecked
        result.error = checker.runtimeError ?? (finished ? nil : LabRuntimeError("the conditions did not finish", at: checker.runningLocation))
        return result
    }

    /// Runs a lesson's experiment against its expected output.
    public static func run(lesson: Lesson, options: RunOptions = RunOptions(), onLine: @escaping (String) -> Void = { _ in },
                           onTrace: ((TraceEvent) -> Void)? = nil) -> ExperimentOutcome {
        guard let experiment = lesson.experiment else {
            var outcome = ExperimentOutcome()
            outcome.runtimeError = LabRuntimeError("the lesson has no experiment (a ```lab block under ## Experiment)", at: SourceLocation(line: 1, column: 1))
            return outcome
        }
        return run(source: experiment.code, lineOffset: experiment.firstLine - 1, expected: lesson.expectedOutput?.code,
                   expectedFirstLine: lesson.expectedOutput?.firstLine, options: options, onLine: onLine, onTrace: onTrace)
    }
}

/// Carries a value across a `@Sendable` boundary that is known to be used on one thread (the loop's).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

import Foundation
import LabKit
import LabRun
import LabScript
import Probe
import Wire

extension ChallengeVerifier {
    // MARK: predict

    /// Runs the key's snippet, evaluates `answer:` in its scope, and compares with the learner's guess.
    /// A wrong guess hears only that it is not it (and the tolerance), never the value or a direction.
    static func verifyPrediction(_ key: ChallengeKey, lesson: Lesson, answer given: String?) -> VerificationResult {
        guard let given = given?.trimmingCharacters(in: .whitespaces), !given.isEmpty else {
            return VerificationResult(status: .wrong, kind: .predict, headline: "Give your prediction: wirelab verify \(lesson.id) <n> <answer>")
        }
        let measured: Measured
        switch measure(key, lesson: lesson) {
        case .success(let found): measured = found
        case .failure(let broken): return broken.result
        }
        let unit = key.fields["unit"].map { " " + $0 } ?? ""
        let tolerance = key.tolerance ?? .exact
        if case .number = measured.truth, numericGuess(given, unit: key.fields["unit"]) == nil {
            return VerificationResult(status: .unusableAnswer, kind: .predict,
                                      headline: "'\(given)' is not a number, and this challenge wants a number\(unit.isEmpty ? "" : " (in" + unit + ")"); nothing was judged or recorded.",
                                      observed: [("given", given)])
        }
        let (isRight, shown) = compare(given, with: measured.truth, tolerance: tolerance, unit: key.fields["unit"])
        if isRight {
            return VerificationResult(status: .correct, kind: .predict,
                                      headline: "Correct: you said \(given), and the run gave \(shown).",
                                      details: measured.printed, explanation: key.explanation,
                                      observed: [("answer", measured.truth.description), ("given", given)])
        }
        return VerificationResult(status: .wrong, kind: .predict,
                                  headline: "Not yet: you said \(given), and that is not what the run measured\(toleranceNote(tolerance, unit: unit)).",
                                  observed: [("given", given)])
    }

    /// The key's answer, measured live, and the lines worth showing with it.
    struct Measured {
        var truth: LabValue
        /// "What the run printed:" and "What the lab counted:" with their lines.
        var printed: [String]
    }

    static func measure(_ key: ChallengeKey, lesson: Lesson) -> Result<Measured, BrokenKey> {
        let answerSource = key.fields["answer"] ?? ""
        let expression: LabScript.Expression
        do throws(ScriptDiagnostics) {
            expression = try LabScriptParser.parseExpression(answerSource, lineOffset: (key.fieldLines["answer"] ?? key.line) - 1)
        } catch {
            return .failure(BrokenKey(result: broken(key, lesson: lesson, error.diagnostics[0].description)))
        }
        var options = RunOptions()
        options.limitMs = limitMs(key)
        let outcome = ExperimentRunner.run(source: key.script, lineOffset: key.scriptFirstLine - 1, expected: nil,
                                           options: options, epilogue: Epilogue(answer: expression))
        if let error = outcome.parseErrors.first ?? outcome.runtimeError?.asDiagnostic ?? outcome.epilogue?.error?.asDiagnostic {
            return .failure(BrokenKey(result: broken(key, lesson: lesson, error.description)))
        }
        guard let truth = outcome.epilogue?.answer else {
            return .failure(BrokenKey(result: broken(key, lesson: lesson, "\(key.line): the answer was not computed")))
        }
        var printed: [String] = []
        if !outcome.output.isEmpty {
            printed.append("What the run printed:")
            printed += outcome.output.map { "  " + $0 }
        }
        if !outcome.labSummary.isEmpty {
            printed.append("What the lab counted:")
            printed += outcome.labSummary.map { "  " + $0 }
        }
        return .success(Measured(truth: truth, printed: printed))
    }

    /// " (answers within ±250 ms of it count)", or "" for an exact answer. Says how close is close
    /// enough without saying which way the guess is off.
    static func toleranceNote(_ tolerance: ChallengeKey.Tolerance, unit: String) -> String {
        switch tolerance {
        case .exact: return ""
        case .absolute(let amount): return " (answers within ±\(LabValue.number(amount).description)\(unit) of it count)"
        case .relative(let fraction): return " (answers within ±\(LabValue.number(fraction * 100).description)% of it count)"
        }
    }

    /// The learner's guess as a number (a trailing unit, `ms`, `s` or `x` allowed), or nil.
    public static func numericGuess(_ given: String, unit: String?) -> Double? {
        var text = given.lowercased().trimmingCharacters(in: .whitespaces)
        if let unit, !unit.isEmpty, text.hasSuffix(unit.lowercased()) { text = String(text.dropLast(unit.count)) }
        for suffix in ["ms", "x", "s"] where text.hasSuffix(suffix) && Double(text) == nil { text = String(text.dropLast(suffix.count)) }
        return Double(text.trimmingCharacters(in: .whitespaces))
    }

    /// Whether `given` matches `truth` (numbers within the tolerance, words without regard to case),
    /// and how to show the truth.
    static func compare(_ given: String, with truth: LabValue, tolerance: ChallengeKey.Tolerance, unit: String?) -> (Bool, String) {
        switch truth {
        case .number(let value):
            let unitText = unit.map { " " + $0 } ?? ""
            let shown: String
            switch tolerance {
            case .exact: shown = truth.description + unitText
            case .absolute(let amount): shown = "\(truth.description)\(unitText) (±\(LabValue.number(amount).description)\(unitText) accepted)"
            case .relative(let fraction): shown = "\(truth.description)\(unitText) (±\(LabValue.number(fraction * 100).description)% accepted)"
            }
            guard let guess = numericGuess(given, unit: unit) else { return (false, shown) }
            switch tolerance {
            case .exact: return (guess == value, shown)
            case .absolute(let amount): return (abs(guess - value) <= amount, shown)
            case .relative(let fraction): return (abs(guess - value) <= abs(value) * fraction, shown)
            }
        case .bool(let value):
            let yes = ["true", "yes", "y"], no = ["false", "no", "n"]
            let word = given.lowercased()
            return ((value ? yes : no).contains(word), value ? "true" : "false")
        default:
            let normalize = { (s: String) in s.lowercased().trimmingCharacters(in: .whitespaces) }
            return (normalize(given) == normalize(truth.description), "\"\(truth.description)\"")
        }
    }

    // MARK: choice

    static func verifyChoice(_ key: ChallengeKey, answer given: String?) -> VerificationResult {
        let options = key.choices
        guard var choice = given?.lowercased().trimmingCharacters(in: .whitespaces), !choice.isEmpty else {
            return VerificationResult(status: .wrong, kind: .choice, headline: "Pick one of: \(options.joined(separator: ", "))")
        }
        choice = choice.trimmingCharacters(in: CharacterSet(charactersIn: "()."))
        guard options.contains(choice) else {
            return VerificationResult(status: .wrong, kind: .choice,
                                      headline: "'\(given ?? "")' is not one of the options (\(options.joined(separator: ", ")))")
        }
        let right = (key.fields["answer"] ?? "").lowercased()
        if choice == right {
            return VerificationResult(status: .correct, kind: .choice, headline: "Correct: (\(right)).", explanation: key.explanation,
                                      observed: [("answer", right), ("given", choice)])
        }
        return VerificationResult(status: .wrong, kind: .choice, headline: "Not yet: (\(choice)) is not the answer.",
                                  observed: [("given", choice)])
    }

    // MARK: reveal

    /// The answer without judging one: a predict key's value measured live, a choice's letter, what a
    /// build or your-server key checks; with the explanation.
    static func reveal(_ key: ChallengeKey, lesson: Lesson) -> VerificationResult {
        switch key.kind {
        case .predict:
            let measured: Measured
            switch measure(key, lesson: lesson) {
            case .success(let found): measured = found
            case .failure(let broken): return broken.result
            }
            let (_, shown) = compare("", with: measured.truth, tolerance: key.tolerance ?? .exact, unit: key.fields["unit"])
            return VerificationResult(status: .revealed, kind: .predict, headline: "Revealed: measured live just now, the answer is \(shown).",
                                      details: measured.printed, explanation: key.explanation,
                                      observed: [("answer", measured.truth.description)])
        case .choice:
            let right = (key.fields["answer"] ?? "").lowercased()
            return VerificationResult(status: .revealed, kind: .choice, headline: "Revealed: the answer is (\(right)).",
                                      explanation: key.explanation, observed: [("answer", right)])
        case .build, .yourServer, .yourClient:
            let what = key.kind == .build ? "your script's run" : key.kind == .yourServer ? "what the probe measures" : "what the server observes of your client"
            let lines = key.script.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
            return VerificationResult(status: .revealed, kind: key.kind,
                                      headline: "Revealed: the conditions this challenge checks on \(what).",
                                      details: ["The key (\(lesson.path):\(key.scriptFirstLine)):"] + lines, explanation: key.explanation)
        }
    }

    // MARK: build

    /// Runs the learner's script, then the key's conditions on what the server and agents observed.
    static func verifyBuild(_ key: ChallengeKey, lesson: Lesson, file: String?, workspace: String?) -> VerificationResult {
        guard let file else {
            let hint = "write one with 'wirelab edit \(lesson.id)'" + (workspace.map { " (it goes to \($0))" } ?? "") + " or pass --file <script.lab>"
            return VerificationResult(status: .wrong, kind: .build, headline: "No script to check: \(hint).")
        }
        guard let source = try? String(contentsOfFile: file, encoding: .utf8) else {
            return VerificationResult(status: .wrong, kind: .build, headline: "Cannot read \(file).")
        }
        let conditions: Script
        switch self.conditions(key, lesson: lesson) {
        case .success(let script): conditions = script
        case .failure(let broken): return broken.result
        }
        var options = RunOptions()
        options.limitMs = limitMs(key)
        let outcome = ExperimentRunner.run(source: source, expected: nil, options: options, epilogue: Epilogue(conditions: conditions))
        if !outcome.parseErrors.isEmpty {
            return VerificationResult(status: .wrong, kind: .build, headline: "Your script does not parse, so nothing was run.",
                                      details: outcome.parseErrors.map { render($0, file: file, source: source) })
        }
        if let error = outcome.runtimeError {
            return VerificationResult(status: .wrong, kind: .build, headline: "Your script stopped with an error, so the conditions were not checked.",
                                      details: [render(error.asDiagnostic, file: file, source: source)])
        }
        guard let result = outcome.epilogue else { return broken(key, lesson: lesson, "\(key.line): the conditions did not run") }
        var details = outcome.expectFailures.map { "(your own expect at \(file):\($0.location.line) failed: \($0.message))" }
        if let error = result.error {
            details.insert("A condition could not be checked: \(error.message) (\(lesson.path):\(error.location.line))", at: 0)
            return VerificationResult(status: .wrong, kind: .build, headline: "Not yet: your script did not set up what this challenge looks at.", details: details)
        }
        return conditionVerdict(result, kind: .build, lesson: lesson, details: details, what: "what the server and agents observed",
                                explanation: key.explanation)
    }

    /// Correct when every condition held; otherwise each failed condition in words (`ConditionWords`).
    static func conditionVerdict(_ result: EpilogueOutcome, kind: ChallengeKind, lesson: Lesson, details: [String], what: String,
                                 explanation: String?) -> VerificationResult {
        let total = max(result.checked, result.failures.count)
        if result.failures.isEmpty {
            return VerificationResult(status: .correct, kind: kind,
                                      headline: "Correct: all \(total) condition\(total == 1 ? "" : "s") held on \(what).", details: details,
                                      explanation: explanation)
        }
        var lines = result.failures.map { "✘ " + ConditionWords.sentence($0) }
        lines += details
        return VerificationResult(status: .wrong, kind: kind,
                                  headline: "Not yet: \(result.failures.count) of \(total) condition\(total == 1 ? "" : "s") failed on \(what).",
                                  details: lines, observed: result.failures.map { ("line \($0.location.line)", ConditionWords.sentence($0)) })
    }

    // MARK: your-server

    /// Probes the learner's server and checks the key's conditions on the findings (`probe.*`).
    static func verifyServer(_ key: ChallengeKey, lesson: Lesson, url: String?) -> VerificationResult {
        guard let url else {
            return VerificationResult(status: .wrong, kind: .yourServer,
                                      headline: "Start your server and give its URL: wirelab verify \(lesson.id) <n> --url http://127.0.0.1:PORT/")
        }
        let origin: HTTPOrigin, target: String
        do {
            (origin, target) = try HTTPOrigin.parse(url)
        } catch {
            return VerificationResult(status: .wrong, kind: .yourServer, headline: "Cannot use \(url): \(error)")
        }
        let conditions: Script
        switch self.conditions(key, lesson: lesson) {
        case .success(let script): conditions = script
        case .failure(let broken): return broken.result
        }
        var settings = Probe.Settings()
        settings.maxWaitMs = key.fields["max-wait"].flatMap(parseKeyDuration) ?? 10_000
        settings.maxRequests = key.fields["max-requests"].flatMap { Int($0) } ?? 20
        settings.requests = key.fields["requests"].flatMap { Int($0) } ?? 5
        settings.timeoutMs = 3_000
        switch key.fields["protocol"] {
        case "h2": settings.http1 = false
        case "http1": settings.h2 = false
        default: break
        }
        if let n = key.fields["streams"].flatMap({ Int($0) }) { settings.h2Streams = n }
        if let ms = key.fields["idle-wait"].flatMap(parseKeyDuration) { settings.h2IdleWaitMs = ms }
        let findings: ProbeFindings
        switch Probe.run(origin: origin, target: target, url: url, settings: settings) {
        case .success(let found): findings = found
        case .failure(let error):
            return VerificationResult(status: .wrong, kind: .yourServer, headline: "Could not probe \(url): \(error.message). Is your server running?")
        }
        var options = RunOptions()
        options.limitMs = 10_000
        let outcome = ExperimentRunner.run(source: "", expected: nil, options: options,
                                           epilogue: Epilogue(conditions: conditions, values: ["probe": probeValue(findings)]))
        let measured = ["What the probe measured:"] + findings.text.split(separator: "\n").map { "  " + $0 }
        guard let result = outcome.epilogue else { return broken(key, lesson: lesson, "\(key.line): the conditions did not run") }
        if let error = result.error {
            return VerificationResult(status: .wrong, kind: .yourServer,
                                      headline: "Not yet: a condition could not be checked on what the probe measured: \(error.message)", details: measured)
        }
        return conditionVerdict(result, kind: .yourServer, lesson: lesson, details: measured, what: "what the probe measured",
                                explanation: key.explanation)
    }

    /// The findings as the `probe` object a your-server key's conditions read.
    static func probeValue(_ f: ProbeFindings) -> LabValue {
        func optional(_ n: Double?) -> LabValue { n.map { .number($0) } ?? .none }
        func optional(_ s: String?) -> LabValue { s.map { .string($0) } ?? .none }
        return .object(RecordObject("the probe's findings", [
            ("keepsAlive", .bool(f.keepsAlive)),
            ("keepsAliveHTTP10", .bool(f.keepsAliveHTTP10)),
            ("persistence", .string(f.persistence)),
            ("persistenceHTTP10", .string(f.persistenceHTTP10)),
            ("persistenceDetail", .string(f.persistenceDetail)),
            ("persistenceDetailHTTP10", .string(f.persistenceDetailHTTP10)),
            ("keepAliveHeader", optional(f.keepAliveHeader)),
            ("connectionHeader", optional(f.connectionHeader)),
            ("timeout", optional(f.advertisedTimeoutSeconds.map(Double.init))),
            ("max", optional(f.advertisedMax.map(Double.init))),
            ("idleTimeout", optional(f.idleTimeoutMs)),
            ("idleOutlastedWait", .bool(f.idleOutlastedWait)),
            ("idleOutcome", .string(f.idleOutcome)),
            ("idleDetail", .string(f.idleDetail)),
            ("maxWait", .number(f.maxWaitSeconds)),
            ("maxRequests", optional(f.maxRequests.map(Double.init))),
            ("maxRequestsEnding", .string(f.maxRequestsEnding)),
            ("maxRequestsDetail", .string(f.maxRequestsDetail)),
            ("closedAfterSayingClose", f.maxRequestsClosedAfterSaying.map { .bool($0) } ?? .none),
            ("pipelining", .string(f.pipelining)),
            ("pipeliningDetail", .string(f.pipeliningDetail)),
            ("speedup", optional(f.reuseSpeedup)),
            ("h2", h2Value(f.h2)),
        ]))
    }

    /// The h2c check's findings as `probe.h2`.
    static func h2Value(_ h: H2Findings) -> LabValue {
        func optional(_ n: Int?) -> LabValue { n.map { .number(Double($0)) } ?? .none }
        // Every known setting reads (none when not sent), and any other the server sent.
        let names = H2Findings.settingNames + h.sentSettings.keys.filter { !H2Findings.settingNames.contains($0) }.sorted()
        let settings = RecordObject("the server's SETTINGS", names.map { name in (name, h.sentSettings[name].map { .number(Double($0)) } ?? .none) })
        return .object(RecordObject("the probe's h2c findings", [
            ("priorKnowledge", .bool(h.priorKnowledge)),
            ("detail", .string(h.detail)),
            ("settings", .string(h.settings)),
            ("sent", .object(settings)),
            ("settingsAcked", .bool(h.settingsAcked)),
            ("maxConcurrentStreams", optional(h.maxConcurrentStreams)),
            ("maxConcurrentStreamsText", .string(h.maxConcurrentStreamsText)),
            ("status", optional(h.status)),
            ("getDetail", .string(h.getDetail)),
            ("streamsRequested", .number(Double(h.streamsRequested))),
            ("streamsOpened", .number(Double(h.streamsOpened))),
            ("streamsAnswered", .number(Double(h.streamsAnswered))),
            ("streamsReset", .number(Double(h.streamsReset))),
            ("streamsDetail", .string(h.streamsDetail)),
            ("idleOutcome", .string(h.idleOutcome)),
            ("idleSeconds", h.idleSeconds.map { .number($0) } ?? .none),
            ("idleDetail", .string(h.idleDetail)),
            ("initialWindow", optional(h.initialWindow)),
            ("connectionWindow", optional(h.connectionWindow)),
            ("windowsDetail", .string(h.windowsDetail)),
        ]))
    }
}

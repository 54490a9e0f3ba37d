import LabKit
import LabRun
import Wire

/// `wirelab check`: run experiments quietly and print a verdict table.
enum CheckCommand {
    static let summary = "Run experiments quietly and print a verdict table"
    static let options: [OptionSpec] = [
        OptionSpec(name: "all", valueName: nil, help: "Check every lesson (the default when no lesson is named)"),
        OptionSpec(name: "rtt", valueName: "duration", help: "Simulated network round-trip time (expected output assumes none)"),
        OptionSpec(name: "json", valueName: nil, help: "Print one JSON object: each lesson's verdict, and the counts"),
        OptionSpec(name: "lessons", valueName: "dir", help: "Lessons directory"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static let usage = "wirelab check [--all | <lesson>...] [--rtt <duration>] [--json]"

    static func run(_ arguments: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "check")
        if parsed.has("help") {
            console.out(HelpText.command("check", summary: summary, usage: usage,
                arguments: [("<lesson>", "Lesson ids or numbers (default: all)")], options: options,
                discussion: """
                Exit status: 0 all matched, 1 a mismatch or failed expect, 2 a broken lesson, 64 usage error.
                With --rtt, a lesson whose output differs is 'not judged' (exit 0) when its expects
                held: expected output is written for no simulated delay.
                """))
            return 0
        }
        if parsed.has("all") && !parsed.positionals.isEmpty {
            throw UsageError("Give --all or lessons, not both", command: "check")
        }
        var options = RunOptions()
        if let rtt = try requireDuration(parsed, "rtt", command: "check") { options.network = SimulatedNetwork(rttMs: Double(rtt)) }
        let context = LessonContext(explicit: parsed.value("lessons"), environment: environment)
        var lessons: [Lesson] = []
        for name in parsed.positionals { lessons.append(try loadLesson(name, context: context, command: "check")) }
        if parsed.positionals.isEmpty { lessons = context.library.lessons }
        let json = parsed.has("json")
        let style = json ? Style(isEnabled: false) : context.style
        let width = min(34, lessons.map(\.id.count).max() ?? 6)
        var results: [(Lesson, ExperimentOutcome)] = []
        if !json { console.line(style.bold("  #  " + "lesson".rightPadded(to: width) + "  verdict        time")) }
        for lesson in lessons {
            let outcome = ExperimentRunner.run(lesson: lesson, options: options)
            results.append((lesson, outcome))
            guard !json else { continue }
            let verdict = outcome.verdict
            let number = String(context.library.number(of: lesson.id) ?? 0).leftPadded(to: 3)
            let label = verdict.rawValue.rightPadded(to: 12)
            let mark = verdict == .notJudged ? style.yellow("◦ " + label) : verdict.exitCode == 0 ? style.green("✔ " + label) : style.red("✘ " + label)
            console.line("\(number)  \(lesson.id.rightPadded(to: width))  \(mark)  \(Format.fixed(outcome.elapsedMs / 1000, 2).leftPadded(to: 6))s")
        }
        var worst = results.map(\.1.verdict.exitCode).max() ?? 0
        if !context.library.diagnostics.isEmpty && parsed.positionals.isEmpty { worst = max(worst, 2) }
        if json {
            console.line(report(results, context: context, network: options.network, exitCode: worst).text(pretty: true))
            return worst
        }
        context.reportBrokenLessons(console)
        for (lesson, outcome) in results where outcome.verdict.exitCode != 0 {
            console.line("")
            console.line(style.bold("\(lesson.id):"))
            let target = RunCommand.RunTarget(file: lesson.path, fileText: readTextFile(lesson.path) ?? "", lesson: lesson, source: "",
                                              lineOffset: 0, expected: nil, expectedLine: nil)
            RunCommand.printVerdict(outcome, target: target, style: style, console: console)
        }
        console.line("")
        let passed = results.filter { $0.1.verdict == .match || $0.1.verdict == .ran }.count
        let unjudged = results.filter { $0.1.verdict == .notJudged }.count
        var summary = "\(passed) of \(lessons.count) lesson\(lessons.count == 1 ? "" : "s") matched"
        if unjudged > 0 {
            summary += "; \(unjudged) not judged (their output differs under the simulated RTT, which the expected output does not assume; "
                + "their expects held)"
        }
        console.line(summary + ".")
        return worst
    }

    /// The verdict table as JSON: one object per lesson, and the counts.
    static func report(_ results: [(Lesson, ExperimentOutcome)], context: LessonContext, network: SimulatedNetwork, exitCode: Int32) -> JSONValue {
        func count(_ verdicts: Verdict...) -> JSONValue { .integer(results.filter { verdicts.contains($0.1.verdict) }.count) }
        return .object([
            ("rtt_ms", network.isOn ? .number(network.rttMs) : .null),
            ("lessons", .array(results.map { lesson, outcome in
                var members: [(String, JSONValue)] = [
                    ("number", context.library.number(of: lesson.id).map { .integer($0) } ?? .null),
                    ("id", .string(lesson.id)), ("file", .string(lesson.path)),
                    ("verdict", .string(outcome.verdict.rawValue)), ("exit_code", .integer(Int(outcome.verdict.exitCode))),
                    ("elapsed_ms", .number((outcome.elapsedMs * 10).rounded() / 10)),
                    ("expects_checked", .integer(outcome.expectsChecked)),
                    ("expect_failures", .array(outcome.expectFailures.map {
                        .object([("line", .integer($0.location.line)), ("message", .string($0.message))])
                    })),
                    ("errors", .array((outcome.parseErrors + (outcome.runtimeError.map { [$0.asDiagnostic] } ?? [])).map {
                        .object([("line", .integer($0.line)), ("column", .integer($0.column)), ("message", .string($0.message))])
                    })),
                ]
                if let match = outcome.match, !match.isMatch {
                    members.append(("first_difference_line", match.firstFailureFileLine.map { .integer($0) } ?? .null))
                    members.append(("diff", .string(match.render(color: false))))
                }
                return .object(members)
            })),
            ("broken", .array(context.library.diagnostics.map { .string($0.description) })),
            ("matched", count(.match, .ran)), ("not_judged", count(.notJudged)),
            ("failed", count(.mismatch, .expectFailed)), ("broken_runs", count(.broken)),
            ("exit_code", .integer(Int(exitCode))),
        ])
    }
}

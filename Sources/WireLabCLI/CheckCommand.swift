import LabKit
import LabRun
import Wire

/// `wirelab check`: run experiments quietly and print a verdict table.
enum CheckCommand {
    static let summary = "Run experiments quietly and print a verdict table"
    static let options: [OptionSpec] = [
        OptionSpec(name: "all", valueName: nil, help: "Check every lesson (the default when no lesson is named)"),
        OptionSpec(name: "rtt", valueName: "duration", help: "Simulated network round-trip time"),
        OptionSpec(name: "lessons", valueName: "dir", help: "Lessons directory"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static func run(_ arguments: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "check")
        if parsed.has("help") {
            console.out(HelpText.command("check", summary: summary, usage: "wirelab check [--all | <lesson>...]",
                arguments: [("<lesson>", "Lesson ids or numbers (default: all)")], options: options,
                discussion: "Exit status: 0 all matched, 1 a mismatch or failed expect, 2 a broken lesson."))
            return 0
        }
        let context = LessonContext(explicit: parsed.value("lessons"), environment: environment)
        var options = RunOptions()
        if let rtt = try requireDuration(parsed, "rtt", command: "check") { options.network = SimulatedNetwork(rttMs: Double(rtt)) }
        var lessons: [Lesson] = []
        for name in parsed.positionals { lessons.append(try loadLesson(name, context: context, command: "check")) }
        if parsed.positionals.isEmpty { lessons = context.library.lessons }
        let style = context.style
        let width = min(34, lessons.map(\.id.count).max() ?? 6)
        var worst: Int32 = 0
        var failures: [(Lesson, ExperimentOutcome)] = []
        console.line(style.bold("  #  " + "lesson".rightPadded(to: width) + "  verdict        time"))
        for lesson in lessons {
            let outcome = ExperimentRunner.run(lesson: lesson, options: options)
            let verdict = outcome.verdict
            worst = max(worst, verdict.exitCode)
            let number = String(context.library.number(of: lesson.id) ?? 0).leftPadded(to: 3)
            let mark = verdict.exitCode == 0 ? style.green("✔ " + verdict.rawValue.rightPadded(to: 12)) : style.red("✘ " + verdict.rawValue.rightPadded(to: 12))
            console.line("\(number)  \(lesson.id.rightPadded(to: width))  \(mark)  \(Format.fixed(outcome.elapsedMs / 1000, 2).leftPadded(to: 6))s")
            if verdict.exitCode != 0 { failures.append((lesson, outcome)) }
        }
        context.reportBrokenLessons(console)
        if !context.library.diagnostics.isEmpty && parsed.positionals.isEmpty { worst = max(worst, 2) }
        for (lesson, outcome) in failures {
            console.line("")
            console.line(style.bold("\(lesson.id):"))
            let target = RunCommand.RunTarget(file: lesson.path, fileText: readTextFile(lesson.path) ?? "", lesson: lesson, source: "",
                                              lineOffset: 0, expected: nil, expectedLine: nil)
            RunCommand.printVerdict(outcome, target: target, style: style, console: console)
        }
        console.line("")
        let passed = lessons.count - failures.count
        console.line("\(passed) of \(lessons.count) lesson\(lessons.count == 1 ? "" : "s") matched.")
        return worst
    }
}

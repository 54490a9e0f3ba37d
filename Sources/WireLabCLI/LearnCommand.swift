import LabKit
import Stepper

/// `wirelab learn`: the interactive stepper, and what `wirelab` alone starts on a terminal. This
/// file only wires the command line to the `Stepper` target, which does the work.
enum LearnCommand {
    static let summary = "Step through the lessons interactively (what 'wirelab' alone starts on a terminal)"
    static let usage = "wirelab learn [--start <lesson>] [--lessons <dir>]"
    static let options: [OptionSpec] = [
        OptionSpec(name: "start", valueName: "lesson", help: "Open at this lesson (id or number) instead of where you left off"),
        OptionSpec(name: "lessons", valueName: "dir", help: "Lessons directory"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static func run(_ arguments: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "learn")
        if parsed.has("help") {
            console.out(HelpText.command("learn", summary: summary, usage: usage, options: options, discussion: """
                One lesson at a time: its Concept and Key Insight, then single keys: r runs the
                experiment live, c shows the challenges, v verifies one, h reveals a hint, w draws
                the waterfall of the last run, n/p move on or back, l lists the lessons, ? shows
                every key, q quits. Progress is saved as you go (see 'wirelab progress').
                Opens at the lesson you were on, else the first one not done.
                Needs a terminal: standard input and output must both be one.
                """))
            return 0
        }
        if let extra = parsed.positionals.first { throw UsageError("Unexpected argument '\(extra)'", command: "learn") }
        let context = LessonContext(explicit: parsed.value("lessons"), environment: environment)
        var start: Int?
        if let name = parsed.value("start") {
            let lesson = try context.lesson(named: name, command: "learn")
            start = context.library.lessons.firstIndex { $0.id == lesson.id }
        }
        guard canStart(console) else {
            console.errorLine("Error: 'wirelab learn' needs a terminal (standard input and output are not both one).")
            console.errorLine("  Without one: 'wirelab list', 'wirelab show <lesson>', 'wirelab run <lesson>'.")
            return 1
        }
        return startStepper(context, start: start, console: console, environment: environment)
    }

    /// True when the stepper may take over the terminal: the process's own console (a test's
    /// recording console never), with standard input and output both terminals.
    static func canStart(_ console: Console) -> Bool {
        (console is StandardConsole || (console as? PlainConsole)?.base is StandardConsole) && StepperApp.isInteractive
    }

    /// Runs the stepper; returns its exit status. Load problems are reported after it ends, on the
    /// shell's screen, where they stay readable.
    static func startStepper(_ context: LessonContext, start: Int?, console: Console, environment: [String: String]) -> Int32 {
        guard !context.library.lessons.isEmpty else {
            console.errorLine("Error: no lessons found in \(context.directory)")
            context.reportBrokenLessons(console)
            return 1
        }
        let broken = context.library.diagnostics.count
        let notice = broken == 0 ? nil : "\(broken) lesson file\(broken == 1 ? "" : "s") could not be loaded (listed when you quit)."
        let result = StepperApp.run(lessons: context.library.lessons, store: context.progressStore, start: start,
                                 color: context.terminal.useColor, plain: context.terminal.isPlain, notice: notice,
                                 environment: environment.isEmpty ? ProcessEnvironment.all : environment,
                                 workspaceText: { lesson, code in EditCommand.workspaceText(lesson: lesson, experiment: code) })
        if let problem = result.problem { console.errorLine("Error: cannot start the stepper: \(problem)") }
        context.reportBrokenLessons(console)
        return result.status
    }
}

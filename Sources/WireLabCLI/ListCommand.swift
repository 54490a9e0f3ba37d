import LabKit
import LabRun
import LabScript
import Wire

/// `wirelab list`: the lessons in order, with their challenges.
enum ListCommand {
    static let summary = "List the lessons in order"
    static let usage = "wirelab list [--json] [--lessons <dir>]"
    static let options: [OptionSpec] = [
        OptionSpec(name: "json", valueName: nil, help: "Print the lessons and their challenges as JSON"),
        OptionSpec(name: "lessons", valueName: "dir", help: "Lessons directory (default: $WIRELAB_LESSONS, then the package's Lessons/)"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static func run(_ arguments: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "list")
        if parsed.has("help") {
            console.out(HelpText.command("list", summary: summary, usage: usage, options: options,
                                         discussion: "✔ (done with --plain) marks a lesson whose experiment matched; ▸ (>) the lesson you are on (see 'wirelab progress')."))
            return 0
        }
        if let extra = parsed.positionals.first { throw UsageError("Unexpected argument '\(extra)'", command: "list") }
        let context = LessonContext(explicit: parsed.value("lessons"), environment: environment)
        if parsed.has("json") {
            console.line(json(context, progress: context.loadProgress(console)).text(pretty: true))
            context.reportBrokenLessons(console)
            return 0
        }
        printList(context, console: console)
        return 0
    }

    /// Every lesson with its challenges (number, kind, verified): the curriculum's shape for tools.
    static func json(_ context: LessonContext, progress: LearnerProgress) -> JSONValue {
        .object([
            ("lessons", .array(context.library.lessons.enumerated().map { index, lesson in
                .object([
                    ("number", .integer(index + 1)), ("id", .string(lesson.id)), ("title", .string(lesson.title)),
                    ("phase", .integer(lesson.phase)), ("phase_title", .string(lesson.phaseTitle)),
                    ("difficulty", .string(lesson.difficulty)), ("estimated_minutes", .integer(lesson.estimatedMinutes)),
                    ("tags", .array(lesson.tags.map { .string($0) })), ("prerequisites", .array(lesson.prerequisites.map { .string($0) })),
                    ("file", .string(lesson.path)),
                    ("done", .bool(progress.isDone(lesson.id))), ("current", .bool(progress.current == lesson.id)),
                    ("challenges", .array(lesson.challenges.map { challenge in
                        .object([
                            ("number", .integer(challenge.number)), ("title", .string(challenge.title)),
                            ("kind", challenge.key.map { .string($0.kind.rawValue) } ?? .null),
                            ("key_problem", challenge.keyProblem.map { .string($0) } ?? .null),
                            ("hints", .integer(challenge.hints.count)),
                            ("verified", .bool(progress.isVerified(lesson.id, challenge.number))),
                            ("revealed", .bool(progress.isRevealed(lesson.id, challenge.number))),
                        ])
                    })),
                ])
            })),
            ("broken", .array(context.library.diagnostics.map { .string($0.description) })),
        ])
    }

    /// `text` cut to `width` columns with an ellipsis, or padded to it.
    static func fitted(_ text: String, _ width: Int, ellipsis: String = "…") -> String {
        text.count > width ? String(text.prefix(max(0, width - ellipsis.count))) + ellipsis : text.rightPadded(to: width)
    }

    static func printList(_ context: LessonContext, console: Console) {
        let style = context.style
        let lessons = context.library.lessons
        let progress = context.loadProgress(console)
        if lessons.isEmpty {
            console.line("No lessons found in \(context.directory).")
        }
        // Columns: mark, number, id, title, difficulty and minutes, sized to the terminal's width.
        // A title too long for its column is cut with "…"; when even that leaves too little room,
        // the difficulty goes, so no row wraps and the columns stay aligned.
        let markWidth = visibleWidth(style.pass)
        let numberWidth = String(lessons.count).count
        let idWidth = min(32, lessons.map(\.id.count).max() ?? 2)
        let details = lessons.map { "\($0.difficulty), \($0.estimatedMinutes) min" }
        let detailWidth = details.map(\.count).max() ?? 0
        let longestTitle = lessons.map(\.title.count).max() ?? 5
        let lead = 2 + markWidth + 1 + numberWidth + 2 + idWidth + 2
        let width = context.terminal.width
        let showsDetails = width - lead - 2 - detailWidth >= 16
        let titleWidth = max(8, min(longestTitle, width - lead - (showsDetails ? 2 + detailWidth : 0)))
        var phase: Int?
        for (index, lesson) in lessons.enumerated() {
            if lesson.phase != phase {
                phase = lesson.phase
                console.line(style.bold("Phase \(lesson.phase): \(lesson.phaseTitle)"))
            }
            let number = String(index + 1).leftPadded(to: numberWidth)
            let mark = progress.isDone(lesson.id) ? style.green(style.pass)
                : (progress.current == lesson.id ? style.cyan(style.current.rightPadded(to: markWidth)) : String(repeating: " ", count: markWidth))
            var row = "  \(mark) \(number)  \(style.cyan(lesson.id.rightPadded(to: idWidth)))  "
            // Plain mode cuts with "..." (what PlainConsole would turn "…" into), so columns still line up.
            let ellipsis = style.isPlain ? "..." : "…"
            if showsDetails {
                row += fitted(lesson.title, titleWidth, ellipsis: ellipsis) + "  " + style.dim(details[index])
            } else {
                row += lesson.title.count > titleWidth ? fitted(lesson.title, titleWidth, ellipsis: ellipsis) : lesson.title
            }
            console.line(row)
        }
        context.reportBrokenLessons(console)
        if !lessons.isEmpty {
            console.line("")
            let counts = progress.counts(in: lessons)
            console.line(style.dim("\(counts.done)/\(lessons.count) lessons done, \(counts.verified)/\(counts.challenges) challenges verified"
                + (counts.revealed > 0 ? ", \(counts.revealed) revealed" : "")))
            console.line("")
            console.line("Step through the lessons:  wirelab")
            console.line("Read one:                  wirelab show <id|number>")
            console.line("Run its experiment live:   wirelab run <id|number>")
            console.line("Verify a challenge:        wirelab verify <id> <n> [answer]")
        }
    }
}

import LabKit
import LabRun
import LabScript
import Wire

/// `wirelab show`: reading one lesson.
enum ShowCommand {
    static let summary = "Show a lesson, rendered for the terminal"
    static let usage = "wirelab show <lesson> [--width <n>]"
    static let options: [OptionSpec] = [
        OptionSpec(name: "lessons", valueName: "dir", help: "Lessons directory"),
        OptionSpec(name: "width", valueName: "n", help: "Wrap to this many columns (default: the terminal's)"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static func run(_ arguments: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "show")
        if parsed.has("help") {
            console.out(HelpText.command("show", summary: summary, usage: usage,
                                         arguments: [("<lesson>", "A lesson id, its number in 'wirelab list', or a lesson file")], options: options))
            return 0
        }
        guard parsed.positionals.count == 1 else {
            throw UsageError(parsed.positionals.isEmpty ? "Missing the lesson to show" : "Show one lesson at a time", command: "show")
        }
        let context = LessonContext(explicit: parsed.value("lessons"), environment: environment)
        let lesson = try loadLesson(parsed.positionals[0], context: context, command: "show")
        var width = context.terminal.width
        if let w = try requireInt(parsed, "width", command: "show", range: 20...400) { width = w }
        console.out(MarkdownRenderer(width: width, color: context.terminal.useColor).renderLesson(lesson))
        return 0
    }
}

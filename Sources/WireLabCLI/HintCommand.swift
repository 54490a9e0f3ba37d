import LabKit
import Wire

/// `wirelab hint <lesson> <n>`: the next hint of a challenge, one at a time, counted in progress.
enum HintCommand {
    static let summary = "Reveal the next hint of a challenge (one at a time; --all shows those seen so far)"
    static let usage = "wirelab hint <lesson> <n> [--all]"
    static let options: [OptionSpec] = [
        OptionSpec(name: "all", valueName: nil, help: "Show the hints you have already seen, without revealing a new one"),
        OptionSpec(name: "lessons", valueName: "dir", help: "Lessons directory"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static func run(_ arguments: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "hint")
        if parsed.has("help") {
            console.out(HelpText.command("hint", summary: summary, usage: usage,
                                         arguments: [("<lesson>", "A lesson id or number"), ("<n>", "The challenge's number")], options: options))
            return 0
        }
        guard parsed.positionals.count == 2 else {
            throw UsageError(parsed.positionals.count < 2 ? "Give the lesson and the challenge number" : "Unexpected argument '\(parsed.positionals[2])'", command: "hint")
        }
        let context = LessonContext(explicit: parsed.value("lessons"), environment: environment)
        let lesson = try loadLesson(parsed.positionals[0], context: context, command: "hint")
        let challenge = try findChallenge(parsed.positionals[1], in: lesson, command: "hint")
        let number = challenge.number
        let style = context.style
        guard !challenge.hints.isEmpty else {
            console.line("Challenge \(number) of \(lesson.id) has no hints.")
            return 0
        }
        var progress = context.loadProgress(console)
        var seen = min(progress.hintsSeen(lesson.id, number), challenge.hints.count)
        if !parsed.has("all") && seen < challenge.hints.count {
            progress.revealHint(lesson.id, number)
            context.saveProgress(progress, console)
            seen += 1
        }
        let renderer = MarkdownRenderer(width: context.terminal.width, color: context.terminal.useColor)
        for index in 0..<seen {
            console.out(renderer.render("**Hint \(index + 1) of \(challenge.hints.count):** " + challenge.hints[index]))
        }
        if seen == 0 { console.line("No hints seen yet: 'wirelab hint \(lesson.id) \(number)' reveals the first.") }
        if seen == challenge.hints.count { console.line(style.dim("That was the last hint.")) }
        return 0
    }
}

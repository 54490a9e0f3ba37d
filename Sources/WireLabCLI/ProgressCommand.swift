import Foundation
import LabKit
import Wire

/// `wirelab progress [--reset [--yes]] [--json]`: what the learner has done, and where it is kept.
enum ProgressCommand {
    static let summary = "Show your progress (lessons done, challenges verified or revealed, hints seen), or reset it"
    static let usage = "wirelab progress [--reset [--yes]] [--json]"
    static let options: [OptionSpec] = [
        OptionSpec(name: "reset", valueName: nil, help: "Forget all progress (asks first on a terminal)"),
        OptionSpec(name: "yes", valueName: nil, help: "With --reset: don't ask (needed when input is not a terminal)", short: "y"),
        OptionSpec(name: "json", valueName: nil, help: "Print one JSON object"),
        OptionSpec(name: "lessons", valueName: "dir", help: "Lessons directory"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static func run(_ arguments: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "progress")
        if parsed.has("help") {
            console.out(HelpText.command("progress", summary: summary, usage: usage, options: options, discussion: """
                Progress is kept in $WIRELAB_STATE, else $XDG_STATE_HOME/wirelab, else
                ~/.local/state/wirelab (progress.json, written atomically). Your workspace copies
                of experiments ('wirelab edit') live in its workspace/ folder; --reset keeps them.
                """))
            return 0
        }
        if let extra = parsed.positionals.first { throw UsageError("Unexpected argument '\(extra)'", command: "progress") }
        if parsed.has("yes") && !parsed.has("reset") { throw UsageError("'--yes' goes with '--reset'", command: "progress") }
        let context = LessonContext(explicit: parsed.value("lessons"), environment: environment)
        let store = context.progressStore
        if parsed.has("reset") {
            if !parsed.has("yes") {
                guard console.input.isTerminal else {
                    throw UsageError("Refusing to reset progress without asking: input is not a terminal; pass --yes", command: "progress")
                }
                console.out("Forget all progress in \(store.file)? [y/N] ")
                let reply = console.input.readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
                guard reply == "y" || reply == "yes" else { console.line("Nothing changed."); return 1 }
            }
            do {
                try store.reset()
            } catch {
                console.errorLine("Error: cannot remove \(store.file): \(error.localizedDescription)")
                return 1
            }
            console.line("Progress reset (\(store.file) removed; the workspace is kept).")
            return 0
        }
        let progress = context.loadProgress(console)
        let lessons = context.library.lessons
        let counts = progress.counts(in: lessons)
        if parsed.has("json") {
            console.line(JSONValue.object([
                ("file", .string(store.file)),
                ("current", progress.current.map { .string($0) } ?? .null),
                ("lessons_done", .integer(counts.done)), ("lessons", .integer(lessons.count)),
                ("challenges_verified", .integer(counts.verified)), ("challenges_revealed", .integer(counts.revealed)),
                ("challenges", .integer(counts.challenges)),
                ("by_lesson", .array(lessons.map { lesson in
                    .object([
                        ("id", .string(lesson.id)), ("done", .bool(progress.isDone(lesson.id))),
                        ("verified", .array(lesson.challenges.filter { progress.isVerified(lesson.id, $0.number) }.map { .integer($0.number) })),
                        ("revealed", .array(lesson.challenges.filter { progress.isRevealed(lesson.id, $0.number) }.map { .integer($0.number) })),
                        ("hints_seen", .integer(lesson.challenges.reduce(0) { $0 + progress.hintsSeen(lesson.id, $1.number) })),
                    ])
                })),
            ]).text(pretty: true))
            return 0
        }
        let style = context.style
        console.line(style.bold("Progress") + style.dim("  (\(store.file))"))
        console.line("  " + progressBar(done: counts.done, total: lessons.count, width: 30)
            + "  \(counts.done)/\(lessons.count) lessons done, \(counts.verified)/\(counts.challenges) challenges verified"
            + (counts.revealed > 0 ? ", \(counts.revealed) revealed" : ""))
        console.line("")
        let idWidth = min(32, lessons.map(\.id.count).max() ?? 2)
        for (index, lesson) in lessons.enumerated() {
            let mark = progress.isDone(lesson.id) ? style.green("✔") : (progress.current == lesson.id ? style.cyan("▸") : " ")
            let verified = lesson.challenges.filter { progress.isVerified(lesson.id, $0.number) }.map { String($0.number) }
            let revealed = lesson.challenges.filter { progress.isRevealed(lesson.id, $0.number) }.map { String($0.number) }
            let hints = lesson.challenges.reduce(0) { $0 + progress.hintsSeen(lesson.id, $1.number) }
            var line = "  \(mark) \(String(index + 1).leftPadded(to: 2))  \(lesson.id.rightPadded(to: idWidth))  "
                + "challenges \(verified.count)/\(lesson.challenges.count)"
            if !verified.isEmpty { line += style.dim(" (✔ " + verified.joined(separator: ", ") + ")") }
            if !revealed.isEmpty { line += style.dim(", revealed " + revealed.joined(separator: ", ")) }
            if hints > 0 { line += style.dim(", \(hints) hint\(hints == 1 ? "" : "s") seen") }
            console.line(line)
        }
        if let current = progress.current { console.line(""); console.line("Current lesson: \(current)   Continue: wirelab") }
        return 0
    }
}

/// A text progress bar: `███████░░░░░░░`.
func progressBar(done: Int, total: Int, width: Int) -> String {
    let filled = total == 0 ? 0 : min(width, done * width / total)
    return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
}

/// Where `progress --reset` reads its answer; tests pass a scripted one.
public protocol LineInput: AnyObject {
    var isTerminal: Bool { get }
    func readLine() -> String?
}

public final class StandardInput: LineInput {
    public init() {}
    public var isTerminal: Bool { isatty(0) == 1 }
    public func readLine() -> String? { Swift.readLine() }
}

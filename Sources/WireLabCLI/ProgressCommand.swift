import Foundation
import LabKit
import Wire

/// `wirelab progress [--reset [LESSON [N]] [--yes]] [--json]`: what the learner has done, and where it
/// is kept; `--reset` forgets all of it, one lesson's, or one challenge's, after asking.
enum ProgressCommand {
    static let summary = "Show your progress (lessons done, challenges verified or revealed, hints seen), or reset it"
    static let usage = "wirelab progress [--reset [<lesson> [<n>]] [--yes]] [--json]"
    static let options: [OptionSpec] = [
        OptionSpec(name: "reset", valueName: nil, help: "Forget all progress, or with <lesson> [<n>] one lesson's or one challenge's (asks first)"),
        OptionSpec(name: "yes", valueName: nil, help: "With --reset: don't ask (needed when input is not a terminal)", short: "y"),
        OptionSpec(name: "json", valueName: nil, help: "Print one JSON object"),
        OptionSpec(name: "lessons", valueName: "dir", help: "Lessons directory"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static func run(_ arguments: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "progress")
        if parsed.has("help") {
            console.out(HelpText.command("progress", summary: summary, usage: usage, arguments: [
                ("[<lesson>]", "With --reset: only this lesson (its done mark, its challenges, hints seen)"),
                ("[<n>]", "With --reset <lesson>: only this challenge (verified or revealed, hints seen)"),
            ], options: options, discussion: """
                Progress is kept in $WIRELAB_STATE, else $XDG_STATE_HOME/wirelab, else
                ~/.local/state/wirelab (progress.json, written atomically). Your workspace copies
                of experiments ('wirelab edit') live in its workspace/ folder; --reset keeps them.
                --reset asks y/N on a terminal; without one it needs --yes (else exit 64).
                """))
            return 0
        }
        if !parsed.has("reset"), let extra = parsed.positionals.first {
            throw UsageError("Unexpected argument '\(extra)' (a lesson goes with '--reset')", command: "progress")
        }
        if parsed.positionals.count > 2 { throw UsageError("Unexpected argument '\(parsed.positionals[2])'", command: "progress") }
        if parsed.has("yes") && !parsed.has("reset") { throw UsageError("'--yes' goes with '--reset'", command: "progress") }
        let context = LessonContext(explicit: parsed.value("lessons"), environment: environment)
        let store = context.progressStore
        if parsed.has("reset"), let lessonArgument = parsed.positionals.first {
            let lesson = try loadLesson(lessonArgument, context: context, command: "progress")
            let challenge = try parsed.positionals.count == 2 ? findChallenge(parsed.positionals[1], in: lesson, command: "progress") : nil
            return try resetPart(lesson: lesson, challenge: challenge?.number, yes: parsed.has("yes"), context: context, console: console)
        }
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
        console.line("  " + style.bar(filled: lessons.isEmpty ? 0 : counts.done * 30 / lessons.count, width: 30)
            + "  \(counts.done)/\(lessons.count) lessons done, \(counts.verified)/\(counts.challenges) challenges verified"
            + (counts.revealed > 0 ? ", \(counts.revealed) revealed" : ""))
        console.line("")
        let idWidth = min(32, lessons.map(\.id.count).max() ?? 2)
        let markWidth = visibleWidth(style.pass)
        for (index, lesson) in lessons.enumerated() {
            // Plain mode says "done" (and ">"), padded so the columns stay aligned.
            let mark = progress.isDone(lesson.id) ? style.green(style.pass)
                : (progress.current == lesson.id ? style.cyan(style.current.rightPadded(to: markWidth)) : String(repeating: " ", count: markWidth))
            let verified = lesson.challenges.filter { progress.isVerified(lesson.id, $0.number) }.map { String($0.number) }
            let revealed = lesson.challenges.filter { progress.isRevealed(lesson.id, $0.number) }.map { String($0.number) }
            let hints = lesson.challenges.reduce(0) { $0 + progress.hintsSeen(lesson.id, $1.number) }
            var line = "  \(mark) \(String(index + 1).leftPadded(to: 2))  \(lesson.id.rightPadded(to: idWidth))  "
                + "challenges \(verified.count)/\(lesson.challenges.count)"
            if !verified.isEmpty { line += style.dim(" (\(style.pass) " + verified.joined(separator: ", ") + ")") }
            if !revealed.isEmpty { line += style.dim(", revealed " + revealed.joined(separator: ", ")) }
            if hints > 0 { line += style.dim(", \(hints) hint\(hints == 1 ? "" : "s") seen") }
            console.line(line)
        }
        if let current = progress.current { console.line(""); console.line("Current lesson: \(current)   Continue: wirelab") }
        return 0
    }
}

extension ProgressCommand {
    /// `--reset LESSON [N]`: forgets one lesson's or one challenge's progress, after a y/N question
    /// on a terminal (`--yes` skips it; without a terminal it is required).
    static func resetPart(lesson: Lesson, challenge: Int?, yes: Bool, context: LessonContext, console: Console) throws(UsageError) -> Int32 {
        let what = challenge.map { "challenge \($0) of \(lesson.id)" } ?? "lesson \(lesson.id)"
        let parts = challenge == nil ? "its done mark, its challenges verified or revealed, hints seen" : "verified or revealed, hints seen"
        if !yes {
            guard console.input.isTerminal else {
                throw UsageError("Refusing to reset \(what) without asking: input is not a terminal; pass --yes", command: "progress")
            }
            console.out("Forget your progress on \(what) (\(parts))? [y/N] ")
            let reply = console.input.readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            guard reply == "y" || reply == "yes" else { console.line("Nothing changed."); return 1 }
        }
        var progress = context.loadProgress(console)
        progress.reset(lesson.id, challenge: challenge)
        do {
            try context.progressStore.save(progress)
        } catch {
            console.errorLine("Error: cannot save progress to \(context.progressStore.file): \(error.localizedDescription)")
            return 1
        }
        console.line("Reset \(what): \(challenge == nil ? "not done, its challenges and hints forgotten" : "not verified, not revealed, no hints seen").")
        return 0
    }
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

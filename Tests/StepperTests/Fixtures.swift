import Foundation
import LabKit
import LabRun
@testable import Stepper

/// Lessons built by hand: three lessons in two phases; the first has a long Concept (to scroll)
/// and one challenge of every kind, plus one without a key.
enum Fixtures {
    static let longConcept = "## Concept\n\n" + (1...40).map { "Paragraph \($0) about keep-alive." }.joined(separator: "\n\n")
        + "\n\n## Key Insight\n\nReuse beats reconnecting."

    static let challenges = [
        StepperChallenge(number: 1, prompt: "**Predict** how many sockets stay idle.", kind: "predict",
                         hints: ["Count the free list.", "maxFreeSockets caps it."], need: .answer(prompt: "")),
        StepperChallenge(number: 2, prompt: "Which side closes first? (a) agent (b) server (c) neither", kind: "choice",
                         need: .choice(options: ["a", "b", "c"])),
        StepperChallenge(number: 3, prompt: "Write a script that reuses one connection.", kind: "build", need: .script),
        StepperChallenge(number: 4, prompt: "Make your server keep connections alive.", kind: "your-server", need: .url),
        StepperChallenge(number: 5, prompt: "Explore on your own.", kind: nil),
    ]

    static let lessons = [
        StepperLesson(id: "first", title: "The First Lesson", phase: 7, phaseTitle: "Basics", difficulty: "beginner",
                      estimatedMinutes: 10, tags: ["http", "tcp"], conceptMarkdown: longConcept,
                      deepDiveMarkdown: "## Deep Dive\n\nMore depth.\n\n## Common Mistakes\n\nForgetting Host.",
                      experiment: "print \"hello\"\nprint \"world\"", experimentFirstLine: 40, challenges: challenges),
        StepperLesson(id: "second", title: "The Second Lesson", phase: 7, phaseTitle: "Basics", difficulty: "intermediate",
                      estimatedMinutes: 12, conceptMarkdown: "## Concept\n\nShort.", experiment: "print 1",
                      challenges: [StepperChallenge(number: 1, prompt: "Only one.", kind: "predict", hints: ["Just one hint."],
                                                    need: .answer(prompt: "Your answer (ms):"))]),
        StepperLesson(id: "third", title: "The Third Lesson", phase: 8, phaseTitle: "Pools", difficulty: "advanced",
                      estimatedMinutes: 15, conceptMarkdown: "## Concept\n\nThird."),
    ]

    static func machine(columns: Int = 80, rows: Int = 24, progress: LearnerProgress = LearnerProgress(), start: Int? = nil,
                        color: Bool = false) -> StepperMachine {
        StepperMachine(lessons: lessons, progress: progress, size: TerminalSize(columns: columns, rows: rows), color: color, start: start)
    }

    static func report(_ lessonID: String = "first", verdict: Verdict = .match, stopped: Bool = false) -> RunReport {
        let line = verdict == .match ? "✔ Output matches the expected output" : "✘ Output differs from the expected output"
        return RunReport(lessonID: lessonID, verdict: verdict, wasStopped: stopped, lines: stopped ? ["■ Run stopped"] : [line])
    }
}

extension StepperMachine {
    /// Presses each key in turn; returns every effect, in order.
    @discardableResult
    mutating func press(_ keys: Key...) -> [StepperEffect] {
        keys.flatMap { handle(.key($0)) }
    }

    /// Types `text`, one `.char` (or `.space`) per character.
    @discardableResult
    mutating func type(_ text: String) -> [StepperEffect] {
        text.flatMap { handle(.key($0 == " " ? .space : .char($0))) }
    }

    var text: String { screen.plainText }
    /// The rows the status line took (one, or more for a long message, which wraps).
    var statusRowCount: Int { StepperScreen.statusRows(state).count }
    var body: [String] { Array(screen.plainLines.dropFirst(2).dropLast(statusRowCount + 1)) }
    /// The status rows as one line (the rows joined at the spaces they were wrapped at).
    var statusLine: String {
        screen.plainLines.dropLast().suffix(statusRowCount).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
    var progressLine: String { screen.plainLines[screen.plainLines.count - 1] }
}

extension Array where Element == StepperEffect {
    var savedProgress: LearnerProgress? {
        for effect in reversed() { if case .saveProgress(let progress) = effect { return progress } }
        return nil
    }
}

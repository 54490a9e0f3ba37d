import Challenges
import Foundation
import LabKit
import LabRun

/// LessonBackend: the stepper's backend for real lessons: runs experiments with `ExperimentRunner`,
/// verifies with `ChallengeVerifier`, keeps progress and the workspace in a `ProgressStore`.
public struct LessonBackend: StepperBackend {
    public let lessons: [Lesson]
    public let store: ProgressStore
    /// Colour in run reports (the stepper's own colour setting).
    public let color: Bool
    /// Plain mode: run reports say OK:/FAIL: instead of ✔/✘.
    public let plain: Bool
    /// The text of a new workspace copy (what `wirelab edit` writes): the lesson and its experiment's code in.
    public let workspaceText: @Sendable (Lesson, String) -> String

    public init(lessons: [Lesson], store: ProgressStore, color: Bool, plain: Bool = false,
                workspaceText: @escaping @Sendable (Lesson, String) -> String = { _, code in code + "\n" }) {
        self.plain = plain
        self.lessons = lessons
        self.store = store
        self.color = color
        self.workspaceText = workspaceText
    }

    private func lesson(_ id: String) -> Lesson? { lessons.first { $0.id == id } }

    public func run(lessonID: String, workspace: Bool, cancellation: RunCancellation,
                    onLine: @escaping @Sendable (String) -> Void) -> RunReport {
        guard let lesson = lesson(lessonID) else {
            return RunReport(lessonID: lessonID, verdict: .broken, lines: ["No lesson '\(lessonID)'."])
        }
        var options = RunOptions()
        options.cancellation = cancellation
        guard workspace else {
            let outcome = ExperimentRunner.run(lesson: lesson, options: options, onLine: onLine)
            return RunReport(lesson: lesson, outcome: outcome, file: lesson.path, fileLines: Self.lines(of: lesson.path), color: color, plain: plain)
        }
        let copy = store.workspaceFile(for: lessonID)
        guard let source = FileManager.default.contents(atPath: copy).map({ String(decoding: $0, as: UTF8.self) }) else {
            return RunReport(lessonID: lessonID, verdict: .broken,
                             lines: ["You have no copy of this experiment yet (\(copy)): press E to make one, then R runs it."], file: copy)
        }
        let outcome = ExperimentRunner.run(source: source, expected: lesson.expectedOutput?.code,
                                           expectedFirstLine: lesson.expectedOutput?.firstLine, options: options, onLine: onLine)
        return RunReport(lesson: lesson, outcome: outcome, file: copy, fileLines: splitFileLines(source), color: color, plain: plain)
    }

    private static func lines(of path: String) -> [String] {
        FileManager.default.contents(atPath: path).map { splitFileLines(String(decoding: $0, as: UTF8.self)) } ?? []
    }

    public func workspaceFile(for lessonID: String) -> String { store.workspaceFile(for: lessonID) }

    public func verify(lessonID: String, challenge number: Int, input: VerificationInput) -> VerifyReport {
        verify(lessonID: lessonID, challenge: number, input: input, waiting: ClientWaitChannel())
    }

    public func verify(lessonID: String, challenge number: Int, input: VerificationInput, waiting: ClientWaitChannel) -> VerifyReport {
        guard let lesson = lesson(lessonID), let challenge = lesson.challenges.first(where: { $0.number == number }) else {
            return VerifyReport(lessonID: lessonID, challenge: number, status: .brokenKey, headline: "No challenge \(number) in '\(lessonID)'.")
        }
        // Inside the stepper the way to a script is a key, not a shell command.
        let workspace = store.workspaceFile(for: lessonID)
        if challenge.key?.kind == .build, input.file == nil, !FileManager.default.fileExists(atPath: workspace) {
            return VerifyReport(lessonID: lessonID, challenge: number, status: .wrong,
                                headline: "No script to check yet: press E to write your copy of the experiment (it goes to \(workspace)), then v again.")
        }
        let result = ChallengeVerifier.verify(lesson: lesson, challenge: challenge, input: input,
                                              workspaceFile: store.workspaceFile(for: lessonID),
                                              clientWait: ClientWait { url, limitMs, finished in waiting.started(url: url, limitMs: limitMs, finished: finished) })
        // An unusable answer (a word where a number is wanted; the machine refuses most before they get here) shows as wrong.
        return VerifyReport(lessonID: lessonID, challenge: number, status: result.status == .unusableAnswer ? .wrong : result.status,
                            headline: result.headline, details: result.details, explanation: result.explanation)
    }

    public func save(_ progress: LearnerProgress) throws {
        try store.save(progress)
    }

    public func prepareWorkspace(lessonID: String) throws -> String {
        let path = store.workspaceFile(for: lessonID)
        let manager = FileManager.default
        if !manager.fileExists(atPath: path), let lesson = lesson(lessonID) {
            try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try writeAtomically(Data(workspaceText(lesson, lesson.experiment?.code ?? "").utf8), to: path)
        }
        return path
    }
}

/// A file's lines as diagnostics count them ("\n" separated).
func splitFileLines(_ text: String) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
}

import Challenges
import LabKit

extension StepperLesson {
    /// What the stepper shows of a loaded lesson: its sections as Markdown, its experiment, and its
    /// challenges with what verifying each one needs (`ChallengeVerifier.need(for:)`).
    public init(_ lesson: Lesson) {
        func sections(_ pairs: [(String, String?)]) -> String {
            pairs.compactMap { title, body in body.map { "## \(title)\n\n\($0)" } }.joined(separator: "\n\n")
        }
        self.init(
            id: lesson.id, title: lesson.title, phase: lesson.phase, phaseTitle: lesson.phaseTitle,
            difficulty: lesson.difficulty, estimatedMinutes: lesson.estimatedMinutes, tags: lesson.tags,
            conceptMarkdown: sections([("Concept", lesson.concept), ("Key Insight", lesson.keyInsight)]),
            deepDiveMarkdown: sections([("Deep Dive", lesson.deepDive), ("Common Mistakes", lesson.commonMistakes)]),
            experiment: lesson.experiment?.code, experimentFirstLine: lesson.experiment?.firstLine ?? 1,
            challenges: lesson.challenges.map(StepperChallenge.init), path: lesson.path)
    }
}

extension StepperChallenge {
    public init(_ challenge: Challenge) {
        let numberUnit: String?? = challenge.key.flatMap { ChallengeVerifier.wantsNumber($0) ? .some($0.fields["unit"]) : nil }
        self.init(number: challenge.number, prompt: challenge.prompt, kind: challenge.key?.kind.rawValue,
                  hints: challenge.hints, need: ChallengeVerifier.need(for: challenge), keyProblem: challenge.keyProblem, numberUnit: numberUnit)
    }
}

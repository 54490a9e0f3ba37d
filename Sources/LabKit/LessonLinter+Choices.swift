// The course-level rule for choice challenges: the right option's letter must not be guessable.

extension LessonLinter {
    /// The fewest choice challenges a library needs before their answers are compared: a lesson
    /// linted on its own, with one or two choice items, says nothing about the course.
    public static let minimumChoicesForAnswerSpread = 4

    /// lintChoiceAnswerSpread warns when more than half of the library's choice keys answer with
    /// the same letter: a learner who noticed that "(b) is usually right" would pass without
    /// reading. It reports once, at the first key that uses the over-used letter, and names the
    /// others. It does not look at the options' text, and it never changes a key.
    static func lintChoiceAnswerSpread(_ lessons: [Lesson]) -> [LessonDiagnostic] {
        var answers: [(lesson: Lesson, challenge: Challenge, answer: String)] = []
        for lesson in lessons {
            for challenge in lesson.challenges {
                guard let key = challenge.key, key.kind == .choice,
                      let answer = key.fields["answer"]?.trimmingSpaces().lowercased(), !answer.isEmpty else { continue }
                answers.append((lesson, challenge, answer))
            }
        }
        guard answers.count >= minimumChoicesForAnswerSpread else { return [] }
        var counts: [String: Int] = [:]
        for entry in answers { counts[entry.answer, default: 0] += 1 }
        guard let (letter, count) = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }),
              count * 2 > answers.count,
              let first = answers.first(where: { $0.answer == letter }) else { return [] }
        let places = answers.filter { $0.answer == letter }
            .map { "\($0.lesson.id) \($0.challenge.number)" }
            .joined(separator: ", ")
        let line = first.challenge.key?.fieldLines["answer"] ?? first.challenge.line
        return [LessonDiagnostic(
            file: first.lesson.path, line: line,
            message: "\(count) of the course's \(answers.count) choice challenges answer (\(letter)), more than half, so the answer can be guessed from its position; move the right option elsewhere in some of them (\(places))",
            severity: .warning)]
    }
}

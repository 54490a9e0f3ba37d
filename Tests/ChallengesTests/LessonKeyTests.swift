import Foundation
import Testing
import Challenges
import LabKit

/// The package's own Lessons/ directory, found from this file's path.
func packageLessonsDirectory() -> String {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    parts.removeLast(3)
    return parts.joined(separator: "/") + "/Lessons"
}

@Suite("Every challenge key in Lessons/ is usable", .serialized)
struct LessonKeyTests {
    static var lessons: [Lesson] { LessonLibrary.load(directory: packageLessonsDirectory()).lessons }

    @Test("every challenge has a key that parses")
    func everyChallengeHasAKey() {
        for lesson in Self.lessons {
            for challenge in lesson.challenges {
                #expect(challenge.keyProblem == nil, "\(lesson.path): challenge \(challenge.number): \(challenge.keyProblem ?? "")")
                #expect(challenge.key != nil, "\(lesson.path): challenge \(challenge.number) has no key")
            }
        }
    }

    @Test("every predict key runs and computes an answer (a wrong guess is 'wrong', never 'broken key')")
    func predictKeysRun() {
        for lesson in Self.lessons {
            for challenge in lesson.challenges where challenge.key?.kind == .predict {
                let result = ChallengeVerifier.verify(lesson: lesson, challenge: challenge, input: VerificationInput(answer: "-987654"))
                #expect(result.status == .wrong, "\(lesson.id) challenge \(challenge.number): \(result.headline)")
            }
        }
    }

    @Test("a predict key said to want a number before running measures a number (a word is never refused wrongly)")
    func wantsNumberHolds() {
        for lesson in Self.lessons {
            for challenge in lesson.challenges where challenge.key.map(ChallengeVerifier.wantsNumber) == true {
                let result = ChallengeVerifier.verify(lesson: lesson, challenge: challenge, input: VerificationInput(reveal: true))
                let answer = result.observed.first { $0.0 == "answer" }?.1
                #expect(answer.flatMap(Double.init) != nil, "\(lesson.id) challenge \(challenge.number): \(result.headline)")
            }
        }
    }

    @Test("every build key rejects a script that does nothing, without being broken")
    func buildKeysReject() throws {
        let empty = NSTemporaryDirectory() + "wirelab-empty-\(UUID().uuidString).lab"
        try "print \"nothing\"\n".write(toFile: empty, atomically: true, encoding: .utf8)
        for lesson in Self.lessons {
            for challenge in lesson.challenges where challenge.key?.kind == .build {
                let result = ChallengeVerifier.verify(lesson: lesson, challenge: challenge, input: VerificationInput(file: empty))
                #expect(result.status == .wrong, "\(lesson.id) challenge \(challenge.number): \(result.headline)")
            }
        }
    }
}

import Testing
import Challenges
import LabKit

/// Keys about a mystery server: the learner measures, the key reads the truth.
let mysteryLessonText = """
    ---
    id: mystery-keys
    phase: 1
    phase_title: Test
    sequence: 1
    title: Mystery keys
    difficulty: beginner
    tags: [t]
    prerequisites: []
    estimated_minutes: 1
    ---

    ## Challenge

    1. How many requests does mystery server 6 answer on one connection?

       <!-- check predict
       answer: box.maxRequestsPerSocket
       server box mystery=6
       -->
    2. Build: reach mystery server 6 without ever letting it close an idle connection first.

       <!-- check build
       server box mystery=6
       expect box.requests == 0 "the key's own server is fresh"
       -->
    """

@Suite("Challenge keys about a mystery server")
struct MysteryKeyTests {
    func verify(_ number: Int, _ input: VerificationInput) throws -> VerificationResult {
        let lesson = try LessonLoader.parse(mysteryLessonText, path: "mystery.md").get()
        let challenge = try #require(lesson.challenges.first { $0.number == number })
        return ChallengeVerifier.verify(lesson: lesson, challenge: challenge, input: input)
    }

    @Test("a predict key's answer reads the hidden setting; the learner's number is compared with it")
    func predict() throws {
        #expect(try verify(1, VerificationInput(answer: "3")).status == .correct)
        let wrong = try verify(1, VerificationInput(answer: "5"))
        #expect(wrong.status == .wrong)
        #expect(!wrong.headline.contains("3"))
    }

    @Test("a learner's script can't read what the key can")
    func scriptCannotRead() throws {
        let file = try script("server box mystery=6\nprint box.maxRequestsPerSocket\n")
        let result = try verify(2, VerificationInput(file: file))
        #expect(result.status == .wrong)
        #expect(result.details.first?.contains("its maxRequestsPerSocket is yours to find by measuring") == true)
    }
}

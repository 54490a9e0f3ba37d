import Foundation
import Testing
import Challenges
import LabKit

/// A lesson with one challenge per kind (small keys, so each check takes milliseconds).
let verifierLessonText = """
    ---
    id: kinds
    phase: 1
    phase_title: Test
    sequence: 1
    title: Every kind
    difficulty: beginner
    tags: [t]
    prerequisites: []
    estimated_minutes: 1
    ---

    ## Challenge

    1. How many connections do three `Connection: close` requests make?

       <!-- check predict
       answer: server.connections
       repeat 3 { fetch GET / "Connection: close" }
       print "requests: {server.requests}"
       -->
    2. Pick.

       <!-- check choice
       choices: a b c
       answer: b
       explain: B is right because it is.
       -->
    3. Build: five requests over one connection.

       <!-- check build
       expect run.requests >= 5 "make at least five requests (made {run.requests})"
       expect server.connections == 1 "one connection (the server accepted {server.connections})"
       -->
    4. A word.

       <!-- check predict
       answer: which
       let which = "keep"
       -->
    5. About 100 ms.

       <!-- check predict
       answer: 100
       tolerance: 10%
       unit: ms
       -->
    6. Broken at run time.

       <!-- check predict
       answer: nothing.here
       -->
    7. Names an agent the learner must make.

       <!-- check build
       expect pool.reused >= 1
       -->
    """

func verify(_ number: Int, _ input: VerificationInput) throws -> VerificationResult {
    let lesson = try LessonLoader.parse(verifierLessonText, path: "kinds.md").get()
    let challenge = try #require(lesson.challenges.first { $0.number == number })
    return ChallengeVerifier.verify(lesson: lesson, challenge: challenge, input: input)
}

func script(_ text: String) throws -> String {
    let path = NSTemporaryDirectory() + "wirelab-build-\(UUID().uuidString).lab"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

@Suite("Challenge verification, per kind, right and wrong")
struct ChallengeVerifierTests {
    @Test("predict: the answer is computed by running; a wrong guess hears what really happened")
    func predict() throws {
        let right = try verify(1, VerificationInput(answer: "3"))
        #expect(right.status == .correct)
        let wrong = try verify(1, VerificationInput(answer: "1"))
        #expect(wrong.status == .wrong)
        #expect(wrong.headline.contains("it is 3"))
        #expect(wrong.details.contains("  requests: 3"))
        #expect(try verify(1, VerificationInput(answer: "three")).status == .wrong)
    }

    @Test("predict: words ignore case; numbers take a tolerance and a unit")
    func predictWordsAndTolerance() throws {
        #expect(try verify(4, VerificationInput(answer: "KEEP")).status == .correct)
        #expect(try verify(4, VerificationInput(answer: "close")).status == .wrong)
        #expect(try verify(5, VerificationInput(answer: "109ms")).status == .correct)
        #expect(try verify(5, VerificationInput(answer: "91")).status == .correct)
        #expect(try verify(5, VerificationInput(answer: "111")).status == .wrong)
    }

    @Test("choice: right and wrong both get the explanation; an unknown option is wrong")
    func choice() throws {
        let right = try verify(2, VerificationInput(answer: "(B)"))
        #expect(right.status == .correct)
        #expect(right.explanation == "B is right because it is.")
        let wrong = try verify(2, VerificationInput(answer: "a"))
        #expect(wrong.status == .wrong)
        #expect(wrong.explanation == "B is right because it is.")
        #expect(try verify(2, VerificationInput(answer: "z")).status == .wrong)
    }

    @Test("build: conditions read what the lab observed, for the whole run")
    func build() throws {
        let good = try script("agent a keepAlive=true maxSockets=1\nrepeat 5 { a GET / }\n")
        #expect(try verify(3, VerificationInput(file: good)).status == .correct)
        let wrong = try verify(3, VerificationInput(file: try script("repeat 5 { fetch GET / \"Connection: close\" }\n")))
        #expect(wrong.status == .wrong)
        #expect(wrong.details.first?.contains("one connection (the server accepted 5)") == true)
        // Printing the right thing is not enough, and `reset server` hides nothing from the key.
        let faker = try script("""
            repeat 5 { fetch GET / "Connection: close" }
            reset server
            print "server.connections == 1"
            """)
        let faked = try verify(3, VerificationInput(file: faker))
        #expect(faked.status == .wrong)
        #expect(faked.details.first?.contains("accepted 5") == true)
    }

    @Test("build: a script that does not parse, and one that lacks what the key reads, are 'not yet'")
    func buildProblems() throws {
        let broken = try verify(3, VerificationInput(file: try script("prnt \"x\"\n")))
        #expect(broken.status == .wrong)
        #expect(broken.details.first?.contains("did you mean 'print'") == true)
        let missing = try verify(7, VerificationInput(file: try script("fetch GET /\n")))
        #expect(missing.status == .wrong)
        #expect(missing.details.first?.contains("'pool' is not defined") == true)
        let noFile = try verify(3, VerificationInput())
        #expect(noFile.status == .wrong)
    }

    @Test("a key that fails at run time is a broken key (exit 2), named at its line")
    func brokenKey() throws {
        let result = try verify(6, VerificationInput(answer: "1"))
        #expect(result.status == .brokenKey)
        #expect(result.status.exitCode == 2)
        #expect(result.headline.contains("kinds.md:"))
    }

    @Test("what each kind needs from the learner")
    func needs() throws {
        let lesson = try LessonLoader.parse(verifierLessonText, path: "kinds.md").get()
        let needs = lesson.challenges.prefix(3).map { ChallengeVerifier.need(for: $0) }
        #expect(needs == [.answer, .choice(options: ["a", "b", "c"]), .script])
    }
}

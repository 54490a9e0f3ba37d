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
    @Test("predict: the answer is computed by running; a wrong guess is not told the answer nor which way it is off")
    func predict() throws {
        let right = try verify(1, VerificationInput(answer: "3"))
        #expect(right.status == .correct)
        #expect(right.details.contains("  requests: 3"))
        #expect(right.observed.contains { $0 == ("answer", "3") })
        for guess in ["1", "4"] {
            let wrong = try verify(1, VerificationInput(answer: guess))
            #expect(wrong.status == .wrong)
            #expect(wrong.headline == "Not yet: you said \(guess), and that is not what the run measured.")
            let shown = ([wrong.headline] + wrong.details + wrong.observed.map { $0.0 + $0.1 }).joined(separator: "\n")
            #expect(!shown.contains("3") && !shown.contains("higher") && !shown.contains("lower"), "\(shown)")
            #expect(!wrong.observed.contains { $0.0 == "answer" })
            #expect(wrong.explanation == nil)
        }
    }

    @Test("predict: a word where the run measured a number is an unusable answer (exit 64), never judged")
    func predictNotANumber() throws {
        let result = try verify(1, VerificationInput(answer: "three"))
        #expect(result.status == .unusableAnswer)
        #expect(result.status.exitCode == 64)
        #expect(result.headline.contains("'three' is not a number"))
        #expect(!result.headline.contains("3"))
    }

    @Test("wantsNumber: known before running from tolerance/unit, the answer's form, or the let that starts a name")
    func wantsNumber() throws {
        let lesson = try LessonLoader.parse(verifierLessonText, path: "kinds.md").get()
        let keys = lesson.challenges.map { $0.key }
        #expect(keys[0].map(ChallengeVerifier.wantsNumber) == true)    // server.connections
        #expect(keys[3].map(ChallengeVerifier.wantsNumber) == false)   // which, let to a word
        #expect(keys[4].map(ChallengeVerifier.wantsNumber) == true)    // tolerance and unit
        #expect(keys[1].map(ChallengeVerifier.wantsNumber) == false)   // a choice
        func key(_ answer: String, _ script: String = "") -> ChallengeKey {
            ChallengeKey(kind: .predict, fields: ["answer": answer], script: script, scriptFirstLine: 1, line: 1)
        }
        #expect(ChallengeVerifier.wantsNumber(key("len(split(x, \"a\")) - 1")))
        #expect(ChallengeVerifier.wantsNumber(key("floor(m.ms / 100)")))
        #expect(ChallengeVerifier.wantsNumber(key("pool.closedBy.freeListFull")))
        #expect(ChallengeVerifier.wantsNumber(key("failed", "let failed = 0\nrepeat 3 { failed = failed + 1 }")))
        #expect(!ChallengeVerifier.wantsNumber(key("r.ok")))
        #expect(!ChallengeVerifier.wantsNumber(key("a + b", "let a = \"x\"\nlet b = 1")))
        #expect(ChallengeVerifier.wantsNumber(key("box.keepAliveTimeout")))
        #expect(!ChallengeVerifier.wantsNumber(key("r.headers")))   // unknown: judged after the run
    }

    @Test("predict: a wrong guess with a tolerance hears the tolerance, not the value")
    func predictToleranceFeedback() throws {
        let wrong = try verify(5, VerificationInput(answer: "150"))
        #expect(wrong.status == .wrong)
        #expect(wrong.headline == "Not yet: you said 150, and that is not what the run measured (answers within ±10% of it count).")
    }

    @Test("reveal: predict shows the measured value, choice the letter, build the key's conditions; all with status revealed")
    func reveal() throws {
        let predict = try verify(1, VerificationInput(reveal: true))
        #expect(predict.status == .revealed)
        #expect(predict.status.exitCode == 0)
        #expect(predict.headline == "Revealed: measured live just now, the answer is 3.")
        #expect(predict.details.contains("  requests: 3"))
        let tolerant = try verify(5, VerificationInput(reveal: true))
        #expect(tolerant.headline == "Revealed: measured live just now, the answer is 100 ms (±10% accepted).")
        let choice = try verify(2, VerificationInput(reveal: true))
        #expect(choice.status == .revealed)
        #expect(choice.headline == "Revealed: the answer is (b).")
        #expect(choice.explanation == "B is right because it is.")
        let build = try verify(3, VerificationInput(reveal: true))
        #expect(build.status == .revealed)
        #expect(build.details.contains { $0.contains("expect server.connections == 1") })
        #expect(try verify(6, VerificationInput(reveal: true)).status == .brokenKey)
    }

    @Test("explain: a predict or build key's explanation shows after a correct answer, never after a wrong one")
    func explanations() throws {
        let text = verifierLessonText
            .replacingOccurrences(of: "   answer: server.connections\n", with: "   answer: server.connections\n   explain: Each close costs a connection.\n")
            .replacingOccurrences(of: "   <!-- check build\n", with: "   <!-- check build\n   explain: Keep-alive reuses one.\n")
        let lesson = try LessonLoader.parse(text, path: "kinds.md").get()
        func run(_ number: Int, _ input: VerificationInput) -> VerificationResult {
            ChallengeVerifier.verify(lesson: lesson, challenge: lesson.challenges[number - 1], input: input)
        }
        #expect(run(1, VerificationInput(answer: "3")).explanation == "Each close costs a connection.")
        #expect(run(1, VerificationInput(answer: "2")).explanation == nil)
        #expect(run(1, VerificationInput(reveal: true)).explanation == "Each close costs a connection.")
        let good = try script("agent a keepAlive=true maxSockets=1\nrepeat 5 { a GET / }\n")
        #expect(run(3, VerificationInput(file: good)).explanation == "Keep-alive reuses one.")
        let bad = try script("repeat 5 { fetch GET / \"Connection: close\" }\n")
        #expect(run(3, VerificationInput(file: bad)).explanation == nil)
    }

    @Test("predict: words ignore case; numbers take a tolerance and a unit")
    func predictWordsAndTolerance() throws {
        #expect(try verify(4, VerificationInput(answer: "KEEP")).status == .correct)
        #expect(try verify(4, VerificationInput(answer: "close")).status == .wrong)
        #expect(try verify(5, VerificationInput(answer: "109ms")).status == .correct)
        #expect(try verify(5, VerificationInput(answer: "91")).status == .correct)
        #expect(try verify(5, VerificationInput(answer: "111")).status == .wrong)
    }

    @Test("choice: a right answer gets the explanation; a wrong one neither the letter nor the explanation")
    func choice() throws {
        let right = try verify(2, VerificationInput(answer: "(B)"))
        #expect(right.status == .correct)
        #expect(right.explanation == "B is right because it is.")
        let wrong = try verify(2, VerificationInput(answer: "a"))
        #expect(wrong.status == .wrong)
        #expect(wrong.headline == "Not yet: (a) is not the answer.")
        #expect(wrong.explanation == nil)
        #expect(!wrong.observed.contains { $0.0 == "answer" })
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
        let needs = lesson.challenges.prefix(5).map { ChallengeVerifier.need(for: $0) }
        #expect(needs == [.answer(prompt: ""), .choice(options: ["a", "b", "c"]), .script, .answer(prompt: ""), .answer(prompt: "Your answer (ms):")])
    }

    @Test("a failed condition without a message is said in words, with none as 'none (never happened)'; one with a message shows the message alone")
    func conditionWords() throws {
        let text = verifierLessonText + """

            8. Words.

               <!-- check build
               let t = none
               let most = 2
               expect server.connections <= 1
               expect t != none
               expect t == 2
               expect server.requests > server.connections * 10
               expect server.connections < most
               expect not (server.connections == 3)
               expect server.connections == 3 and run.requests == 1
               expect run.requests == 1 "one request (made {run.requests})"
               expect run.requests == 3
               -->
            """
        let lesson = try LessonLoader.parse(text, path: "kinds.md").get()
        let file = try script("repeat 3 { fetch GET / \"Connection: close\" }\n")
        let result = ChallengeVerifier.verify(lesson: lesson, challenge: lesson.challenges[7], input: VerificationInput(file: file))
        #expect(result.status == .wrong)
        #expect(result.headline == "Not yet: 8 of 9 conditions failed on what the server and agents observed.")
        #expect(result.details == [
            "✘ expected server.connections to be at most 1; it was 3",
            "✘ expected t to have a value; it was none (never happened)",
            "✘ expected t to be 2; it was none (never happened)",
            "✘ expected server.requests to be more than server.connections * 10 (30); it was 3",
            "✘ expected server.connections to be less than most (2); it was 3",
            "✘ expected server.connections == 3 to be false; it was true",
            "✘ expected (server.connections == 3) and (run.requests == 1) to hold; it did not",
            "✘ one request (made 3)",
        ])
        let all = (result.details + result.observed.map(\.1)).joined(separator: "\n")
        #expect(!all.contains("[") && !all.contains("none != none") && !all.contains("expect failed"))
    }
}

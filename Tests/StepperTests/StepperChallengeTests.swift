import Challenges
import LabKit
import Testing
@testable import Stepper

@Suite("Stepper: challenges, verification and hints")
struct StepperChallengeTests {
    @Test("c lists every challenge numbered, with its kind and ✔ when verified")
    func list() {
        var progress = LearnerProgress()
        progress.markVerified("first", 2)
        var machine = Fixtures.machine(columns: 100, rows: 60, progress: progress)
        machine.press(.char("c"))
        let body = machine.body
        #expect(body.contains { $0.hasPrefix("  1. [predict]") && $0.contains("0 of 2 hints seen") })
        #expect(body.contains("  2. [choice] ✔ verified"))
        #expect(body.contains("  3. [build]"))
        #expect(body.contains("  4. [your-server]"))
        #expect(body.contains("  5. [explore]"))
        #expect(body.contains("     Predict how many sockets stay idle."))
    }

    @Test("v asks which, then the answer; typing, Backspace and Enter send it for verification")
    func verifyPredict() {
        var machine = Fixtures.machine()
        machine.press(.char("v"))
        #expect(machine.statusLine.hasPrefix("Verify which challenge (1–5)?"))
        machine.press(.char("x"))   // not a number: ignored
        machine.press(.char("1"))
        #expect(machine.state.view == .challenge(1))
        #expect(machine.statusLine.hasPrefix("Your answer to challenge 1:"))
        machine.type("23")
        machine.press(.backspace)
        let effects = machine.press(.enter)
        #expect(effects == [.startVerification(id: 1, lessonID: "first", challenge: 1, input: VerificationInput(answer: "2"))])
        #expect(machine.statusLine.hasPrefix("Verifying challenge 1…"))
        #expect(machine.press(.char("q")).isEmpty)   // busy: keys wait
    }

    @Test("a wrong answer shows the feedback and saves nothing; a right one marks the challenge verified")
    func wrongThenRight() {
        var machine = Fixtures.machine()
        machine.press(.char("v"), .char("1"))
        machine.type("5")
        machine.press(.enter)
        let wrong = VerifyReport(lessonID: "first", challenge: 1, status: .wrong, headline: "Not quite: you said 5.",
                                 details: ["It really was 2."])
        #expect(machine.handle(.verificationFinished(id: 1, wrong)).isEmpty)
        #expect(machine.body.contains("✘ Not quite: you said 5."))
        #expect(machine.body.contains("  It really was 2."))
        #expect(!machine.state.progress.isVerified("first", 1))

        machine.press(.char("v"))
        #expect(machine.statusLine.contains("Enter = 1"))
        machine.press(.char("1"))   // one digit is enough with fewer than ten challenges
        machine.type("2")
        #expect(machine.press(.enter) == [.startVerification(id: 2, lessonID: "first", challenge: 1, input: VerificationInput(answer: "2"))])
        let right = VerifyReport(lessonID: "first", challenge: 1, status: .correct, headline: "Correct: 2 sockets stayed idle.")
        let effects = machine.handle(.verificationFinished(id: 2, right))
        #expect(effects.savedProgress?.isVerified("first", 1) == true)
        #expect(machine.body.contains("✔ Correct: 2 sockets stayed idle."))
        #expect(machine.progressLine.contains("1/6"))
        machine.press(.char("c"))
        #expect(machine.body.contains { $0.hasPrefix("▸ 1. [predict] ✔ verified") })   // ▸: the one chosen last
    }

    @Test("a choice is one letter of its options, sent at once; an explanation the verifier gives is shown")
    func choice() {
        var machine = Fixtures.machine()
        machine.press(.char("v"), .char("2"))
        #expect(machine.statusLine.hasPrefix("Your choice (a, b, c; Esc cancels):"))
        #expect(machine.press(.char("z")).isEmpty)
        #expect(machine.press(.char("B")) == [.startVerification(id: 1, lessonID: "first", challenge: 2, input: VerificationInput(answer: "b"))])
        let report = VerifyReport(lessonID: "first", challenge: 2, status: .wrong, headline: "Not quite.", explanation: "The agent's timer is shorter.")
        _ = machine.handle(.verificationFinished(id: 1, report))
        #expect(machine.body.contains("Why: The agent's timer is shorter."))
    }

    @Test("build asks for a script file, Enter alone meaning the workspace file; your-server asks for a URL")
    func buildAndServer() {
        var machine = Fixtures.machine()
        machine.press(.char("v"), .char("3"))
        #expect(machine.statusLine.contains("Enter alone = the lesson's workspace file"))
        #expect(machine.press(.enter) == [.startVerification(id: 1, lessonID: "first", challenge: 3, input: VerificationInput())])
        _ = machine.handle(.verificationFinished(id: 1, VerifyReport(lessonID: "first", challenge: 3, status: .wrong, headline: "No.")))
        machine.press(.char("v"), .char("3"))
        machine.type("/tmp/mine.lab")
        #expect(machine.press(.enter) == [.startVerification(id: 2, lessonID: "first", challenge: 3, input: VerificationInput(file: "/tmp/mine.lab"))])
        _ = machine.handle(.verificationFinished(id: 2, VerifyReport(lessonID: "first", challenge: 3, status: .wrong, headline: "No.")))

        machine.press(.char("v"), .char("4"))
        #expect(machine.statusLine.hasPrefix("Your server's URL"))
        #expect(machine.press(.enter).isEmpty)   // nothing typed yet
        machine.type("http://127.0.0.1:9/")
        #expect(machine.press(.enter) == [.startVerification(id: 3, lessonID: "first", challenge: 4, input: VerificationInput(url: "http://127.0.0.1:9/"))])
    }

    @Test("Esc and Ctrl-C cancel a prompt; they don't quit")
    func cancelPrompt() {
        var machine = Fixtures.machine()
        machine.press(.char("v"))
        #expect(machine.press(.escape).isEmpty)
        #expect(machine.state.activity == .idle)
        machine.press(.char("v"), .char("1"))
        machine.type("12")
        #expect(machine.press(.ctrlC).isEmpty)
        #expect(machine.state.activity == .idle)
        #expect(machine.statusLine == "Cancelled.")
    }

    @Test("an item without a key has nothing to verify; a number that isn't a challenge is refused")
    func nothingToVerify() {
        var machine = Fixtures.machine()
        #expect(machine.press(.char("v"), .char("5")).isEmpty)
        #expect(machine.statusLine.contains("no check"))
        #expect(machine.press(.char("v"), .char("9")).isEmpty)
        #expect(machine.statusLine == "No challenge 9 in this lesson.")
    }

    @Test("Ctrl-C stops waiting for a verification; its late result is dropped")
    func staleResult() {
        var machine = Fixtures.machine()
        machine.press(.char("v"), .char("4"))
        machine.type("http://127.0.0.1:9/")
        machine.press(.enter)
        #expect(machine.press(.ctrlC).isEmpty)
        #expect(machine.state.activity == .idle)
        let late = VerifyReport(lessonID: "first", challenge: 4, status: .correct, headline: "Correct.")
        #expect(machine.handle(.verificationFinished(id: 1, late)).isEmpty)
        #expect(!machine.state.progress.isVerified("first", 4))
    }

    @Test("a lesson with one challenge goes straight to its answer")
    func singleChallenge() {
        var machine = Fixtures.machine(start: 1)
        machine.press(.char("v"))
        #expect(machine.statusLine.hasPrefix("Your answer (ms):"))
    }

    @Test("h asks which challenge, then reveals its hints one at a time and counts them in progress")
    func hints() {
        var machine = Fixtures.machine()
        machine.press(.char("h"))
        #expect(machine.statusLine.hasPrefix("Hint for which challenge"))
        var effects = machine.press(.char("1"))
        #expect(effects.savedProgress?.hintsSeen("first", 1) == 1)
        #expect(machine.text.contains("Hint 1 of 2:"))
        #expect(machine.text.contains("Count the free list."))
        #expect(!machine.text.contains("maxFreeSockets caps it."))
        #expect(machine.text.contains("1 more hint: press h."))
        effects = machine.press(.char("h"))   // the challenge chosen last
        #expect(effects.savedProgress?.hintsSeen("first", 1) == 2)
        #expect(machine.text.contains("maxFreeSockets caps it."))
        #expect(machine.press(.char("h")).isEmpty)
        #expect(machine.statusLine.contains("Every hint for challenge 1 is shown"))
    }

    @Test("a digit in the challenges view opens that challenge and makes it the one h and v start from")
    func selectByDigit() {
        var machine = Fixtures.machine()
        machine.press(.char("c"), .char("3"))
        #expect(machine.state.view == .challenge(3))
        #expect(machine.body[0].hasPrefix("Challenge 3 of 5 [build]"))
        #expect(machine.press(.char("h")).isEmpty)
        #expect(machine.statusLine == "Challenge 3 has no hints.")
        machine.press(.char("v"))
        #expect(machine.statusLine.contains("Enter = 3"))
        machine.press(.enter)
        #expect(machine.state.activity == .prompting(.init(purpose: .answer(challenge: 3, need: .script))))
    }

    @Test("a asks y/N before revealing; y verifies with reveal, the result marks it revealed; any other key changes nothing")
    func reveal() {
        var machine = Fixtures.machine(columns: 100, rows: 60)
        machine.press(.char("a"))
        #expect(machine.statusLine.hasPrefix("Open a challenge first"))
        machine.press(.char("c"), .char("1"))
        #expect(machine.press(.char("a")).isEmpty)
        #expect(machine.statusLine.hasPrefix("Show the answer to challenge 1? (it then counts as revealed, not verified) y/N"))
        #expect(machine.press(.char("n")).isEmpty)
        #expect(machine.statusLine == "Nothing changed.")
        machine.press(.char("a"))
        #expect(machine.press(.char("y")) == [.startVerification(id: 1, lessonID: "first", challenge: 1, input: VerificationInput(reveal: true))])
        let shown = VerifyReport(lessonID: "first", challenge: 1, status: .revealed, headline: "Revealed: the answer is 2.",
                                 explanation: "One socket is kept.")
        let effects = machine.handle(.verificationFinished(id: 1, shown))
        #expect(effects.savedProgress?.isRevealed("first", 1) == true)
        #expect(machine.body.contains("◆ Revealed: the answer is 2."))
        #expect(machine.body.contains("Why: One socket is kept."))
        #expect(machine.body[0].contains("◆ revealed"))
        // A correct answer afterwards stays revealed, and says so.
        machine.press(.char("v"), .char("1"))
        machine.type("2")
        machine.press(.enter)
        let right = VerifyReport(lessonID: "first", challenge: 1, status: .correct, headline: "Correct.")
        #expect(machine.handle(.verificationFinished(id: 2, right)).isEmpty)
        #expect(machine.statusLine.contains("stays revealed, not verified"))
        #expect(!machine.state.progress.isVerified("first", 1))
        #expect(machine.progressLine.contains("0/6"))
    }

    @Test("a wrong result says how to go on without giving the answer")
    func wrongSaysWhatNext() {
        var machine = Fixtures.machine(columns: 100, rows: 60)
        machine.press(.char("v"), .char("1"))
        machine.type("5")
        machine.press(.enter)
        _ = machine.handle(.verificationFinished(id: 1, VerifyReport(lessonID: "first", challenge: 1, status: .wrong, headline: "Not yet.")))
        #expect(machine.body.contains { $0.contains("Press v to try again, h for a hint, or a to see the answer") })
    }

    @Test("x asks y/N, then resets the challenge on screen, or the whole lesson elsewhere")
    func reset() {
        var progress = LearnerProgress()
        progress.current = "first"
        progress.markDone("first")
        progress.markVerified("first", 1)
        progress.markRevealed("first", 2)
        progress.revealHint("first", 1)
        var machine = Fixtures.machine(columns: 100, rows: 60, progress: progress)
        machine.press(.char("c"), .char("1"))
        machine.press(.char("x"))
        #expect(machine.statusLine.hasPrefix("Reset challenge 1 (verified or revealed, hints seen)? y/N"))
        #expect(machine.press(.escape).isEmpty)
        #expect(machine.state.progress.isVerified("first", 1))
        machine.press(.char("x"))
        let one = machine.press(.char("y")).savedProgress
        #expect(one?.isVerified("first", 1) == false && one?.hintsSeen("first", 1) == 0)
        #expect(one?.isRevealed("first", 2) == true && one?.isDone("first") == true)
        machine.press(.escape, .char("x"))
        #expect(machine.statusLine.hasPrefix("Reset lesson first"))
        let all = machine.press(.char("Y")).savedProgress
        #expect(all?.isRevealed("first", 2) == false && all?.isDone("first") == false)
        #expect(machine.statusLine.contains("is reset"))
    }

    @Test("? lists the reveal and reset keys")
    func helpLists() {
        var machine = Fixtures.machine(columns: 100, rows: 60)
        machine.press(.char("?"))
        #expect(machine.body.contains { $0.hasPrefix("  a ") && $0.contains("show the answer") })
        #expect(machine.body.contains { $0.hasPrefix("  x ") && $0.contains("reset progress") })
    }

    @Test("a word where a number is wanted is refused in the stepper before anything runs")
    func notANumber() {
        var machine = Fixtures.machine(start: 1)
        machine.state.lessons[1].challenges[0].numberUnit = .some("ms")
        machine.press(.char("v"))
        machine.type("soon")
        #expect(machine.press(.enter).isEmpty)
        #expect(machine.statusLine.hasPrefix("Challenge 1 wants a number (in ms); 'soon' is not one."))
        machine.press(.char("v"))
        machine.type("120ms")
        #expect(machine.press(.enter) == [.startVerification(id: 1, lessonID: "second", challenge: 1, input: VerificationInput(answer: "120ms"))])
    }
}

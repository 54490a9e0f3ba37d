import Foundation
import Testing
import Wire
@testable import WireLabCLI

/// A lessons directory holding one lesson with a challenge of every kind, and a fresh state directory.
func makeVerifyFixture() throws -> (lessons: String, environment: [String: String]) {
    let dir = NSTemporaryDirectory() + "wirelab-verify-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let text = """
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

        ## Concept

        Text.

        ## Experiment

        ```lab
        agent ka keepAlive=true maxSockets=1
        repeat 2 { ka GET / }
        print "connections: {server.connections}"
        ```

        ## Expected Output

        ```
        connections: 1
        ```

        ## Challenge

        1. How many?

           <!-- check predict
           answer: server.connections
           repeat 2 { fetch GET / "Connection: close" }
           -->
        2. Pick.

           <!-- check choice
           choices: a b
           answer: a
           explain: Because.
           -->
        3. Build.

           <!-- check build
           expect server.connections == 1 "one connection (the server accepted {server.connections})"
           expect run.requests >= 2 "two requests"
           -->
        4. Your server keeps alive and closes after 3 requests.

           <!-- check your-server
           max-wait: 300ms
           max-requests: 6
           expect probe.keepsAlive "keep the connection open after the first response"
           expect probe.maxRequests == 3 "close after 3 requests (found {probe.maxRequests}, {probe.maxRequestsEnding})"
           -->
        5. Broken.

           <!-- check predict
           answer: no.such.thing
           -->
        """
    try text.write(toFile: dir + "/01-kinds.md", atomically: true, encoding: .utf8)
    let state = NSTemporaryDirectory() + "wirelab-verify-state-\(UUID().uuidString)"
    return (dir, ["NO_COLOR": "1", "WIRELAB_STATE": state])
}

@Suite("wirelab verify, progress, edit, watch, list --json", .serialized)
struct VerifyCommandTests {
    @Test("each kind wrong then right: exit 1 then 0, and the right answer is saved in progress")
    func wrongThenRight() throws {
        let (lessons, env) = try makeVerifyFixture()
        let base = ["--lessons", lessons]
        let wrong = runLessonCLI(["verify", "kinds", "1", "1"] + base, environment: env)
        #expect(wrong.status == 1)
        #expect(wrong.out.contains("✘ Not yet: you said 1, and that is not what the run measured."))
        #expect(!wrong.out.contains("2"), "\(wrong.out)")
        #expect(wrong.out.contains("'wirelab verify kinds 1 --reveal'"))
        let right = runLessonCLI(["verify", "kinds", "1", "2"] + base, environment: env)
        #expect(right.status == 0)
        #expect(right.out.contains("Saved: 1 of 5 challenges verified."))

        let wrongChoice = runLessonCLI(["verify", "1", "2", "b"] + base, environment: env)
        #expect(wrongChoice.status == 1)
        #expect(wrongChoice.out.contains("Not yet: (b) is not the answer.") && !wrongChoice.out.contains("Because") && !wrongChoice.out.contains("(a)"))
        let choice = runLessonCLI(["verify", "1", "2", "a"] + base, environment: env)
        #expect(choice.status == 0)
        #expect(choice.out.contains("Why: Because."))

        let bad = NSTemporaryDirectory() + "wirelab-bad-\(UUID().uuidString).lab"
        try "repeat 2 { fetch GET / \"Connection: close\" }\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let build = runLessonCLI(["verify", "kinds", "3", "--file", bad] + base, environment: env)
        #expect(build.status == 1)
        #expect(build.out.contains("✘ one connection (the server accepted 2)\n"))
        #expect(!build.out.contains("[2 == 1]"))
        let good = NSTemporaryDirectory() + "wirelab-good-\(UUID().uuidString).lab"
        try "agent k keepAlive=true\nrepeat 2 { k GET / }\n".write(toFile: good, atomically: true, encoding: .utf8)
        #expect(runLessonCLI(["verify", "kinds", "3", "--file", good] + base, environment: env).status == 0)

        let progress = runLessonCLI(["progress", "--json"] + base, environment: env)
        let object = try jsonObject(progress.out)
        #expect(member(object, "challenges_verified") as? Int == 3)
        let byLesson = try #require(object["by_lesson"] as? [[String: Any]])
        #expect(byLesson.first?["verified"] as? [Int] == [1, 2, 3])
    }

    @Test("your-server: a server that closes after 3 requests passes; a default one does not")
    func yourServer() throws {
        let (lessons, env) = try makeVerifyFixture()
        let good = try backgroundServer { $0.maxRequestsPerSocket = 3 }
        defer { good.stop() }
        let pass = runLessonCLI(["verify", "kinds", "4", "--url", good.url + "/", "--lessons", lessons], environment: env)
        #expect(pass.status == 0, "\(pass.out)")
        #expect(pass.out.contains("What the probe measured:"))
        let misconfigured = try backgroundServer { $0.maxRequestsPerSocket = 0 }
        defer { misconfigured.stop() }
        let fail = runLessonCLI(["verify", "kinds", "4", "--url", misconfigured.url + "/", "--lessons", lessons], environment: env)
        #expect(fail.status == 1)
        #expect(fail.out.contains("close after 3 requests (found none, no limit found)"))
        let nobody = runLessonCLI(["verify", "kinds", "4", "--url", "http://127.0.0.1:1/", "--lessons", lessons], environment: env)
        #expect(nobody.status == 1)
        #expect(nobody.out.contains("Is your server running?"))
    }

    @Test("usage errors exit 64; a broken key exits 2", arguments: [
        (["verify"], 64, "Missing the lesson"),
        (["verify", "kinds"], 64, "Missing the challenge number"),
        (["verify", "kinds", "9"], 64, "has no challenge '9' (challenges: 1, 2, 3, 4, 5)"),
        (["verify", "kinds", "1"], 64, "asks for a prediction"),
        (["verify", "kinds", "2"], 64, "give one of a, b"),
        (["verify", "kinds", "3"], 64, "wirelab edit kinds"),
        (["verify", "kinds", "3", "--file", "/nonexistent.lab"], 64, "No such file"),
        (["verify", "kinds", "1", "2", "--url", "http://127.0.0.1:9/"], 64, "not a your-server challenge"),
        (["verify", "kinds", "4"], 64, "pass --url"),
        (["verify", "kinds", "4", "--url", "ftp://x/"], 64, "is not an http:// URL"),
        (["verify", "kinds", "5", "1"], 2, "key is broken"),
        (["verify", "kinds", "1", "2", "--reveal"], 64, "'--reveal' shows the answer"),
        (["verify", "kinds", "1", "z"], 64, "Challenge 1 of kinds wants a number; 'z' is not one (nothing was run or recorded)"),
        (["verify", "kinds", "2", "z"], 64, "'z' is not one of its options (a, b)"),
        (["verify", "kinds", "1", "2", "3"], 64, "Unexpected argument '3'"),
        (["verify", "nosuch", "1", "2"], 64, "nosuch"),
        (["verify", "kinds", "x", "2"], 64, "has no challenge 'x'"),
        (["hint"], 64, "Give the lesson and the challenge number"),
        (["hint", "kinds"], 64, "Give the lesson and the challenge number"),
        (["hint", "kinds", "9"], 64, "has no challenge '9'"),
        (["hint", "kinds", "1", "2"], 64, "Unexpected argument '2'"),
        (["hint", "nosuch", "1"], 64, "nosuch"),
        (["hint", "kinds", "1", "--bogus"], 64, "--bogus"),
        (["verify", "kinds", "1", "--bogus"], 64, "--bogus"),
        (["progress", "--bogus"], 64, "--bogus"),
        (["verify", "kinds", "3", "--reveal", "--file", "/x.lab"], 64, "'--reveal' shows the answer"),
    ] as [([String], Int32, String)])
    func exitCodes(arguments: [String], status: Int32, message: String) throws {
        let (lessons, env) = try makeVerifyFixture()
        let result = runLessonCLI(arguments + ["--lessons", lessons], environment: env)
        #expect(result.status == status)
        #expect((result.out + result.err).contains(message), "\(result.out)\(result.err)")
        if status == 64 {
            // Refused before anything ran, and nothing was recorded.
            #expect(!result.out.contains("Verifying"))
            #expect(!FileManager.default.fileExists(atPath: env["WIRELAB_STATE"]! + "/progress.json"))
        }
    }

    @Test("verify --json is one object with the verdict; the answer only after a correct one or a reveal")
    func json() throws {
        let (lessons, env) = try makeVerifyFixture()
        let result = runLessonCLI(["verify", "kinds", "1", "5", "--json", "--lessons", lessons], environment: env)
        #expect(result.status == 1)
        let object = try jsonObject(result.out)
        #expect(object["status"] as? String == "wrong")
        #expect(object["kind"] as? String == "predict")
        #expect(member(object, "observed.answer") == nil)
        #expect(member(object, "observed.given") as? String == "5")
        #expect(object["explanation"] is NSNull)
        let right = try jsonObject(runLessonCLI(["verify", "kinds", "2", "a", "--json", "--lessons", lessons], environment: env).out)
        #expect(right["explanation"] as? String == "Because.")
        #expect(right["recorded"] as? String == "verified")
        let revealed = runLessonCLI(["verify", "kinds", "1", "--reveal", "--json", "--lessons", lessons], environment: env)
        #expect(revealed.status == 0)
        let shown = try jsonObject(revealed.out)
        #expect(shown["status"] as? String == "revealed")
        #expect(member(shown, "observed.answer") as? String == "2")
        #expect(shown["recorded"] as? String == "revealed")
    }

    @Test("--reveal shows the answer and records it as revealed; a correct answer later stays revealed; progress counts it apart")
    func reveal() throws {
        let (lessons, env) = try makeVerifyFixture()
        let base = ["--lessons", lessons]
        let revealed = runLessonCLI(["verify", "kinds", "1", "--reveal"] + base, environment: env)
        #expect(revealed.status == 0)
        #expect(revealed.out.contains("◆ Revealed: measured live just now, the answer is 2."))
        #expect(revealed.out.contains("Recorded as revealed, not verified"))
        let after = runLessonCLI(["verify", "kinds", "1", "2"] + base, environment: env)
        #expect(after.status == 0)
        #expect(after.out.contains("This challenge stays revealed, not verified: you asked for its answer before."))
        #expect(runLessonCLI(["verify", "kinds", "2", "a"] + base, environment: env).status == 0)
        let again = runLessonCLI(["verify", "kinds", "2", "--reveal"] + base, environment: env)
        #expect(again.out.contains("Because.") && again.out.contains("You had verified it already; it stays verified."))

        // A your-server key reveals what it checks without a server; a broken key stays broken (exit 2).
        let server = runLessonCLI(["verify", "kinds", "4", "--reveal"] + base, environment: env)
        #expect(server.status == 0)
        #expect(server.out.contains("Revealed: the conditions this challenge checks") && server.out.contains("expect probe.maxRequests == 3"))
        #expect(runLessonCLI(["verify", "kinds", "5", "--reveal"] + base, environment: env).status == 2)
        #expect(runLessonCLI(["verify", "kinds", "4", "--url", "http://127.0.0.1:1/"] + base, environment: env).status == 1)

        let progress = try jsonObject(runLessonCLI(["progress", "--json"] + base, environment: env).out)
        #expect(progress["challenges_verified"] as? Int == 1)
        #expect(progress["challenges_revealed"] as? Int == 2)
        let lesson = try #require((progress["by_lesson"] as? [[String: Any]])?.first)
        #expect(lesson["verified"] as? [Int] == [2])
        #expect(lesson["revealed"] as? [Int] == [1, 4])
        let plain = runLessonCLI(["progress"] + base, environment: env).out
        #expect(plain.contains("1/5 challenges verified, 2 revealed"))
        #expect(plain.contains("challenges 1/5 (✔ 2), revealed 1, 4"))
    }

    @Test("list --json shows every lesson's challenges with kind and verified; list marks done lessons")
    func listJSON() throws {
        let (lessons, env) = try makeVerifyFixture()
        #expect(runLessonCLI(["verify", "kinds", "2", "a", "--lessons", lessons], environment: env).status == 0)
        let object = try jsonObject(runLessonCLI(["list", "--json", "--lessons", lessons], environment: env).out)
        let lesson = try #require((object["lessons"] as? [[String: Any]])?.first)
        let challenges = try #require(lesson["challenges"] as? [[String: Any]])
        #expect(challenges.map { $0["kind"] as? String } == ["predict", "choice", "build", "your-server", "predict"])
        #expect(challenges.map { $0["verified"] as? Bool } == [false, true, false, false, false])
        #expect(lesson["done"] as? Bool == false)
        // A matching run marks the lesson done; the plain list shows it.
        #expect(runLessonCLI(["run", "kinds", "--lessons", lessons], environment: env).status == 0)
        #expect(runLessonCLI(["list", "--lessons", lessons], environment: env).out.contains("✔ 1  kinds"))
    }

    @Test("progress --reset: refuses without a terminal unless --yes; asks on a terminal")
    func reset() throws {
        let (lessons, env) = try makeVerifyFixture()
        #expect(runLessonCLI(["verify", "kinds", "2", "a", "--lessons", lessons], environment: env).status == 0)
        let refused = runLessonCLI(["progress", "--reset", "--lessons", lessons], environment: env)
        #expect(refused.status == 64)
        #expect(refused.err.contains("pass --yes"))
        let declined = RecordingConsole(input: ScriptedInput(lines: ["n"], isTerminal: true))
        #expect(CLI.main(["progress", "--reset", "--lessons", lessons], console: declined, environment: env) == 1)
        #expect(FileManager.default.fileExists(atPath: env["WIRELAB_STATE"]! + "/progress.json"))
        let accepted = RecordingConsole(input: ScriptedInput(lines: ["y"], isTerminal: true))
        #expect(CLI.main(["progress", "--reset", "--lessons", lessons], console: accepted, environment: env) == 0)
        #expect(!FileManager.default.fileExists(atPath: env["WIRELAB_STATE"]! + "/progress.json"))
        #expect(runLessonCLI(["progress", "--reset", "--yes", "--lessons", lessons], environment: env).status == 0)
    }

    @Test("progress --reset LESSON [N] forgets one challenge or one lesson, after asking; without a terminal it needs --yes (else 64)")
    func resetPart() throws {
        let (lessons, env) = try makeVerifyFixture()
        let base = ["--lessons", lessons]
        #expect(runLessonCLI(["verify", "kinds", "2", "a"] + base, environment: env).status == 0)
        #expect(runLessonCLI(["verify", "kinds", "1", "--reveal"] + base, environment: env).status == 0)
        #expect(runLessonCLI(["run", "kinds"] + base, environment: env).status == 0)
        func lesson() throws -> [String: Any] {
            let object = try jsonObject(runLessonCLI(["progress", "--json"] + base, environment: env).out)
            return try #require((object["by_lesson"] as? [[String: Any]])?.first)
        }
        let refused = runLessonCLI(["progress", "--reset", "kinds", "2"] + base, environment: env)
        #expect(refused.status == 64)
        #expect(refused.err.contains("Refusing to reset challenge 2 of kinds without asking") && refused.err.contains("pass --yes"))
        #expect(try lesson()["verified"] as? [Int] == [2])

        let declined = RecordingConsole(input: ScriptedInput(lines: ["n"], isTerminal: true))
        #expect(CLI.main(["progress", "--reset", "kinds", "2"] + base, console: declined, environment: env) == 1)
        #expect(declined.stdout.contains("Forget your progress on challenge 2 of kinds (verified or revealed, hints seen)? [y/N]"))
        #expect(try lesson()["verified"] as? [Int] == [2])
        let accepted = RecordingConsole(input: ScriptedInput(lines: ["y"], isTerminal: true))
        #expect(CLI.main(["progress", "--reset", "kinds", "2"] + base, console: accepted, environment: env) == 0)
        #expect(accepted.stdout.contains("Reset challenge 2 of kinds: not verified, not revealed, no hints seen."))
        var after = try lesson()
        #expect(after["verified"] as? [Int] == [] && after["revealed"] as? [Int] == [1] && after["done"] as? Bool == true)

        let whole = runLessonCLI(["progress", "--reset", "1", "--yes"] + base, environment: env)
        #expect(whole.status == 0)
        #expect(whole.out.contains("Reset lesson kinds"))
        after = try lesson()
        #expect(after["revealed"] as? [Int] == [] && after["done"] as? Bool == false)
    }

    @Test("progress usage errors exit 64", arguments: [
        (["progress", "kinds"], "a lesson goes with '--reset'"),
        (["progress", "--reset", "kinds", "1", "2"], "Unexpected argument '2'"),
        (["progress", "--reset", "nosuch", "--yes"], "nosuch"),
        (["progress", "--reset", "kinds", "9", "--yes"], "has no challenge '9'"),
        (["progress", "--yes"], "'--yes' goes with '--reset'"),
    ] as [([String], String)])
    func progressUsage(arguments: [String], message: String) throws {
        let (lessons, env) = try makeVerifyFixture()
        let result = runLessonCLI(arguments + ["--lessons", lessons], environment: env)
        #expect(result.status == 64)
        #expect(result.err.contains(message), "\(result.err)")
    }

    @Test("a corrupt progress file is reported and kept aside, and the command still works")
    func corruptProgress() throws {
        let (lessons, env) = try makeVerifyFixture()
        let state = env["WIRELAB_STATE"]!
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try "garbage".write(toFile: state + "/progress.json", atomically: true, encoding: .utf8)
        let result = runLessonCLI(["progress", "--lessons", lessons], environment: env)
        #expect(result.status == 0)
        #expect(result.err.contains("could not be read as progress (not valid JSON); it was kept as"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: state).contains { $0.hasPrefix("progress.json.corrupt-") })
    }

    @Test("edit makes a workspace copy once; run --mine runs it against the lesson's expected output")
    func editAndMine() throws {
        let (lessons, env) = try makeVerifyFixture()
        let noCopy = runLessonCLI(["run", "kinds", "--mine", "--lessons", lessons], environment: env)
        #expect(noCopy.status == 64)
        #expect(noCopy.err.contains("wirelab edit kinds"))
        let edit = runLessonCLI(["edit", "kinds", "--lessons", lessons], environment: env)
        #expect(edit.status == 0)
        let copy = env["WIRELAB_STATE"]! + "/workspace/kinds.lab"
        #expect(edit.out.contains(copy))
        #expect(runLessonCLI(["run", "kinds", "--mine", "--lessons", lessons], environment: env).status == 0)
        // The learner's change shows up as a difference; a second edit keeps it.
        let text = try String(contentsOfFile: copy, encoding: .utf8)
        try text.replacingOccurrences(of: "repeat 2 { ka GET / }", with: "repeat 2 { fetch GET / \"Connection: close\" }")
            .write(toFile: copy, atomically: true, encoding: .utf8)
        let mine = runLessonCLI(["run", "kinds", "--mine", "--lessons", lessons], environment: env)
        #expect(mine.status == 1)
        #expect(mine.out.contains("connections: 2"))
        #expect(runLessonCLI(["edit", "kinds", "--lessons", lessons], environment: env).out.contains("kept as you left it"))
        // A build challenge checks the workspace copy when no --file is given.
        #expect(runLessonCLI(["verify", "kinds", "3", "--lessons", lessons], environment: env).status == 1)
    }

    @Test("watch re-runs when the file is saved (bounded by --runs)")
    func watch() throws {
        let path = NSTemporaryDirectory() + "wirelab-watch-\(UUID().uuidString).lab"
        try "print \"first\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        let console = LockedConsole()
        let done = DispatchSemaphore(value: 0)
        let box = StatusBox()
        let thread = Thread {
            box.status = CLI.main(["watch", path, "--runs", "2"], console: console, environment: ["NO_COLOR": "1"])
            done.signal()
        }
        thread.start()
        // Wait (bounded) for the first run to finish before saving the file.
        let deadline = Date().addingTimeInterval(20)
        while !console.stdout.contains("Waiting for") && Date() < deadline { usleep(10_000) }
        #expect(console.stdout.contains("Waiting for"))
        try "print \"second\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(done.wait(timeout: .now() + 20) == .success)
        #expect(box.status == 0)
        #expect(console.stdout.contains("first") && console.stdout.contains("second"))
    }

    @Test("hint reveals one hint at a time and counts it in progress; show hides hints")
    func hints() throws {
        let (lessons, env) = try makeVerifyFixture()
        let file = lessons + "/01-kinds.md"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "1. How many?\n", with: "1. How many?\n\n   > Hint: First clue.\n   > Hint: Second clue.\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let first = runLessonCLI(["hint", "kinds", "1", "--lessons", lessons], environment: env)
        #expect(first.out.contains("Hint 1 of 2: First clue.") && !first.out.contains("Second clue"))
        let second = runLessonCLI(["hint", "kinds", "1", "--lessons", lessons], environment: env)
        #expect(second.out.contains("Hint 2 of 2: Second clue.") && second.out.contains("That was the last hint."))
        let progress = try jsonObject(runLessonCLI(["progress", "--json", "--lessons", lessons], environment: env).out)
        #expect((progress["by_lesson"] as? [[String: Any]])?.first?["hints_seen"] as? Int == 2)
        let shown = runLessonCLI(["show", "kinds", "--lessons", lessons], environment: env).out
        #expect(!shown.contains("First clue") && !shown.contains("check predict"))
        #expect(shown.contains("wirelab hint kinds <n>"))
    }

    @Test("run of a lesson file that does not load exits 2, as a broken lesson")
    func runBrokenLessonFile() throws {
        let path = NSTemporaryDirectory() + "wirelab-broken-\(UUID().uuidString).md"
        try "---\nid: broken\nphase: x\n---\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = runLessonCLI(["run", path])
        #expect(result.status == 2)
        #expect(result.err.contains(path))
    }
}

final class StatusBox: @unchecked Sendable {
    var status: Int32 = -1
}

/// A recording console another thread may read while the command writes.
final class LockedConsole: Console, @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    let input: LineInput = ScriptedInput(lines: [], isTerminal: false)
    var stdout: String { lock.withLock { text } }
    func out(_ text: String) { lock.withLock { self.text += text } }
    func err(_ text: String) { lock.withLock { self.text += text } }
}

import Foundation
import Challenges
import LabKit
import Wire

/// `wirelab verify <lesson> <n> [answer] [--file path.lab] [--url http://...] [--reveal]`: checks a
/// challenge by running things, or shows its answer (recorded as revealed, not verified).
/// A your-client challenge runs the learner's client: `-- COMMAND ARGS...`, or `--wait` for a browser.
/// Exit 0 correct or revealed, 1 wrong, 2 the lesson's key is broken or COMMAND could not be run, 64 usage error.
enum VerifyCommand {
    static let summary = "Verify a challenge answer: predictions are computed live, scripts and servers are measured"
    static let usage = "wirelab verify <lesson> <n> [answer] [--file <script.lab>] [--url <http-url>] [--reveal] [--json] [--wait | -- COMMAND ARGS...]"
    static let options: [OptionSpec] = [
        OptionSpec(name: "reveal", valueName: nil, help: "Show the answer and its explanation instead (recorded as revealed, not verified)"),
        OptionSpec(name: "file", valueName: "path", help: "Your lab script, for a build challenge (default: your workspace copy from 'wirelab edit')"),
        OptionSpec(name: "url", valueName: "url", help: "Your server's URL, for a your-server challenge, e.g. http://127.0.0.1:8080/"),
        OptionSpec(name: "wait", valueName: nil, help: "For a your-client challenge: print the lab server's URL and wait (Enter, Ctrl-D or the challenge's limit) for a browser or a program you run"),
        OptionSpec(name: "json", valueName: nil, help: "Print one JSON object with the verdict"),
        OptionSpec(name: "lessons", valueName: "dir", help: "Lessons directory"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static func run(_ arguments: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        let split = arguments.firstIndex(of: "--")
        let command = split.map { Array(arguments[arguments.index(after: $0)...]) } ?? []
        let parsed = try parseArguments(split.map { Array(arguments[..<$0]) } ?? arguments, options: options, command: "verify")
        if parsed.has("help") {
            console.out(HelpText.command("verify", summary: summary, usage: usage, arguments: [
                ("<lesson>", "A lesson id or number"),
                ("<n>", "The challenge's number in the lesson ('wirelab show <lesson>' lists them)"),
                ("[answer]", "Your prediction (a number or a word) or your choice (a letter)"),
            ], options: options, discussion: """
                Kinds of challenge:
                  predict      give a number or word; the true answer is measured by running now
                  choice       give the letter of your choice
                  build        write a lab script; the conditions check what the server and agents
                               observed, so printing the right text is not enough
                  your-server  run your own server and give its URL; WireLab probes it
                  your-client  run your own client against the lab server the challenge sets up:
                               -- COMMAND ARGS... (WIRELAB_URL and {url} are the server's URL), or
                               --wait for a browser or a program you start; the conditions check
                               what the server observed of your client
                A wrong answer is told "not yet", never the right answer. The answer and the
                explanation show after a correct answer, or with --reveal: that records the
                challenge as revealed, not verified, and a correct answer later keeps it revealed.
                Exit status: 0 correct or revealed, 1 not yet, 2 the lesson's key is broken or
                COMMAND was not found or outran the challenge's limit, 64 usage error (a word where a number is wanted is one).
                A correct answer is saved in your progress ('wirelab progress').
                """))
            return 0
        }
        guard parsed.positionals.count >= 2 else {
            throw UsageError(parsed.positionals.isEmpty ? "Missing the lesson and the challenge number" : "Missing the challenge number", command: "verify")
        }
        guard parsed.positionals.count <= 3 else {
            throw UsageError("Unexpected argument '\(parsed.positionals[3])' (quote an answer that has spaces)", command: "verify")
        }
        let reveal = parsed.has("reveal")
        if reveal, parsed.positionals.count == 3 || parsed.value("file") != nil || parsed.value("url") != nil {
            throw UsageError("'--reveal' shows the answer; give it without an answer, --file or --url", command: "verify")
        }
        let context = LessonContext(explicit: parsed.value("lessons"), environment: environment)
        let lesson = try loadLesson(parsed.positionals[0], context: context, command: "verify")
        let challenge = try findChallenge(parsed.positionals[1], in: lesson, command: "verify")
        let number = challenge.number
        let answer = parsed.positionals.count == 3 ? parsed.positionals[2] : nil
        if split != nil && command.isEmpty { throw UsageError("Nothing after '--': give the command to run (your client)", command: "verify") }
        if parsed.has("wait") && !command.isEmpty { throw UsageError("Give either --wait or -- COMMAND, not both", command: "verify") }
        if reveal && (parsed.has("wait") || !command.isEmpty) { throw UsageError("'--reveal' shows the answer; give it without --wait or a command", command: "verify") }
        let input = VerificationInput(answer: answer, file: parsed.value("file"), url: parsed.value("url"), reveal: reveal,
                                      command: command.isEmpty ? nil : command, wait: parsed.has("wait"))
        let workspace = context.progressStore.workspaceFile(for: lesson.id)
        if !reveal { try checkInput(input, for: challenge, lesson: lesson, workspace: workspace) }

        let json = parsed.has("json")
        let style = json ? Style(isEnabled: false) : context.style
        if !json, let key = challenge.key {
            let doing = reveal ? (key.kind == .predict ? "measuring the answer live to show it" : "showing the answer") : activity(key.kind)
            console.line(style.dim("Verifying \(lesson.id) challenge \(number) (\(key.kind.rawValue)): \(doing)…"))
        }
        let wait = ClientWait { url, limitMs, finished in
            console.line("Point your browser or program at \(url)/  (also WIRELAB_URL=\(url))")
            console.line("Press Enter (or Ctrl-D) when it is done; at most \(limitMs / 1000)s.")
            Thread.detachNewThread {
                _ = readLine()
                finished()
            }
        }
        let result = ChallengeVerifier.verify(lesson: lesson, challenge: challenge, input: input, workspaceFile: workspace, clientWait: wait,
                                              environment: ProcessEnvironment.all.merging(environment) { _, given in given })
        if result.status == .unusableAnswer { throw UsageError(result.headline, command: "verify") }
        var recorded: Recorded?
        if result.status == .correct || result.status == .revealed {
            var progress = context.loadProgress(console)
            recorded = Recorded.record(result.status, lessonID: lesson.id, number: number, in: &progress)
            context.saveProgress(progress, console)
        }
        if json {
            console.line(report(result, lesson: lesson, number: number, recorded: recorded).text(pretty: true))
        } else {
            printResult(result, style: style, width: context.terminal.width, console: console)
            if let recorded {
                let counts = context.loadProgress(console).counts(in: context.library.lessons)
                console.line(style.dim(recorded.sentence(verified: counts.verified, revealed: counts.revealed, of: counts.challenges)))
            } else if result.status == .wrong, challenge.key != nil {
                var next = "Try again"
                if !challenge.hints.isEmpty { next += ", read a hint ('wirelab hint \(lesson.id) \(number)')" }
                next += ", or see the answer with 'wirelab verify \(lesson.id) \(number) --reveal' (it then counts as revealed, not verified)."
                console.line(style.dim(next))
            }
        }
        return result.status.exitCode
    }

    /// What a correct answer or a reveal did to the progress file.
    enum Recorded: String {
        case verified
        /// Correct, but the answer had been revealed before: it stays revealed.
        case staysRevealed = "stays revealed"
        case revealed
        /// Revealed after a correct answer: it stays verified.
        case staysVerified = "stays verified"

        static func record(_ status: VerificationStatus, lessonID: String, number: Int, in progress: inout LearnerProgress) -> Recorded {
            if status == .revealed {
                return progress.markRevealed(lessonID, number) ? .revealed : .staysVerified
            }
            return progress.markVerified(lessonID, number) ? .verified : .staysRevealed
        }

        func sentence(verified: Int, revealed: Int, of challenges: Int) -> String {
            let tally = "\(verified) of \(challenges) challenges verified" + (revealed > 0 ? ", \(revealed) revealed" : "")
            switch self {
            case .verified: return "Saved: \(tally)."
            case .staysRevealed: return "This challenge stays revealed, not verified: you asked for its answer before. (\(tally))"
            case .revealed: return "Recorded as revealed, not verified; a correct answer later keeps it revealed. (\(tally))"
            case .staysVerified: return "You had verified it already; it stays verified. (\(tally))"
            }
        }
    }

    static func activity(_ kind: ChallengeKind) -> String {
        switch kind {
        case .predict: return "measuring the answer live"
        case .choice: return "checking your choice"
        case .build: return "running your script and reading what the lab observed"
        case .yourServer: return "probing your server (this waits for its idle timeout, bounded)"
        case .yourClient: return "running your client against the lab server and reading what it observed"
        }
    }

    /// Usage errors for input that doesn't fit the challenge's kind.
    static func checkInput(_ input: VerificationInput, for challenge: Challenge, lesson: Lesson, workspace: String) throws(UsageError) {
        let command = "verify"
        let prefix = "Challenge \(challenge.number) of \(lesson.id)"
        guard let need = ChallengeVerifier.need(for: challenge) else { return }   // broken key: the verifier says so (exit 2)
        if input.file != nil, need != .script { throw UsageError("\(prefix) is not a build challenge; '--file' is for those", command: command) }
        if input.url != nil, need != .url { throw UsageError("\(prefix) is not a your-server challenge; '--url' is for those", command: command) }
        if input.command != nil || input.wait, need != .client {
            throw UsageError("\(prefix) is not a your-client challenge; '--wait' and '-- COMMAND' are for those", command: command)
        }
        switch need {
        case .answer:
            guard let answer = input.answer else {
                throw UsageError("\(prefix) asks for a prediction: give it after the number, e.g. wirelab verify \(lesson.id) \(challenge.number) <your answer>", command: command)
            }
            if let key = challenge.key, ChallengeVerifier.wantsNumber(key), ChallengeVerifier.numericGuess(answer, unit: key.fields["unit"]) == nil {
                let unit = key.fields["unit"].map { " (in \($0))" } ?? ""
                throw UsageError("\(prefix) wants a number\(unit); '\(answer)' is not one (nothing was run or recorded)", command: command)
            }
        case .choice(let options):
            guard let answer = input.answer else {
                throw UsageError("\(prefix) is a choice: give one of \(options.joined(separator: ", ")), e.g. wirelab verify \(lesson.id) \(challenge.number) <letter>", command: command)
            }
            let letter = answer.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: " ()."))
            if !options.contains(letter) {
                throw UsageError("\(prefix) is a choice: '\(answer)' is not one of its options (\(options.joined(separator: ", ")))", command: command)
            }
        case .script:
            if input.answer != nil { throw UsageError("\(prefix) asks for a script, not an answer: pass --file <script.lab>", command: command) }
            if let file = input.file {
                if !fileExists(file) { throw UsageError("No such file: \(file)", command: command) }
            } else if !fileExists(workspace) {
                throw UsageError("\(prefix) asks for a script: pass --file <script.lab>, or write your copy with 'wirelab edit \(lesson.id)' (\(workspace))", command: command)
            }
        case .client:
            if input.answer != nil { throw UsageError("\(prefix) runs your client: give it after '--', e.g. wirelab verify \(lesson.id) \(challenge.number) -- curl -s {url}/", command: command) }
            if input.command == nil && !input.wait {
                throw UsageError("\(prefix) runs your client: wirelab verify \(lesson.id) \(challenge.number) -- COMMAND ARGS... ({url} is the lab server), or --wait for a browser", command: command)
            }
        case .url:
            if input.answer != nil { throw UsageError("\(prefix) asks for your server's URL: pass --url http://127.0.0.1:PORT/", command: command) }
            guard let url = input.url else {
                throw UsageError("\(prefix) checks a server you run: start it, then pass --url http://127.0.0.1:PORT/", command: command)
            }
            do {
                _ = try HTTPOrigin.parse(url)
            } catch {
                switch error {
                case .notHTTP, .badPort, .noHost, .https: throw UsageError(error.description, command: command)
                case .unresolvable: break   // the verifier reports it as a wrong answer with the reason
                }
            }
        }
    }

    static func printResult(_ result: VerificationResult, style: Style, width: Int, console: Console) {
        switch result.status {
        case .correct: console.line(style.green("✔ ") + style.bold(result.headline))
        case .revealed: console.line(style.yellow("◆ ") + style.bold(result.headline))
        case .wrong, .unusableAnswer: console.line(style.red("✘ ") + style.bold(result.headline))
        case .brokenKey, .notRun: console.line(style.yellow("! ") + result.headline)
        }
        for line in result.details { console.line("  " + line) }
        if let explanation = result.explanation {
            console.line("")
            console.out(MarkdownRenderer(width: width, color: style.isEnabled).render("**Why:** " + explanation))
        }
    }

    /// The `--json` object. `answer` appears in `observed` only after a correct answer or a reveal;
    /// `recorded` says what progress now holds for the challenge (null when nothing was recorded).
    static func report(_ result: VerificationResult, lesson: Lesson, number: Int, recorded: Recorded? = nil) -> JSONValue {
        .object([
            ("lesson", .string(lesson.id)),
            ("challenge", .integer(number)),
            ("kind", result.kind.map { .string($0.rawValue) } ?? .null),
            ("status", .string(result.status.rawValue)),
            ("exit_code", .integer(Int(result.status.exitCode))),
            ("headline", .string(result.headline)),
            ("details", .array(result.details.map { .string($0) })),
            ("explanation", result.explanation.map { .string($0) } ?? .null),
            ("observed", .object(result.observed.map { ($0.0, .string($0.1)) })),
            ("recorded", recorded.map { .string($0.rawValue) } ?? .null),
        ])
    }
}

/// The challenge numbered `text` in `lesson`, or a usage error that lists the numbers there are.
func findChallenge(_ text: String, in lesson: Lesson, command: String) throws(UsageError) -> Challenge {
    guard let number = Int(text), let challenge = lesson.challenges.first(where: { $0.number == number }) else {
        let numbers = lesson.challenges.map { String($0.number) }.joined(separator: ", ")
        throw UsageError("\(lesson.id) has no challenge '\(text)'" + (numbers.isEmpty ? "" : " (challenges: \(numbers))"), command: command)
    }
    return challenge
}

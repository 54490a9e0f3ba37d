// ChallengeVerifier: checks a learner's answer to a challenge by running things, never by
// trusting what was typed or printed.
//
//   predict      the key's snippet runs now; its `answer:` expression is the truth
//   choice       the key names the option
//   build        the learner's script runs; the key's conditions read what the lab observed
//   your-server  the probe measures the learner's server; the key's conditions read its findings
//   your-client  the lab server (set up by the key) watches the learner's client; the conditions
//                read what it observed (`client.*`)
//
// A wrong answer never hands out the right one: no measured value, no right letter, no
// explanation, no direction ("higher"/"lower"). The answer and the key's `explain:` show only after
// a correct answer or when the learner asks to reveal it (`input.reveal`), which the caller
// records as revealed, not verified.
//
// It returns a result; printing it, saving progress and exit codes are the caller's business.

import Foundation
import LabKit
import LabRun
import LabScript
import Probe
import Wire

/// The verdict of one verification.
public enum VerificationStatus: String, Sendable {
    case correct
    case wrong
    /// The learner asked for the answer; it is shown, and counts as revealed, not verified.
    case revealed
    /// The answer is not of the kind the challenge wants (a word where a number is wanted): a usage
    /// error, nothing is judged or recorded.
    case unusableAnswer = "unusable answer"
    /// The lesson's key itself is broken (a lesson bug, not the learner's).
    case brokenKey = "broken key"
    /// A your-client challenge's command could not be run (not found, or still running at the
    /// key's limit): nothing was judged or recorded.
    case notRun = "command not run"

    /// 0 correct or revealed, 1 wrong, 2 broken key, 64 an unusable answer (a usage error).
    public var exitCode: Int32 {
        switch self {
        case .correct, .revealed: return 0
        case .wrong: return 1
        case .brokenKey, .notRun: return 2
        case .unusableAnswer: return 64
        }
    }
}

/// What the learner gave (the CLI's arguments, or what the stepper's prompt read).
public struct VerificationInput: Sendable, Equatable {
    /// A predicted number or word, or a choice's letter.
    public var answer: String?
    /// A lab script for a build challenge.
    public var file: String?
    /// The learner's server, for a your-server challenge.
    public var url: String?
    /// Show the answer (and the explanation) instead of judging one.
    public var reveal: Bool
    /// The learner's client, for a your-client challenge: a command and its arguments (`{url}`
    /// replaced, `WIRELAB_URL` set).
    public var command: [String]?
    /// A your-client challenge without a command: serve until the learner says they are done.
    public var wait: Bool

    public init(answer: String? = nil, file: String? = nil, url: String? = nil, reveal: Bool = false,
                command: [String]? = nil, wait: Bool = false) {
        self.answer = answer
        self.file = file
        self.url = url
        self.reveal = reveal
        self.command = command
        self.wait = wait
    }
}

/// What the learner has to supply to verify a challenge (what `wirelab verify` checks its
/// arguments against, and what the stepper's `v` asks for).
public enum ChallengeNeed: Sendable, Equatable {
    /// predict: a number or a word; `prompt` asks for it with the key's unit ("Your answer (ms):"),
    /// empty when it has none.
    case answer(prompt: String)
    /// choice: one of these option letters (a, b, c...).
    case choice(options: [String])
    /// build: a lab script (`--file`, or the lesson's workspace copy; in the stepper Enter alone).
    case script
    /// your-server: the URL of the learner's own server.
    case url
    /// your-client: a command line to run, or nothing to wait for a browser or a hand-run program.
    case client
}

/// How a your-client challenge without a command waits for the learner: `start` is called with the
/// lab server's URL once it listens, and calls `finished` (from any thread) when the learner is
/// done (Enter, Ctrl-D...). The key's `limit` ends the wait too.
public struct ClientWait {
    public var start: (_ url: String, _ limitMs: Int, _ finished: @escaping @Sendable () -> Void) -> Void
    public init(start: @escaping (_ url: String, _ limitMs: Int, _ finished: @escaping @Sendable () -> Void) -> Void) {
        self.start = start
    }
}

/// What a verification found, ready to show.
public struct VerificationResult: Sendable {
    public var status: VerificationStatus
    public var kind: ChallengeKind?
    /// One line: "Correct: ...", "Not yet: ..." or "Revealed: ...".
    public var headline: String
    /// Further lines: what really happened (after a correct answer or a reveal), the conditions that
    /// failed with their observed values, what the probe measured.
    public var details: [String]
    /// What the lab server observed of the learner's client (a your-client challenge), for the
    /// caller's `--json` or HAR.
    public var clientObservation: ClientObservation?
    /// The key's `explain:`, only after a correct answer or a reveal.
    public var explanation: String?
    /// Name → value pairs that were observed (for `--json`); never the answer after a wrong one.
    public var observed: [(String, String)]

    public init(status: VerificationStatus, kind: ChallengeKind?, headline: String, details: [String] = [],
                explanation: String? = nil, observed: [(String, String)] = [], clientObservation: ClientObservation? = nil) {
        self.clientObservation = clientObservation
        self.status = status
        self.kind = kind
        self.headline = headline
        self.details = details
        self.explanation = explanation
        self.observed = observed
    }
}

public enum ChallengeVerifier {
    /// What `challenge` needs, or nil when it has no usable key.
    public static func need(for challenge: Challenge) -> ChallengeNeed? {
        guard let key = challenge.key else { return nil }
        switch key.kind {
        case .predict: return .answer(prompt: key.fields["unit"].map { "Your answer (\($0)):" } ?? "")
        case .choice: return .choice(options: key.choices)
        case .build: return .script
        case .yourServer: return .url
        case .yourClient: return .client
        }
    }

    /// Verifies `input` against `challenge` of `lesson`. Synchronous: a predict or build check runs an
    /// experiment (seconds at most, bounded by the key's `limit`), a your-server check probes the
    /// learner's server (bounded by `max-wait`).
    public static func verify(lesson: Lesson, challenge: Challenge, input: VerificationInput,
                              workspaceFile: String? = nil, clientWait: ClientWait? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> VerificationResult {
        guard let key = challenge.key else {
            let why = challenge.keyProblem.map { "its key is broken: \(lesson.path):\($0)" }
                ?? "it has no key (a '<!-- check KIND ... -->' comment under the item)"
            return VerificationResult(status: .brokenKey, kind: nil, headline: "Challenge \(challenge.number) of \(lesson.id) can't be verified: \(why)")
        }
        if input.reveal { return reveal(key, lesson: lesson) }
        switch key.kind {
        case .predict: return verifyPrediction(key, lesson: lesson, answer: input.answer)
        case .choice: return verifyChoice(key, answer: input.answer)
        case .build: return verifyBuild(key, lesson: lesson, file: input.file ?? existing(workspaceFile), workspace: workspaceFile)
        case .yourServer: return verifyServer(key, lesson: lesson, url: input.url)
        case .yourClient: return verifyClient(key, lesson: lesson, input: input, wait: clientWait, environment: environment)
        }
    }

    private static func existing(_ path: String?) -> String? {
        guard let path, FileManager.default.fileExists(atPath: path) else { return nil }
        return path
    }

    // MARK: Shared

    static func limitMs(_ key: ChallengeKey) -> Int { key.fields["limit"].flatMap(parseKeyDuration) ?? 30_000 }

    /// The key's script parsed at its file lines, or a broken-key result.
    static func conditions(_ key: ChallengeKey, lesson: Lesson) -> Result<Script, BrokenKey> {
        do throws(ScriptDiagnostics) {
            return .success(try LabScriptParser.parse(key.script, lineOffset: key.scriptFirstLine - 1))
        } catch {
            return .failure(BrokenKey(result: broken(key, lesson: lesson, error.diagnostics[0].description)))
        }
    }

    struct BrokenKey: Error { var result: VerificationResult }

    static func broken(_ key: ChallengeKey, lesson: Lesson, _ what: String) -> VerificationResult {
        VerificationResult(status: .brokenKey, kind: key.kind,
                           headline: "This challenge's key is broken (a bug in the lesson, not in your answer): \(lesson.path):\(what)")
    }

    static func render(_ diagnostic: ScriptDiagnostic, file: String, source: String) -> String {
        diagnostic.rendered(file: file, source: source)
    }
}

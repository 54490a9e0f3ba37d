import Challenges
import LabKit
import LabRun

/// The terminal's size in character cells.
public struct TerminalSize: Sendable, Equatable {
    public var columns: Int
    public var rows: Int
    public init(columns: Int, rows: Int) {
        self.columns = max(1, columns)
        self.rows = max(1, rows)
    }
}

/// StepperEvent: everything that can happen to the stepper, in the past tense of the IO layer: a
/// key was pressed, the window was resized, the running experiment printed a line or finished, a
/// verification finished, saving progress failed.
public enum StepperEvent: Sendable {
    case key(Key)
    case resized(TerminalSize)
    /// The running experiment printed `line` (streamed live).
    case runPrinted(String)
    /// The running experiment finished (matched, differed, broke, or stopped after Ctrl-C).
    case runFinished(RunReport)
    /// The verification started by `.startVerification(id: id, ...)` finished.
    case verificationFinished(id: Int, VerifyReport)
    /// The your-client verification `id` (no command) listens on `url` and waits for the learner's
    /// client, at most `limitMs`, until `.finishClientWait(id:)`.
    case clientWaiting(id: Int, url: String, limitMs: Int)
    /// Writing the progress file failed; the message says why.
    case progressNotSaved(String)
    /// The editor opened by `.openEditor` exited; the message says what happened (file path, errors).
    case editorFinished(String)
    /// The learner saved their workspace copy of the lesson's experiment (its modification time changed).
    case workspaceSaved(lessonID: String)
}

/// StepperEffect: what the state machine asks the IO layer to do. The machine never waits for an
/// effect: results come back as events.
public enum StepperEffect: Sendable, Equatable {
    /// Run the lesson's experiment (with `workspace`, the learner's copy of it, against the lesson's
    /// expected output) on a background thread; post `.runPrinted` per line, then `.runFinished`.
    case startRun(lessonID: String, workspace: Bool = false)
    /// Stop the running experiment (Ctrl-C). `.runFinished` still follows.
    case cancelRun
    /// Verify a challenge on a background thread; post `.verificationFinished(id:...)` with the same id.
    case startVerification(id: Int, lessonID: String, challenge: Int, input: VerificationInput)
    /// End the wait of your-client verification `id` (Enter: judge now; Esc/Ctrl-C: stop, the
    /// result is then dropped as stale). The server stops observing either way.
    case finishClientWait(id: Int)
    /// Write the progress file (atomically); post `.progressNotSaved` when that fails.
    case saveProgress(LearnerProgress)
    /// Copy the experiment to the lesson's workspace file if absent and open `$VISUAL`/`$EDITOR` on
    /// it (leaving the alternate screen meanwhile); post `.editorFinished`.
    case openEditor(lessonID: String)
    /// Restore the terminal and end the stepper.
    case quit
}

/// The result of verifying one challenge, as the stepper shows it.
public struct VerifyReport: Sendable, Equatable {
    public var lessonID: String
    public var challenge: Int
    /// Never `.unusableAnswer`: `LessonBackend` shows one as `.wrong`.
    public var status: VerificationStatus
    /// One line: "Correct: ..." / "Not yet: ..." / "Revealed: ...".
    public var headline: String
    /// More lines of feedback: what really happened, failed conditions, measured values.
    public var details: [String]
    /// The key's explanation: only after a correct answer or a reveal.
    public var explanation: String?

    public init(lessonID: String, challenge: Int, status: VerificationStatus, headline: String, details: [String] = [],
                explanation: String? = nil) {
        self.lessonID = lessonID
        self.challenge = challenge
        self.status = status
        self.headline = headline
        self.details = details
        self.explanation = explanation
    }
}

/// How a run ended, ready to show: the verdict, the lines explaining it (errors, failed expects,
/// the diff on a mismatch, the verdict line), and the requests for the waterfall.
public struct RunReport: Sendable {
    public var lessonID: String
    public var verdict: Verdict
    /// True when the run ended because the learner pressed Ctrl-C.
    public var wasStopped: Bool
    /// The verdict and what explains it, styled already (colour only when the stepper uses colour).
    public var lines: [String]
    public var requests: [RequestRecord]
    /// The raw sockets the run opened: the waterfall draws them beside the agents' connections.
    public var sockets: [SocketRecord]
    public var startedNanos: Int64
    /// The file that ran: the lesson's, or the learner's copy ("" when not known).
    public var file: String

    public init(lessonID: String, verdict: Verdict, wasStopped: Bool = false, lines: [String],
                requests: [RequestRecord] = [], sockets: [SocketRecord] = [], startedNanos: Int64 = 0, file: String = "") {
        self.file = file
        self.sockets = sockets
        self.lessonID = lessonID
        self.verdict = verdict
        self.wasStopped = wasStopped
        self.lines = lines
        self.requests = requests
        self.startedNanos = startedNanos
    }

    /// A match marks the lesson done.
    public var isMatch: Bool { verdict == .match && !wasStopped }
}

import Challenges
import Foundation
import LabKit
import LabRun

/// StepperBackend: the slow or side-effecting work behind the stepper's effects. The driver calls
/// `run` and `verify` on background threads (each blocks until done) and the rest on its own thread.
public protocol StepperBackend: Sendable {
    /// Runs the lesson's experiment live (with `workspace`, the learner's copy of it, against the
    /// lesson's expected output), calling `onLine` for each printed line as it happens;
    /// `cancellation.cancel()` from another thread stops it soon after. Blocks until the run ends.
    func run(lessonID: String, workspace: Bool, cancellation: RunCancellation, onLine: @escaping @Sendable (String) -> Void) -> RunReport
    /// Verifies challenge `challenge` of the lesson with what the learner typed. Blocks (seconds, for
    /// a build or your-server key).
    func verify(lessonID: String, challenge: Int, input: VerificationInput) -> VerifyReport
    /// The same, for a your-client check that waits (`input.wait`): the backend calls
    /// `waiting.started(url:limitMs:)` once the lab server listens, and the wait ends at the key's
    /// limit or when the driver calls `waiting.finish()` (Enter, Esc, Ctrl-C).
    func verify(lessonID: String, challenge: Int, input: VerificationInput, waiting: ClientWaitChannel) -> VerifyReport
    /// Writes the progress file atomically.
    func save(_ progress: LearnerProgress) throws
    /// The lesson's workspace file, created from its experiment when it does not exist yet.
    func prepareWorkspace(lessonID: String) throws -> String
    /// Where the lesson's workspace file is (it may not exist).
    func workspaceFile(for lessonID: String) -> String
}

extension StepperBackend {
    /// A backend with no wait of its own verifies as usual.
    public func verify(lessonID: String, challenge: Int, input: VerificationInput, waiting: ClientWaitChannel) -> VerifyReport {
        verify(lessonID: lessonID, challenge: challenge, input: input)
    }
}

/// ClientWaitChannel: between the driver's thread and a verification waiting for the learner's
/// client. The backend says when the server listens (`started`, which calls `onStarted`) and hands
/// over how to end the wait; `finish()` ends it, at once if it started, else as soon as it does.
public final class ClientWaitChannel: @unchecked Sendable {
    private let lock = NSLock()
    private var finishWait: (@Sendable () -> Void)?
    private var isFinished = false
    private let onStarted: @Sendable (_ url: String, _ limitMs: Int) -> Void

    public init(onStarted: @escaping @Sendable (_ url: String, _ limitMs: Int) -> Void = { _, _ in }) {
        self.onStarted = onStarted
    }

    /// The server listens on `url` for at most `limitMs`; `finished` ends the wait (any thread).
    public func started(url: String, limitMs: Int, finished: @escaping @Sendable () -> Void) {
        lock.lock()
        let already = isFinished
        if !already { finishWait = finished }
        lock.unlock()
        if already { finished() } else { onStarted(url, limitMs) }
    }

    /// Ends the wait (Enter, Esc, Ctrl-C).
    public func finish() {
        lock.lock()
        isFinished = true
        let finished = finishWait
        finishWait = nil
        lock.unlock()
        finished?()
    }
}

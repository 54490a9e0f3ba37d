import Challenges
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
    /// Writes the progress file atomically.
    func save(_ progress: LearnerProgress) throws
    /// The lesson's workspace file, created from its experiment when it does not exist yet.
    func prepareWorkspace(lessonID: String) throws -> String
    /// Where the lesson's workspace file is (it may not exist).
    func workspaceFile(for lessonID: String) -> String
}

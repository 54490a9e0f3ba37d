import Challenges
import LabKit

/// StepperState: everything the stepper shows and remembers, as plain values. `StepperMachine`
/// changes it in response to events; the screen is a function of it (`StepperScreen`).
public struct StepperState: Sendable {
    /// What fills the body of the screen.
    public enum View: Sendable, Equatable {
        /// The Concept and Key Insight of the current lesson: where every lesson opens.
        case lesson
        /// The experiment's source with file line numbers (`e`).
        case source
        /// The live output of the current or last run, then its verdict (`r`).
        case run
        /// Every challenge of the lesson: number, kind, ✔ when verified, prompt (`c`).
        case challenges
        /// One challenge: its prompt, the hints revealed so far, the last verification result.
        case challenge(Int)
        /// The waterfall of the last run (`w`).
        case waterfall
        /// Deep Dive and Common Mistakes (`d`).
        case deepDive
        /// Every lesson, to pick one with the arrows and Enter (`l`).
        case lessonList
        /// The keys (`?`).
        case help
    }

    /// What the stepper is busy with. Legal moves:
    /// idle → prompting (v, h) → idle (Esc) or verifying (Enter);
    /// idle → prompting (a, x: y/N) → idle (any key) or verifying (y after a);
    /// idle → running (r) → idle (run finished; Ctrl-C first makes it `isStopping`);
    /// verifying → idle (verification finished, or Ctrl-C stops waiting for it).
    public enum Activity: Sendable, Equatable {
        case idle
        case prompting(Prompt)
        /// An experiment runs; keys are ignored except Ctrl-C, which stops it.
        case running(lessonID: String, isStopping: Bool)
        /// A verification runs; keys are ignored except Ctrl-C, which stops waiting for it. While a
        /// your-client check waits for the learner's client (`clientWait`), Enter ends the wait
        /// (then the verdict) and Esc or Ctrl-C stops it.
        case verifying(id: Int, lessonID: String, challenge: Int)
    }

    /// A question on the status line, with what has been typed so far.
    public struct Prompt: Sendable, Equatable {
        public enum Purpose: Sendable, Equatable {
            /// `v`: which challenge to verify. `suggested` is taken on Enter with nothing typed.
            case verifyWhich(suggested: Int?)
            /// `h`: which challenge to show the next hint of.
            case hintWhich(suggested: Int?)
            /// The answer (or file, URL, choice letter) for challenge `challenge`.
            case answer(challenge: Int, need: ChallengeNeed)
            /// y/N before something that can't be undone: `y` does it, any other key cancels.
            case confirm(Confirmation)
        }
        public var purpose: Purpose
        public var text: String = ""
    }

    /// What a y/N prompt is about to do.
    public enum Confirmation: Sendable, Equatable {
        /// `a`: show challenge N's answer (it then counts as revealed, not verified).
        case reveal(challenge: Int)
        /// `x` in a challenge's view: forget challenge N's verified or revealed mark and hints seen.
        case resetChallenge(Int)
        /// `x` elsewhere: forget the lesson's done mark and all of its challenges' progress.
        case resetLesson
    }

    /// One run of a lesson's experiment: the lines it printed and, once finished, its report.
    public struct RunRecord: Sendable {
        /// True for a run of the learner's workspace copy rather than the lesson's own experiment.
        public var isWorkspace = false
        public var lines: [String] = []
        public var report: RunReport?
    }

    public var lessons: [StepperLesson]
    /// The index in `lessons` of the lesson on screen.
    public var index: Int
    public var progress: LearnerProgress
    public var size: TerminalSize
    /// True when ANSI styles may be used (a terminal, and `NO_COLOR` unset).
    public var color: Bool
    /// Plain mode (`--plain`, `TERM=dumb`): ASCII only — no box drawing, no block bar, words for
    /// the marks — for screen readers and terminals that can't draw them.
    public var plain = false
    public var view: View = .lesson
    /// The first body line shown, in the current view.
    public var scroll = 0
    public var activity: Activity = .idle
    /// The last run of each lesson this session, by lesson id.
    public var runs: [String: RunRecord] = [:]
    /// The last verification result of each challenge this session, by `"<lesson id>#<number>"`.
    public var results: [String: VerifyReport] = [:]
    /// The challenge last selected, asked about or verified in this lesson: `h` and `v` start there.
    public var selectedChallenge: Int?
    /// The row of the lesson list the arrows are on.
    public var listCursor = 0
    /// A notice on the status line (wrapped over more rows when long); the next key press clears it.
    public var message: String?
    /// Lessons whose experiment the learner copied with `E` this session: their run view says
    /// which file ran and that `R` runs the copy.
    public var editedLessons: Set<String> = []
    /// The id the next verification gets, so a result that arrives after Ctrl-C is recognised as stale.
    public var nextVerificationID = 1
    /// A your-client verification waiting for the learner's own client (`v`, then Enter on an
    /// empty command line), from its start; the lab server's URL and the key's limit once it listens.
    public var clientWait: ClientWaitInfo?

    public init(lessons: [StepperLesson], index: Int, progress: LearnerProgress, size: TerminalSize, color: Bool) {
        self.lessons = lessons
        self.index = index
        self.progress = progress
        self.size = size
        self.color = color
        listCursor = index
    }

    /// The lesson on screen.
    public var lesson: StepperLesson { lessons[index] }

    /// The last run of the lesson on screen, if any this session.
    public var currentRun: RunRecord? { runs[lesson.id] }

    public func result(_ lessonID: String, _ challenge: Int) -> VerifyReport? { results["\(lessonID)#\(challenge)"] }

    /// Lessons done among the lessons in the library (progress may name lessons that are gone).
    public var lessonsDone: Int { lessons.filter { progress.isDone($0.id) }.count }
    /// Challenges in every lesson (counted as `LearnerProgress.counts(in:)` counts them).
    public var challengesTotal: Int { lessons.reduce(0) { $0 + $1.challenges.count } }
    /// Challenges verified, in every lesson of the library.
    public var challengesVerified: Int {
        lessons.reduce(0) { sum, lesson in sum + lesson.challenges.filter { progress.isVerified(lesson.id, $0.number) }.count }
    }
    /// Challenges revealed (answer shown, so not verified), in every lesson of the library.
    public var challengesRevealed: Int {
        lessons.reduce(0) { sum, lesson in sum + lesson.challenges.filter { progress.isRevealed(lesson.id, $0.number) }.count }
    }
}

/// The wait of a your-client verification without a command: the server the learner points their
/// client at, for at most `limitMs`; both nil until the server listens.
public struct ClientWaitInfo: Sendable, Equatable {
    public var verificationID: Int
    public var url: String?
    public var limitMs: Int?
    public init(verificationID: Int, url: String? = nil, limitMs: Int? = nil) {
        self.verificationID = verificationID
        self.url = url
        self.limitMs = limitMs
    }
}

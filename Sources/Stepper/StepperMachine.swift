import LabKit

/// StepperMachine: the stepper's decisions, as a pure state machine. Events go in through
/// `handle(_:)`; it changes `state` and returns the effects the IO layer must carry out (start a
/// run, save progress, quit...). It does no IO: no terminal, no files, no threads, no clocks. What
/// the terminal shows is `screen`, a function of the state.
///
/// Rules it keeps:
/// - moving to another lesson happens only on `n`, `p` or a pick from the list, never by itself;
/// - while an experiment runs every key is ignored except Ctrl-C, which stops the run (the stepper
///   stays); Ctrl-C anywhere else quits, like `q` (in a prompt it cancels the prompt);
/// - every change of progress (lesson done, challenge verified, hint revealed, current lesson)
///   comes with a `.saveProgress` effect carrying the whole new progress.
public struct StepperMachine: Sendable {
    public internal(set) var state: StepperState
    /// What to do once the stepper is on screen: save the opening lesson as the current one, if it changed.
    public private(set) var openingEffects: [StepperEffect] = []

    /// Opens at `start` (an index in `lessons`) when given, else at the lesson progress says is
    /// current, else at the first lesson not done. `lessons` must not be empty.
    public init(lessons: [StepperLesson], progress: LearnerProgress, size: TerminalSize, color: Bool, start: Int? = nil) {
        precondition(!lessons.isEmpty, "the stepper needs at least one lesson")
        let index = start.map { min(max($0, 0), lessons.count - 1) } ?? Self.openingIndex(lessons: lessons, progress: progress)
        state = StepperState(lessons: lessons, index: index, progress: progress, size: size, color: color)
        if state.progress.current != lessons[index].id {
            state.progress.current = lessons[index].id
            openingEffects = [.saveProgress(state.progress)]
        }
    }

    /// The lesson to open when none is asked for: the current one saved in progress if it still
    /// exists, else the first lesson not done, else the first lesson.
    public static func openingIndex(lessons: [StepperLesson], progress: LearnerProgress) -> Int {
        if let current = progress.current, let index = lessons.firstIndex(where: { $0.id == current }) { return index }
        return lessons.firstIndex { !progress.isDone($0.id) } ?? 0
    }

    /// The screen for the current state and terminal size.
    public var screen: Screen { StepperScreen.compose(state) }

    /// Applies one event and returns what the IO layer must do, in order.
    public mutating func handle(_ event: StepperEvent) -> [StepperEffect] {
        switch event {
        case .key(let key):
            return keyPressed(key)
        case .resized(let size):
            state.size = size
            clampScroll()
            if state.view == .lessonList { revealListCursor() }
            return []
        case .runPrinted(let line):
            return runPrinted(line)
        case .runFinished(let report):
            return runFinished(report)
        case .verificationFinished(let id, let report):
            return verificationFinished(id: id, report)
        case .clientWaiting(let id, let url, let limitMs):
            guard case .verifying(let expected, _, _) = state.activity, expected == id else { return [.finishClientWait(id: id)] }
            state.clientWait = ClientWaitInfo(verificationID: id, url: url, limitMs: limitMs)
            return []
        case .progressNotSaved(let reason):
            state.message = "Progress not saved: \(reason)"
            return []
        case .editorFinished(let message):
            state.message = message
            return []
        case .workspaceSaved(let lessonID):
            // Saving the copy re-runs it, like `wirelab watch`, unless the stepper is busy or elsewhere.
            guard lessonID == state.lesson.id, state.activity == .idle else { return [] }
            state.message = nil
            return startRun(workspace: true)
        }
    }

    // MARK: Keys, by activity

    private mutating func keyPressed(_ key: Key) -> [StepperEffect] {
        switch state.activity {
        case .running(let lessonID, let isStopping):
            // Keys are ignored while an experiment runs, except Ctrl-C, which stops the run only.
            guard key == .ctrlC, !isStopping else { return [] }
            state.activity = .running(lessonID: lessonID, isStopping: true)
            return [.cancelRun]
        case .verifying(let id, _, let number):
            let waiting = state.clientWait?.verificationID == id
            if waiting && key == .enter {
                // Done with the client: the server stops observing and the verdict follows.
                state.clientWait = nil
                return [.finishClientWait(id: id)]
            }
            guard key == .ctrlC || (waiting && key == .escape) else { return [] }
            state.activity = .idle
            state.clientWait = nil
            state.message = waiting ? "Stopped waiting for your client; challenge \(number) was not judged."
                : "Stopped waiting for the verification of challenge \(number)."
            return waiting ? [.finishClientWait(id: id)] : []
        case .prompting(let prompt):
            return promptKey(key, prompt)
        case .idle:
            state.message = nil
            return idleKey(key)
        }
    }

    // MARK: Runs

    mutating func startRun(workspace: Bool = false) -> [StepperEffect] {
        let lesson = state.lesson
        guard lesson.experiment != nil else {
            state.message = "This lesson has no experiment to run."
            return []
        }
        state.runs[lesson.id] = StepperState.RunRecord(isWorkspace: workspace)
        state.activity = .running(lessonID: lesson.id, isStopping: false)
        show(.run)
        return [.startRun(lessonID: lesson.id, workspace: workspace)]
    }

    private mutating func runPrinted(_ line: String) -> [StepperEffect] {
        guard case .running(let lessonID, _) = state.activity else { return [] }
        state.runs[lessonID, default: StepperState.RunRecord()].lines.append(TextFit.sanitized(line))
        if state.view == .run { state.scroll = maxScroll }   // follow the output as it arrives
        return []
    }

    private mutating func runFinished(_ report: RunReport) -> [StepperEffect] {
        guard case .running(let lessonID, _) = state.activity, lessonID == report.lessonID else { return [] }
        state.activity = .idle
        state.runs[lessonID, default: StepperState.RunRecord()].report = report
        if state.view == .run {
            // Show the verdict: from the start of the report when it is longer than the screen.
            let reportStart = StepperScreen.runReportStart(state)
            state.scroll = min(maxScroll, reportStart)
        }
        var effects: [StepperEffect] = []
        if report.isMatch {
            state.message = (state.plain ? "Done:" : "✔") + " Lesson done. n goes on when you are ready; c shows the challenges."
            if !state.progress.isDone(lessonID) {
                state.progress.markDone(lessonID)
                effects.append(.saveProgress(state.progress))
            }
        } else if report.wasStopped {
            state.message = "Run stopped."
        }
        return effects
    }

    // MARK: Moving between lessons and views

    mutating func moveToLesson(_ index: Int) -> [StepperEffect] {
        guard state.lessons.indices.contains(index) else {
            state.message = index < 0 ? "This is the first lesson." : "This is the last lesson."
            return []
        }
        state.index = index
        state.listCursor = index
        state.selectedChallenge = nil
        show(.lesson)
        state.progress.current = state.lesson.id
        return [.saveProgress(state.progress)]
    }

    mutating func show(_ view: StepperState.View) {
        state.view = view
        state.scroll = 0
    }

    // MARK: Scrolling

    var bodyHeight: Int { StepperScreen.bodyHeight(state) }
    var maxScroll: Int { max(0, StepperScreen.bodyLines(state).count - bodyHeight) }

    mutating func scroll(by delta: Int) {
        state.scroll = min(max(0, state.scroll + delta), maxScroll)
    }

    mutating func clampScroll() {
        state.scroll = min(max(0, state.scroll), maxScroll)
    }

    /// Scrolls the lesson list so the cursor's row is on screen.
    mutating func revealListCursor() {
        let row = StepperScreen.listRow(ofLesson: state.listCursor, in: state.lessons)
        if row < state.scroll { state.scroll = row }
        if row >= state.scroll + bodyHeight { state.scroll = row - bodyHeight + 1 }
        clampScroll()
    }
}

extension StepperMachine {
    /// Puts `message` on the status line until the next key press.
    public mutating func showNotice(_ message: String) {
        state.message = message
    }
}

import LabKit

/// StepperApp: the entry point of the interactive stepper (`wirelab`, `wirelab learn`).
public enum StepperApp {
    /// True when both standard input and standard output are terminals: the only case the stepper
    /// starts in. (Piped or redirected, `wirelab` prints the lesson list instead.)
    public static var isInteractive: Bool {
        TerminalIO.isTerminal(TerminalIO.standardInput) && TerminalIO.isTerminal(TerminalIO.standardOutput)
    }

    /// Runs the stepper on this process's terminal until the learner quits, and returns the exit
    /// status: 0 after `q` or Ctrl-C, 128 + the signal after SIGTERM/SIGINT/SIGHUP, 1 when the
    /// terminal could not be set up (then `problem` says why; nothing was drawn).
    ///
    /// - Parameters:
    ///   - lessons: the library's lessons in order; must not be empty.
    ///   - store: where progress is read from and saved to, and the workspace.
    ///   - start: the index of the lesson to open (`--start`); nil opens the saved current lesson,
    ///     else the first one not done.
    ///   - color: ANSI styles allowed (false with `NO_COLOR`).
    ///   - notice: a line to show on the status line at first (a progress-file warning, say).
    ///   - workspaceText: the text of a new workspace copy of a lesson's experiment (`E`).
    ///   - plain: plain mode (`--plain`, `TERM=dumb`): ASCII only, words for the marks.
    public static func run(lessons: [Lesson], store: ProgressStore, start: Int?, color: Bool, plain: Bool = false, notice: String? = nil,
                           environment: [String: String],
                           workspaceText: @escaping @Sendable (Lesson, String) -> String) -> (status: Int32, problem: String?) {
        let size = TerminalIO.windowSize() ?? TerminalSize(columns: 80, rows: 24)
        let (progress, warning) = store.load()
        var machine = StepperMachine(lessons: lessons.map(StepperLesson.init), progress: progress, size: size, color: color, start: start)
        machine.state.plain = plain
        if let message = notice ?? warning { machine.showNotice(message) }
        let backend = LessonBackend(lessons: lessons, store: store, color: color, plain: plain, workspaceText: workspaceText)
        let driver = StepperDriver(machine: machine, backend: backend,
                                   output: StandardTerminalOutput(), environment: environment)
        return driver.run()
    }
}

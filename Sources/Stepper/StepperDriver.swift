import Foundation
import LabKit
import LabRun

/// StepperDriver: the IO half of the stepper. It owns the terminal (raw mode, the alternate
/// screen), turns what happens into `StepperEvent`s for the machine, and carries out the effects
/// the machine returns. One thread runs `run()`; experiment runs and verifications run on their own
/// threads and post their events to an `EventInbox`.
///
/// The loop waits in poll(2) on three descriptors: standard input (keys), the signal pipe (a C
/// handler writes the signal's number there: SIGWINCH, SIGTERM, SIGINT, SIGHUP) and the wake pipe
/// (the inbox). After each wake-up it handles everything that is ready, then draws one frame.
///
/// The terminal is always restored — raw mode off, cursor shown, alternate screen left — when the
/// loop ends: on `q`, on Ctrl-C outside a run, on SIGTERM/SIGINT/SIGHUP, at the end of input, and
/// when setting up fails half-way.
final class StepperDriver {
    private var machine: StepperMachine
    private let backend: StepperBackend
    private let renderer: StepperRenderer
    private let environment: [String: String]
    private var rawMode: RawMode?
    private var inbox: EventInbox?
    private var cancellation: RunCancellation?
    /// The waits of your-client verifications in flight, by verification id.
    private var clientWaits: [Int: ClientWaitChannel] = [:]
    private var decoder = KeyDecoder()
    private var isLooping = true
    private var exitStatus: Int32 = 0
    private var needsClear = false
    private var signalFD: Int32 = -1
    private var workspaceWatch = WorkspaceWatch()
    /// How often the workspace copy's modification time is read (the poll timeout).
    static let workspacePollMs: Int32 = 300

    init(machine: StepperMachine, backend: StepperBackend, output: TerminalOutput, environment: [String: String]) {
        self.machine = machine
        self.backend = backend
        renderer = StepperRenderer(output: output)
        self.environment = environment
    }

    /// Runs until the learner quits; returns the exit status (0, or 128 + the signal that ended it,
    /// or 1 when the terminal could not be set up — `problem` then says why).
    func run() -> (status: Int32, problem: String?) {
        guard let rawMode = RawMode(fd: TerminalIO.standardInput) else { return (1, "standard input is not a terminal") }
        guard let signalPipe = TerminalIO.makePipe(nonBlocking: true) else { return (1, "cannot create a pipe") }
        guard let wakePipe = TerminalIO.makePipe(nonBlocking: true) else {
            TerminalIO.close(signalPipe.read); TerminalIO.close(signalPipe.write)
            return (1, "cannot create a pipe")
        }
        let inbox = EventInbox(wakeFD: wakePipe.write)
        self.inbox = inbox
        self.rawMode = rawMode
        signalFD = signalPipe.read
        defer {
            cancellation?.cancel()
            renderer.leave()
            rawMode.restore()
            TerminalIO.uninstallSignalPipe()
            for fd in [signalPipe.read, signalPipe.write, wakePipe.read, wakePipe.write] { TerminalIO.close(fd) }
        }
        guard TerminalIO.installSignalPipe(writeFD: signalPipe.write) else { return (1, "cannot install signal handlers") }
        guard rawMode.enable() else { return (1, "the terminal refused raw mode") }
        renderer.enter()
        perform(machine.openingEffects)

        var previous: Screen?
        while isLooping {
            let screen = machine.screen
            if screen != previous || needsClear {
                renderer.draw(screen, clearingFirst: needsClear)
                previous = screen
                needsClear = false
            }
            let ready = TerminalIO.poll([TerminalIO.standardInput, signalPipe.read, wakePipe.read], timeoutMs: Self.workspacePollMs)
            checkWorkspace()
            if ready[1] { signalsArrived(readAll(signalPipe.read), duringEditor: false) }
            if isLooping && ready[0] { keysArrived() }
            if isLooping && ready[2] {
                _ = readAll(wakePipe.read)
                for event in inbox.drain() where isLooping { handle(event) }
            }
        }
        return (exitStatus, nil)
    }

    // MARK: Input

    private func keysArrived() {
        switch TerminalIO.read(TerminalIO.standardInput) {
        case .bytes(let bytes):
            for key in decoder.decode(bytes) where isLooping { handle(.key(key)) }
        case .nothing:
            break
        case .end:
            isLooping = false   // the terminal went away
        }
    }

    private func signalsArrived(_ bytes: [UInt8], duringEditor: Bool) {
        for byte in bytes {
            let signal = Int32(byte)
            if signal == TerminalIO.resize {
                if let size = TerminalIO.windowSize() { handle(.resized(size)) }
                needsClear = true
            } else if signal == TerminalIO.interrupt && duringEditor {
                continue   // Ctrl-C typed in the editor reached us too: it was the editor's
            } else {
                isLooping = false
                exitStatus = 128 + signal
            }
        }
    }

    /// Re-runs the learner's copy when it was saved since the last look (see `WorkspaceWatch`).
    private func checkWorkspace() {
        let lessonID = machine.state.lesson.id
        if workspaceWatch.changed(lessonID: lessonID, stamp: FileStamp.of(backend.workspaceFile(for: lessonID))) {
            handle(.workspaceSaved(lessonID: lessonID))
        }
    }

    private func readAll(_ fd: Int32) -> [UInt8] {
        var all: [UInt8] = []
        while case .bytes(let bytes) = TerminalIO.read(fd, upTo: 256) { all += bytes }
        return all
    }

    // MARK: Events and effects

    private func handle(_ event: StepperEvent) {
        perform(machine.handle(event))
    }

    private func perform(_ effects: [StepperEffect]) {
        for effect in effects {
            switch effect {
            case .startRun(let lessonID, let workspace):
                let cancellation = RunCancellation()
                self.cancellation = cancellation
                let backend = backend, inbox = inbox
                Thread.detachNewThread {
                    let report = backend.run(lessonID: lessonID, workspace: workspace, cancellation: cancellation) { line in
                        inbox?.post(.runPrinted(line))
                    }
                    inbox?.post(.runFinished(report))
                }
            case .cancelRun:
                cancellation?.cancel()
            case .startVerification(let id, let lessonID, let number, let input):
                let backend = backend, inbox = inbox
                let waiting = ClientWaitChannel { url, limitMs in inbox?.post(.clientWaiting(id: id, url: url, limitMs: limitMs)) }
                if input.wait { clientWaits[id] = waiting }
                Thread.detachNewThread {
                    inbox?.post(.verificationFinished(id: id, backend.verify(lessonID: lessonID, challenge: number, input: input, waiting: waiting)))
                }
            case .finishClientWait(let id):
                clientWaits.removeValue(forKey: id)?.finish()
            case .saveProgress(let progress):
                do {
                    try backend.save(progress)
                } catch {
                    handle(.progressNotSaved(error.localizedDescription))
                }
            case .openEditor(let lessonID):
                handle(.editorFinished(openEditor(lessonID)))
            case .quit:
                isLooping = false
            }
        }
    }

    /// Opens the lesson's workspace file in `$VISUAL`/`$EDITOR`, with the terminal given back to
    /// the editor meanwhile. Returns the notice to show.
    private func openEditor(_ lessonID: String) -> String {
        let path: String
        do {
            path = try backend.prepareWorkspace(lessonID: lessonID)
        } catch {
            return "Cannot create your copy of the experiment: \(error.localizedDescription)"
        }
        workspaceWatch.accept(lessonID: lessonID, stamp: FileStamp.of(path))   // writing it is not a save
        guard let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            return "Your copy of the experiment: \(path) (set $VISUAL or $EDITOR to open it from here)."
        }
        renderer.leave()
        rawMode?.restore()
        let status = EditorProcess.run(editor, file: path)
        rawMode?.enable()
        renderer.enter()
        needsClear = true
        signalsArrived(readAll(signalFD), duringEditor: true)
        return status == 0 ? "Your copy of the experiment: \(path)" : "The editor exited with status \(status); your copy: \(path)"
    }
}

/// Runs an editor command (which may carry arguments, like `code -w`) on a file through `/bin/sh`,
/// with the terminal inherited, and waits for it.
enum EditorProcess {
    static func run(_ editor: String, file: String) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(editor) \"$1\"", "sh", file]
        do {
            try process.run()
        } catch {
            return 127
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

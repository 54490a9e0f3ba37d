import Foundation
import LabKit
import LabRun
import Wire

/// `wirelab edit <lesson>`: the learner's own copy of a lesson's experiment, to change and re-run.
enum EditCommand {
    static let summary = "Copy a lesson's experiment to your workspace and open it in $VISUAL/$EDITOR"
    static let usage = "wirelab edit <lesson> [--fresh]"
    static let options: [OptionSpec] = [
        OptionSpec(name: "fresh", valueName: nil, help: "Start over from the lesson's experiment (your copy is kept as <file>.bak)"),
        OptionSpec(name: "lessons", valueName: "dir", help: "Lessons directory"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static func run(_ arguments: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "edit")
        if parsed.has("help") {
            console.out(HelpText.command("edit", summary: summary, usage: usage, arguments: [("<lesson>", "A lesson id or number")],
                                         options: options, discussion: """
                The copy lives in the state directory's workspace/ folder (see 'wirelab progress').
                An existing copy is never overwritten unless you pass --fresh.
                Then:  wirelab run <lesson> --mine     run your copy against the expected output
                       wirelab watch <lesson>          re-run it on every save
                       wirelab verify <lesson> <n>     a build challenge checks your copy
                """))
            return 0
        }
        guard parsed.positionals.count == 1 else {
            throw UsageError(parsed.positionals.isEmpty ? "Missing the lesson to edit" : "Edit one lesson at a time", command: "edit")
        }
        let context = LessonContext(explicit: parsed.value("lessons"), environment: environment)
        let lesson = try loadLesson(parsed.positionals[0], context: context, command: "edit")
        guard let experiment = lesson.experiment else {
            console.errorLine("\(lesson.path):1: error: the lesson has no experiment to copy")
            return 2
        }
        let path = context.progressStore.workspaceFile(for: lesson.id)
        let exists = fileExists(path)
        do {
            if exists && parsed.has("fresh") {
                try? FileManager.default.removeItem(atPath: path + ".bak")
                try FileManager.default.moveItem(atPath: path, toPath: path + ".bak")
            }
            if !exists || parsed.has("fresh") {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try writeAtomically(Data(workspaceText(lesson: lesson, experiment: experiment.code).utf8), to: path)
                console.line("Your copy of \(lesson.id)'s experiment: \(path)" + (exists ? " (the old one is \(path).bak)" : ""))
            } else {
                console.line("Your copy of \(lesson.id)'s experiment (kept as you left it; --fresh starts over): \(path)")
            }
        } catch {
            console.errorLine("Error: cannot write \(path): \(error.localizedDescription)")
            return 1
        }
        let env = environment.isEmpty ? ProcessEnvironment.all : environment
        let editor = [env["VISUAL"], env["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty }
        if let editor, isatty(0) == 1, isatty(1) == 1 {
            let status = openEditor(editor, path: path)
            if status != 0 { console.errorLine("warning: '\(editor)' exited with status \(status)") }
        } else if let editor {
            // An editor needs the terminal; without one it would open nothing, silently.
            console.line("Not opening '\(editor)': standard input or output is not a terminal. Open the file yourself:")
            console.line(path)
        } else {
            console.line("Open it in your editor (set $EDITOR and 'wirelab edit' opens it for you).")
        }
        console.line("Run it:                wirelab run \(lesson.id) --mine")
        console.line("Re-run on every save:  wirelab watch \(lesson.id)")
        return 0
    }

    static func workspaceText(lesson: Lesson, experiment: String) -> String {
        """
        # Your copy of the experiment of '\(lesson.id)' (\(lesson.title)).
        # Change it and run it:   wirelab run \(lesson.id) --mine
        # It is compared with the lesson's expected output, so a change shows up as a difference.

        """ + experiment + "\n"
    }

    /// Runs the editor on the terminal through the shell (so `EDITOR="code -w"` works) and waits.
    static func openEditor(_ editor: String, path: String) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", editor + " \"$1\"", "sh", path]
        do {
            try process.run()
        } catch {
            return 127
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// `wirelab watch <file.lab|lesson>`: run, show the verdict, wait for the file to be saved, repeat.
enum WatchCommand {
    static let summary = "Re-run an experiment every time its file is saved (Ctrl-C stops)"
    static let usage = "wirelab watch <file.lab|lesson> [--rtt <duration>] [--runs <n>]"
    static let options: [OptionSpec] = [
        OptionSpec(name: "rtt", valueName: "duration", help: "Simulated network round-trip time, e.g. 50ms"),
        OptionSpec(name: "runs", valueName: "n", help: "Stop after this many runs (default: until Ctrl-C)"),
        OptionSpec(name: "lessons", valueName: "dir", help: "Lessons directory"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]
    /// How often the file's modification time is read.
    static let pollMs: UInt32 = 200

    static func run(_ arguments: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "watch")
        if parsed.has("help") {
            console.out(HelpText.command("watch", summary: summary, usage: usage,
                                         arguments: [("<file.lab|lesson>", "A lab script, or a lesson: your workspace copy if you made one ('wirelab edit'), else the lesson file")],
                                         options: options))
            return 0
        }
        guard parsed.positionals.count == 1 else {
            throw UsageError(parsed.positionals.isEmpty ? "Missing the file or lesson to watch" : "Watch one file at a time", command: "watch")
        }
        let context = LessonContext(explicit: parsed.value("lessons"), environment: environment)
        var options = RunOptions()
        if let rtt = try requireDuration(parsed, "rtt", command: "watch") { options.network = SimulatedNetwork(rttMs: Double(rtt)) }
        let runs = try requireInt(parsed, "runs", command: "watch", range: 1...1_000_000)
        let name = parsed.positionals[0]
        // A lesson named by id watches the learner's copy when there is one.
        var mine = false
        if !fileExists(name), let lesson = context.library.find(name), fileExists(context.progressStore.workspaceFile(for: lesson.id)) {
            mine = true
        }
        var count = 0
        var status: Int32 = 0
        while true {
            let target: RunCommand.RunTarget
            switch try RunCommand.resolveTarget(name, mine: mine, context: context, command: "watch") {
            case .target(let resolved): target = resolved
            case .failed(let message, let code):
                // A lesson file saved half-written: report it and wait for the next save.
                guard count > 0 || runs == nil else { console.errorLine(message); return code }
                console.errorLine(message)
                status = code
                count += 1
                if let runs, count >= runs { return status }
                waitForChange(of: name, since: FileStamp.of(name))
                continue
            }
            let stamp = FileStamp.of(target.file)
            if context.terminal.isTTY { console.out("\u{1B}[2J\u{1B}[H") }
            let style = context.style
            console.line(style.bold("▶ watching \(target.file)") + style.dim("  (save to re-run, Ctrl-C to stop)"))
            console.line("")
            let outcome = ExperimentRunner.run(source: target.source, lineOffset: target.lineOffset, expected: target.expected,
                                               expectedFirstLine: target.expectedLine, options: options, onLine: { console.line($0) })
            console.line("")
            RunCommand.printVerdict(outcome, target: target, style: style, console: console)
            status = outcome.verdict.exitCode
            count += 1
            if let runs, count >= runs { return status }
            console.line(style.dim("Waiting for \(target.file) to change…"))
            waitForChange(of: target.file, since: stamp)
        }
    }

    /// Polls until the file's stamp (time and size) differs from `stamp`.
    static func waitForChange(of path: String, since stamp: FileStamp?) {
        while FileStamp.of(path) == stamp { usleep(pollMs * 1000) }
    }
}

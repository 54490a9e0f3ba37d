import LabKit
import Wire

/// The `wirelab` command line: one entry point, a table of subcommands, and the conventions of
/// swift-argument-parser reproduced by hand (help on stdout with exit 0; usage errors on stderr with
/// `Error: ...`, a "Did you mean", the usage line, and exit 64).
public enum CLI {
    public static let version = wireLabVersion

    struct Command: Sendable {
        var name: String
        var summary: String
        var usage: String
        /// The options it takes, for completion and the man page.
        var options: [OptionSpec]
        var run: @Sendable ([String], Console, [String: String]) throws(UsageError) -> Int32
    }

    static let commands: [Command] = [
        Command(name: "learn", summary: LearnCommand.summary, usage: LearnCommand.usage, options: LearnCommand.options) { args, console, env throws(UsageError) in
            try LearnCommand.run(args, console: console, environment: env)
        },
        Command(name: "list", summary: ListCommand.summary, usage: ListCommand.usage, options: ListCommand.options) { args, console, env throws(UsageError) in
            try ListCommand.run(args, console: console, environment: env)
        },
        Command(name: "show", summary: ShowCommand.summary, usage: ShowCommand.usage, options: ShowCommand.options) { args, console, env throws(UsageError) in
            try ShowCommand.run(args, console: console, environment: env)
        },
        Command(name: "run", summary: RunCommand.summary, usage: RunCommand.usage, options: RunCommand.options) { args, console, env throws(UsageError) in
            try RunCommand.run(args, console: console, environment: env)
        },
        Command(name: "verify", summary: VerifyCommand.summary, usage: VerifyCommand.usage, options: VerifyCommand.options) { args, console, env throws(UsageError) in
            try VerifyCommand.run(args, console: console, environment: env)
        },
        Command(name: "hint", summary: HintCommand.summary, usage: HintCommand.usage, options: HintCommand.options) { args, console, env throws(UsageError) in
            try HintCommand.run(args, console: console, environment: env)
        },
        Command(name: "progress", summary: ProgressCommand.summary, usage: ProgressCommand.usage, options: ProgressCommand.options) { args, console, env throws(UsageError) in
            try ProgressCommand.run(args, console: console, environment: env)
        },
        Command(name: "edit", summary: EditCommand.summary, usage: EditCommand.usage, options: EditCommand.options) { args, console, env throws(UsageError) in
            try EditCommand.run(args, console: console, environment: env)
        },
        Command(name: "watch", summary: WatchCommand.summary, usage: WatchCommand.usage, options: WatchCommand.options) { args, console, env throws(UsageError) in
            try WatchCommand.run(args, console: console, environment: env)
        },
        Command(name: "check", summary: CheckCommand.summary, usage: CheckCommand.usage, options: CheckCommand.options) { args, console, env throws(UsageError) in
            try CheckCommand.run(args, console: console, environment: env)
        },
        Command(name: "lint", summary: LintCommand.summary, usage: LintCommand.usage, options: LintCommand.options) { args, console, env throws(UsageError) in
            try LintCommand.run(args, console: console, environment: env)
        },
        Command(name: "serve", summary: ServeCommand.summary, usage: "wirelab serve [options]", options: ServeCommand.options) { args, console, _ throws(UsageError) in
            try ServeCommand.run(args, console: console)
        },
        Command(name: "observe", summary: ObserveCommand.summary, usage: ObserveCommand.usage, options: ObserveCommand.options) { args, console, env throws(UsageError) in
            try ObserveCommand.run(args, console: console, environment: env)
        },
        Command(name: "probe", summary: ProbeCommand.summary, usage: ProbeCommand.usage, options: ProbeCommand.options) { args, console, _ throws(UsageError) in
            try ProbeCommand.run(args, console: console)
        },
        Command(name: "bench", summary: BenchCommand.summary, usage: BenchCommand.usage, options: BenchCommand.options) { args, console, _ throws(UsageError) in
            try BenchCommand.run(args, console: console)
        },
        Command(name: "completion", summary: CompletionCommand.summary, usage: CompletionCommand.usage,
                options: CompletionCommand.options) { args, console, env throws(UsageError) in
            try CompletionCommand.run(args, console: console, environment: env)
        },
        Command(name: "man", summary: ManualCommand.summary, usage: ManualCommand.usage, options: ManualCommand.options) { args, console, env throws(UsageError) in
            try ManualCommand.run(args, console: console, environment: env)
        },
    ]

    /// Runs the command line `arguments` (without the program name) and returns the exit status.
    public static func main(_ arguments: [String], console: Console = StandardConsole(),
                            environment: [String: String] = [:]) -> Int32 {
        // `--plain` anywhere (before a `--`) is global: plain mode for every command (see
        // `Terminal.isPlain`), passed on as `WIRELAB_PLAIN` like the environment would.
        var arguments = arguments
        var environment = environment
        let end = arguments.firstIndex(of: "--") ?? arguments.endIndex
        if arguments[..<end].contains("--plain") {
            arguments = arguments[..<end].filter { $0 != "--plain" } + arguments[end...]
            if environment.isEmpty { environment = ProcessEnvironment.all }
            environment["WIRELAB_PLAIN"] = "1"
        }
        let full = environment.isEmpty ? ProcessEnvironment.all : environment
        // The stepper draws its own plain screen; every other command writes through PlainConsole.
        let console: Console = Terminal.plainRequested(environment: full) ? PlainConsole(console) : console
        do {
            return try dispatch(arguments, console: console, environment: environment)
        } catch {
            console.errorLine("Error: \(error.message)")
            if let name = error.command, let command = commands.first(where: { $0.name == name }) {
                console.errorLine("Usage: \(command.usage)")
                console.errorLine("  See 'wirelab \(name) --help' for more information.")
            } else {
                console.errorLine("Usage: wirelab <command> [options]")
                console.errorLine("  See 'wirelab --help' for more information.")
            }
            return 64
        }
    }

    static func dispatch(_ arguments: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        guard let first = arguments.first else {
            return try defaultAction(console: console, environment: environment)
        }
        switch first {
        case "--help", "-h":
            console.out(overview())
            return 0
        case "--version":
            console.line("wirelab \(version)")
            return 0
        case "help":
            guard arguments.count > 1 else { console.out(overview()); return 0 }
            return try dispatch([arguments[1], "--help"], console: console, environment: environment)
        default:
            break
        }
        guard let command = commands.first(where: { $0.name == first }) else {
            var message = first.hasPrefix("-") ? "Unknown option '\(first)'" : "Unknown command '\(first)'"
            if let guess = closestWord(to: first.trimmingDashes, in: commands.map(\.name)) { message += "\nDid you mean '\(guess)'?" }
            throw UsageError(message)
        }
        return try command.run(Array(arguments.dropFirst()), console, environment)
    }

    /// `wirelab` alone: the interactive stepper on a terminal; otherwise the lesson list and how to start.
    static func defaultAction(console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        let context = LessonContext(explicit: nil, environment: environment)
        if LearnCommand.canStart(console) && !context.library.lessons.isEmpty {
            return LearnCommand.startStepper(context, start: nil, console: console, environment: environment)
        }
        console.line("WireLab — learn HTTP connection management by running experiments (wirelab --help for all commands)")
        console.line("")
        ListCommand.printList(context, console: console)
        return 0
    }

    static func overview() -> String {
        var text = """
            OVERVIEW: WireLab — learn HTTP connection management by running experiments
              Keep-alive, connection reuse, pooling, timeouts, head-of-line blocking and draining,
              measured live against an embedded loopback server and a pooled agent.

            USAGE: wirelab <command> [options]

            SUBCOMMANDS:

            """
        let width = commands.map(\.name.count).max() ?? 0
        for command in commands { text += "  " + command.name.rightPadded(to: width + 2) + command.summary + "\n" }
        text += """

              See 'wirelab help <command>' for detailed help, 'wirelab man' for the manual page,
              'wirelab completion <shell>' for shell completion (the README says how to install them).

            OPTIONS:
              --plain     Plain output for screen readers and dumb terminals: ASCII only, no box
                          drawing, words instead of marks (also TERM=dumb or WIRELAB_PLAIN=1;
                          NO_COLOR turns off colour alone)
              --version   Show the version
              -h, --help  Show help information

            EXIT STATUS: 0 success, 1 a mismatch, failed expect or wrong answer, 2 a broken lesson,
              script or key, 64 a usage error.

            """
        return text
    }
}

extension String {
    var trimmingDashes: String { String(drop { $0 == "-" }) }
}

import Foundation
import LabKit
import LabRun
import LabScript
import Wire

/// `wirelab run`: one experiment, live, then the verdict.
enum RunCommand {
    static let summary = "Run a lesson's experiment live and compare with its expected output"
    static let usage = "wirelab run <lesson|file> [--mine] [--rtt <duration>] [--trace[=<filter>]] [--waterfall[=<layout>,<filter>]] [--har <file>] [--json]"
    static let options: [OptionSpec] = [
        OptionSpec(name: "rtt", valueName: "duration", help: "Simulated network round-trip time, e.g. 50ms (labelled as simulated)"),
        OptionSpec(name: "trace", valueName: "filter", help: "Show connection events as they happen: opened, reused, closed + why (filters below)",
                   isValueOptional: true),
        OptionSpec(name: "waterfall", valueName: "layout,filter", help: "After the run, a timeline: one row per connection, or =requests for one per request",
                   isValueOptional: true),
        OptionSpec(name: "json", valueName: nil, help: "Print one JSON object with the output, the requests and the verdict"),
        OptionSpec(name: "har", valueName: "file", help: "Also write the agents' requests as HAR 1.2 (DevTools can import it)"),
        OptionSpec(name: "limit", valueName: "duration", help: "Time limit for the experiment (default 30s; the script's 'limit' wins)"),
        OptionSpec(name: "mine", valueName: nil, help: "Run your workspace copy of the lesson's experiment (from 'wirelab edit') against its expected output"),
        OptionSpec(name: "lessons", valueName: "dir", help: "Lessons directory"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static func run(_ arguments: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "run")
        if parsed.has("help") {
            console.out(HelpText.command("run", summary: summary, usage: usage,
                arguments: [("<lesson|file>", "A lesson id or number, a lesson .md file, or a .lab script")], options: options,
                discussion: """
                Exit status: 0 the output matched, 1 it differed or an 'expect' failed,
                2 the lesson or script is broken (parse or runtime error), 64 usage error.
                With --rtt the expected output (written for no delay) is not a verdict: a
                difference is shown as what the delay changed, and the run is judged by its
                expects and errors ('not judged', exit 0, the lesson is not marked done).

                --waterfall draws one row per connection: reuse shows as several requests
                along a row, a wait for a socket before the request it delayed.
                --waterfall=requests draws one row per request, with its phases.

                Filters keep a long trace or waterfall to what matters (comma-separated):
                  conn:N, conn:N-M   the server's connection #N (trace only)
                  server             the server's events only (trace only)
                  agent, agent:NAME  every agent's events, or agent NAME's
                  agent:NAME#N       agent NAME's socket #N
                  socket, socket:NAME the script's raw sockets, or 'open NAME' (waterfall only)
                  line:N, line:N-M   while a statement on those file lines ran
                  summary            counts per event, not each event (trace only)
                Several who-filters (conn, server, agent) keep any of them; line filters
                narrow those. Raw sockets are drawn with no filter or when socket names them.
                E.g. --trace=summary, --trace=agent:ka,line:60-70,
                --waterfall=requests,agent:pool.
                """))
            return 0
        }
        guard parsed.positionals.count == 1 else {
            throw UsageError(parsed.positionals.isEmpty ? "Missing the lesson to run" : "Run one lesson at a time (see 'wirelab check')", command: "run")
        }
        let waterfall = try waterfallRequest(parsed)
        let traceFilter = try traceFilter(parsed)
        var options = RunOptions()
        if let rtt = try requireDuration(parsed, "rtt", command: "run") { options.network = SimulatedNetwork(rttMs: Double(rtt)) }
        if let limit = try requireDuration(parsed, "limit", command: "run") {
            guard limit > 0 else { throw UsageError("Option '--limit' needs a positive duration", command: "run") }
            options.limitMs = limit
        }
        let json = parsed.has("json")
        let harPath = parsed.value("har")
        if let harPath, harPath.isEmpty { throw UsageError("Option '--har' needs a file name", command: "run") }
        let context = LessonContext(explicit: parsed.value("lessons"), environment: environment)
        let name = parsed.positionals[0]
        let style = json ? Style(isEnabled: false) : context.style

        let target: RunTarget
        switch try resolveTarget(name, mine: parsed.has("mine"), context: context, command: "run") {
        case .target(let resolved): target = resolved
        case .failed(let message, let status):
            console.errorLine(message)
            return status
        }
        if !json {
            let title = target.lesson.map { "\($0.id) — \($0.title)" } ?? target.file
            console.line(style.bold("\(style.play) \(title)") + style.dim("  (live: embedded server on 127.0.0.1, "
                + (options.network.isOn ? "\(options.network); the expected output assumes none" : "no simulated delay") + ")"))
            // Which file ran: the lesson's own experiment, or (--mine) the learner's copy.
            if target.lesson != nil {
                console.line(style.dim(parsed.has("mine") ? "  running your copy: \(target.file)" : "  running the lesson's experiment: \(target.file)"))
            }
            console.line("")
        }
        let tracer = json ? nil : traceFilter.map { TracePrinter(filter: $0, console: console, style: style) }
        // The loop clock is monotonic: pair it with the wall clock once, to date the HAR's entries.
        let clockPair = (wallMs: Date().timeIntervalSince1970 * 1000, loopNanos: Platform.monotonicNanos())
        let outcome = ExperimentRunner.run(
            source: target.source, lineOffset: target.lineOffset, expected: target.expected, expectedFirstLine: target.expectedLine,
            options: options,
            onLine: { line in if !json { console.line(line) } },
            onTrace: tracer.map { tracer in { tracer.receive($0) } })
        tracer?.finish()
        if json {
            console.line(report(outcome, target: target).text(pretty: true))
        } else {
            console.line("")
            printVerdict(outcome, target: target, style: style, console: console)
            if let waterfall {
                console.line("")
                console.out(renderWaterfall(outcome, layout: waterfall.layout, filter: waterfall.filter, width: context.terminal.width,
                                            plain: context.terminal.isPlain))
            }
        }
        var status = outcome.verdict.exitCode
        if let harPath {
            let har = RequestHAR.har(outcome.requests, epochMs: { clockPair.wallMs + Double($0 - clockPair.loopNanos) / 1e6 },
                                     creatorVersion: CLI.version,
                                     simulatedRttMs: outcome.startingNetwork.isOn ? outcome.startingNetwork.rttMs : nil).text(pretty: true) + "\n"
            do {
                try Data(har.utf8).write(to: URL(fileURLWithPath: harPath))
                if !json { console.line("HAR 1.2 written to \(harPath) (\(outcome.requests.count) entries)") }
            } catch {
                console.errorLine("Error: cannot write the HAR file '\(harPath)': \(error.localizedDescription)")
                if status == 0 { status = 1 }
            }
        }
        if outcome.verdict == .match, let lesson = target.lesson {
            var progress = context.loadProgress(console)
            if !progress.isDone(lesson.id) {
                progress.markDone(lesson.id)
                context.saveProgress(progress, console)
            }
        }
        return status
    }

    enum Resolution {
        case target(RunTarget)
        /// The file can't be run: the message, and the exit status (2 for a broken lesson).
        case failed(String, Int32)
    }

    /// What `name` runs: a .lab script, a lesson file, a lesson by id or number, or (with `mine`)
    /// the learner's workspace copy of a lesson's experiment against the lesson's expected output.
    static func resolveTarget(_ name: String, mine: Bool, context: LessonContext, command: String) throws(UsageError) -> Resolution {
        if !mine && !name.hasSuffix(".md") && fileExists(name) {
            guard let source = readTextFile(name) else { return .failed("Error: cannot read \(name)", 1) }
            return .target(RunTarget(file: name, fileText: source, lesson: nil, source: source, lineOffset: 0, expected: nil, expectedLine: nil))
        }
        let lesson: Lesson
        if name.hasSuffix(".md") && fileExists(name) {
            // A lesson file that does not load is a broken lesson (exit 2), not a usage error.
            switch LessonLoader.load(file: name) {
            case .success(let loaded): lesson = loaded
            case .failure(let diagnostic): return .failed("\(diagnostic)", 2)
            }
        } else {
            lesson = try context.lesson(named: name, command: command)
        }
        if mine {
            let copy = context.progressStore.workspaceFile(for: lesson.id)
            guard fileExists(copy), let source = readTextFile(copy) else {
                throw UsageError("You have no copy of \(lesson.id)'s experiment yet: make one with 'wirelab edit \(lesson.id)'", command: command)
            }
            return .target(RunTarget(file: copy, fileText: source, lesson: lesson, source: source, lineOffset: 0,
                                     expected: lesson.expectedOutput?.code, expectedLine: lesson.expectedOutput?.firstLine))
        }
        guard let experiment = lesson.experiment else {
            return .failed("\(lesson.path):1: error: the lesson has no experiment (a ```lab block under ## Experiment)", 2)
        }
        return .target(RunTarget(file: lesson.path, fileText: readTextFile(lesson.path) ?? "", lesson: lesson, source: experiment.code,
                                 lineOffset: experiment.firstLine - 1, expected: lesson.expectedOutput?.code, expectedLine: lesson.expectedOutput?.firstLine))
    }

    struct RunTarget {
        var file: String
        var fileText: String
        var lesson: Lesson?
        var source: String
        var lineOffset: Int
        var expected: String?
        var expectedLine: Int?
    }

    static func printVerdict(_ outcome: ExperimentOutcome, target: RunTarget, style: Style, console: Console) {
        let lines = target.fileText.fileLines
        for error in outcome.parseErrors {
            console.errorLine(DiagnosticPrinter.render(error, file: target.file, fileLines: lines, style: style))
        }
        if let error = outcome.runtimeError {
            console.errorLine(DiagnosticPrinter.render(error.asDiagnostic, file: target.file, fileLines: lines, style: style))
        }
        for failure in outcome.expectFailures {
            console.line(style.red(style.fail + " ") + "\(target.file):\(failure.location.line): \(failure.message)")
        }
        for line in outcome.verdictLines(style: style) { console.line(line) }
    }

    static func report(_ outcome: ExperimentOutcome, target: RunTarget) -> JSONValue {
        let lines = target.fileText.fileLines
        var members: [(String, JSONValue)] = []
        if let lesson = target.lesson { members.append(("lesson", .string(lesson.id))) }
        members += [
            ("file", .string(target.file)),
            ("verdict", .string(outcome.verdict.rawValue)),
            ("exit_code", .integer(Int(outcome.verdict.exitCode))),
            ("elapsed_ms", .number((outcome.elapsedMs * 10).rounded() / 10)),
            ("rtt_ms", outcome.startingNetwork.isOn ? .number(outcome.startingNetwork.rttMs) : .null),
            ("output", .array(outcome.output.map { .string($0) })),
            ("expects_checked", .integer(outcome.expectsChecked)),
            ("expect_failures", .array(outcome.expectFailures.map {
                .object([("line", .integer($0.location.line)), ("message", .string($0.message))])
            })),
            ("errors", .array((outcome.parseErrors + (outcome.runtimeError.map { [$0.asDiagnostic] } ?? [])).map {
                .object([("line", .integer($0.line)), ("column", .integer($0.column)), ("message", .string($0.message)),
                         ("rendered", .string($0.rendered(file: target.file, lines: lines)))])
            })),
        ]
        members.append(("requests", .array(outcome.requests.map { record in
            let r = record.result, t = r.timings
            func ms(_ v: Double?) -> JSONValue { v.map { .number(($0 * 1000).rounded() / 1000) } ?? .null }
            return .object([
                ("agent", .string(record.agent)), ("line", .integer(record.line)),
                ("method", .string(r.request.method)), ("target", .string(r.request.target)),
                ("status", r.status.map { .integer($0) } ?? .null), ("connection", r.connection.map { .integer($0) } ?? .null),
                ("reused", .bool(r.isReused)), ("retried", .bool(r.isRetried)),
                ("error", r.error.map { .string($0.description) } ?? .null),
                ("start_ms", ms(Double(t.startNanos - outcome.startedNanos) / 1e6)),
                ("timings_ms", .object([("assigned", ms(t.assigned)), ("connect", ms(t.connect)), ("sent", ms(t.sent)),
                                        ("first_byte", ms(t.firstByte)), ("done", ms(t.done))])),
            ])
        })))
        if let match = outcome.match {
            members.append(("first_difference_line", match.firstFailureFileLine.map { .integer($0) } ?? .null))
            members.append(("diff", match.isMatch ? .null : .string(match.render(color: false))))
        }
        return .object(members)
    }
}

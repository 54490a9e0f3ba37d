import LabKit
import LabRun
import LabScript
import Wire

extension RunReport {
    /// The report of `outcome`, a run of `lesson`'s experiment, as `wirelab run` words it: parse and
    /// runtime errors like a compiler (`file`'s line from `fileLines` and a caret), failed expects,
    /// the diff on a mismatch, then one verdict line. A run stopped with Ctrl-C says only that.
    public init(lesson: Lesson, outcome: ExperimentOutcome, file: String, fileLines: [String], color: Bool, plain: Bool = false) {
        let style = Style(isEnabled: color, isPlain: plain)
        let seconds = Format.fixed(outcome.elapsedMs / 1000, 2)
        var lines: [String] = []
        func add(_ text: String) {
            lines += text.replacingTabs().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        if outcome.wasCancelled {
            add(style.yellow((plain ? "STOPPED:" : "■") + " Run stopped (Ctrl-C) after \(seconds)s: no verdict"))
            self.init(lessonID: lesson.id, verdict: outcome.verdict, wasStopped: true, lines: lines,
                      requests: outcome.requests, sockets: outcome.sockets, startedNanos: outcome.startedNanos, file: file)
            return
        }
        for error in outcome.parseErrors { add(Self.diagnostic(error, file: file, fileLines: fileLines, style: style)) }
        if let error = outcome.runtimeError {
            add(Self.diagnostic(error.asDiagnostic, file: file, fileLines: fileLines, style: style))
        }
        for failure in outcome.expectFailures {
            add(style.red(style.fail + " ") + "\(file):\(failure.location.line): \(failure.message)")
        }
        switch outcome.verdict {
        case .match:
            add(style.green("\(style.ok) Output matches the expected output") + style.dim(" (\(outcome.output.count) lines in \(seconds)s)"))
        case .ran:
            add(style.green("\(style.ok) Ran") + style.dim(" in \(seconds)s (no expected output to compare with)"))
        case .mismatch:
            if let match = outcome.match { add(match.render(color: color)) }
            add(style.red("\(style.fail) Output differs from the expected output") + style.dim(" (ran in \(seconds)s)"))
        case .notJudged:
            add(outcome.delayChangesRendered(color: color))
            add(style.yellow("\(style.neutral) " + outcome.notJudgedExplanation))
        case .expectFailed:
            if let match = outcome.match, !match.isMatch { add(match.render(color: color)) }
            let count = outcome.expectFailures.count
            add(style.red("\(style.fail) \(count) expect\(count == 1 ? "" : "s") failed"))
        case .broken:
            let count = outcome.parseErrors.count
            add(style.red("\(style.fail) The experiment " + (count == 0 ? "stopped with an error" : "has \(count) syntax error\(count == 1 ? "" : "s")")))
        }
        while lines.last == "" { lines.removeLast() }
        self.init(lessonID: lesson.id, verdict: outcome.verdict, wasStopped: false, lines: lines,
                  requests: outcome.requests, sockets: outcome.sockets, startedNanos: outcome.startedNanos, file: file)
    }

    private static func diagnostic(_ diagnostic: ScriptDiagnostic, file: String, fileLines: [String], style: Style) -> String {
        let text = diagnostic.rendered(file: file, lines: fileLines)
        guard style.isEnabled, let newline = text.firstIndex(of: "\n") else { return style.red(text) }
        return style.red(String(text[..<newline])) + text[newline...]
    }
}

extension String {
    /// Tabs as four spaces (a caret line under a tabbed line keeps lining up: it uses tabs too).
    func replacingTabs() -> String {
        contains("\t") ? split(separator: "\t", omittingEmptySubsequences: false).joined(separator: "    ") : self
    }
}

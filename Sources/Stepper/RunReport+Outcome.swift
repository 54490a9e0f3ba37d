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
        for line in outcome.verdictLines(style: style) { add(line) }
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

import LabKit
import LabRun

// The body of each view, as whole lines before scrolling. Text is wrapped one column short of the
// width, so nothing is ever written into the terminal's last column by accident.

extension StepperScreen {
    static func bodyLines(_ state: StepperState) -> [String] {
        switch state.view {
        case .lesson: return markdown(state.lesson.conceptMarkdown, state, empty: "This lesson has no Concept or Key Insight section.")
        case .source: return sourceLines(state)
        case .run: return runLines(state)
        case .challenges: return challengeListLines(state)
        case .challenge(let number): return challengeLines(state, number: number)
        case .waterfall: return waterfallLines(state)
        case .deepDive: return markdown(state.lesson.deepDiveMarkdown, state, empty: "This lesson has no Deep Dive or Common Mistakes section.")
        case .lessonList: return lessonListLines(state)
        case .help: return helpLines(state)
        }
    }

    static func textWidth(_ state: StepperState) -> Int { max(1, state.size.columns - 1) }

    static func markdown(_ text: String, _ state: StepperState, width: Int? = nil, empty: String = "") -> [String] {
        guard !text.isEmpty else { return empty.isEmpty ? [] : [Style(isEnabled: state.color).dim(empty)] }
        let rendered = MarkdownRenderer(width: width ?? textWidth(state), color: state.color).render(text)
        var lines = rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    // MARK: Experiment source

    static func sourceLines(_ state: StepperState) -> [String] {
        let style = Style(isEnabled: state.color)
        guard let source = state.lesson.experiment else { return [style.dim("This lesson has no experiment.")] }
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let first = state.lesson.experimentFirstLine
        let numberWidth = String(first + lines.count - 1).count
        var out = [style.dim("File lines \(first)–\(first + lines.count - 1) · r runs it · E edits your own copy"), ""]
        let codeWidth = max(10, textWidth(state) - numberWidth - 3)
        for (offset, line) in lines.enumerated() {
            let number = String(first + offset)
            let rows = TextFit.hardWrapped(TextFit.sanitized(line), width: codeWidth)
            for (index, row) in rows.enumerated() {
                let gutter = index == 0 ? String(repeating: " ", count: numberWidth - number.count) + number : String(repeating: " ", count: numberWidth)
                out.append(style.dim(gutter + (index == 0 ? " │ " : " ┆ ")) + row)
            }
        }
        return out
    }

    // MARK: Runs

    static func runLines(_ state: StepperState) -> [String] {
        runPage(state).lines
    }

    /// The body line where the finished run's report starts (its blank separator line).
    static func runReportStart(_ state: StepperState) -> Int {
        runPage(state).reportStart
    }

    /// The run view: a title line, the printed lines, then the report. Long lines are wrapped, as
    /// a terminal would wrap `wirelab run`'s output, so nothing the experiment printed is cut.
    private static func runPage(_ state: StepperState) -> (lines: [String], reportStart: Int) {
        let style = Style(isEnabled: state.color)
        guard let run = state.currentRun else {
            return ([style.dim("No run of this lesson yet: press r to run its experiment.")], 1)
        }
        let width = textWidth(state)
        var out: [String] = []
        let what = run.isWorkspace ? "your copy of the experiment" : state.lesson.id
        if run.report == nil {
            out.append(style.yellow("Running \(what)… (live on 127.0.0.1; Ctrl-C stops it)"))
        } else {
            out.append(style.bold("▶ \(what)") + style.dim(" — ran live on the embedded server (127.0.0.1)"))
        }
        out.append("")
        out += run.lines.flatMap { TextFit.hardWrapped($0, width: width) }
        let reportStart = out.count
        if let report = run.report {
            out.append("")
            out += report.lines.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false) }
                .flatMap { TextFit.hardWrapped(String($0), width: width) }
        }
        return (out, reportStart)
    }

    static func waterfallLines(_ state: StepperState) -> [String] {
        let style = Style(isEnabled: state.color)
        guard let report = state.currentRun?.report else {
            return [style.dim("No finished run of this lesson yet: press r to run it, then w shows its waterfall.")]
        }
        let text = Waterfall.render(report.requests, sockets: report.sockets, startedNanos: report.startedNanos, width: textWidth(state))
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    // MARK: Lesson list

    static func lessonListLines(_ state: StepperState) -> [String] {
        let style = Style(isEnabled: state.color)
        var out: [String] = []
        var phase: Int?
        let titleWidth = min(44, state.lessons.map(\.title.count).max() ?? 10)
        let numberWidth = String(state.lessons.count).count
        for (index, lesson) in state.lessons.enumerated() {
            if lesson.phase != phase {
                phase = lesson.phase
                out.append(style.bold("Phase \(lesson.phase)" + (lesson.phaseTitle.isEmpty ? "" : ": \(lesson.phaseTitle)")))
            }
            let cursor = index == state.listCursor ? "→" : " "
            let current = index == state.index ? "▸" : " "
            let done = state.progress.isDone(lesson.id) ? style.green("✔") : " "
            let number = String(repeating: " ", count: numberWidth - String(index + 1).count) + String(index + 1)
            var title = TextFit.padded(lesson.title, to: titleWidth)
            if index == state.listCursor { title = style.bold(title) }
            out.append("\(cursor) \(current) \(done) \(number)  \(title)  " + style.dim("\(lesson.difficulty), \(lesson.estimatedMinutes) min"))
        }
        out.append("")
        out.append(style.dim("▸ current lesson   ✔ done (its experiment matched)"))
        return out
    }

    /// The body row of lesson `index` in the list (phase headings take rows too).
    static func listRow(ofLesson index: Int, in lessons: [StepperLesson]) -> Int {
        var row = 0
        var phase: Int?
        for (position, lesson) in lessons.enumerated() {
            if lesson.phase != phase {
                phase = lesson.phase
                row += 1
            }
            if position == index { return row }
            row += 1
        }
        return row
    }

    // MARK: Help

    static func helpLines(_ state: StepperState) -> [String] {
        let style = Style(isEnabled: state.color)
        let keys: [(String, String)] = [
            ("↑ ↓", "scroll a line; PgUp PgDn (or Space) a page; Home End"),
            ("r", "run the experiment live, then its verdict (a match marks the lesson done)"),
            ("o", "the output of the last run again"),
            ("e", "the experiment's source"),
            ("E", "copy the experiment to your workspace file and open $VISUAL or $EDITOR on it"),
            ("c", "the challenges; a digit opens one"),
            ("v", "verify a challenge: asks which, then your answer"),
            ("h", "the next hint of the challenge you chose last"),
            ("w", "the waterfall of the last run: one lane per connection"),
            ("d", "Deep Dive and Common Mistakes"),
            ("n p", "next / previous lesson"),
            ("l", "the lesson list: ↑/↓ and Enter"),
            ("Esc", "back to the lesson"),
            ("Ctrl-C", "stop a running experiment; otherwise quit"),
            ("q", "quit (progress is saved as you go)"),
        ]
        let keyWidth = keys.map(\.0.count).max() ?? 0
        let helpWidth = max(10, textWidth(state) - keyWidth - 4)
        var out = [style.bold("Keys") + style.dim(" — one key, no Enter"), ""]
        for (key, help) in keys {
            for (index, line) in TextFit.wrapped(help, width: helpWidth).enumerated() {
                let label = index == 0 ? style.cyan(TextFit.padded(key, to: keyWidth)) : String(repeating: " ", count: keyWidth)
                out.append("  " + label + "  " + line)
            }
        }
        out += [""] + TextFit.wrapped("Nothing moves on by itself: n goes to the next lesson when you are ready.", width: textWidth(state)).map(style.dim)
        return out
    }
}

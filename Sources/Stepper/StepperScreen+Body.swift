import LabKit
import LabRun

// The body of each view, as whole lines before scrolling. Text is wrapped one column short of the
// width, so nothing is ever written into the terminal's last column by accident.

extension StepperScreen {
    /// The body of the current view. A line still wider than the text width (a verification's
    /// feedback, a detail) is wrapped at words with a hanging indent, so nothing is cut at the edge.
    static func bodyLines(_ state: StepperState) -> [String] {
        let width = textWidth(state)
        return viewLines(state).flatMap { line in
            visibleWidth(line) <= width ? [line] : TextFit.wordWrapped(line, width: width, continuation: hangingIndent(line, width: width))
        }
    }

    /// The indent that continues `line` when it wraps: its own indent and two more columns.
    static func hangingIndent(_ line: String, width: Int) -> String {
        let indent = strippingANSI(line).prefix { $0 == " " }.count + 2
        return String(repeating: " ", count: min(indent, max(0, width / 2)))
    }

    private static func viewLines(_ state: StepperState) -> [String] {
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
        let mark = marks(state)
        var out = [style.dim("File lines \(first)\(mark.dash)\(first + lines.count - 1) · r runs it · E edits your own copy · R runs your copy"), ""]
        let codeWidth = max(10, textWidth(state) - numberWidth - 3)
        for (offset, line) in lines.enumerated() {
            let number = String(first + offset)
            let rows = TextFit.hardWrapped(TextFit.sanitized(line), width: codeWidth)
            for (index, row) in rows.enumerated() {
                let gutter = index == 0 ? String(repeating: " ", count: numberWidth - number.count) + number : String(repeating: " ", count: numberWidth)
                out.append(style.dim(gutter + (index == 0 ? mark.gutter : mark.gutterContinued)) + row)
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

    /// The run view: a title line naming the file that ran, the printed lines, then the report.
    /// Long lines are wrapped at words, each continuation row marked (`┆`, as the source view
    /// marks its own), so nothing the experiment printed is cut and no word is split.
    private static func runPage(_ state: StepperState) -> (lines: [String], reportStart: Int) {
        let style = Style(isEnabled: state.color)
        guard let run = state.currentRun else {
            return ([style.dim("No run of this lesson yet: press r to run its experiment.")], 1)
        }
        let width = textWidth(state)
        let mark = marks(state)
        var out: [String] = []
        let file = run.report?.file ?? ""
        let lessonFile = file.isEmpty ? (state.lesson.path.isEmpty ? state.lesson.id : state.lesson.path) : file
        let what = run.isWorkspace ? "your copy" + (file.isEmpty ? "" : ", \(file)") : "the lesson's experiment, \(lessonFile)"
        if run.report == nil {
            out += TextFit.wrapped("Running \(what)… (live on 127.0.0.1; Ctrl-C stops it)", width: width).map(style.yellow)
        } else {
            out += TextFit.wordWrapped(style.bold("\(mark.run) Ran \(what)") + style.dim(" — live on the embedded server (127.0.0.1)"),
                                       width: width, continuation: "  ")
        }
        if !run.isWorkspace, state.editedLessons.contains(state.lesson.id) {
            out += TextFit.wrapped("This is the original; press R to run your copy.", width: width).map(style.dim)
        }
        out.append("")
        let continued = style.dim(mark.continued)
        out += run.lines.flatMap { TextFit.wordWrapped($0, width: width, continuation: continued) }
        let reportStart = out.count
        if let report = run.report {
            out.append("")
            out += report.lines.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false) }
                .flatMap { TextFit.wordWrapped(String($0), width: width, continuation: hangingIndent(String($0), width: width)) }
        }
        return (out, reportStart)
    }

    static func waterfallLines(_ state: StepperState) -> [String] {
        let style = Style(isEnabled: state.color)
        guard let report = state.currentRun?.report else {
            return [style.dim("No finished run of this lesson yet: press r to run it, then w shows its waterfall.")]
        }
        let text = Waterfall.render(report.requests, sockets: report.sockets, startedNanos: report.startedNanos, width: textWidth(state),
                                  plain: state.plain)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    // MARK: Lesson list

    /// One row per lesson under its phase's heading, in columns: cursor, current, done, number,
    /// title, difficulty and minutes. Every row fits the width: a title too long for its column is
    /// cut with "…", and the difficulty goes when even that leaves no room, so the columns stay aligned.
    static func lessonListLines(_ state: StepperState) -> [String] {
        let style = Style(isEnabled: state.color)
        let mark = marks(state)
        var out: [String] = []
        var phase: Int?
        let numberWidth = String(state.lessons.count).count
        let doneWidth = visibleWidth(mark.done)
        // "→ ▸ ✔ 12  " before the title, "  " between title and details.
        let lead = visibleWidth(mark.cursor) + 1 + visibleWidth(mark.current) + 1 + doneWidth + 1 + numberWidth + 2
        let details = state.lessons.map { "\($0.difficulty), \($0.estimatedMinutes) min" }
        let detailWidth = details.map(\.count).max() ?? 0
        let width = textWidth(state)
        let longest = state.lessons.map(\.title.count).max() ?? 10
        var showsDetails = width - lead - 2 - detailWidth >= 16
        var titleWidth = min(44, longest, max(1, width - lead - (showsDetails ? 2 + detailWidth : 0)))
        if !showsDetails { titleWidth = max(1, width - lead) }
        if titleWidth < 1 { showsDetails = false }
        for (index, lesson) in state.lessons.enumerated() {
            if lesson.phase != phase {
                phase = lesson.phase
                out.append(style.bold(TextFit.fit("Phase \(lesson.phase)" + (lesson.phaseTitle.isEmpty ? "" : ": \(lesson.phaseTitle)"), width: width)))
            }
            let cursor = index == state.listCursor ? mark.cursor : String(repeating: " ", count: visibleWidth(mark.cursor))
            let current = index == state.index ? mark.current : String(repeating: " ", count: visibleWidth(mark.current))
            let done = state.progress.isDone(lesson.id) ? style.green(mark.done) : String(repeating: " ", count: doneWidth)
            let number = String(repeating: " ", count: numberWidth - String(index + 1).count) + String(index + 1)
            let cut = lesson.title.count > titleWidth ? TextFit.fit(lesson.title, width: titleWidth, ellipsis: state.plain ? "..." : "…") : lesson.title
            var title = TextFit.padded(cut, to: titleWidth)
            if index == state.listCursor { title = style.bold(title) }
            var row = "\(cursor) \(current) \(done) \(number)  \(title)"
            if showsDetails { row += "  " + style.dim(details[index]) }
            out.append(row)
        }
        out.append("")
        out += TextFit.wrapped("\(mark.current) current lesson   \(mark.done) done (its experiment matched)", width: width).map(style.dim)
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
            (state.plain ? "Up Down" : "↑ ↓", "scroll a line; PgUp PgDn (or Space) a page; Home End"),
            ("r", "run the experiment live, then its verdict (a match marks the lesson done)"),
            ("o", "the output of the last run again"),
            ("e", "the experiment's source"),
            ("E", "copy the experiment to your workspace file and open $VISUAL or $EDITOR on it"),
            ("R", "run your copy (the workspace file E made) instead of the lesson's experiment"),
            ("c", "the challenges; a digit opens one"),
            ("v", "verify a challenge: asks which, then your answer"),
            ("h", "the next hint of the challenge you chose last"),
            ("a", "show the answer and its explanation (asks y/N; the challenge then counts as revealed, not verified)"),
            ("x", "reset progress (asks y/N): in a challenge's view that challenge, elsewhere the whole lesson"),
            ("w", "the waterfall of the last run: one lane per connection"),
            ("d", "Deep Dive and Common Mistakes"),
            ("n p", "next / previous lesson"),
            ("l", state.plain ? "the lesson list: Up/Down and Enter" : "the lesson list: ↑/↓ and Enter"),
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

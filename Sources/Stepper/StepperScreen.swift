import LabKit
import Wire

/// StepperScreen composes the screen from the state. The layout, top to bottom:
///
///     header      Lesson 1 of 16: title · done · difficulty · minutes · tags (what fits)
///     rule        ── what the body shows ───────── lines 1–20 of 54 ──
///     body        the current view, scrolled (the rows the others leave)
///     status      a prompt, a notice, what is running, or the keys for this view (wrapped)
///     progress    █████░░░░░ 1/2 lessons done · 3/10 challenges verified
///
/// On a terminal shorter than five rows the top rows go first: the progress row stays.
enum StepperScreen {
    static let chromeRows = 4
    /// At most this share of the rows goes to a long status message (the rest stays body).
    static let statusShare = 3

    static func bodyHeight(_ size: TerminalSize) -> Int { max(0, size.rows - chromeRows) }

    /// The body's rows once the status line has taken what its wrapped text needs.
    static func bodyHeight(_ state: StepperState) -> Int {
        max(0, state.size.rows - chromeRows + 1 - statusRows(state).count)
    }

    static func compose(_ state: StepperState) -> Screen {
        let width = state.size.columns
        let status = statusRows(state)
        let height = bodyHeight(state)
        let body = bodyLines(state)
        let scroll = min(max(0, state.scroll), max(0, body.count - height))
        var rows = [header(state), rule(state, total: body.count, scroll: scroll, height: height)]
        let visible = body.dropFirst(scroll).prefix(height)
        rows += visible
        rows += Array(repeating: "", count: height - visible.count)
        rows += status
        let style = Style(isEnabled: state.color)
        rows.append(ProgressBar.line(lessonsDone: state.lessonsDone, lessons: state.lessons.count,
                                     verified: state.challengesVerified, challenges: state.challengesTotal,
                                     revealed: state.challengesRevealed,
                                     width: width, style: style, plain: state.plain))
        if rows.count > state.size.rows { rows = Array(rows.suffix(state.size.rows)) }
        // Plain mode: whatever glyph is left (a challenge's ✔, the waterfall's bars, a lesson's
        // arrows) becomes its ASCII stand-in.
        if state.plain { return Screen(size: state.size, lines: rows.map { TextFit.fit(PlainText.ascii($0), width: width, ellipsis: "...") }) }
        return Screen(size: state.size, lines: rows.map { TextFit.fit($0, width: width) })
    }

    /// The marks the screen draws, in Unicode or, in plain mode, in ASCII words and signs.
    struct Marks {
        let plain: Bool
        var done: String { plain ? "done" : "✔" }
        var current: String { plain ? ">" : "▸" }
        var cursor: String { plain ? ">" : "→" }
        var rule: String { plain ? "-" : "─" }
        var gutter: String { plain ? " | " : " │ " }
        var gutterContinued: String { plain ? " : " : " ┆ " }
        /// Starts a row that carries on the line above it (run output wrapped at a word).
        var continued: String { plain ? ": " : "┆ " }
        var down: String { plain ? " (more below)" : " ↓" }
        var downShort: String { plain ? "+" : "↓" }
        var dash: String { plain ? "-" : "–" }
        var run: String { plain ? ">" : "▶" }
    }

    static func marks(_ state: StepperState) -> Marks { Marks(plain: state.plain) }

    // MARK: Header and rule

    /// The lesson's place and name — "Lesson 1 of 16: The Request/Response Lifecycle" — then, as
    /// far as they fit, whether it is done, its difficulty, minutes and tags (never cut mid-way).
    static func header(_ state: StepperState) -> String {
        let style = Style(isEnabled: state.color)
        let lesson = state.lesson
        var text = "Lesson \(state.index + 1) of \(state.lessons.count): " + style.bold(lesson.title)
        var extras: [String] = []
        if state.progress.isDone(lesson.id) { extras.append(style.green(state.plain ? "done" : "✔ done")) }
        if !lesson.difficulty.isEmpty { extras.append(lesson.difficulty) }
        if lesson.estimatedMinutes > 0 { extras.append("\(lesson.estimatedMinutes) min") }
        if !lesson.tags.isEmpty { extras.append(style.dim(lesson.tags.joined(separator: ", "))) }
        let separator = state.plain ? ", " : " · "
        for extra in extras {
            guard visibleWidth(text) + separator.count + visibleWidth(extra) <= state.size.columns else { break }
            text += separator + extra
        }
        return text
    }

    static func rule(_ state: StepperState, total: Int, scroll: Int, height: Int) -> String {
        let style = Style(isEnabled: state.color)
        let mark = marks(state)
        let twice = mark.rule + mark.rule
        let left = "\(twice) \(title(of: state)) "
        var right = ""
        if total > height, height > 0 {
            let last = min(total, scroll + height)
            right = " \(scroll + 1)\(mark.dash)\(last) of \(total)\(last < total ? mark.down : "") \(twice)"
            if visibleWidth(left) + visibleWidth(right) + 2 > state.size.columns {
                right = " \(scroll + 1)\(mark.dash)\(last)/\(total)\(last < total ? mark.downShort : "")"
            }
        }
        let fill = max(2, state.size.columns - visibleWidth(left) - visibleWidth(right))
        return style.dim(left + String(repeating: mark.rule, count: fill) + right)
    }

    static func title(of state: StepperState) -> String {
        switch state.view {
        case .lesson: return "Concept · Key Insight"
        case .source: return "Experiment"
        case .run:
            if case .running = state.activity { return "Running the experiment" }
            return "Last run"
        case .challenges: return "Challenges"
        case .challenge(let number): return "Challenge \(number)"
        case .waterfall: return "Waterfall of the last run"
        case .deepDive: return "Deep Dive · Common Mistakes"
        case .lessonList: return "Lessons"
        case .help: return "Keys"
        }
    }

    // MARK: Status line

    /// The status line, wrapped at words over as many rows as it needs (up to a third of the
    /// screen; a message longer still is cut at its last row), so no message is lost to the edge.
    static func statusRows(_ state: StepperState) -> [String] {
        let width = max(1, state.size.columns)
        let limit = max(1, state.size.rows / statusShare)
        let style = Style(isEnabled: state.color)
        var rows: [String]
        switch state.activity {
        case .prompting(let prompt):
            let line = style.bold(question(prompt, in: state)) + " " + prompt.text + (state.color ? "\u{1B}[7m \u{1B}[27m" : "_")
            rows = TextFit.wordWrapped(line, width: width, continuation: "  ")
            // While typing, the end of the answer (and the cursor) stays on screen.
            if rows.count > limit { rows = Array(rows.suffix(limit)) }
            return rows
        case .running(_, let isStopping):
            rows = TextFit.wrapped(isStopping ? "Stopping the run…" : "Running… (keys wait until it ends; Ctrl-C stops it)", width: width).map(style.yellow)
        case .verifying(let id, _, let number):
            if let wait = state.clientWait, wait.verificationID == id {
                let text = wait.url.map { url in
                    "Challenge \(number): point your client (a browser, a program you start) at \(url) now. "
                        + "The server observes until you press Enter (then the verdict)\(wait.limitMs.map { ", at most \(Format.fixed(Double($0) / 1000, 1))s" } ?? ""); Esc or Ctrl-C stops."
                } ?? "Starting the lab server for challenge \(number)… (Esc or Ctrl-C stops)"
                rows = TextFit.wordWrapped(text, width: width).map(style.yellow)
            } else {
                rows = TextFit.wrapped("Verifying challenge \(number)… (Ctrl-C stops waiting)", width: width).map(style.yellow)
            }
        case .idle:
            if let message = state.message {
                rows = message.split(separator: "\n").flatMap { TextFit.wordWrapped(String($0), width: width) }.map(style.cyan)
            } else if isFirstVisit(state) {
                rows = TextFit.wordWrapped(firstVisitHint(state), width: width).map(style.cyan)
            } else {
                rows = TextFit.wordWrapped(keyHints(state.view, plain: state.plain), width: width).map(style.dim)
            }
        }
        if rows.count > limit {
            rows = Array(rows.prefix(limit))
            rows[limit - 1] = TextFit.fit(rows[limit - 1] + " …", width: width)
        }
        return rows.isEmpty ? [""] : rows
    }

    /// True on a newcomer's first screen: no lesson done, nothing run or verified yet, the lesson's text.
    static func isFirstVisit(_ state: StepperState) -> Bool {
        state.view == .lesson && state.lessonsDone == 0 && state.challengesVerified == 0 && state.runs.isEmpty
    }

    /// What a newcomer presses first.
    static func firstVisitHint(_ state: StepperState) -> String {
        let arrows = state.plain ? "Down/Space" : "↓/Space"
        return "New here? \(arrows) reads on · r runs the experiment · ? all keys · q quits"
    }

    static func question(_ prompt: StepperState.Prompt, in state: StepperState) -> String {
        let numbers = state.lesson.challenges.map(\.number)
        let range = numbers.count > 1 ? "\(numbers.min()!)–\(numbers.max()!)" : "\(numbers.first ?? 1)"
        switch prompt.purpose {
        case .verifyWhich(let suggested):
            return "Verify which challenge (\(range)\(suggested.map { ", Enter = \($0)" } ?? ""))?"
        case .hintWhich(let suggested):
            return "Hint for which challenge (\(range)\(suggested.map { ", Enter = \($0)" } ?? ""))?"
        case .answer(let number, let need):
            switch need {
            case .answer(let question):
                return question.isEmpty ? "Your answer to challenge \(number):" : question
            case .choice(let options):
                let letters = StepperMachine.letters(for: options).map(String.init).joined(separator: ", ")
                return "Your choice (\(letters); Esc cancels):"
            case .script:
                return "Your lab script file (Enter alone = the lesson's workspace file):"
            case .url:
                return "Your server's URL (e.g. http://127.0.0.1:8080/):"
            case .client:
                return "Your client's command line ({url} = the lab server's URL; Enter alone: wait for a browser or a program you start):"
            }
        case .confirm(.reveal(let number)):
            let stays = state.progress.isVerified(state.lesson.id, number) ? "it stays verified" : "it then counts as revealed, not verified"
            return "Show the answer to challenge \(number)? (\(stays)) y/N"
        case .confirm(.resetChallenge(let number)):
            return "Reset challenge \(number) (verified or revealed, hints seen)? y/N"
        case .confirm(.resetLesson):
            return "Reset lesson \(state.lesson.id) (done mark, its challenges and hints)? y/N"
        }
    }

    static func keyHints(_ view: StepperState.View, plain: Bool = false) -> String {
        switch view {
        case .lessonList:
            return (plain ? "Up/Down" : "↑/↓") + " choose  Enter open  Esc back  q quit"
        case .challenges, .challenge:
            return "1–9 open  v verify  h hint  a answer  x reset  Esc back  ? keys  q quit"
        case .lesson, .source, .run, .waterfall, .deepDive, .help:
            return "r run  c challenges  v verify  h hint  n next  p prev  l lessons  ? keys  q quit"
        }
    }
}

import LabKit

/// StepperScreen composes the screen from the state. The layout, top to bottom:
///
///     header      phase · number/total · title · difficulty · minutes · tags
///     rule        ── what the body shows ───────── lines 1–20 of 54 ──
///     body        the current view, scrolled (rows − 4 lines)
///     status      a prompt, a notice, what is running, or the keys for this view
///     progress    █████░░░░░ 1/2 lessons done · 3/10 challenges verified
///
/// On a terminal shorter than five rows the top rows go first: the progress row stays.
enum StepperScreen {
    static let chromeRows = 4

    static func bodyHeight(_ size: TerminalSize) -> Int { max(0, size.rows - chromeRows) }

    static func compose(_ state: StepperState) -> Screen {
        let width = state.size.columns
        let height = bodyHeight(state.size)
        let body = bodyLines(state)
        let scroll = min(max(0, state.scroll), max(0, body.count - height))
        var rows = [header(state), rule(state, total: body.count, scroll: scroll, height: height)]
        let visible = body.dropFirst(scroll).prefix(height)
        rows += visible
        rows += Array(repeating: "", count: height - visible.count)
        rows.append(statusLine(state))
        let style = Style(isEnabled: state.color)
        rows.append(ProgressBar.line(lessonsDone: state.lessonsDone, lessons: state.lessons.count,
                                     verified: state.challengesVerified, challenges: state.challengesTotal,
                                     width: width, style: style))
        if rows.count > state.size.rows { rows = Array(rows.suffix(state.size.rows)) }
        return Screen(size: state.size, lines: rows.map { TextFit.fit($0, width: width) })
    }

    // MARK: Header and rule

    static func header(_ state: StepperState) -> String {
        let style = Style(isEnabled: state.color)
        let lesson = state.lesson
        let done = state.progress.isDone(lesson.id) ? " " + style.green("✔") : ""
        var parts = ["Phase \(lesson.phase)", "\(state.index + 1)/\(state.lessons.count)" + done, style.bold(lesson.title)]
        if !lesson.difficulty.isEmpty { parts.append(lesson.difficulty) }
        if lesson.estimatedMinutes > 0 { parts.append("\(lesson.estimatedMinutes) min") }
        if !lesson.tags.isEmpty { parts.append(style.dim(lesson.tags.joined(separator: ", "))) }
        return parts.joined(separator: " · ")
    }

    static func rule(_ state: StepperState, total: Int, scroll: Int, height: Int) -> String {
        let style = Style(isEnabled: state.color)
        let left = "── \(title(of: state)) "
        var right = ""
        if total > height, height > 0 {
            let last = min(total, scroll + height)
            right = " \(scroll + 1)–\(last) of \(total)\(last < total ? " ↓" : "") ──"
            if visibleWidth(left) + visibleWidth(right) + 2 > state.size.columns {
                right = " \(scroll + 1)–\(last)/\(total)\(last < total ? "↓" : "")"
            }
        }
        let fill = max(2, state.size.columns - visibleWidth(left) - visibleWidth(right))
        return style.dim(left + String(repeating: "─", count: fill) + right)
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

    static func statusLine(_ state: StepperState) -> String {
        let style = Style(isEnabled: state.color)
        switch state.activity {
        case .prompting(let prompt):
            return style.bold(question(prompt, in: state)) + " " + prompt.text + (state.color ? "\u{1B}[7m \u{1B}[27m" : "_")
        case .running(_, let isStopping):
            return style.yellow(isStopping ? "Stopping the run…" : "Running… (keys wait until it ends; Ctrl-C stops it)")
        case .verifying(_, _, let number):
            return style.yellow("Verifying challenge \(number)… (Ctrl-C stops waiting)")
        case .idle:
            if let message = state.message { return style.cyan(message) }
            return style.dim(keyHints(state.view))
        }
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

    static func keyHints(_ view: StepperState.View) -> String {
        switch view {
        case .lessonList:
            return "↑/↓ choose  Enter open  Esc back  q quit"
        case .challenges, .challenge:
            return "1–9 open  v verify  h hint  a answer  x reset  Esc back  ? keys  q quit"
        case .lesson, .source, .run, .waterfall, .deepDive, .help:
            return "r run  c challenges  v verify  h hint  n next  p prev  l lessons  ? keys  q quit"
        }
    }
}

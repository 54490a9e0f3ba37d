import LabKit

// The challenge views: the list of a lesson's challenges, and one challenge with its hints and
// its last verification result.

extension StepperScreen {
    static func challengeListLines(_ state: StepperState) -> [String] {
        let style = Style(isEnabled: state.color)
        let lesson = state.lesson
        guard !lesson.challenges.isEmpty else { return [style.dim("This lesson has no challenges.")] }
        var out = [style.dim("v verify · h next hint · a answer · x reset · a digit opens one"), ""]
        let indent = 5
        for challenge in lesson.challenges {
            let marker = challenge.number == state.selectedChallenge ? "▸" : " "
            let number = String(challenge.number) + "."
            out.append(marker + " " + style.bold(TextFit.padded(number, to: 3)) + tag(challenge, lessonID: lesson.id, state))
            let prompt = markdown(challenge.prompt, state, width: max(20, textWidth(state) - indent))
            out += prompt.map { $0.isEmpty ? "" : String(repeating: " ", count: indent) + $0 }
            out.append("")
        }
        if out.last == "" { out.removeLast() }
        return out
    }

    /// `[predict] ✔ verified · 1 of 3 hints seen`, or `[explore]` for an item without a key.
    static func tag(_ challenge: StepperChallenge, lessonID: String, _ state: StepperState) -> String {
        let style = Style(isEnabled: state.color)
        var text = style.cyan("[\(challenge.kind ?? (challenge.keyProblem == nil ? "explore" : "broken key"))]")
        if state.progress.isVerified(lessonID, challenge.number) { text += " " + style.green("✔ verified") }
        if state.progress.isRevealed(lessonID, challenge.number) { text += " " + style.yellow("◆ revealed") }
        let seen = min(state.progress.hintsSeen(lessonID, challenge.number), challenge.hints.count)
        if !challenge.hints.isEmpty {
            text += style.dim(" · \(seen) of \(challenge.hints.count) hint\(challenge.hints.count == 1 ? "" : "s") seen")
        }
        return text
    }

    static func challengeLines(_ state: StepperState, number: Int) -> [String] {
        challengePage(state, number: number).lines
    }

    /// The body line where hint `hint` (0-based) of challenge `number` starts, when it is shown.
    static func hintLine(_ state: StepperState, challenge number: Int, hint: Int) -> Int? {
        let page = challengePage(state, number: number)
        return page.hintStarts.indices.contains(hint) ? page.hintStarts[hint] : nil
    }

    private static func challengePage(_ state: StepperState, number: Int) -> (lines: [String], hintStarts: [Int]) {
        let style = Style(isEnabled: state.color)
        let lesson = state.lesson
        guard let challenge = lesson.challenge(number) else { return ([style.dim("No challenge \(number) in this lesson.")], []) }
        var out = [style.bold("Challenge \(number) of \(lesson.challenges.count)") + " " + tag(challenge, lessonID: lesson.id, state), ""]
        out += markdown(challenge.prompt, state)
        if case .choice(let options)? = challenge.need, !options.allSatisfy({ $0.count == 1 }) {
            out.append("")
            for (offset, option) in options.enumerated() {
                let letter = Character(Unicode.Scalar(UInt8(97 + offset % 26)))
                let lines = markdown(option, state, width: max(20, textWidth(state) - 5))
                for (index, line) in lines.enumerated() { out.append((index == 0 ? "  \(letter)) " : "     ") + line) }
            }
        }
        if let problem = challenge.keyProblem {
            out += ["", style.red("This challenge's key is broken: \(problem)")]
        }
        var hintStarts: [Int] = []
        let seen = min(state.progress.hintsSeen(lesson.id, number), challenge.hints.count)
        for (index, hint) in challenge.hints.prefix(seen).enumerated() {
            out.append("")
            hintStarts.append(out.count)
            let label = "Hint \(index + 1) of \(challenge.hints.count): "
            let lines = markdown(hint, state, width: max(20, textWidth(state) - 2))
            out.append(style.yellow(label))
            out += lines.map { $0.isEmpty ? "" : "  " + $0 }
        }
        if seen < challenge.hints.count {
            out += ["", style.dim("\(challenge.hints.count - seen) more hint\(challenge.hints.count - seen == 1 ? "" : "s"): press h.")]
        }
        if let result = state.result(lesson.id, number) {
            out.append("")
            out += resultLines(result, state)
        } else if challenge.need != nil, case .idle = state.activity {
            out += ["", style.dim("Press v to verify your answer.")]
        }
        return (out, hintStarts)
    }

    static func resultLines(_ report: VerifyReport, _ state: StepperState) -> [String] {
        let style = Style(isEnabled: state.color)
        var out: [String] = []
        switch report.status {
        case .correct: out.append(style.green("✔ " + report.headline))
        case .revealed: out.append(style.yellow("◆ " + report.headline))
        case .wrong, .unusableAnswer: out.append(style.red("✘ " + report.headline))
        case .brokenKey, .notRun: out.append(style.red("! " + report.headline))
        }
        for detail in report.details {
            out += detail.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + TextFit.sanitized(String($0)) }
        }
        if let explanation = report.explanation, !explanation.isEmpty {
            out.append("")
            out += markdown("**Why:** " + explanation, state)
        }
        if report.status == .wrong {
            out.append("")
            out += TextFit.wrapped("Press v to try again, h for a hint, or a to see the answer (it then counts as revealed).",
                                   width: textWidth(state)).map(style.dim)
        }
        return out
    }
}

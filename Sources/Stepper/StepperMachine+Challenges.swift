// Challenges: asking which one, asking for the answer, hints, the verification result, and the
// two y/N questions: revealing an answer (`a`) and resetting progress (`x`).

import Challenges

extension StepperMachine {
    /// `v`: asks which challenge (the one selected last is the default), or goes straight to the
    /// answer when the lesson has a single challenge.
    mutating func askWhichToVerify() -> [StepperEffect] {
        let challenges = state.lesson.challenges
        guard !challenges.isEmpty else {
            state.message = "This lesson has no challenges."
            return []
        }
        if challenges.count == 1 { return askForAnswer(challenges[0].number) }
        state.activity = .prompting(.init(purpose: .verifyWhich(suggested: state.selectedChallenge)))
        return []
    }

    /// `h`: the next hint of the challenge selected last (or the only one); asks which otherwise.
    mutating func nextHint() -> [StepperEffect] {
        let challenges = state.lesson.challenges
        guard !challenges.isEmpty else {
            state.message = "This lesson has no challenges."
            return []
        }
        if let number = state.selectedChallenge ?? (challenges.count == 1 ? challenges[0].number : nil) {
            return revealHint(number)
        }
        state.activity = .prompting(.init(purpose: .hintWhich(suggested: nil)))
        return []
    }

    /// `a`: asks before showing the answer of the challenge on screen (or selected, or the only one).
    mutating func askToReveal() -> [StepperEffect] {
        guard let number = challengeInFocus() else {
            state.message = state.lesson.challenges.isEmpty ? "This lesson has no challenges." : "Open a challenge first (c, then its number), then press a."
            return []
        }
        guard let challenge = state.lesson.challenge(number), challenge.need != nil else {
            state.message = "Challenge \(number) has no check, so no answer to show."
            return []
        }
        state.selectedChallenge = number
        show(.challenge(number))
        state.activity = .prompting(.init(purpose: .confirm(.reveal(challenge: number))))
        return []
    }

    /// The challenge `a` and `x` act on: the one on screen, else the one selected last, else the only one.
    func challengeInFocus() -> Int? {
        if case .challenge(let number) = state.view { return number }
        let challenges = state.lesson.challenges
        if let number = state.selectedChallenge ?? (challenges.count == 1 ? challenges[0].number : nil) { return number }
        return nil
    }

    /// Answers a y/N question: `y` goes ahead, any other key leaves everything as it was.
    mutating func confirmKey(_ key: Key, _ confirmation: StepperState.Confirmation) -> [StepperEffect] {
        state.activity = .idle
        guard key == .char("y") || key == .char("Y") else {
            state.message = "Nothing changed."
            return []
        }
        switch confirmation {
        case .reveal(let number):
            return startVerification(number, input: VerificationInput(reveal: true))
        case .resetChallenge(let number):
            return resetProgress(challenge: number)
        case .resetLesson:
            return resetProgress(challenge: nil)
        }
    }

    /// `x`: asks before resetting the challenge on screen, or the whole lesson from any other view.
    mutating func askToReset() -> [StepperEffect] {
        if case .challenge(let number) = state.view {
            state.activity = .prompting(.init(purpose: .confirm(.resetChallenge(number))))
        } else {
            state.activity = .prompting(.init(purpose: .confirm(.resetLesson)))
        }
        return []
    }

    /// Forgets one challenge's progress (verified or revealed, hints seen), or with nil the lesson's
    /// (done mark and every challenge's), and this session's results for them.
    private mutating func resetProgress(challenge number: Int?) -> [StepperEffect] {
        let lessonID = state.lesson.id
        state.progress.reset(lessonID, challenge: number)
        let numbers = number.map { [$0] } ?? state.lesson.challenges.map(\.number)
        for each in numbers { state.results["\(lessonID)#\(each)"] = nil }
        state.message = number.map { "Challenge \($0) is reset: not verified, not revealed, no hints seen." }
            ?? "Lesson \(lessonID) is reset: not done, its challenges and hints forgotten."
        return [.saveProgress(state.progress)]
    }

    /// A key while a prompt is on the status line.
    mutating func promptKey(_ key: Key, _ prompt: StepperState.Prompt) -> [StepperEffect] {
        if case .confirm(let confirmation) = prompt.purpose { return confirmKey(key, confirmation) }
        var prompt = prompt
        switch key {
        case .escape, .ctrlC:
            state.activity = .idle
            state.message = "Cancelled."
            return []
        case .enter:
            return submit(prompt)
        case .backspace:
            if !prompt.text.isEmpty { prompt.text.removeLast() }
        case .space:
            if acceptsText(prompt) { prompt.text.append(" ") }
        case .char(let character):
            switch prompt.purpose {
            case .verifyWhich, .hintWhich:
                guard character.isASCII, character.isNumber else { return [] }
                prompt.text.append(character)
                // With fewer than ten challenges one digit says it all.
                if (state.lesson.challenges.map(\.number).max() ?? 0) < 10 { return submit(prompt) }
            case .answer(_, .choice(let options)):
                guard let letter = character.lowercased().first, Self.letters(for: options).contains(letter) else { return [] }
                prompt.text = String(letter)
                return submit(prompt)
            case .answer:
                prompt.text.append(character)
            case .confirm:
                return []
            }
        case .up: scroll(by: -1)
        case .down: scroll(by: 1)
        case .pageUp: scroll(by: -max(1, bodyHeight - 1))
        case .pageDown: scroll(by: max(1, bodyHeight - 1))
        case .home: state.scroll = 0
        case .end: state.scroll = maxScroll
        case .left, .right, .tab: break
        }
        state.activity = .prompting(prompt)
        return []
    }

    private func acceptsText(_ prompt: StepperState.Prompt) -> Bool {
        switch prompt.purpose {
        case .verifyWhich, .hintWhich, .answer(_, .choice), .confirm: false
        case .answer: true
        }
    }

    /// A command line split into words as a shell would for plain words and '...' or "..." quotes
    /// (no expansion); nil when a quote is left open.
    static func commandWords(_ line: String) -> [String]? {
        var words: [String] = []
        var current = "", inWord = false
        var quote: Character?
        for ch in line {
            if let q = quote {
                if ch == q { quote = nil } else { current.append(ch) }
            } else if ch == "'" || ch == "\"" {
                quote = ch
                inWord = true
            } else if ch == " " || ch == "\t" {
                if inWord { words.append(current); current = ""; inWord = false }
            } else {
                current.append(ch)
                inWord = true
            }
        }
        if quote != nil { return nil }
        if inWord { words.append(current) }
        return words
    }

    /// The letters that pick an option: the options themselves when they are letters (`choices: a b c`),
    /// else a, b, c... one per option.
    static func letters(for options: [String]) -> [Character] {
        if options.allSatisfy({ $0.count == 1 }) { return options.compactMap(\.first) }
        return options.indices.prefix(26).map { Character(Unicode.Scalar(UInt8(97 + $0))) }
    }

    private mutating func submit(_ prompt: StepperState.Prompt) -> [StepperEffect] {
        let text = prompt.text.trimmingSpaceCharacters()
        switch prompt.purpose {
        case .verifyWhich(let suggested), .hintWhich(let suggested):
            guard let number = text.isEmpty ? suggested : Int(text) else {
                state.activity = .prompting(StepperState.Prompt(purpose: prompt.purpose))
                return []
            }
            state.activity = .idle
            guard state.lesson.challenge(number) != nil else {
                state.message = "No challenge \(number) in this lesson."
                return []
            }
            if case .hintWhich = prompt.purpose { return revealHint(number) }
            return askForAnswer(number)
        case .answer(let number, let need):
            let input: VerificationInput
            switch need {
            case .answer, .choice:
                guard !text.isEmpty else { return [] }
                if case .some(let unit) = state.lesson.challenge(number)?.numberUnit, ChallengeVerifier.numericGuess(text, unit: unit) == nil {
                    state.activity = .idle
                    state.message = "Challenge \(number) wants a number\(unit.map { " (in \($0))" } ?? ""); '\(text)' is not one. Press v to answer again."
                    return []
                }
                input = VerificationInput(answer: text)
            case .script:
                input = VerificationInput(file: text.isEmpty ? nil : text)
            case .url:
                guard !text.isEmpty else { return [] }
                input = VerificationInput(url: text)
            case .client:
                guard !text.isEmpty else {
                    // Nothing typed: wait like `wirelab verify L N --wait` for a browser or a program
                    // the learner starts by hand (the URL shows once the server listens; Enter ends it).
                    let effects = startVerification(number, input: VerificationInput(wait: true))
                    state.clientWait = ClientWaitInfo(verificationID: state.nextVerificationID - 1)
                    return effects
                }
                guard let words = Self.commandWords(text) else {
                    state.activity = .idle
                    state.message = "That command line has an unclosed quote; press v to try again."
                    return []
                }
                input = VerificationInput(command: words)
            }
            return startVerification(number, input: input)
        case .confirm(let confirmation):
            return confirmKey(.enter, confirmation)
        }
    }

    /// Shows challenge `number` and asks for what its kind needs.
    private mutating func askForAnswer(_ number: Int) -> [StepperEffect] {
        guard let challenge = state.lesson.challenge(number) else {
            state.message = "No challenge \(number) in this lesson."
            return []
        }
        state.selectedChallenge = number
        show(.challenge(number))
        if let need = challenge.need {
            state.activity = .prompting(.init(purpose: .answer(challenge: number, need: need)))
            return []
        }
        if challenge.keyProblem != nil {
            // The verifier reports the broken key in its own words; nothing to ask.
            return startVerification(number, input: VerificationInput())
        }
        state.message = "Challenge \(number) has no check: it is for exploring on your own."
        return []
    }

    private mutating func startVerification(_ number: Int, input: VerificationInput) -> [StepperEffect] {
        state.clientWait = nil
        let id = state.nextVerificationID
        state.nextVerificationID += 1
        state.activity = .verifying(id: id, lessonID: state.lesson.id, challenge: number)
        return [.startVerification(id: id, lessonID: state.lesson.id, challenge: number, input: input)]
    }

    mutating func verificationFinished(id: Int, _ report: VerifyReport) -> [StepperEffect] {
        // A result for a verification the learner stopped waiting for is stale: dropped.
        guard case .verifying(let expected, let lessonID, let number) = state.activity, expected == id else { return [] }
        state.activity = .idle
        state.clientWait = nil
        state.results["\(lessonID)#\(number)"] = report
        state.selectedChallenge = number
        show(.challenge(number))
        state.scroll = maxScroll   // the result is at the end of the challenge's page
        switch report.status {
        case .correct:
            guard !state.progress.isVerified(lessonID, number) else { return [] }
            guard state.progress.markVerified(lessonID, number) else {
                state.message = "Correct, but challenge \(number) stays revealed, not verified: you saw its answer first."
                return []
            }
            return [.saveProgress(state.progress)]
        case .revealed:
            guard state.progress.markRevealed(lessonID, number) else {
                state.message = "You had verified challenge \(number) already; it stays verified."
                return []
            }
            state.message = "Challenge \(number) now counts as revealed, not verified."
            return [.saveProgress(state.progress)]
        case .wrong, .unusableAnswer, .brokenKey, .notRun:
            return []
        }
    }

    /// Reveals the next hint of challenge `number`, one at a time, counting it in progress.
    private mutating func revealHint(_ number: Int) -> [StepperEffect] {
        guard let challenge = state.lesson.challenge(number) else {
            state.message = "No challenge \(number) in this lesson."
            return []
        }
        state.selectedChallenge = number
        show(.challenge(number))
        let lessonID = state.lesson.id
        let seen = state.progress.hintsSeen(lessonID, number)
        guard !challenge.hints.isEmpty else {
            state.message = "Challenge \(number) has no hints."
            return []
        }
        guard seen < challenge.hints.count else {
            state.message = "Every hint for challenge \(number) is shown (\(challenge.hints.count))."
            return []
        }
        state.progress.revealHint(lessonID, number)
        state.message = "Hint \(seen + 1) of \(challenge.hints.count) for challenge \(number)."
        state.scroll = StepperScreen.hintLine(state, challenge: number, hint: seen).map { min($0, maxScroll) } ?? 0
        return [.saveProgress(state.progress)]
    }
}

extension String {
    /// The text without leading and trailing spaces.
    func trimmingSpaceCharacters() -> String {
        var slice = self[...]
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }
}

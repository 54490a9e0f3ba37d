// The keys of the idle stepper: scrolling, the single-key commands, and the lesson list.

extension StepperMachine {
    /// A key while nothing runs and nothing is asked.
    mutating func idleKey(_ key: Key) -> [StepperEffect] {
        if state.view == .lessonList, let effects = listKey(key) { return effects }
        let page = max(1, bodyHeight - 1)
        switch key {
        case .up: scroll(by: -1)
        case .down: scroll(by: 1)
        case .pageUp: scroll(by: -page)
        case .pageDown, .space: scroll(by: page)
        case .home: state.scroll = 0
        case .end: state.scroll = maxScroll
        case .escape: if state.view != .lesson { show(.lesson) }
        case .left, .right, .enter, .backspace, .tab: break
        case .ctrlC: return [.quit]
        case .char(let character): return command(character)
        }
        return []
    }

    /// A single-key command.
    private mutating func command(_ character: Character) -> [StepperEffect] {
        switch character {
        case "q": return [.quit]
        case "r": return startRun()
        case "R":
            guard state.lesson.experiment != nil else {
                state.message = "This lesson has no experiment, so there is no copy to run."
                return []
            }
            return startRun(workspace: true)
        case "e": show(.source)
        case "E":
            guard state.lesson.experiment != nil else {
                state.message = "This lesson has no experiment to edit."
                return []
            }
            state.editedLessons.insert(state.lesson.id)
            return [.openEditor(lessonID: state.lesson.id)]
        case "o": show(.run)
        case "c": show(.challenges)
        case "v": return askWhichToVerify()
        case "h": return nextHint()
        case "a": return askToReveal()
        case "x": return askToReset()
        case "w": show(.waterfall)
        case "d": show(.deepDive)
        case "n": return moveToLesson(state.index + 1)
        case "p": return moveToLesson(state.index - 1)
        case "l":
            state.listCursor = state.index
            show(.lessonList)
            revealListCursor()
        case "?": show(.help)
        default:
            if let digit = character.wholeNumberValue, isShowingChallenges {
                guard state.lesson.challenge(digit) != nil else {
                    state.message = "No challenge \(digit) in this lesson."
                    return []
                }
                state.selectedChallenge = digit
                show(.challenge(digit))
            } else {
                state.message = "No command on '\(character)'. Press ? for the keys."
            }
        }
        return []
    }

    private var isShowingChallenges: Bool {
        switch state.view {
        case .challenges, .challenge: true
        case .lesson, .source, .run, .waterfall, .deepDive, .lessonList, .help: false
        }
    }

    /// Keys the lesson list takes for itself; nil lets the key through to the global commands.
    private mutating func listKey(_ key: Key) -> [StepperEffect]? {
        let last = state.lessons.count - 1
        let page = max(1, bodyHeight - 1)
        switch key {
        case .up: state.listCursor = max(0, state.listCursor - 1)
        case .down: state.listCursor = min(last, state.listCursor + 1)
        case .pageUp: state.listCursor = max(0, state.listCursor - page)
        case .pageDown, .space: state.listCursor = min(last, state.listCursor + page)
        case .home: state.listCursor = 0
        case .end: state.listCursor = last
        case .enter:
            if state.listCursor == state.index {
                show(.lesson)
                return []
            }
            return moveToLesson(state.listCursor)
        case .char("l"):
            show(.lesson)
            return []
        case .escape, .left, .right, .backspace, .tab, .ctrlC, .char:
            return nil
        }
        revealListCursor()
        return []
    }
}

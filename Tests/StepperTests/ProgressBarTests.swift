import LabKit
import Testing
@testable import Stepper

@Suite("Progress bar: always visible, always the width")
struct ProgressBarTests {
    @Test("fits exactly 80 and 40 columns, with done/total lessons and verified challenges", arguments: [80, 40])
    func fits(width: Int) {
        var progress = LearnerProgress()
        progress.markDone("first")
        progress.markVerified("first", 2)
        let machine = Fixtures.machine(columns: width, progress: progress)
        let line = machine.progressLine
        #expect(visibleWidth(line) == width)
        #expect(line.contains("1/3"))
        #expect(line.contains("1/6"))
        #expect(line.hasPrefix("█"))
    }

    @Test("the wordiest label that leaves room for the bar wins")
    func labels() {
        let style = Style(isEnabled: false)
        let wide = ProgressBar.line(lessonsDone: 1, lessons: 2, verified: 3, challenges: 10, width: 80, style: style)
        #expect(wide.hasSuffix(" 1/2 lessons done · 3/10 challenges verified"))
        #expect(wide.hasPrefix(String(repeating: "█", count: 18) + "░"))
        let narrow = ProgressBar.line(lessonsDone: 1, lessons: 2, verified: 3, challenges: 10, width: 40, style: style)
        #expect(narrow.hasSuffix(" 1/2 lessons · 3/10 challenges"))
        let tiny = ProgressBar.line(lessonsDone: 1, lessons: 2, verified: 3, challenges: 10, width: 14, style: style)
        #expect(visibleWidth(tiny) == 14)
        #expect(tiny.hasSuffix(" 1/2"))
    }

    @Test("with colour on the visible width is the same")
    func color() {
        let line = ProgressBar.line(lessonsDone: 2, lessons: 3, verified: 0, challenges: 4, width: 60, style: Style(isEnabled: true))
        #expect(line.contains("\u{1B}["))
        #expect(visibleWidth(line) == 60)
    }
}

@Suite("Progress bar: revealed challenges")
struct ProgressBarRevealedTests {
    @Test("revealed challenges are named beside verified when there are any, in both modes")
    func revealed() {
        let style = Style(isEnabled: false)
        let wide = ProgressBar.line(lessonsDone: 1, lessons: 2, verified: 3, challenges: 72, revealed: 1, width: 80, style: style)
        #expect(wide.hasSuffix(" 1/2 lessons done · 3/72 challenges verified · 1 revealed"))
        #expect(visibleWidth(wide) == 80)
        let medium = ProgressBar.line(lessonsDone: 1, lessons: 2, verified: 3, challenges: 72, revealed: 1, width: 50, style: style)
        #expect(medium.hasSuffix(" 1/2 lessons · 3/72 verified · 1 revealed"))
        #expect(visibleWidth(medium) == 50)
        let plain = ProgressBar.line(lessonsDone: 1, lessons: 2, verified: 3, challenges: 72, revealed: 2, width: 90, style: style, plain: true)
        #expect(plain.hasSuffix(" 1/2 lessons done, 3/72 challenges verified, 2 revealed"))
        let none = ProgressBar.line(lessonsDone: 1, lessons: 2, verified: 3, challenges: 72, revealed: 0, width: 80, style: style)
        #expect(!none.contains("revealed"))
    }

    @Test("the stepper's bottom row counts the learner's revealed challenges")
    func stepperCounts() {
        var progress = LearnerProgress()
        progress.markVerified("first", 1)
        progress.markRevealed("first", 2)
        let machine = Fixtures.machine(columns: 100, progress: progress)
        #expect(machine.progressLine.hasSuffix("1/6 challenges verified · 1 revealed"))
    }
}

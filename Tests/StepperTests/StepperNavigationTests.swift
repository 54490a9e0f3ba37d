import LabKit
import Testing
@testable import Stepper

@Suite("Stepper: opening, reading, scrolling and moving between lessons")
struct StepperNavigationTests {
    @Test("opens at the current lesson saved in progress, without saving again")
    func opensAtCurrent() {
        var progress = LearnerProgress()
        progress.current = "second"
        let machine = Fixtures.machine(progress: progress)
        #expect(machine.state.lesson.id == "second")
        #expect(machine.openingEffects.isEmpty)
    }

    @Test("without a current lesson, opens at the first not done and saves it as current")
    func opensAtFirstNotDone() {
        var progress = LearnerProgress()
        progress.markDone("first")
        let machine = Fixtures.machine(progress: progress)
        #expect(machine.state.lesson.id == "second")
        #expect(machine.openingEffects.savedProgress?.current == "second")
    }

    @Test("--start wins over the saved current lesson")
    func startWins() {
        var progress = LearnerProgress()
        progress.current = "second"
        let machine = Fixtures.machine(progress: progress, start: 2)
        #expect(machine.state.lesson.id == "third")
        #expect(machine.openingEffects.savedProgress?.current == "third")
    }

    @Test("the header names the lesson's number, title, difficulty, minutes and tags; a newcomer is told what to press")
    func header() {
        var machine = Fixtures.machine(columns: 120)
        #expect(machine.screen.plainLines[0] == "Lesson 1 of 3: The First Lesson · beginner · 10 min · http, tcp")
        #expect(machine.statusLine.hasPrefix("New here?") && machine.statusLine.contains("r runs the experiment"))
        // What does not fit is left out whole, never cut mid-word.
        let narrow = Fixtures.machine(columns: 52)
        #expect(narrow.screen.plainLines[0] == "Lesson 1 of 3: The First Lesson · beginner · 10 min")
        #expect(machine.body.contains("Concept"))
        #expect(machine.body.contains("Paragraph 1 about keep-alive."))
        machine.press(.char("c"))
        #expect(machine.statusLine.hasPrefix("1–9 open"))
    }

    @Test("↓ ↑ PgDn PgUp Space Home End scroll the Concept and Key Insight, within bounds")
    func scrolling() {
        var machine = Fixtures.machine()
        let total = StepperScreen.bodyLines(machine.state).count
        #expect(machine.screen.plainLines[1].contains("1–20 of \(total) ↓"))
        machine.press(.down, .down)
        #expect(machine.state.scroll == 2)
        machine.press(.up)
        #expect(machine.state.scroll == 1)
        machine.press(.pageDown)
        #expect(machine.state.scroll == 20)
        machine.press(.space)
        #expect(machine.state.scroll == 39)
        machine.press(.pageUp)
        #expect(machine.state.scroll == 20)
        machine.press(.end)
        #expect(machine.state.scroll == total - 20)
        #expect(machine.body.last == "Reuse beats reconnecting.")
        machine.press(.down, .pageDown, .space)
        #expect(machine.state.scroll == total - 20)
        machine.press(.home, .up)
        #expect(machine.state.scroll == 0)
    }

    @Test("every row fits the width, whatever the view", arguments: [80, 40])
    func fitsWidth(columns: Int) {
        var machine = Fixtures.machine(columns: columns)
        for key in ["e", "c", "d", "?", "l", "w", "o"] as [Character] {
            machine.press(.char(key))
            #expect(machine.screen.lines.count == 24)
            for line in machine.screen.lines { #expect(visibleWidth(line) <= columns, "\(key): \(line)") }
        }
    }

    @Test("a resize redraws for the new size and keeps the scroll position in bounds")
    func resize() {
        var machine = Fixtures.machine()
        machine.press(.end)
        let effects = machine.handle(.resized(TerminalSize(columns: 40, rows: 60)))
        #expect(effects.isEmpty)
        #expect(machine.screen.lines.count == 60)
        let total = StepperScreen.bodyLines(machine.state).count
        // At 40 columns the status line wraps to two rows, and the body gives them up.
        #expect(machine.statusRowCount == 2)
        #expect(machine.state.scroll == max(0, total - 55))
        #expect(machine.screen.plainLines.allSatisfy { visibleWidth($0) <= 40 })
        _ = machine.handle(.resized(TerminalSize(columns: 80, rows: 3)))
        #expect(machine.screen.lines.count == 3)
        #expect(machine.progressLine.contains("0/3"))
    }

    @Test("e shows the experiment with its file line numbers; d the Deep Dive and Common Mistakes; ? the keys")
    func views() {
        var machine = Fixtures.machine()
        machine.press(.char("e"))
        #expect(machine.body.contains("40 │ print \"hello\""))
        #expect(machine.body.contains("41 │ print \"world\""))
        machine.press(.char("d"))
        #expect(machine.body.contains("Deep Dive"))
        #expect(machine.body.contains("Forgetting Host."))
        machine.press(.char("?"))
        #expect(machine.text.contains("r  "))
        #expect(machine.text.contains("quit"))
        machine.press(.escape)
        #expect(machine.state.view == .lesson)
    }

    @Test("n and p move one lesson and save it as current; at either end they say so")
    func nextPrevious() {
        var machine = Fixtures.machine()
        var effects = machine.press(.char("p"))
        #expect(effects.isEmpty)
        #expect(machine.statusLine == "This is the first lesson.")
        effects = machine.press(.char("n"))
        #expect(machine.state.lesson.id == "second")
        #expect(effects.savedProgress?.current == "second")
        machine.press(.char("n"))
        effects = machine.press(.char("n"))
        #expect(machine.state.lesson.id == "third")
        #expect(effects.isEmpty)
        #expect(machine.statusLine == "This is the last lesson.")
        effects = machine.press(.char("p"))
        #expect(machine.state.lesson.id == "second")
        #expect(effects.savedProgress?.current == "second")
    }

    @Test("l lists the lessons by phase with done ✔ and current ▸; arrows and Enter pick one")
    func lessonList() {
        var progress = LearnerProgress()
        progress.markDone("first")
        progress.current = "second"
        var machine = Fixtures.machine(progress: progress)
        machine.press(.char("l"))
        #expect(machine.body[0] == "Phase 7: Basics")
        #expect(machine.body[1].hasPrefix("    ✔ 1  The First Lesson"))
        #expect(machine.body[2].hasPrefix("→ ▸   2  The Second Lesson"))
        #expect(machine.body[3] == "Phase 8: Pools")
        machine.press(.down, .down)
        #expect(machine.body[4].hasPrefix("→     3  The Third Lesson"))
        machine.press(.up)
        var effects = machine.press(.enter)
        #expect(effects.isEmpty)   // the current lesson again: nothing to save
        #expect(machine.state.view == .lesson)
        machine.press(.char("l"), .home)
        effects = machine.press(.enter)
        #expect(machine.state.lesson.id == "first")
        #expect(machine.state.view == .lesson)
        #expect(effects.savedProgress?.current == "first")
        machine.press(.char("l"), .escape)
        #expect(machine.state.view == .lesson)
    }

    @Test("q and Ctrl-C quit when nothing runs")
    func quit() {
        var machine = Fixtures.machine()
        #expect(machine.press(.char("q")) == [.quit])
        #expect(machine.press(.ctrlC) == [.quit])
    }

    @Test("an unknown key says so until the next key; a failed save is reported")
    func notices() {
        var machine = Fixtures.machine()
        machine.press(.char("z"))
        #expect(machine.statusLine.contains("No command on 'z'"))
        machine.press(.down)
        #expect(machine.statusLine.hasPrefix("New here?"))
        var done = LearnerProgress()
        done.markDone("second")
        var returning = Fixtures.machine(progress: done)
        #expect(returning.statusLine.hasPrefix("r run"))
        returning.press(.down)
        _ = machine.handle(.progressNotSaved("disk full"))
        #expect(machine.statusLine == "Progress not saved: disk full")
    }

    @Test("E opens the workspace copy in the editor; the editor's notice is shown")
    func editor() {
        var machine = Fixtures.machine()
        #expect(machine.press(.char("E")) == [.openEditor(lessonID: "first")])
        _ = machine.handle(.editorFinished("Your copy of the experiment: /tmp/x.lab"))
        #expect(machine.statusLine == "Your copy of the experiment: /tmp/x.lab")
        machine.press(.char("n"), .char("n"))
        #expect(machine.press(.char("E")).isEmpty)
    }
}

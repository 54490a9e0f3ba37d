import Foundation
import LabKit
import Testing
@testable import Stepper

@Suite("Stepper: running an experiment")
struct StepperRunTests {
    @Test("r starts the run and shows a Running… line at once; lines stream in as printed")
    func streams() {
        var machine = Fixtures.machine()
        #expect(machine.press(.char("r")) == [.startRun(lessonID: "first")])
        #expect(machine.state.view == .run)
        #expect(machine.body[0].hasPrefix("Running the lesson's experiment, first…"))
        #expect(machine.statusLine.hasPrefix("Running…"))
        _ = machine.handle(.runPrinted("hello"))
        _ = machine.handle(.runPrinted("tab\there"))
        #expect(machine.body[2] == "hello")
        #expect(machine.body[3] == "tab here")
    }

    @Test("the view follows the output while it runs")
    func follows() {
        var machine = Fixtures.machine()
        machine.press(.char("r"))
        for n in 1...50 { _ = machine.handle(.runPrinted("line \(n)")) }
        #expect(machine.body.last == "line 50")
    }

    @Test("every key but Ctrl-C is ignored while the experiment runs")
    func keysIgnored() {
        var machine = Fixtures.machine()
        machine.press(.char("r"))
        let keys: [Key] = [.char("q"), .char("n"), .char("p"), .char("r"), .char("l"), .char("v"), .char("h"), .char("c"),
                           .escape, .enter, .up, .down, .pageDown, .space, .char("?")]
        for key in keys {
            #expect(machine.press(key).isEmpty, "\(key)")
        }
        #expect(machine.state.lesson.id == "first")
        #expect(machine.state.view == .run)
        #expect(machine.state.activity == .running(lessonID: "first", isStopping: false))
    }

    @Test("Ctrl-C stops the run, not the stepper; once")
    func ctrlCStopsRun() {
        var machine = Fixtures.machine()
        machine.press(.char("r"))
        #expect(machine.press(.ctrlC) == [.cancelRun])
        #expect(machine.statusLine == "Stopping the run…")
        #expect(machine.press(.ctrlC).isEmpty)
        let effects = machine.handle(.runFinished(Fixtures.report(verdict: .broken, stopped: true)))
        #expect(effects.isEmpty)
        #expect(machine.state.activity == .idle)
        #expect(machine.statusLine == "Run stopped.")
        #expect(machine.body.contains("■ Run stopped"))
        #expect(!machine.state.progress.isDone("first"))
        #expect(machine.press(.ctrlC) == [.quit])   // nothing runs now: Ctrl-C quits
    }

    @Test("a match marks the lesson done and saves; the stepper stays on the lesson")
    func matchMarksDone() {
        var machine = Fixtures.machine()
        machine.press(.char("r"))
        _ = machine.handle(.runPrinted("hello"))
        let effects = machine.handle(.runFinished(Fixtures.report()))
        #expect(effects.savedProgress?.isDone("first") == true)
        #expect(machine.state.lesson.id == "first")
        #expect(machine.body.contains("✔ Output matches the expected output"))
        #expect(machine.statusLine.contains("Lesson done"))
        #expect(machine.progressLine.contains("1/3 lessons"))
        #expect(machine.screen.plainLines[0].contains("Lesson 1 of 3: The First Lesson · ✔ done"))
        // Running again after done saves nothing new.
        machine.press(.char("r"))
        #expect(machine.handle(.runFinished(Fixtures.report())).isEmpty)
    }

    @Test("a mismatch shows the diff lines and does not mark the lesson done")
    func mismatch() {
        var machine = Fixtures.machine()
        machine.press(.char("r"))
        var report = Fixtures.report(verdict: .mismatch)
        report.lines = ["✗ output differs: first difference at expected line 2", "> 2 - world", "    + there", "✘ Output differs from the expected output"]
        let effects = machine.handle(.runFinished(report))
        #expect(effects.isEmpty)
        #expect(machine.body.contains("> 2 - world"))
        #expect(!machine.state.progress.isDone("first"))
    }

    @Test("a long report is shown from its start, not its end")
    func longReport() {
        var machine = Fixtures.machine()
        machine.press(.char("r"))
        for n in 1...30 { _ = machine.handle(.runPrinted("line \(n)")) }
        var report = Fixtures.report(verdict: .mismatch)
        report.lines = (1...40).map { "diff \($0)" }
        _ = machine.handle(.runFinished(report))
        #expect(machine.body.first == "")
        #expect(machine.body[1] == "diff 1")
    }

    @Test("run events when nothing runs are ignored")
    func strayEvents() {
        var machine = Fixtures.machine()
        #expect(machine.handle(.runPrinted("late")).isEmpty)
        #expect(machine.handle(.runFinished(Fixtures.report())).isEmpty)
        #expect(!machine.state.progress.isDone("first"))
    }

    @Test("w shows the waterfall of the last finished run; o the last output again")
    func waterfall() {
        var machine = Fixtures.machine()
        machine.press(.char("w"))
        #expect(machine.body[0].contains("No finished run of this lesson yet"))
        machine.press(.char("r"))
        _ = machine.handle(.runPrinted("hello"))
        _ = machine.handle(.runFinished(Fixtures.report()))
        machine.press(.char("w"))
        #expect(machine.body[0] == "No requests were made.")
        machine.press(.char("o"))
        #expect(machine.body.contains("hello"))
    }

    @Test("a lesson without an experiment can't run")
    func noExperiment() {
        var machine = Fixtures.machine(start: 2)
        #expect(machine.press(.char("r")).isEmpty)
        #expect(machine.statusLine == "This lesson has no experiment to run.")
    }
}

@Suite("Stepper: saving the workspace copy re-runs it")
struct StepperWorkspaceTests {
    @Test("a save of the current lesson's copy runs the copy, when the stepper is idle")
    func rerunsOnSave() {
        var machine = Fixtures.machine()
        #expect(machine.handle(.workspaceSaved(lessonID: "first")) == [.startRun(lessonID: "first", workspace: true)])
        #expect(machine.body[0].hasPrefix("Running your copy…"))
        var report = Fixtures.report()
        report.file = "/state/workspace/first.lab"
        _ = machine.handle(.runFinished(report))
        #expect(machine.body[0].hasPrefix("▶ Ran your copy, /state/workspace/first.lab"))
    }

    @Test("after E, r runs the original and says so; R runs the copy and names its file")
    func runYourCopy() {
        var machine = Fixtures.machine(columns: 100)
        #expect(machine.press(.char("E")) == [.openEditor(lessonID: "first")])
        #expect(machine.press(.char("r")) == [.startRun(lessonID: "first")])
        var original = Fixtures.report()
        original.file = "Lessons/01-first.md"
        _ = machine.handle(.runFinished(original))
        #expect(machine.body[0].hasPrefix("▶ Ran the lesson's experiment, Lessons/01-first.md"))
        #expect(machine.body[1] == "This is the original; press R to run your copy.")
        #expect(machine.press(.char("R")) == [.startRun(lessonID: "first", workspace: true)])
        #expect(machine.body[0].hasPrefix("Running your copy…"))
        var copy = Fixtures.report()
        copy.file = "/state/workspace/first.lab"
        _ = machine.handle(.runFinished(copy))
        #expect(machine.body[0].hasPrefix("▶ Ran your copy, /state/workspace/first.lab"))
        #expect(!machine.body.contains("This is the original; press R to run your copy."))
        var none = Fixtures.machine(start: 2)
        #expect(none.press(.char("R")).isEmpty)
        #expect(none.statusLine.contains("no copy to run"))
    }

    @Test("a save while busy, or of another lesson's copy, is ignored")
    func ignoredWhenBusy() {
        var machine = Fixtures.machine()
        #expect(machine.handle(.workspaceSaved(lessonID: "second")).isEmpty)
        machine.press(.char("r"))
        #expect(machine.handle(.workspaceSaved(lessonID: "first")).isEmpty)
        _ = machine.handle(.runFinished(Fixtures.report()))
        machine.press(.char("v"))
        #expect(machine.handle(.workspaceSaved(lessonID: "first")).isEmpty)
    }

    @Test("WorkspaceWatch fires on a changed modification time or size of the same lesson's copy only")
    func watch() {
        var watch = WorkspaceWatch()
        func look(_ lessonID: String, _ stamp: FileStamp?) -> Bool { watch.changed(lessonID: lessonID, stamp: stamp) }
        let t0 = Date(timeIntervalSince1970: 100), t1 = Date(timeIntervalSince1970: 101)
        let s0 = FileStamp(modified: t0, size: 10), s1 = FileStamp(modified: t1, size: 10), grown = FileStamp(modified: t1, size: 11)
        let looks = [look("a", s0), look("a", s0), look("a", s1), look("a", grown), look("b", s0), look("b", nil), look("b", s1)]
        // first look is the baseline; same stamp; a save; a save within the same second (only the
        // size changed); another lesson (a new baseline); no copy; created since: a save
        #expect(looks == [false, false, true, true, false, false, true])
        watch.accept(lessonID: "b", stamp: s0)
        let afterAccept = look("b", s0)
        #expect(!afterAccept)
    }
}

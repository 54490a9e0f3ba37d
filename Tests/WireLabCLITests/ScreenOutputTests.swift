import Foundation
import Challenges
import LabKit
import Stepper
import Testing
@testable import WireLabCLI

/// The package's own Lessons/ directory (sixteen lessons: two-digit numbers).
private let courseDirectory: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    parts.removeLast(3)
    return parts.joined(separator: "/") + "/Lessons"
}()

/// A state directory where the lessons numbered `done` (1-based) are done.
private func stateWithDone(_ done: [Int]) throws -> String {
    let state = NSTemporaryDirectory() + "wirelab-screen-\(UUID().uuidString)"
    let library = LessonLibrary.load(directory: courseDirectory)
    var progress = LearnerProgress()
    for number in done { progress.markDone(library.lessons[number - 1].id) }
    try ProgressStore(directory: state).save(progress)
    return state
}

@Suite("CLI output that fits: list, run and edit say what they did")
struct ScreenOutputTests {
    @Test("list at 80 columns: no row wider than 80, the done mark apart from a two-digit number")
    func listFits() throws {
        let state = try stateWithDone([1, 10, 16])
        let result = runLessonCLI(["list", "--lessons", courseDirectory], environment: ["NO_COLOR": "1", "WIRELAB_STATE": state, "COLUMNS": "80"])
        #expect(result.status == 0)
        let rows = result.out.split(separator: "\n").map(String.init)
        #expect(rows.allSatisfy { $0.count <= 80 }, "\(rows.filter { $0.count > 80 })")
        #expect(result.out.contains("✔ 10  head-of-line-blocking"))
        #expect(!result.out.contains("✔10"))
        // The lesson rows keep their columns: every id starts in the same column.
        let lessonRows = rows.filter { $0.contains(" min") }
        #expect(lessonRows.count == 17)
        let idColumns = Set(lessonRows.map { row in row.distance(from: row.startIndex, to: row.range(of: "  ", range: row.index(row.startIndex, offsetBy: 6)..<row.endIndex)!.upperBound) })
        #expect(idColumns.count == 1, "\(lessonRows)")
    }

    @Test("list --plain: words and ASCII only")
    func listPlain() throws {
        let state = try stateWithDone([1, 10])
        let result = runLessonCLI(["list", "--plain", "--lessons", courseDirectory], environment: ["NO_COLOR": "1", "WIRELAB_STATE": state, "COLUMNS": "100"])
        #expect(result.status == 0)
        #expect(result.out.contains("done 10  head-of-line-blocking"))
        #expect(!result.out.contains("✔") && !result.out.contains("▸"))
        let narrow = runLessonCLI(["list", "--plain", "--lessons", courseDirectory], environment: ["NO_COLOR": "1", "WIRELAB_STATE": state, "COLUMNS": "80"])
        let rows = narrow.out.split(separator: "\n").filter { $0.contains(" min") }
        #expect(rows.allSatisfy { $0.count <= 80 })
        // Every row's difficulty starts in the same column.
        let starts = rows.map { row in ["beginner", "intermediate", "advanced"].compactMap { row.range(of: $0)?.lowerBound.utf16Offset(in: row) }.min() ?? -1 }
        #expect(Set(starts).count == 1, "\(rows)")
        #expect(rows.contains { $0.contains("...  ") })
        let dumb = runLessonCLI(["list", "--lessons", courseDirectory], environment: ["TERM": "dumb", "WIRELAB_STATE": state, "COLUMNS": "100"])
        #expect(dumb.out.contains("done  1  request-response-lifecycle"))
    }

    @Test("run names the file that ran: the lesson's, or with --mine your copy; plain verdicts are words")
    func runSaysWhichFile() throws {
        let lessons = try makeLessonsDirectory()
        let state = NSTemporaryDirectory() + "wirelab-screen-\(UUID().uuidString)"
        let env = ["NO_COLOR": "1", "WIRELAB_STATE": state, "VISUAL": "", "EDITOR": ""]
        let original = runLessonCLI(["run", "tiny", "--lessons", lessons], environment: env)
        #expect(original.out.contains("running the lesson's experiment: \(lessons)/01-tiny.md"))
        #expect(original.out.contains("✔ Output matches"))
        #expect(runLessonCLI(["edit", "tiny", "--lessons", lessons], environment: env).status == 0)
        let mine = runLessonCLI(["run", "tiny", "--mine", "--plain", "--lessons", lessons], environment: env)
        #expect(mine.out.contains("running your copy: \(state)/workspace/tiny.lab"))
        #expect(mine.out.contains("OK: Output matches"))
        #expect(!mine.out.contains("✔") && !mine.out.contains("▶"))
    }

    @Test("edit with $EDITOR set but no terminal prints the path instead of opening nothing")
    func editWithoutTerminal() throws {
        guard isatty(0) != 1 || isatty(1) != 1 else { return }   // only meaningful without a terminal
        let lessons = try makeLessonsDirectory()
        let state = NSTemporaryDirectory() + "wirelab-screen-\(UUID().uuidString)"
        let result = runLessonCLI(["edit", "tiny", "--lessons", lessons], environment: ["NO_COLOR": "1", "WIRELAB_STATE": state, "EDITOR": "vi"])
        #expect(result.status == 0)
        #expect(result.out.contains("Not opening 'vi'"))
        #expect(result.out.split(separator: "\n").contains { $0 == "\(state)/workspace/tiny.lab" })
    }

    @Test("--plain and TERM=dumb: every line a command writes is ASCII, the waterfall and verdicts included")
    func plainEverywhere() throws {
        let lessons = try makeLessonsDirectory(script: "fetch GET /\nprint \"hello {1 + 1}\"")
        let state = NSTemporaryDirectory() + "wirelab-screen-\(UUID().uuidString)"
        for (arguments, env) in [(["run", "tiny", "--waterfall", "--plain"], ["NO_COLOR": "1"]), (["run", "tiny", "--waterfall"], ["TERM": "dumb"]),
                                 (["progress", "--plain"], ["NO_COLOR": "1"]), (["list", "--plain"], ["NO_COLOR": "1"])] {
            let result = runLessonCLI(arguments + ["--lessons", lessons], environment: env.merging(["WIRELAB_STATE": state]) { a, _ in a })
            #expect(result.status == 0, "\(arguments): \(result.err)")
            for line in (result.out + result.err).split(separator: "\n") {
                #expect(line.unicodeScalars.allSatisfy { $0.value < 128 }, "\(arguments): \(line)")
            }
            if arguments[0] == "run" {
                #expect(result.out.contains("OK: Output matches"))
                #expect(result.out.contains("Waterfall:"))
            }
        }
        #expect(CLI.overview().contains("--plain"))
    }

    @Test("inside the stepper a build challenge without a script says press E, not a shell command")
    func pressE() throws {
        let (lessons, _) = try makeVerifyFixture()
        let state = NSTemporaryDirectory() + "wirelab-screen-\(UUID().uuidString)"
        let library = LessonLibrary.load(directory: lessons)
        let backend = LessonBackend(lessons: library.lessons, store: ProgressStore(directory: state), color: false)
        let report = backend.verify(lessonID: "kinds", challenge: 3, input: VerificationInput())
        #expect(report.status == .wrong)
        #expect(report.headline.contains("press E"), "\(report.headline)")
        #expect(!report.headline.contains("wirelab edit"))
        #expect(report.headline.contains("\(state)/workspace/kinds.lab"))
    }
}

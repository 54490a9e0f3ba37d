import Testing
@testable import WireLabCLI

@Suite("CLI: wirelab learn and wirelab alone, without a terminal")
struct LearnCommandTests {
    @Test("learn without a terminal says it needs one and exits 1")
    func needsTerminal() throws {
        let dir = try makeLessonsDirectory()
        let result = runLessonCLI(["learn", "--lessons", dir])
        #expect(result.status == 1)
        #expect(result.err.contains("Error: 'wirelab learn' needs a terminal"))
        #expect(result.out.isEmpty)
    }

    @Test("learn --help explains the keys; an unknown --start lesson is a usage error")
    func helpAndUsage() throws {
        let help = runLessonCLI(["learn", "--help"])
        #expect(help.status == 0)
        #expect(help.out.contains("USAGE: wirelab learn [--start <lesson>] [--lessons <dir>]"))
        #expect(help.out.contains("--start <lesson>"))
        let dir = try makeLessonsDirectory()
        let wrong = runLessonCLI(["learn", "--lessons", dir, "--start", "tiyn"])
        #expect(wrong.status == 64)
        #expect(wrong.err.contains("Did you mean 'tiny'?"))
        #expect(runLessonCLI(["learn", "extra"]).status == 64)
    }

    @Test("wirelab alone without a terminal prints the lesson list and how to start, exit 0")
    func defaultWithoutTerminal() throws {
        let dir = try makeLessonsDirectory()
        let result = runLessonCLI([], environment: ["NO_COLOR": "1", "WIRELAB_LESSONS": dir, "WIRELAB_STATE": dir + "/state"])
        #expect(result.status == 0)
        #expect(result.out.contains("tiny"))
        #expect(result.out.contains("Step through the lessons:  wirelab"))
    }

    @Test("the overview lists learn")
    func overview() {
        #expect(runLessonCLI(["--help"]).out.contains("learn"))
    }
}

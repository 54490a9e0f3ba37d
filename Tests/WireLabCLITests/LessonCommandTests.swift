import Foundation
import Testing
@testable import WireLabCLI

/// A throwaway lessons directory with one good lesson and one broken file.
func makeLessonsDirectory(expected: String = "hello 2", script: String = "print \"hello {1 + 1}\"") throws -> String {
    let dir = NSTemporaryDirectory() + "wirelab-cli-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let lesson = """
        ---
        id: tiny
        phase: 1
        phase_title: Basics
        sequence: 1
        title: A tiny lesson
        difficulty: beginner
        tags: [test]
        prerequisites: []
        estimated_minutes: 1
        ---

        ## Concept

        Something **bold** and `code`.

        ## Experiment

        ```lab
        \(script)
        ```

        ## Expected Output

        ```
        \(expected)
        ```

        ## Challenge

        1. Change the number.

        """
    try lesson.write(toFile: dir + "/01-tiny.md", atomically: true, encoding: .utf8)
    try "---\nid: broken\nphase: x\n---\n".write(toFile: dir + "/02-broken.md", atomically: true, encoding: .utf8)
    return dir
}

/// A state directory of this test process's own, so no test writes progress into the real home.
let testStateDirectory = NSTemporaryDirectory() + "wirelab-state-\(UUID().uuidString)"

func runLessonCLI(_ arguments: [String], environment: [String: String] = ["NO_COLOR": "1", "WIRELAB_STATE": testStateDirectory]) -> (status: Int32, out: String, err: String) {
    let console = RecordingConsole()
    let status = CLI.main(arguments, console: console, environment: environment)
    return (status, console.stdout, console.stderr)
}

@Suite("CLI: lesson commands, exit codes and usage errors")
struct LessonCommandTests {
    @Test("an unknown command is a usage error with a suggestion, exit 64")
    func unknownCommand() {
        let result = runLessonCLI(["lsit"])
        #expect(result.status == 64)
        #expect(result.err.contains("Error: Unknown command 'lsit'"))
        #expect(result.err.contains("Did you mean 'list'?"))
        #expect(result.err.contains("Usage: wirelab"))
    }

    @Test("an unknown option names the command's usage, exit 64")
    func unknownOption() {
        let result = runLessonCLI(["run", "--trcae", "x"])
        #expect(result.status == 64)
        #expect(result.err.contains("Did you mean '--trace'?"))
        #expect(result.err.contains("Usage: wirelab run"))
    }

    @Test("help goes to stdout with exit 0", arguments: [["--help"], ["help", "run"], ["run", "--help"], ["check", "-h"]])
    func help(arguments: [String]) {
        let result = runLessonCLI(arguments)
        #expect(result.status == 0)
        #expect(result.out.contains("USAGE:"))
        #expect(result.err.isEmpty)
    }

    @Test("list shows the good lesson and reports the broken file without stopping")
    func list() throws {
        let dir = try makeLessonsDirectory()
        let result = runLessonCLI(["list", "--lessons", dir])
        #expect(result.status == 0)
        #expect(result.out.contains("tiny"))
        #expect(result.out.contains("A tiny lesson"))
        #expect(result.err.contains("02-broken.md:"))
    }

    @Test("run: a match exits 0 and streams the live output")
    func runMatch() throws {
        let dir = try makeLessonsDirectory()
        let result = runLessonCLI(["run", "tiny", "--lessons", dir])
        #expect(result.status == 0)
        #expect(result.out.contains("hello 2"))
        #expect(result.out.contains("Output matches"))
    }

    @Test("run: a mismatch exits 1 and shows the first failing line")
    func runMismatch() throws {
        let dir = try makeLessonsDirectory(expected: "hello 3")
        let result = runLessonCLI(["run", "1", "--lessons", dir])
        #expect(result.status == 1)
        #expect(result.out.contains("hello 3"))
        #expect(result.out.contains("differs"))
    }

    @Test("run: a script error exits 2 with file:line:col and a caret")
    func runBroken() throws {
        let dir = try makeLessonsDirectory(script: "sleep soon")
        let result = runLessonCLI(["run", "tiny", "--lessons", dir])
        #expect(result.status == 2)
        #expect(result.err.contains("01-tiny.md:20:7: error:"))
        #expect(result.err.contains("^"))
    }

    @Test("run: an unknown lesson is a usage error with a suggestion")
    func runUnknown() throws {
        let dir = try makeLessonsDirectory()
        let result = runLessonCLI(["run", "tinny", "--lessons", dir])
        #expect(result.status == 64)
        #expect(result.err.contains("Did you mean 'tiny'?"))
    }

    @Test("run --json prints one JSON object with the verdict")
    func runJSON() throws {
        let dir = try makeLessonsDirectory(expected: "hello 3")
        let result = runLessonCLI(["run", "tiny", "--json", "--lessons", dir])
        #expect(result.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
        #expect(object?["verdict"] as? String == "mismatch")
        #expect(object?["output"] as? [String] == ["hello 2"])
        #expect(object?["first_difference_line"] as? Int == 26)
    }

    /// A script whose second request waits for the first to free the only socket.
    func queuedPairScript() throws -> String {
        let path = NSTemporaryDirectory() + "wirelab-\(UUID().uuidString).lab"
        try "agent pool maxSockets=1\nparallel 2 { pool GET /delay/20 }\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("run --waterfall draws one row per connection, with a summary")
    func waterfallConnections() throws {
        let path = try queuedPairScript()
        for option in ["--waterfall", "--waterfall=connections"] {
            let result = runLessonCLI(["run", path, option])
            #expect(result.status == 0)
            #expect(result.out.contains("Waterfall: one row per connection"))
            let rows = result.out.split(separator: "\n").filter { $0.hasPrefix("  pool #1") }
            #expect(rows.count == 1)
            #expect(rows.first?.hasSuffix("2 requests") == true)
            // Where the queue mark lands depends on live timings; WaterfallTests check it on fixed records.
            #expect(result.out.contains("Summary: 1 connection opened, 2 requests, 1 reused, longest queue wait"))
            #expect(result.out.split(separator: "\n").allSatisfy { $0.count <= 120 })
        }
    }

    @Test("run --waterfall=requests draws one row per request, grouped by connection; --json lists the requests")
    func waterfallRequests() throws {
        let path = try queuedPairScript()
        let result = runLessonCLI(["run", path, "--waterfall=requests"])
        #expect(result.status == 0)
        #expect(result.out.contains("Waterfall: 2 requests"))
        let rows = result.out.split(separator: "\n").filter { $0.contains("pool #1") }
        #expect(rows.count == 2)
        #expect(rows.last?.contains("░") == true)      // the second request waited for the only socket
        #expect(rows.last?.contains("reused") == true)
        let json = runLessonCLI(["run", path, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        let requests = object?["requests"] as? [[String: Any]]
        #expect(requests?.count == 2)
        #expect(requests?.last?["reused"] as? Bool == true)
    }

    @Test("run --waterfall takes its value only inline: the next argument stays the lesson")
    func waterfallBeforeLesson() throws {
        let path = try queuedPairScript()
        let result = runLessonCLI(["run", "--waterfall", path])
        #expect(result.status == 0)
        #expect(result.out.contains("Waterfall: one row per connection"))
    }

    @Test("run --waterfall with an unknown layout is a usage error naming the accepted ones, exit 64")
    func waterfallBadValue() throws {
        let path = try queuedPairScript()
        for (value, guess) in [("request", "Did you mean '--waterfall=requests'?"), ("", nil), ("lanes", nil)] {
            let result = runLessonCLI(["run", path, "--waterfall=\(value)"])
            #expect(result.status == 64)
            #expect(result.out.isEmpty)     // refused before anything ran
            #expect(result.err.contains("Error: Option '--waterfall' expects connections or requests and filters"))
            #expect(result.err.contains("got '\(value)'"))
            #expect(result.err.contains("Usage: wirelab run"))
            if let guess { #expect(result.err.contains(guess)) }
        }
    }

    @Test("run a .lab file: failed expect exits 1")
    func runLabFile() throws {
        let path = NSTemporaryDirectory() + "wirelab-\(UUID().uuidString).lab"
        try "print \"x\"\nexpect 1 > 2 \"one is not bigger\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = runLessonCLI(["run", path])
        #expect(result.status == 1)
        #expect(result.out.contains("one is not bigger"))
    }

    @Test("check: a verdict table; exit 2 when a lesson file is broken")
    func check() throws {
        let dir = try makeLessonsDirectory()
        let result = runLessonCLI(["check", "--all", "--lessons", dir])
        #expect(result.out.contains("tiny"))
        #expect(result.out.contains("match"))
        #expect(result.status == 2)
        let one = runLessonCLI(["check", "tiny", "--lessons", dir])
        #expect(one.status == 0)
    }

    @Test("lint: reports the broken file with file:line and exits 2")
    func lint() throws {
        let dir = try makeLessonsDirectory()
        let result = runLessonCLI(["lint", "--lessons", dir])
        #expect(result.status == 2)
        #expect(result.out.contains("02-broken.md:"))
    }

    @Test("show renders the lesson without colour codes when NO_COLOR is set")
    func show() throws {
        let dir = try makeLessonsDirectory()
        let result = runLessonCLI(["show", "tiny", "--lessons", dir, "--width", "60"])
        #expect(result.status == 0)
        #expect(result.out.contains("A tiny lesson"))
        #expect(!result.out.contains("\u{1B}["))
    }
}

import Foundation
import Testing
@testable import WireLabCLI

/// A lesson whose output depends on the network delay: zero whole round trips on loopback.
private let delaySensitiveScript = """
    let r = fetch GET /
    print "round trips: {floor(r.ms / 100)}"
    expect r.status == 200
    """

@Suite("CLI: run and check under --rtt, check --json", .serialized)
struct RTTAndCheckJSONTests {
    @Test("run --rtt: a difference the delay made is 'not judged', exit 0, and the lesson is not marked done")
    func runUnderRTT() throws {
        let dir = try makeLessonsDirectory(expected: "round trips: 0", script: delaySensitiveScript)
        let state = NSTemporaryDirectory() + "wirelab-state-\(UUID().uuidString)"
        let environment = ["NO_COLOR": "1", "WIRELAB_STATE": state]
        let result = runLessonCLI(["run", "tiny", "--lessons", dir, "--rtt", "100ms"], environment: environment)
        #expect(result.status == 0)
        #expect(result.out.contains("simulated RTT 100.0ms; the expected output assumes none"))
        #expect(result.out.contains("What the simulated delay changed: first at expected line 1"))
        #expect(result.out.contains("◦ Output not judged: the expected output assumes no simulated delay; with a simulated RTT of 100ms, 1 line differs"))
        #expect(result.out.contains("What can be judged held: no error, and its expect."))
        #expect(!result.out.contains("✘"))
        let progress = runLessonCLI(["list", "--json", "--lessons", dir], environment: environment)
        #expect(progress.out.contains("\"done\" : false") || progress.out.contains("\"done\": false"))
        let json = runLessonCLI(["run", "tiny", "--lessons", dir, "--rtt", "100ms", "--json"], environment: environment)
        #expect(json.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(report["verdict"] as? String == "not judged")
        #expect(report["rtt_ms"] as? Double == 100)
        #expect(report["expects_checked"] as? Int == 1)
        // Without the delay the same lesson matches.
        #expect(runLessonCLI(["run", "tiny", "--lessons", dir], environment: environment).status == 0)
    }

    @Test("check --rtt counts 'not judged' apart from matches")
    func checkUnderRTT() throws {
        let dir = try makeLessonsDirectory(expected: "round trips: 0", script: delaySensitiveScript)
        let result = runLessonCLI(["check", "tiny", "--lessons", dir, "--rtt", "100ms"])
        #expect(result.status == 0)
        #expect(result.out.contains("◦ not judged"))
        #expect(result.out.contains("0 of 1 lesson matched; 1 not judged"))
    }

    @Test("check --json: one object with each lesson's verdict and the counts, nothing else on stdout")
    func checkJSON() throws {
        let dir = try makeLessonsDirectory(expected: "hello 3")
        let result = runLessonCLI(["check", "--json", "--lessons", dir])
        #expect(result.status == 2)   // the directory's broken file
        let object = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
        let fields = try #require(object)
        #expect(fields["exit_code"] as? Int == 2)
        #expect(fields["failed"] as? Int == 1)
        #expect(fields["matched"] as? Int == 0)
        #expect(fields["rtt_ms"] is NSNull)
        let lessons = try #require(fields["lessons"] as? [[String: Any]])
        let lesson = try #require(lessons.first)
        #expect(lesson["id"] as? String == "tiny")
        #expect(lesson["verdict"] as? String == "mismatch")
        #expect(lesson["exit_code"] as? Int == 1)
        #expect((lesson["diff"] as? String)?.contains("hello 2") == true)
        #expect((fields["broken"] as? [Any])?.count == 1)
    }
}

@Suite("CLI: lint of scripts and lone lesson files")
struct LintCommandTests {
    @Test("lint FILE.lab parses the script and prints its errors like a compiler, exit 2")
    func labScript() throws {
        let bad = NSTemporaryDirectory() + "wirelab-\(UUID().uuidString).lab"
        try "print \"ok\"\nsleep soon\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let result = runLessonCLI(["lint", bad])
        #expect(result.status == 2)
        #expect(result.out.contains("\(bad):2:7: error: expected a duration"))
        #expect(result.out.contains("sleep soon\n      ^"))
        #expect(result.out.contains("✘ 1 script checked: 1 error, 0 warnings"))
        let good = NSTemporaryDirectory() + "wirelab-\(UUID().uuidString).lab"
        try "print \"ok\"\n".write(toFile: good, atomically: true, encoding: .utf8)
        let clean = runLessonCLI(["lint", good])
        #expect(clean.status == 0)
        #expect(clean.out.contains("✔ 1 script checked: 0 errors, 0 warnings"))
    }

    @Test("a lesson file outside the lessons directory may name the course's lessons as prerequisites")
    func loneLessonFile() throws {
        let course = try makeLessonsDirectory()
        let elsewhere = NSTemporaryDirectory() + "wirelab-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let text = try String(contentsOfFile: course + "/01-tiny.md", encoding: .utf8)
            .replacingOccurrences(of: "id: tiny", with: "id: tiny-two")
            .replacingOccurrences(of: "prerequisites: []", with: "prerequisites: [tiny]")
        try text.write(toFile: elsewhere + "/02-tiny-two.md", atomically: true, encoding: .utf8)
        let result = runLessonCLI(["lint", elsewhere + "/02-tiny-two.md", "--lessons", course])
        #expect(!result.out.contains("prerequisite"))
        #expect(result.out.contains("1 lesson checked: 0 errors"))
        let wrong = text.replacingOccurrences(of: "prerequisites: [tiny]", with: "prerequisites: [tinny]")
        try wrong.write(toFile: elsewhere + "/02-tiny-two.md", atomically: true, encoding: .utf8)
        let typo = runLessonCLI(["lint", elsewhere + "/02-tiny-two.md", "--lessons", course])
        #expect(typo.status == 2)
        #expect(typo.out.contains("prerequisite 'tinny' is not the id of any lesson (did you mean 'tiny'?)"))
    }

    @Test("a path that does not exist is a usage error, exit 64")
    func missingPath() {
        let result = runLessonCLI(["lint", "/nonexistent/wirelab-\(UUID().uuidString).md"])
        #expect(result.status == 64)
        #expect(result.err.contains("Error: No such file or directory"))
    }
}

@Suite("CLI: every usage error exits 64 with the command's usage")
struct UsageErrorExitTests {
    @Test("usage errors across the commands", arguments: [
        ["list", "extra"], ["show"], ["show", "1", "2"], ["run"], ["run", "1", "--rtt", "soon"], ["run", "1", "--limit", "0"],
        ["run", "1", "--trace=bogus"], ["run", "1", "--waterfall=conn:1"], ["check", "--all", "1"], ["check", "--rtt", "x"],
        ["lint", "--bogus"], ["serve", "extra"], ["serve", "--port", "70000"], ["probe"], ["probe", "https://127.0.0.1/"],
        ["probe", "ftp://127.0.0.1/"], ["bench", "extra"], ["bench", "--url", "https://127.0.0.1/"], ["completion"],
        ["completion", "tcsh"], ["man", "extra"], ["edit"], ["watch"],
    ])
    func exits64(arguments: [String]) throws {
        let dir = try makeLessonsDirectory()
        let needsLessons = ["show", "run", "check", "lint", "edit", "watch"].contains(arguments[0])
        let result = runLessonCLI(arguments + (needsLessons && arguments[0] != "lint" ? ["--lessons", dir] : []))
        #expect(result.status == 64, "\(arguments): \(result.err)")
        #expect(result.err.hasPrefix("Error: "))
        #expect(result.err.contains("Usage: wirelab \(arguments[0])"))
        #expect(result.err.contains("See 'wirelab \(arguments[0]) --help' for more information."))
    }
}

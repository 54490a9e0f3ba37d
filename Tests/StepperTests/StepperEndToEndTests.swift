#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LabKit
import Testing
@testable import Stepper

/// The real `wirelab` binary on a pseudo-terminal: open the stepper, run a lesson, verify a
/// challenge wrongly then rightly, quit; then the terminal is back in its normal mode and progress
/// was saved. Every wait is bounded; a child that hangs is killed.
@Suite("Stepper end to end: the wirelab binary on a pseudo-terminal", .serialized)
struct StepperEndToEndTests {
    /// The package root, from this file's path: `<root>/Tests/StepperTests/<file>`.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The built `wirelab` beside the test bundle (the test target depends on it, so it is built).
    static func binary() -> String? {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            bundleDirectory.appendingPathComponent("wirelab").path,
            bundleDirectory.deletingLastPathComponent().appendingPathComponent("wirelab").path,
            packageRoot + "/.build/debug/wirelab",
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("learn: run a lesson, move on, verify wrong then right, quit; terminal restored, progress saved")
    func session() throws {
        let binary = try #require(Self.binary(), "the wirelab executable was not found beside the tests")
        let state = NSTemporaryDirectory() + "wirelab-stepper-e2e-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let environment = ["WIRELAB_STATE": state, "NO_COLOR": "1", "TERM": "xterm-256color", "HOME": state,
                           "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        // The first two lessons, copied, so the counts on screen don't change as the curriculum grows.
        let lessons = state + "/lessons"
        try FileManager.default.createDirectory(atPath: lessons, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.packageRoot + "/Lessons")
        where name.hasPrefix("01-") || name.hasPrefix("02-") {
            try FileManager.default.copyItem(atPath: Self.packageRoot + "/Lessons/" + name, toPath: lessons + "/" + name)
        }
        // Lesson 1 runs in milliseconds and prints nothing timing-dependent: the run's verdict is stable under load.
        let terminal = try PseudoTerminal(path: binary, arguments: ["learn", "--lessons", lessons, "--start", "1"],
                                          environment: environment)
        try terminal.waitFor("0/2 lessons done", timeout: 30)
        #expect(terminal.localFlags & tcflag_t(ICANON) == 0, "raw mode while the stepper runs")
        #expect(terminal.localFlags & tcflag_t(ECHO) == 0)
        #expect(terminal.text.contains("Lesson 1 of 2: The Request/Response Lifecycle on the Wire"))

        var mark = terminal.output.count
        terminal.send("r")
        let verdict = try terminal.waitForAny(["Output matches the expected output", "Output differs", "failed", "The experiment"],
                                              after: mark, timeout: 60)
        #expect(verdict == "Output matches the expected output")
        try terminal.waitFor("1/2 lessons done", after: mark, timeout: 10)

        mark = terminal.output.count
        terminal.send("n")
        try terminal.waitFor("Lesson 2 of 2: HTTP Keep-Alive", after: mark, timeout: 10)

        // Challenge 4 of http-keep-alive is a choice: b is wrong, a is right.
        mark = terminal.output.count
        terminal.send("v4")
        try terminal.waitFor("Your choice (a, b, c", after: mark, timeout: 10)
        mark = terminal.output.count
        terminal.send("b")
        try terminal.waitFor("Not yet", after: mark, timeout: 30)

        mark = terminal.output.count
        terminal.send("v")
        try terminal.waitFor("Enter = 4", after: mark, timeout: 10)
        mark = terminal.output.count
        terminal.send("\r")
        try terminal.waitFor("Your choice", after: mark, timeout: 10)
        mark = terminal.output.count
        terminal.send("a")
        try terminal.waitFor("Correct", after: mark, timeout: 30)
        try terminal.waitFor("1/2 lessons done · 1/", after: mark, timeout: 10)

        // Revealing it afterwards shows the answer and leaves it verified.
        mark = terminal.output.count
        terminal.send("a")
        try terminal.waitFor("(it stays verified) y/N", after: mark, timeout: 10)
        mark = terminal.output.count
        terminal.send("y")
        try terminal.waitFor("Revealed: the answer is (a).", after: mark, timeout: 30)
        try terminal.waitFor("it stays verified", after: mark, timeout: 10)

        terminal.send("q")
        let status = try terminal.waitForExit(timeout: 20)
        #expect(status == 0)

        // The terminal is back: line mode and echo on, the alternate screen left, the cursor shown.
        #expect(terminal.localFlags & tcflag_t(ICANON) != 0)
        #expect(terminal.localFlags & tcflag_t(ECHO) != 0)
        let raw = String(decoding: terminal.output, as: UTF8.self)
        #expect(raw.contains(StepperRenderer.enterSequence))
        #expect(raw.hasSuffix("\u{1B}[?1049l\u{1B}[?25h"))

        let saved = try #require(FileManager.default.contents(atPath: state + "/progress.json"), "progress.json was written")
        let progress = try JSONDecoder().decode(LearnerProgress.self, from: saved)
        #expect(progress.current == "http-keep-alive")
        #expect(progress.isDone("request-response-lifecycle"))
        #expect(!progress.isDone("http-keep-alive"))
        #expect(progress.isVerified("http-keep-alive", 4))
        #expect(progress.verifiedCount == 1)
    }
}

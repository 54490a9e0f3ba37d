import Foundation
import LabKit
import Testing
@testable import LabRun

/// The package's own Lessons/ directory, found from this file's path.
let lessonsDirectory: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    parts.removeLast(3)   // Tests/LabRunTests/LessonTests.swift
    return parts.joined(separator: "/") + "/Lessons"
}()

@Suite("Every lesson in Lessons/ runs live and matches its expected output", .serialized)
struct LessonTests {
    static let library = LessonLibrary.load(directory: lessonsDirectory)

    @Test("the lessons directory loads without broken files")
    func loads() {
        #expect(Self.library.diagnostics.isEmpty, "\(Self.library.diagnostics)")
        #expect(Self.library.lessons.count >= 2)
    }

    @Test("lesson matches", arguments: LessonTests.library.lessons.map(\.id))
    func lessonMatches(id: String) throws {
        let lesson = try #require(Self.library.find(id))
        let watch = LoopWatch()
        let outcome = ExperimentRunner.run(lesson: lesson, options: .watched(by: watch))
        #expect(watch.loop == nil, "\(id): the run's event loop outlived the run (something still holds the lab)")
        if outcome.verdict != .match {
            Issue.record("""
                \(id): \(outcome.verdict.rawValue)
                \(outcome.runtimeError.map { "\($0.location): \($0.message)" } ?? "")
                \(outcome.expectFailures.map(\.message).joined(separator: "\n"))
                \(outcome.match?.render(color: false) ?? "")
                output:
                \(outcome.output.joined(separator: "\n"))
                """)
        }
    }

    @Test("the check can fail: a wrong expected line is a mismatch marked at that line")
    func mutatedLessonFails() throws {
        let lesson = try #require(Self.library.lessons.first { $0.expectedOutput != nil })
        let expected = try #require(lesson.expectedOutput)
        // Change the first line that is plain text (no placeholder, no elision).
        let lines = expected.code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let index = try #require(lines.firstIndex { !$0.isEmpty && !$0.contains("<") && $0.trimmingCharacters(in: .whitespaces) != "..." })
        var changed = lines
        changed[index] = lines[index] + " (this line is wrong on purpose)"
        let experiment = try #require(lesson.experiment)
        let outcome = ExperimentRunner.run(source: experiment.code, lineOffset: experiment.firstLine - 1,
                                           expected: changed.joined(separator: "\n"), expectedFirstLine: expected.firstLine)
        #expect(outcome.verdict == .mismatch)
        #expect(outcome.match?.firstFailureFileLine == expected.firstLine + index)
        #expect(outcome.match?.render(color: false).contains("wrong on purpose") == true)
    }
}

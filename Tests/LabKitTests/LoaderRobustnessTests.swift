import Testing
@testable import LabKit

/// Damaged lesson files and outputs must give diagnostics or verdicts, never a crash.
@Suite("Loader and matcher robustness")
struct LoaderRobustnessTests {
    static let lesson = """
        ---
        id: sample
        phase: 1
        phase_title: Basics
        sequence: 2
        title: Sample
        difficulty: beginner
        tags: [a, b]
        prerequisites: []
        estimated_minutes: 5
        ---

        ## Concept

        Text with `code` and **bold**.

        ## Experiment

        ```lab
        print "hi"
        ```

        ## Expected Output

        ```
        hi
        ...
        <n> done
        ```

        ## Challenge

        1. One.
        """

    @Test("1000 damaged lesson files load or report file:line, and render without crashing")
    func damagedLessons() {
        var state: UInt64 = 7
        func below(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let lines = Self.lesson.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let junk = ["---", "```", "## ", "id:", "phase: x", "tags: [", "1.", "| a | b |", "", "~~~", "> q", "* item"]
        for _ in 0..<1000 {
            var copy = lines
            for _ in 0..<(1 + below(4)) {
                let at = below(copy.count + 1)
                switch below(3) {
                case 0: copy.insert(junk[below(junk.count)], at: at)
                case 1: if at < copy.count { copy.remove(at: at) }
                default: if at < copy.count { copy[at] = junk[below(junk.count)] + copy[at] }
                }
            }
            switch LessonLoader.parse(copy.joined(separator: "\n"), path: "L.md") {
            case .success(let lesson):
                _ = MarkdownRenderer(width: 60, color: false).renderLesson(lesson)
                if let expected = lesson.expectedOutput {
                    _ = OutputMatcher.match(expected: expected.code, actual: "hi\nx\n3 done").render(color: false)
                }
            case .failure(let diagnostic):
                #expect(diagnostic.file == "L.md")
                #expect(diagnostic.line >= 0 && diagnostic.line <= copy.count + 1)
            }
        }
    }
}

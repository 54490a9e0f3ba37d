import Testing
@testable import LabKit

@Suite("Lint: every predict, choice and build key explains its answer")
struct ExplainLintTests {
    func lint(_ challenges: String) throws -> [LessonDiagnostic] {
        let lesson = try lessonWithChallenges(challenges)
        return LessonLinter.lint(library: LessonLibrary(lessons: [lesson])) { _, _ in [] }
    }

    func explainErrors(_ diagnostics: [LessonDiagnostic]) -> [LessonDiagnostic] {
        diagnostics.filter { $0.severity == .error && $0.message.contains("needs 'explain: ...'") }
    }

    @Test("a predict or build key without explain: is an error at the key's line")
    func missing() throws {
        let found = explainErrors(try lint("""
            1. Predict.

               <!-- check predict
               answer: 1
               -->
            2. Build.

               <!-- check build
               expect server.connections == 1
               -->
            """))
        #expect(found.count == 2)
        #expect(found.map(\.message).contains { $0.hasPrefix("challenge 1: a predict key") })
        #expect(found.map(\.message).contains { $0.hasPrefix("challenge 2: a build key") })
        #expect(found.allSatisfy { $0.line > 1 })
    }

    @Test("with explain: the keys lint clean; a your-server key may leave it out")
    func present() throws {
        let diagnostics = try lint("""
            1. Predict.

               <!-- check predict
               answer: 1
               explain: One, because the lab counted one.
               -->
            2. Build.

               <!-- check build
               explain: One connection carries every request when the agent keeps it alive.
               expect server.connections == 1
               -->
            3. Your server.

               <!-- check your-server
               expect probe.keepsAlive
               -->
            """)
        #expect(explainErrors(diagnostics).isEmpty)
        #expect(!diagnostics.contains { $0.message.hasPrefix("challenge ") })
    }

    @Test("an empty explain: counts as missing")
    func empty() throws {
        let found = explainErrors(try lint("1. Predict.\n\n   <!-- check predict\n   answer: 1\n   explain:\n   -->\n"))
        #expect(found.count == 1)
    }
}

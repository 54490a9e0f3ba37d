import Testing
@testable import LabKit

/// A lesson whose challenge section is `challenges`, loaded from text.
func lessonWithChallenges(_ challenges: String) throws -> Lesson {
    let text = """
        ---
        id: keyed
        phase: 1
        phase_title: Test
        sequence: 1
        title: Keyed
        difficulty: beginner
        tags: [t]
        prerequisites: []
        estimated_minutes: 1
        ---

        ## Concept

        Text.

        ## Challenge

        \(challenges)
        """
    return try LessonLoader.parse(text, path: "keyed.md").get()
}

@Suite("Challenge keys, hints and prompts")
struct ChallengeKeyTests {
    @Test("a predict key: header, script at its file lines, hints apart from the prompt")
    func predict() throws {
        let lesson = try lessonWithChallenges("""
            1. **Count them.** How many connections?

               <!-- check predict
               answer: server.connections
               tolerance: 10%
               repeat 3 { fetch GET / "Connection: close" }
               -->

               > Hint: One per request.
               > It says close.
               > Hint: Count the requests.
            2. Plain item.
            """)
        let challenge = try #require(lesson.challenges.first)
        let key = try #require(challenge.key)
        #expect(challenge.keyProblem == nil)
        #expect(key.kind == .predict)
        #expect(key.fields["answer"] == "server.connections")
        #expect(key.tolerance == .relative(0.1))
        #expect(key.script == "repeat 3 { fetch GET / \"Connection: close\" }")
        // Front matter 11 lines, blank, "## Concept", blank, "Text.", blank, "## Challenge", blank: item on 19.
        #expect(challenge.line == 19)
        #expect(key.line == 21)
        #expect(key.scriptFirstLine == 24)
        #expect(challenge.hints == ["One per request. It says close.", "Count the requests."])
        #expect(challenge.prompt == "**Count them.** How many connections?")
        #expect(challenge.title == "Count them.")
        #expect(lesson.challenges[1].key == nil)
        #expect(lesson.challenges[1].keyProblem == nil)
    }

    @Test("a choice key lists its options and the right one")
    func choice() throws {
        let lesson = try lessonWithChallenges("""
            1. Pick one.
               - (a) this
               - (b) that

               <!-- check choice
               choices: a b
               answer: B
               explain: Because.
               -->
            """)
        let key = try #require(lesson.challenges.first?.key)
        #expect(key.choices == ["a", "b"])
        #expect(key.fields["explain"] == "Because.")
        #expect(lesson.challenges[0].prompt.contains("(b) that"))
    }

    @Test("broken keys are reported with the file line of the problem", arguments: [
        ("<!-- check guess\n   -->", 21, "KIND is one of"),
        ("<!-- check predict\n   tolerance: 1\n   -->", 21, "needs 'answer: ...'"),
        ("<!-- check predict\n   answer: 1\n   colour: red\n   -->", 23, "has no field 'colour'"),
        ("<!-- check choice\n   choices: a b\n   answer: c\n   explain: x\n   -->", 23, "not one of the choices"),
        ("<!-- check build\n   -->", 21, "needs conditions"),
        ("<!-- check build\n   expect server.connections ==\n   -->", 22, "the key's script"),
        ("<!-- check predict\n   answer: 1 +\n   -->", 22, "the answer expression"),
        ("<!-- check predict\n   answer: 1\n   tolerance: lots\n   -->", 23, "tolerance"),
        ("<!-- check your-server\n   max-wait: soon\n   expect probe.keepsAlive\n   -->", 22, "duration"),
        ("<!-- check your-server\n   protocol: h3\n   expect probe.h2.priorKnowledge\n   -->", 22, "'protocol' is both, http1 or h2"),
        ("<!-- check your-server\n   streams: 0\n   expect probe.h2.priorKnowledge\n   -->", 22, "positive whole number"),
        ("<!-- check your-server\n   idle-wait: soon\n   expect probe.h2.priorKnowledge\n   -->", 22, "duration"),
        ("<!-- check predict\n   answer: 1", 21, "never closed"),
        ("<!-- check your-client\n   explain: x\n   -->", 21, "needs conditions"),
        ("<!-- check your-client\n   keep-alive-timeout: soon\n   expect client.requests >= 1\n   -->", 22, "duration"),
        ("<!-- check your-client\n   max-requests: 0\n   expect client.requests >= 1\n   -->", 22, "positive whole number"),
        ("<!-- check your-client\n   no-keep-alive-header: maybe\n   expect client.requests >= 1\n   -->", 22, "true or false"),
        ("<!-- check your-client\n   max-wait: 5s\n   expect client.requests >= 1\n   -->", 22, "has no field 'max-wait'"),
        ("<!-- check your-client\n   drop-reused: some\n   expect client.requests >= 1\n   -->", 22, "a positive whole number or all"),
        ("<!-- check your-client\n   close-silently-after: 0\n   expect client.requests >= 1\n   -->", 22, "positive whole number"),
        ("<!-- check your-client\n   explain: x\n   expect server.connections == 1\n   -->", 23, "never mention client"),
    ])
    func broken(key: String, line: Int, message: String) throws {
        let lesson = try lessonWithChallenges("1. Item.\n\n   " + key + "\n")
        let challenge = try #require(lesson.challenges.first)
        #expect(challenge.key == nil)
        let problem = try #require(challenge.keyProblem)
        #expect(problem.hasPrefix("line \(line):"), "\(problem)")
        #expect(problem.contains(message), "\(problem)")
        let diagnostics = LessonLinter.lint(library: LessonLibrary(lessons: [lesson])) { _, _ in [] }
        #expect(diagnostics.contains { $0.severity == .error && $0.line == line && $0.message.contains(message) })
    }

    @Test("a your-client key: server knobs in the header, conditions on client.*, counted by the summary")
    func yourClient() throws {
        let lesson = try lessonWithChallenges("""
            1. **Reuse.** Send five requests on one connection.

               <!-- check your-client
               limit: 20s
               keep-alive-timeout: 300ms
               advertised-timeout: 30s
               max-requests: 3
               explain: One session.
               expect client.usedConnections == 1
               -->
            """)
        let key = try #require(lesson.challenges.first?.key)
        #expect(key.kind == .yourClient)
        #expect(key.fields["keep-alive-timeout"] == "300ms" && key.fields["max-requests"] == "3")
        #expect(key.script == "expect client.usedConnections == 1")
        let diagnostics = LessonLinter.lint(library: LessonLibrary(lessons: [lesson])) { _, _ in [] }
        #expect(!diagnostics.contains { $0.severity == .error && $0.message.contains("challenge 1") }, "\(diagnostics)")
        #expect(LessonLinter.challengeSummary(lesson) == "1 challenge: 1 your-client")
    }

    @Test("an item without a key is a lint warning; the summary counts kinds")
    func unkeyed() throws {
        let lesson = try lessonWithChallenges("1. No key here.\n2. Another.\n\n   <!-- check predict\n   answer: 1\n   explain: One.\n   -->\n")
        let diagnostics = LessonLinter.lint(library: LessonLibrary(lessons: [lesson])) { _, _ in [] }
        #expect(diagnostics.contains { $0.severity == .warning && $0.message.contains("challenge 1 has no key") })
        #expect(!diagnostics.contains { $0.message.contains("challenge 2") })
        #expect(LessonLinter.challengeSummary(lesson) == "2 challenges: 1 predict, 1 without a key")
    }

    @Test("the renderer hides keys (HTML comments) but keeps code blocks that contain '<!--'")
    func rendererHidesKeys() {
        let markdown = "Before.\n\n<!-- check predict\nanswer: 1\n-->\n\n```\n<!-- kept -->\n```\n\nAfter."
        let text = MarkdownRenderer(width: 60, color: false).render(markdown)
        #expect(!text.contains("check predict"))
        #expect(!text.contains("answer: 1"))
        #expect(text.contains("<!-- kept -->"))
        #expect(text.contains("Before.") && text.contains("After."))
    }
}

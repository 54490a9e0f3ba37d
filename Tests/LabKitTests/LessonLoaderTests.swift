import Foundation
import Testing
@testable import LabKit

@Suite("Lesson loader")
struct LessonLoaderTests {
    @Test("a complete lesson file loads with typed front matter and its sections in order")
    func happyFile() throws {
        let lesson = try parsed(lessonText(replacing: ["tags": "[http, \"keep-alive\", 'tcp']", "prerequisites": "[basics]"]))
        #expect(lesson.id == "sample-lesson")
        #expect(lesson.phase == 1)
        #expect(lesson.phaseTitle == "Connections")
        #expect(lesson.sequence == 1)
        #expect(lesson.title == "A Sample Lesson")
        #expect(lesson.difficulty == "beginner")
        #expect(lesson.tags == ["http", "keep-alive", "tcp"])
        #expect(lesson.prerequisites == ["basics"])
        #expect(lesson.estimatedMinutes == 10)
        #expect(lesson.sections.map(\.title) == ["Concept", "Experiment", "Expected Output", "Challenge"])
        #expect(lesson.concept == "A connection can carry **many** requests.")
        #expect(lesson.frontMatterEndLine == 11)
        #expect(lesson.frontMatterLines["sequence"] == 5)
    }

    @Test("the experiment and expected output blocks know their language, code and file lines")
    func codeBlocks() throws {
        let lesson = try parsed(lessonText())
        let experiment = try #require(lesson.experiment)
        #expect(experiment.language == "lab")
        #expect(experiment.code == "print \"hello\"")
        #expect(experiment.fenceLine == 19)
        #expect(experiment.firstLine == 20)
        let expected = try #require(lesson.expectedOutput)
        #expect(expected.language == "")
        #expect(expected.code == "hello")
        #expect(expected.firstLine == 26)
        #expect(lesson.section(named: "experiment")?.line == 17)
    }

    @Test("challenges are the numbered items, with their text, continuation and line")
    func challenges() throws {
        let lesson = try parsed(lessonText())
        #expect(lesson.challenges == [
            Challenge(number: 1, text: "Predict the number of connections.", line: 31),
            Challenge(number: 2, text: "Pick one:\nmore text for two", line: 32),
        ])
    }

    @Test("unknown sections and unknown front-matter keys are kept")
    func unknownKept() throws {
        let body = standardBody + "\n## Further Reading\n\nRFC 9112.\n"
        let lesson = try parsed(lessonText(replacing: ["author": "someone", "level": "[a, b]"], body: body))
        #expect(lesson.sections.last?.title == "Further Reading")
        #expect(lesson.sections.last?.body == "RFC 9112.")
        #expect(lesson.otherFrontMatter["author"] == .scalar("someone"))
        #expect(lesson.otherFrontMatter["level"] == .list(["a", "b"]))
    }

    @Test("a ## line inside a fenced block is code, not a heading (``` and ~~~)")
    func headingInsideFence() throws {
        let body = """
        Intro before any section.

        ## Experiment

        ```lab
        ## not a heading
        print "x"
        ```

        ~~~ text
        ## also not a heading
        ~~~

        ## Expected Output

        ````
        ```
        ## still code
        ````
        """
        let lesson = try parsed(lessonText(body: body))
        #expect(lesson.preamble == "Intro before any section.")
        #expect(lesson.sections.map(\.title) == ["Experiment", "Expected Output"])
        #expect(lesson.experiment?.code == "## not a heading\nprint \"x\"")
        #expect(lesson.section(named: "Experiment")?.codeBlocks.count == 2)
        #expect(lesson.section(named: "Experiment")?.codeBlocks[1].language == "text")
        #expect(lesson.expectedOutput?.code == "```\n## still code")
    }

    @Test("an unclosed fence runs to the end of the file and says so")
    func unclosedFence() throws {
        let body = "## Experiment\n\n```lab\nprint 1\n## Expected Output\n"
        let lesson = try parsed(lessonText(body: body))
        #expect(lesson.sections.count == 1)
        #expect(lesson.experiment?.isClosed == false)
    }

    @Test("Windows line endings load like Unix ones")
    func crlf() throws {
        let lesson = try parsed(lessonText().replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(lesson.id == "sample-lesson")
        #expect(lesson.experiment?.code == "print \"hello\"")
    }

    @Test("each broken front matter gives one file:line message", arguments: [
        (lessonText(replacing: ["sequence": "two"]), "Lessons/02-x.md:5: front matter: 'sequence' must be a whole number, found \"two\""),
        (lessonText(replacing: ["phase": "1.5"]), "Lessons/02-x.md:3: front matter: 'phase' must be a whole number, found \"1.5\""),
        (lessonText(replacing: ["estimated_minutes": "[10]"]), "Lessons/02-x.md:10: front matter: 'estimated_minutes' must be a whole number, found \"[10]\""),
        (lessonText(replacing: ["tags": "http"]), "Lessons/02-x.md:8: front matter: 'tags' must be a list like [a, b], found \"http\""),
        (lessonText(replacing: ["title": "[a, b]"]), "Lessons/02-x.md:6: front matter: 'title' must be a single value, not a list"),
        (lessonText(replacing: ["id": "\"\""]), "Lessons/02-x.md:2: front matter: 'id' must not be empty"),
        (lessonText(replacing: ["id": nil]), "Lessons/02-x.md:10: front matter: missing required key 'id'"),
        (lessonText(replacing: ["phase": nil]), "Lessons/02-x.md:10: front matter: missing required key 'phase'"),
        (lessonText(replacing: ["sequence": nil]), "Lessons/02-x.md:10: front matter: missing required key 'sequence'"),
        (lessonText(replacing: ["title": nil]), "Lessons/02-x.md:10: front matter: missing required key 'title'"),
        (lessonText(replacing: ["tags": "[http, tcp"]), "Lessons/02-x.md:8: front matter: 'tags': a list needs a closing ']'"),
        (lessonText(replacing: ["title": "\"Unclosed"]), "Lessons/02-x.md:6: front matter: 'title': the quote \" is never closed"),
        ("---\nid: a\nid: b\n---\n", "Lessons/02-x.md:3: front matter: 'id' is given twice (first on line 2)"),
        ("---\nid: a\njust words\n---\n", "Lessons/02-x.md:3: front matter: expected 'key: value', found \"just words\""),
        ("---\nid: a\nphase: 1\n", "Lessons/02-x.md:1: front matter: the '---' on line 1 is never closed by another '---'"),
        ("## Concept\n\ntext\n", "Lessons/02-x.md:1: front matter: a lesson starts with a '---' line, then 'key: value' lines, then '---'"),
    ])
    func brokenFrontMatter(text: String, message: String) {
        #expect(parseError(text) == message)
    }

    @Test("comments and blank lines in front matter are skipped; quoted values keep colons")
    func frontMatterComments() throws {
        let text = "---\n# a comment\nid: a\n\nphase: 1\nsequence: 2\ntitle: \"Colon: inside\"\n---\n"
        let lesson = try parsed(text)
        #expect(lesson.title == "Colon: inside")
        #expect(lesson.sections.isEmpty)
    }

    @Test("a file that cannot be read is a diagnostic on the file as a whole")
    func unreadable() {
        guard case .failure(let diagnostic) = LessonLoader.load(file: "/nonexistent/01-a.md") else {
            Issue.record("expected a failure")
            return
        }
        #expect(diagnostic.description == "/nonexistent/01-a.md: cannot read the file")
    }

    @Test("diagnostics print as file:line: message, with a column and warnings marked")
    func diagnosticDescription() {
        #expect(LessonDiagnostic(file: "a.md", line: 3, message: "m").description == "a.md:3: m")
        #expect(LessonDiagnostic(file: "a.md", line: 3, column: 7, message: "m").description == "a.md:3:7: m")
        #expect(LessonDiagnostic(file: "a.md", line: 3, message: "m", severity: .warning).description == "a.md:3: warning: m")
    }
}

import Testing
@testable import LabKit

@Suite("Lesson linter")
struct LessonLinterTests {
    private func lint(_ texts: [String], check: (Lesson, CodeBlock) -> [LessonDiagnostic] = { _, _ in [] }) throws -> [String] {
        let lessons = try texts.enumerated().map { try parsed($0.element, path: "L\($0.offset + 1).md") }
        // The fixture's challenges have no keys; that warning is tested in ChallengeKeyTests.
        return LessonLinter.lint(library: LessonLibrary(lessons: lessons), checkExperiment: check).map(\.description)
            .filter { !$0.contains("has no key, so it can't be verified") }
    }

    private func lint(_ text: String) throws -> [String] { try lint([text]) }

    @Test("a complete lesson has no findings, and its experiment is handed to the checker")
    func clean() throws {
        var checked: [String] = []
        let findings = try lint([lessonText()]) { lesson, block in
            checked.append("\(lesson.id):\(block.firstLine):\(block.code)")
            return []
        }
        #expect(findings.isEmpty)
        #expect(checked == ["sample-lesson:20:print \"hello\""])
    }

    @Test("the checker's parse errors are reported")
    func experimentParseErrors() throws {
        let findings = try lint([lessonText()]) { lesson, block in
            [LessonDiagnostic(file: lesson.path, line: block.firstLine, column: 7, message: "expected a string")]
        }
        #expect(findings == ["L1.md:20:7: expected a string"])
    }

    @Test("each missing optional front-matter key is reported at the closing ---",
          arguments: ["phase_title", "difficulty", "tags", "prerequisites", "estimated_minutes"])
    func missingKeys(key: String) throws {
        #expect(try lint(lessonText(replacing: [key: nil])) == ["L1.md:10: front matter: missing key '\(key)'"])
    }

    @Test("difficulty must be beginner, intermediate or advanced")
    func difficulty() throws {
        #expect(try lint(lessonText(replacing: ["difficulty": "hard"])) == [
            "L1.md:7: front matter: 'difficulty' must be one of beginner, intermediate, advanced, found \"hard\"",
        ])
    }

    @Test("estimated_minutes must be positive")
    func minutes() throws {
        #expect(try lint(lessonText(replacing: ["estimated_minutes": "0"])) == [
            "L1.md:10: front matter: 'estimated_minutes' must be a positive number of minutes, found 0",
        ])
    }

    @Test("ids are lowercase words joined by '-'")
    func idShape() throws {
        #expect(try lint(lessonText(id: "Keep Alive")) == [
            "L1.md:2: front matter: 'id' must be lowercase letters, digits and '-' (it is typed on the command line), found \"Keep Alive\"",
        ])
    }

    @Test("prerequisites must name existing lessons, with a suggestion when close")
    func prerequisites() throws {
        let first = lessonText(id: "tcp-basics", sequence: 1)
        let second = lessonText(id: "second", sequence: 2, replacing: ["prerequisites": "[tcp-basic, tcp-basics]"])
        #expect(try lint([first, second]) == [
            "L2.md:9: front matter: prerequisite 'tcp-basic' is not the id of any lesson (did you mean 'tcp-basics'?)",
        ])
    }

    @Test("a prerequisite that comes later in the list is a warning")
    func prerequisiteOrder() throws {
        let first = lessonText(id: "first", sequence: 1, replacing: ["prerequisites": "[second]"])
        let second = lessonText(id: "second", sequence: 2)
        #expect(try lint([first, second]) == ["L1.md:9: warning: front matter: prerequisite 'second' comes after this lesson in the list"])
    }

    @Test("ids must be unique within the library")
    func uniqueIDs() throws {
        #expect(try lint([lessonText(id: "same"), lessonText(id: "same", sequence: 2)]) == [
            "L2.md:2: front matter: duplicate id 'same' (already used by L1.md)",
        ])
    }

    @Test("each required section must be present", arguments: ["Concept", "Experiment", "Expected Output", "Challenge"])
    func requiredSections(name: String) throws {
        let body = standardBody.replacingOccurrences(of: "## \(name)\n", with: "## Renamed \(name)\n")
        let findings = try lint(lessonText(body: body))
        #expect(findings.contains { $0.hasSuffix("missing required section '## \(name)'") })
    }

    @Test("the experiment must be a lab block")
    func experimentLanguage() throws {
        let body = standardBody.replacingOccurrences(of: "```lab", with: "```js")
        #expect(try lint(lessonText(body: body)) == ["L1.md:19: the experiment block must be tagged 'lab' (```lab), found 'js'"])
    }

    @Test("the experiment section must have a block")
    func experimentMissing() throws {
        let body = standardBody.replacingOccurrences(of: "```lab\nprint \"hello\"\n```", with: "Run it.")
        #expect(try lint(lessonText(body: body)) == ["L1.md:17: '## Experiment' has no fenced ```lab block"])
    }

    @Test("the expected output block must exist and not be empty")
    func expectedOutput() throws {
        let empty = standardBody.replacingOccurrences(of: "```\nhello\n```", with: "```\n\n```")
        #expect(try lint(lessonText(body: empty)) == ["L1.md:25: the expected output block is empty"])
        let absent = standardBody.replacingOccurrences(of: "```\nhello\n```", with: "hello")
        #expect(try lint(lessonText(body: absent)) == ["L1.md:23: '## Expected Output' has no fenced block"])
    }

    @Test("a challenge section needs numbered items")
    func challengeItems() throws {
        let body = standardBody.replacingOccurrences(of: "1. Predict", with: "- Predict").replacingOccurrences(of: "2. Pick", with: "- Pick")
        #expect(try lint(lessonText(body: body)) == ["L1.md:29: '## Challenge' has no numbered items like '1. ...'"])
    }

    @Test("an unclosed fence is an error at the fence")
    func unclosedFence() throws {
        let body = standardBody + "\n## Notes\n\n```\nnever closed\n"
        #expect(try lint(lessonText(body: body)) == ["L1.md:37: code fence is never closed; everything after it is code"])
    }

    @Test("a misspelled required section gets a did-you-mean at the typo, instead of 'missing'",
          arguments: [("Expected Ouput", "Expected Output"), ("Concepts", "Concept"), ("Challange", "Challenge"), ("experiment", nil)])
    func misspelledSection(typo: String, meant: String?) throws {
        let original = ["Expected Ouput": "Expected Output", "Concepts": "Concept", "Challange": "Challenge", "experiment": "Experiment"][typo]!
        let body = standardBody.replacingOccurrences(of: "## \(original)\n", with: "## \(typo)\n")
        let findings = try lint(lessonText(body: body))
        if let meant {
            #expect(findings.contains { $0.hasSuffix(": '## \(typo)' is not a section the lab reads: did you mean '## \(meant)'? (the lesson has no '## \(meant)')") })
            #expect(!findings.contains { $0.contains("missing required section") })
        } else {
            #expect(findings.isEmpty)   // titles are matched without regard to case
        }
    }

    @Test("a misspelled optional section is a warning with a did-you-mean; an unrelated one is fine")
    func misspelledOptionalSection() throws {
        let body = standardBody + "\n## Deep Dvie\n\nMore.\n\n## Notes\n\nAside.\n"
        let findings = try lint(lessonText(body: body))
        #expect(findings.count == 1)
        #expect(findings.first?.contains("warning: '## Deep Dvie' is not a section the lab reads: did you mean '## Deep Dive'?") == true)
    }

    @Test("a prerequisite may name a lesson outside the linted files, when the caller knows it")
    func prerequisiteElsewhere() throws {
        let lesson = try parsed(lessonText(replacing: ["prerequisites": "[first-lesson]"]), path: "/tmp/copy.md")
        let alone = LessonLinter.lint(library: LessonLibrary(lessons: [lesson])) { _, _ in [] }
        #expect(alone.contains { $0.message.contains("prerequisite 'first-lesson' is not the id of any lesson") })
        let withCourse = LessonLinter.lint(library: LessonLibrary(lessons: [lesson]), otherLessonIDs: ["first-lesson"]) { _, _ in [] }
        #expect(!withCourse.contains { $0.message.contains("prerequisite") })
        let typo = LessonLinter.lint(library: LessonLibrary(lessons: [lesson]), otherLessonIDs: ["first-lessen"]) { _, _ in [] }
        #expect(typo.contains { $0.message.contains("(did you mean 'first-lessen'?)") })
    }

    @Test("files that did not load are part of the lint report")
    func loadDiagnosticsIncluded() {
        let broken = LessonDiagnostic(file: "L0.md", line: 3, message: "front matter: bad")
        let findings = LessonLinter.lint(library: LessonLibrary(lessons: [], diagnostics: [broken]), checkExperiment: { _, _ in [] })
        #expect(findings == [broken])
    }

    /// A lesson whose challenge section holds one choice item per answer letter given.
    private func choiceLesson(_ n: Int, answers: [String]) -> String {
        let items = answers.enumerated().map { index, answer in
            """
            \(index + 1). Which one?
               - (a) this
               - (b) that
               - (c) the other

               <!-- check choice
               choices: a b c
               answer: \(answer)
               explain: Because.
               -->
            """
        }.joined(separator: "\n\n")
        let body = standardBody.components(separatedBy: "## Challenge")[0] + "## Challenge\n\n" + items + "\n"
        return lessonText(id: "lesson-\(n)", sequence: n, body: body)
    }

    @Test("more than half of the course's choice answers on one letter is a warning naming them")
    func choiceAnswersOnOneLetter() throws {
        let findings = try lint([choiceLesson(1, answers: ["b", "b"]), choiceLesson(2, answers: ["b", "a"])])
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.hasPrefix("L1.md:"))
        #expect(finding.contains("warning: 3 of the course's 4 choice challenges answer (b)"))
        #expect(finding.contains("lesson-1 1, lesson-1 2, lesson-2 1"))
    }

    @Test("half or fewer on one letter, or too few choice items to judge, is no finding", arguments: [
        [["b", "b"], ["a", "c"]],   // exactly half
        [["a", "b"], ["c", "a"]],
        [["b", "b", "b"]],          // three items: too few to say anything about the course
    ])
    func choiceAnswersSpread(answers: [[String]]) throws {
        let lessons = answers.enumerated().map { choiceLesson($0.offset + 1, answers: $0.element) }
        #expect(try lint(lessons).isEmpty)
    }
}

// LessonLoader turns one lesson file into a `Lesson`, or into the one diagnostic that says why it
// cannot. It reads; it does not judge style or completeness beyond what the model needs (that is
// `LessonLinter`'s job), and it never runs the experiment.

import Foundation

public enum LessonLoader {
    /// Reads and parses the lesson at `file`. The diagnostic names `file` as given.
    public static func load(file: String) -> Result<Lesson, LessonDiagnostic> {
        guard let data = FileManager.default.contents(atPath: file) else {
            return .failure(LessonDiagnostic(file: file, line: 0, message: "cannot read the file"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(LessonDiagnostic(file: file, line: 0, message: "the file is not valid UTF-8 text"))
        }
        return parse(text, path: file)
    }

    /// Parses lesson text; `path` is used for `Lesson.path` and in diagnostics.
    public static func parse(_ text: String, path: String) -> Result<Lesson, LessonDiagnostic> {
        var lines = splitLines(text)
        if lines.last == "" && lines.count > 1 { lines.removeLast() }  // the final newline ends a line

        let frontMatter: FrontMatter
        switch FrontMatter.parse(lines) {
        case .success(let parsed): frontMatter = parsed
        case .failure(let problem):
            return .failure(LessonDiagnostic(file: path, line: problem.line, message: problem.message))
        }

        var lesson = Lesson(path: path, id: "", phase: 0, sequence: 0, title: "")
        lesson.frontMatterEndLine = frontMatter.endLine
        lesson.lineCount = lines.count
        do {
            try apply(frontMatter, to: &lesson)
        } catch let problem as FrontMatter.Problem {
            return .failure(LessonDiagnostic(file: path, line: problem.line, message: problem.message))
        } catch {
            preconditionFailure("Invalid error: \(error)")
        }

        let (preamble, sections) = splitSections(lines, bodyStart: frontMatter.endLine)
        lesson.preamble = preamble
        lesson.sections = sections
        return .success(lesson)
    }

    // MARK: Front matter, typed

    /// The keys a lesson cannot load without.
    static let requiredKeys = ["id", "phase", "sequence", "title"]

    private static func apply(_ frontMatter: FrontMatter, to lesson: inout Lesson) throws {
        for key in requiredKeys where frontMatter.entry(key) == nil {
            throw FrontMatter.Problem(line: frontMatter.endLine, message: "front matter: missing required key '\(key)'")
        }
        for entry in frontMatter.entries {
            lesson.frontMatterLines[entry.key] = entry.line
            switch entry.key {
            case "id": lesson.id = try text(entry, allowEmpty: false)
            case "title": lesson.title = try text(entry, allowEmpty: false)
            case "phase_title": lesson.phaseTitle = try text(entry, allowEmpty: true)
            case "difficulty": lesson.difficulty = try text(entry, allowEmpty: true)
            case "phase": lesson.phase = try wholeNumber(entry)
            case "sequence": lesson.sequence = try wholeNumber(entry)
            case "estimated_minutes": lesson.estimatedMinutes = try wholeNumber(entry)
            case "tags": lesson.tags = try list(entry)
            case "prerequisites": lesson.prerequisites = try list(entry)
            default: lesson.otherFrontMatter[entry.key] = entry.value
            }
        }
    }

    private static func text(_ entry: FrontMatter.Entry, allowEmpty: Bool) throws -> String {
        guard case .scalar(let value) = entry.value else {
            throw FrontMatter.Problem(line: entry.line, message: "front matter: '\(entry.key)' must be a single value, not a list")
        }
        if !allowEmpty && value.isEmpty {
            throw FrontMatter.Problem(line: entry.line, message: "front matter: '\(entry.key)' must not be empty")
        }
        return value
    }

    private static func wholeNumber(_ entry: FrontMatter.Entry) throws -> Int {
        guard case .scalar(let value) = entry.value, let number = Int(value) else {
            throw FrontMatter.Problem(line: entry.line, message: "front matter: '\(entry.key)' must be a whole number, found \"\(entry.value)\"")
        }
        return number
    }

    private static func list(_ entry: FrontMatter.Entry) throws -> [String] {
        guard case .list(let items) = entry.value else {
            throw FrontMatter.Problem(line: entry.line, message: "front matter: '\(entry.key)' must be a list like [a, b], found \"\(entry.value)\"")
        }
        return items
    }

    // MARK: Sections

    /// The `##` heading title on `line`, or nil when the line is not a level-2 heading.
    static func sectionTitle(_ line: String) -> String? {
        let indent = line.prefix(while: { $0 == " " }).count
        guard indent <= 3 else { return nil }
        let rest = line.dropFirst(indent)
        guard rest.hasPrefix("##") else { return nil }
        let afterMarks = rest.dropFirst(2)
        guard afterMarks.isEmpty || afterMarks.first == " " || afterMarks.first == "\t" else { return nil }
        var title = afterMarks.trimmingSpaces()
        // An optional closing sequence of #s: "## Concept ##".
        if let hashes = title.lastIndex(where: { $0 != "#" }), title.hasSuffix("#"),
           title[hashes] == " " || title[hashes] == "\t" {
            title = title[..<hashes].trimmingSpaces()
        } else if title.allSatisfy({ $0 == "#" }) {
            title = ""
        }
        return title
    }

    /// Splits the lines after the front matter (file line `bodyStart + 1` on) into a preamble and
    /// sections. Headings inside fenced blocks do not count.
    static func splitSections(_ lines: [String], bodyStart: Int) -> (String, [LessonSection]) {
        var headings: [(index: Int, title: String)] = []
        for item in scanFences(lines[bodyStart...], firstLine: bodyStart + 1) {
            if case .text(let text, let line) = item, let title = sectionTitle(text) {
                headings.append((line - 1, title))
            }
        }
        let preambleEnd = headings.first?.index ?? lines.count
        let preamble = trimBlankLines(lines[bodyStart..<preambleEnd]).lines.joined(separator: "\n")

        var sections: [LessonSection] = []
        for (position, heading) in headings.enumerated() {
            let end = position + 1 < headings.count ? headings[position + 1].index : lines.count
            let bodyLines = lines[(heading.index + 1)..<end]
            let (trimmed, dropped) = trimBlankLines(bodyLines)
            let blocks = scanFences(bodyLines, firstLine: heading.index + 2).compactMap { item -> CodeBlock? in
                if case .code(let block) = item { return block }
                return nil
            }
            sections.append(LessonSection(
                title: heading.title, body: trimmed.joined(separator: "\n"),
                line: heading.index + 1, bodyLine: heading.index + 2 + dropped, codeBlocks: blocks))
        }
        return (preamble, sections)
    }
}

/// Finds the numbered items of a challenge section.
enum ChallengeParser {
    /// `(number, text after the marker)` when `line` starts a numbered item like `2. Do this`.
    static func item(_ line: String) -> (Int, String)? {
        let indent = line.prefix(while: { $0 == " " }).count
        guard indent <= 3 else { return nil }
        let rest = line.dropFirst(indent)
        let digits = rest.prefix(while: \.isASCIIDigitCharacter)
        guard !digits.isEmpty, digits.count <= 9, let number = Int(digits) else { return nil }
        let afterDigits = rest.dropFirst(digits.count)
        guard let marker = afterDigits.first, marker == "." || marker == ")" else { return nil }
        let text = afterDigits.dropFirst()
        guard text.isEmpty || text.first == " " || text.first == "\t" else { return nil }
        return (number, text.trimmingSpaces())
    }

    /// The items in file order. A line that is not a new item continues the current one; a blank
    /// line followed by unindented text that is not an item ends it. Fenced code never starts an item.
    static func challenges(in section: LessonSection) -> [Challenge] {
        let lines = splitLines(section.body)
        var result: [Challenge] = []
        var current: (number: Int, line: Int, text: [String], lines: [Int])?
        var sawBlank = false

        func finish() {
            if let item = current {
                let text = trimBlankLines(item.text[...]).lines.joined(separator: "\n")
                let parts = ChallengeKeyParser.parts(lines: item.text, fileLines: item.lines)
                result.append(Challenge(number: item.number, text: text, line: item.line, prompt: parts.prompt,
                                        hints: parts.hints, key: parts.key, keyProblem: parts.keyProblem))
            }
            current = nil
        }

        for entry in scanFences(lines[...], firstLine: section.bodyLine) {
            switch entry {
            case .code(let block):
                guard current != nil else { continue }
                let fence = "```"
                current?.text.append(fence + block.info)
                current?.lines.append(block.fenceLine)
                current?.text.append(contentsOf: block.lines)
                current?.lines.append(contentsOf: block.lines.indices.map { block.firstLine + $0 })
                current?.text.append(fence)
                current?.lines.append(block.firstLine + block.lines.count)
                sawBlank = false
            case .text(let text, let line):
                if let (number, first) = item(text) {
                    finish()
                    current = (number, line, [first], [line])
                    sawBlank = false
                } else if text.isBlank {
                    sawBlank = true
                    current?.text.append("")
                    current?.lines.append(line)
                } else if current != nil {
                    if sawBlank && text.leadingIndent == 0 {
                        finish()
                    } else {
                        current?.text.append(text.trimmingSpaces())
                        current?.lines.append(line)
                    }
                    sawBlank = false
                }
            }
        }
        finish()
        return result
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}

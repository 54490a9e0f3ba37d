// The lesson model: what a lesson file says, as plain values.
//
// A lesson file is front matter between `---` lines, then `##` sections. `LessonLoader` builds a
// `Lesson` from the text; nothing here touches the file system or runs anything.

/// One value in a lesson's front matter: a scalar (`phase: 7`) or an inline list (`tags: [a, b]`).
public enum FrontMatterValue: Sendable, Equatable, CustomStringConvertible {
    case scalar(String)
    case list([String])

    public var description: String {
        switch self {
        case .scalar(let text): text
        case .list(let items): "[" + items.joined(separator: ", ") + "]"
        }
    }
}

/// A fenced code block (``` or ~~~) and where it sits in its file.
public struct CodeBlock: Sendable, Equatable {
    /// The first word of the info string (`lab` in ```` ```lab ````), or "" when there is none.
    public var language: String
    /// The whole info string after the fence, trimmed.
    public var info: String
    /// The lines between the fences, joined with "\n" (no trailing newline).
    public var code: String
    /// The file line of the first code line: the line after the opening fence.
    public var firstLine: Int
    /// The file line of the opening fence.
    public var fenceLine: Int
    /// False when the file ended before a closing fence.
    public var isClosed: Bool

    public init(language: String, info: String, code: String, firstLine: Int, fenceLine: Int, isClosed: Bool = true) {
        self.language = language
        self.info = info
        self.code = code
        self.firstLine = firstLine
        self.fenceLine = fenceLine
        self.isClosed = isClosed
    }

    /// The code split into lines ("" gives no lines).
    public var lines: [String] {
        code.isEmpty ? [] : code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}

/// One numbered item (`1. ...`) of a lesson's `## Challenge` section.
public struct Challenge: Sendable, Equatable {
    /// The number the author wrote (`2` for `2. ...`).
    public var number: Int
    /// The item's text without its number; continuation lines joined with "\n", de-indented.
    public var text: String
    /// The file line of the numbered line.
    public var line: Int
    /// The item's Markdown as the learner reads it: without the key comment and the hints.
    public var prompt: String
    /// The `> Hint: ...` lines of the item, in order (revealed one at a time).
    public var hints: [String]
    /// The machine-checkable key (`<!-- check KIND ... -->`), nil when the item has none.
    public var key: ChallengeKey?
    /// Why a key that is present could not be used ("line N: ..."); a lint error, and exit 2 on verify.
    public var keyProblem: String?

    public init(number: Int, text: String, line: Int, prompt: String? = nil, hints: [String] = [],
                key: ChallengeKey? = nil, keyProblem: String? = nil) {
        self.number = number
        self.text = text
        self.line = line
        self.prompt = prompt ?? text
        self.hints = hints
        self.key = key
        self.keyProblem = keyProblem
    }

    /// The first line of the prompt without Markdown emphasis, for lists: "Shrink the free list."
    public var title: String {
        let first = prompt.split(separator: "\n").first.map(String.init) ?? ""
        if first.hasPrefix("**"), let end = first.dropFirst(2).range(of: "**") {
            return String(first[first.index(first.startIndex, offsetBy: 2)..<end.lowerBound])
        }
        return first.count > 60 ? String(first.prefix(59)) + "…" : first
    }
}

/// A `##` section of a lesson, in file order. Unknown sections are kept like known ones.
public struct LessonSection: Sendable, Equatable {
    /// The heading text after `## `, trimmed.
    public var title: String
    /// The text under the heading up to the next `##` heading, without leading and trailing blank lines.
    public var body: String
    /// The file line of the `##` heading.
    public var line: Int
    /// The file line of the body's first line (meaningful only when the body is not empty).
    public var bodyLine: Int
    /// The fenced code blocks in the body, in order.
    public var codeBlocks: [CodeBlock]

    public init(title: String, body: String, line: Int, bodyLine: Int, codeBlocks: [CodeBlock]) {
        self.title = title
        self.body = body
        self.line = line
        self.bodyLine = bodyLine
        self.codeBlocks = codeBlocks
    }

    /// True when `name` names this section, ignoring case and surrounding spaces.
    public func isNamed(_ name: String) -> Bool {
        title.lowercased() == name.trimmingSpaces().lowercased()
    }
}

/// A lesson: its front matter, typed, and its sections in file order.
public struct Lesson: Sendable, Equatable {
    /// The file the lesson came from, as it was given to the loader.
    public var path: String

    // Front matter. `id`, `phase`, `sequence` and `title` are required by the loader; the others
    // default to empty or 0 when absent, and `LessonLinter` reports them missing.
    public var id: String
    public var phase: Int
    public var phaseTitle: String
    public var sequence: Int
    public var title: String
    public var difficulty: String
    public var tags: [String]
    public var prerequisites: [String]
    public var estimatedMinutes: Int
    /// Front-matter keys the lesson model does not know, kept as written.
    public var otherFrontMatter: [String: FrontMatterValue]
    /// The file line of every front-matter key that was present, known or not.
    public var frontMatterLines: [String: Int]
    /// The file line of the closing `---` of the front matter.
    public var frontMatterEndLine: Int

    /// Text between the front matter and the first `##` heading, trimmed of blank lines.
    public var preamble: String
    /// Every `##` section in file order.
    public var sections: [LessonSection]
    /// How many lines the file has.
    public var lineCount: Int

    public init(
        path: String, id: String, phase: Int, phaseTitle: String = "", sequence: Int, title: String,
        difficulty: String = "", tags: [String] = [], prerequisites: [String] = [], estimatedMinutes: Int = 0,
        otherFrontMatter: [String: FrontMatterValue] = [:], frontMatterLines: [String: Int] = [:],
        frontMatterEndLine: Int = 1, preamble: String = "", sections: [LessonSection] = [], lineCount: Int = 0
    ) {
        self.path = path
        self.id = id
        self.phase = phase
        self.phaseTitle = phaseTitle
        self.sequence = sequence
        self.title = title
        self.difficulty = difficulty
        self.tags = tags
        self.prerequisites = prerequisites
        self.estimatedMinutes = estimatedMinutes
        self.otherFrontMatter = otherFrontMatter
        self.frontMatterLines = frontMatterLines
        self.frontMatterEndLine = frontMatterEndLine
        self.preamble = preamble
        self.sections = sections
        self.lineCount = lineCount
    }

    /// The first section called `name` (case-insensitive), if any.
    public func section(named name: String) -> LessonSection? {
        sections.first { $0.isNamed(name) }
    }

    public var concept: String? { section(named: "Concept")?.body }
    public var keyInsight: String? { section(named: "Key Insight")?.body }
    public var deepDive: String? { section(named: "Deep Dive")?.body }
    public var commonMistakes: String? { section(named: "Common Mistakes")?.body }

    /// The first fenced block in `## Experiment`.
    public var experiment: CodeBlock? { section(named: "Experiment")?.codeBlocks.first }

    /// The fenced block in `## Expected Output`.
    public var expectedOutput: CodeBlock? { section(named: "Expected Output")?.codeBlocks.first }

    /// The `## Challenge` section (`## Challenges` is accepted too).
    public var challengeSection: LessonSection? {
        section(named: "Challenge") ?? section(named: "Challenges")
    }

    /// The numbered items of the challenge section, in order.
    public var challenges: [Challenge] {
        guard let section = challengeSection else { return [] }
        return ChallengeParser.challenges(in: section)
    }
}

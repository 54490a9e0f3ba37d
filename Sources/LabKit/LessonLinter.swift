// LessonLinter checks what the loader lets through but a good lesson needs: complete, typed front
// matter, the required sections, a `lab` experiment that parses, a non-empty expected output, and
// prerequisites that name real lessons. It never runs an experiment; parsing one is the caller's
// closure, so LabKit does not depend on the script language.

public enum LessonLinter {
    /// The sections every lesson must have, in the order they usually appear.
    public static let requiredSections = ["Concept", "Experiment", "Expected Output", "Challenge"]

    /// The sections the lab reads besides the required ones (the stepper shows them).
    public static let knownSections = ["Key Insight", "Deep Dive", "Common Mistakes", "Challenges"]

    /// The accepted values of `difficulty`.
    public static let difficulties = ["beginner", "intermediate", "advanced"]

    /// Every problem in `library`: its load diagnostics (files that did not load) followed by the
    /// lint findings for the lessons that did, ordered by file and line.
    /// `checkExperiment` is called once per lesson whose experiment is a `lab` block and returns
    /// the script's parse errors (with file lines). `otherLessonIDs` are lessons outside `library`
    /// that a prerequisite may name: a lesson file linted on its own, away from `Lessons/`, still
    /// has the course's lessons as prerequisites.
    public static func lint(
        library: LessonLibrary,
        otherLessonIDs: [String] = [],
        checkExperiment: (Lesson, CodeBlock) -> [LessonDiagnostic]
    ) -> [LessonDiagnostic] {
        var diagnostics = library.diagnostics
        var owners: [String: Lesson] = [:]
        let order = Dictionary(library.lessons.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { a, _ in a })
        for lesson in library.lessons {
            if let owner = owners[lesson.id] {
                diagnostics.append(error(lesson, line: lesson.frontMatterLines["id"] ?? 1,
                                         "front matter: duplicate id '\(lesson.id)' (already used by \(owner.path))"))
            } else {
                owners[lesson.id] = lesson
            }
            diagnostics += lintFrontMatter(lesson)
            diagnostics += lintPrerequisites(lesson, library: library, order: order, otherIDs: otherLessonIDs)
            diagnostics += lintSections(lesson)
            diagnostics += lintBlocks(lesson, checkExperiment: checkExperiment)
        }
        diagnostics += lintChoiceAnswerSpread(library.lessons)
        return diagnostics.sortedByLocation()
    }

    // MARK: Front matter

    private static func lintFrontMatter(_ lesson: Lesson) -> [LessonDiagnostic] {
        var found: [LessonDiagnostic] = []
        for key in ["phase_title", "difficulty", "tags", "prerequisites", "estimated_minutes"]
        where lesson.frontMatterLines[key] == nil {
            found.append(error(lesson, line: lesson.frontMatterEndLine, "front matter: missing key '\(key)'"))
        }
        if !isValidID(lesson.id) {
            found.append(error(lesson, line: lesson.frontMatterLines["id"] ?? 1,
                               "front matter: 'id' must be lowercase letters, digits and '-' (it is typed on the command line), found \"\(lesson.id)\""))
        }
        if let line = lesson.frontMatterLines["phase_title"], lesson.phaseTitle.isEmpty {
            found.append(error(lesson, line: line, "front matter: 'phase_title' must not be empty"))
        }
        if let line = lesson.frontMatterLines["difficulty"], !difficulties.contains(lesson.difficulty) {
            found.append(error(lesson, line: line,
                               "front matter: 'difficulty' must be one of beginner, intermediate, advanced, found \"\(lesson.difficulty)\""))
        }
        if let line = lesson.frontMatterLines["estimated_minutes"], lesson.estimatedMinutes <= 0 {
            found.append(error(lesson, line: line,
                               "front matter: 'estimated_minutes' must be a positive number of minutes, found \(lesson.estimatedMinutes)"))
        }
        return found
    }

    static func isValidID(_ id: String) -> Bool {
        guard let first = id.first, first.isLowercaseASCIILetterOrDigit else { return false }
        return id.allSatisfy { $0.isLowercaseASCIILetterOrDigit || $0 == "-" }
    }

    private static func lintPrerequisites(_ lesson: Lesson, library: LessonLibrary, order: [String: Int],
                                          otherIDs: [String]) -> [LessonDiagnostic] {
        let line = lesson.frontMatterLines["prerequisites"] ?? lesson.frontMatterEndLine
        var found: [LessonDiagnostic] = []
        for prerequisite in lesson.prerequisites {
            if prerequisite == lesson.id {
                found.append(error(lesson, line: line, "front matter: a lesson cannot be its own prerequisite ('\(prerequisite)')"))
            } else if let position = order[prerequisite] {
                if let own = order[lesson.id], position > own {
                    found.append(warning(lesson, line: line,
                                         "front matter: prerequisite '\(prerequisite)' comes after this lesson in the list"))
                }
            } else if !otherIDs.contains(prerequisite) {
                var message = "front matter: prerequisite '\(prerequisite)' is not the id of any lesson"
                if let guess = library.suggestions(for: prerequisite).first ?? closestMatches(to: prerequisite, in: otherIDs).first {
                    message += " (did you mean '\(guess)'?)"
                }
                found.append(error(lesson, line: line, message))
            }
        }
        return found
    }

    // MARK: Sections and blocks

    private static func lintSections(_ lesson: Lesson) -> [LessonDiagnostic] {
        var (found, misspelled) = lintSectionNames(lesson)
        for (position, name) in requiredSections.enumerated() where section(name, in: lesson) == nil && !misspelled.contains(name) {
            // Point at where the section belongs: the next required section that is present.
            let next = requiredSections[(position + 1)...].lazy.compactMap { section($0, in: lesson) }.first
            let line = next?.line ?? max(lesson.lineCount, lesson.frontMatterEndLine)
            found.append(error(lesson, line: line, "missing required section '## \(name)'"))
        }
        var seen: [String: Int] = [:]
        for section in lesson.sections {
            let key = section.title.lowercased()
            if let first = seen[key], requiredSections.contains(where: { $0.lowercased() == key }) {
                found.append(warning(lesson, line: section.line,
                                     "a second '## \(section.title)' section is ignored (the first is on line \(first))"))
            } else if seen[key] == nil {
                seen[key] = section.line
            }
        }
        if let challenge = lesson.challengeSection, lesson.challenges.isEmpty {
            found.append(error(lesson, line: challenge.line, "'## \(challenge.title)' has no numbered items like '1. ...'"))
        }
        found += lintChallengeKeys(lesson)
        return found
    }

    /// A section whose title is a typo of one the lab reads, and that section is missing: an error
    /// (a warning for an optional section) with a did-you-mean at the typo. Returns the findings
    /// and the names they suggested, whose "missing required section" they replace.
    private static func lintSectionNames(_ lesson: Lesson) -> ([LessonDiagnostic], Set<String>) {
        var found: [LessonDiagnostic] = []
        var suggested: Set<String> = []
        let names = requiredSections + knownSections
        for section in lesson.sections where !names.contains(where: section.isNamed) {
            guard let guess = closestMatches(to: section.title, in: names).first,
                  self.section(guess, in: lesson) == nil, !suggested.contains(guess) else { continue }
            suggested.insert(guess)
            let message = "'## \(section.title)' is not a section the lab reads: did you mean '## \(guess)'?"
            found.append(requiredSections.contains(guess)
                ? error(lesson, line: section.line, message + " (the lesson has no '## \(guess)')")
                : warning(lesson, line: section.line, message))
        }
        return (found, suggested)
    }

    /// A broken key is an error at its line, and so is a predict, choice or build key without
    /// `explain:`; a challenge without a key is a warning (it can't be verified).
    private static func lintChallengeKeys(_ lesson: Lesson) -> [LessonDiagnostic] {
        var found: [LessonDiagnostic] = []
        for challenge in lesson.challenges {
            if let problem = challenge.keyProblem {
                var line = challenge.line
                var message = problem
                if problem.hasPrefix("line "), let colon = problem.firstIndex(of: ":"), let n = Int(problem.dropFirst(5)[..<colon]) {
                    line = n
                    message = String(problem[problem.index(after: colon)...]).trimmingSpaces()
                }
                found.append(error(lesson, line: line, "challenge \(challenge.number): \(message)"))
            } else if let key = challenge.key {
                // A pass (or a reveal) teaches why: every key but your-server's explains its answer.
                if key.kind != .yourServer, (key.explanation ?? "").isEmpty {
                    found.append(error(lesson, line: key.line,
                                       "challenge \(challenge.number): a \(key.kind.rawValue) key needs 'explain: ...', one paragraph on why the answer is what it is, shown after a pass or a reveal"))
                }
            } else {
                found.append(warning(lesson, line: challenge.line,
                                     "challenge \(challenge.number) has no key, so it can't be verified (add '<!-- check KIND ... -->'; see docs/challenges.md)"))
            }
        }
        return found
    }

    /// "7 challenges: 4 predict, 1 choice, 1 build, 1 your-server" for a lesson.
    public static func challengeSummary(_ lesson: Lesson) -> String {
        let challenges = lesson.challenges
        var parts: [String] = []
        for kind in ChallengeKind.allCases {
            let n = challenges.filter { $0.key?.kind == kind }.count
            if n > 0 { parts.append("\(n) \(kind.rawValue)") }
        }
        let unkeyed = challenges.filter { $0.key == nil }.count
        if unkeyed > 0 { parts.append("\(unkeyed) without a key") }
        return "\(challenges.count) challenge\(challenges.count == 1 ? "" : "s")" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
    }

    private static func section(_ name: String, in lesson: Lesson) -> LessonSection? {
        name == "Challenge" ? lesson.challengeSection : lesson.section(named: name)
    }

    private static func lintBlocks(_ lesson: Lesson, checkExperiment: (Lesson, CodeBlock) -> [LessonDiagnostic]) -> [LessonDiagnostic] {
        var found: [LessonDiagnostic] = []
        for section in lesson.sections {
            for block in section.codeBlocks where !block.isClosed {
                found.append(error(lesson, line: block.fenceLine, "code fence is never closed; everything after it is code"))
            }
        }
        if let section = lesson.section(named: "Experiment") {
            if let block = section.codeBlocks.first {
                if block.language != "lab" {
                    let tag = block.language.isEmpty ? "no language tag" : "'\(block.language)'"
                    found.append(error(lesson, line: block.fenceLine, "the experiment block must be tagged 'lab' (```lab), found \(tag)"))
                } else if block.code.isBlank {
                    found.append(error(lesson, line: block.fenceLine, "the experiment block is empty"))
                } else {
                    found += checkExperiment(lesson, block)
                }
            } else {
                found.append(error(lesson, line: section.line, "'## Experiment' has no fenced ```lab block"))
            }
        }
        if let section = lesson.section(named: "Expected Output") {
            if let block = section.codeBlocks.first {
                if block.code.isBlank {
                    found.append(error(lesson, line: block.fenceLine, "the expected output block is empty"))
                }
                if section.codeBlocks.count > 1 {
                    found.append(warning(lesson, line: section.codeBlocks[1].fenceLine,
                                         "'## Expected Output' has more than one block; only the first is compared"))
                }
            } else {
                found.append(error(lesson, line: section.line, "'## Expected Output' has no fenced block"))
            }
        }
        return found
    }

    private static func error(_ lesson: Lesson, line: Int, _ message: String) -> LessonDiagnostic {
        LessonDiagnostic(file: lesson.path, line: line, message: message)
    }

    private static func warning(_ lesson: Lesson, line: Int, _ message: String) -> LessonDiagnostic {
        LessonDiagnostic(file: lesson.path, line: line, message: message, severity: .warning)
    }
}

extension Character {
    var isLowercaseASCIILetterOrDigit: Bool { ("a"..."z").contains(self) || ("0"..."9").contains(self) }
}

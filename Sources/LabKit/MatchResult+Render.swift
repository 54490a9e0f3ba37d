// A readable diff of expected vs live output for the terminal.
//
// Rows that differ are shown in pairs: `-` the expected line, `+` the live line. In those rows
// whitespace is made visible where it matters — `·` for indentation and runs of spaces (every space
// when the two lines differ only in spacing), `→` for a tab, `⏎` for an empty line, `∅` for no line
// at all. Rows that matched (literally, through a placeholder, or under `...`) appear only as a
// little context around differences, never as differences themselves.

extension MatchResult {
    /// How many matching rows to show before and after each difference.
    static let contextRows = 2
    /// Differences shown before the rest is summarised.
    static let maximumFailuresShown = 20

    /// The verdict and, on a mismatch, the diff. Colour only when `color` is true.
    public func render(color: Bool) -> String {
        let style = Style(isEnabled: color)
        guard !isMatch, let firstFailure = firstFailureIndex else {
            let count = lines.filter(\.consumesExpectedLine).count
            return style.green("✓ output matches the expected output") + style.dim(" (\(count) expected lines)") + "\n"
        }

        var out: [String] = []
        var location = "first difference at expected line \(firstFailureExpectedLine ?? 0)"
        if let fileLine = firstFailureFileLine { location += " (file line \(fileLine))" }
        out.append(style.red(style.bold("✗ output differs from the expected output")) + ": " + location)
        out.append(style.dim("  ") + style.green("- expected") + "  " + style.red("+ live output")
                   + style.dim("   · space  → tab  ⏎ empty line  ∅ no line"))
        out.append("")

        // Which rows to print: every failure (up to the cap) and a little context around each.
        var shown = [Bool](repeating: false, count: lines.count)
        var failuresShown = 0
        var lastShownFailure = firstFailure
        for (index, line) in lines.enumerated() where line.isFailure {
            if failuresShown == Self.maximumFailuresShown { break }
            failuresShown += 1
            lastShownFailure = index
            let low = max(0, index - Self.contextRows), high = min(lines.count - 1, index + Self.contextRows)
            for row in low...high { shown[row] = true }
        }
        let failuresTotal = lines.filter(\.isFailure).count
        // A gap of a single row is shown rather than summarised.
        for index in shown.indices.dropFirst().dropLast() where !shown[index] && shown[index - 1] && shown[index + 1] {
            shown[index] = true
        }
        if shown.count > 1, !shown[0], shown[1] { shown[0] = true }

        let expectedNumbers = expectedLineNumbers()
        let numberWidth = max(2, String(expectedNumbers.compactMap { $0 }.max() ?? 1).count)
        func gutter(_ index: Int, showNumber: Bool) -> String {
            let marker = index == firstFailure ? style.bold(">") : " "
            let number = showNumber ? expectedNumbers[index].map(String.init) ?? "" : ""
            return marker + " " + String(repeating: " ", count: numberWidth - number.count) + style.dim(number) + " "
        }
        let blankGutter = String(repeating: " ", count: numberWidth + 3)

        var hidden = 0
        func flushHidden() {
            if hidden > 0 {
                out.append(blankGutter + style.dim("  ⋮ \(hidden) matching line\(hidden == 1 ? "" : "s")"))
                hidden = 0
            }
        }
        for (index, line) in lines.enumerated() {
            if index > lastShownFailure + Self.contextRows { break }
            guard shown[index] else { hidden += 1; continue }
            flushHidden()
            switch line {
            case .same(_, let actual), .placeholder(_, let actual):
                out.append(gutter(index, showNumber: true) + "  " + style.dim(actual.trimmingTrailingSpaces()))
            case .elided(let count):
                out.append(gutter(index, showNumber: true) + "  " + style.dim("...  (\(count) line\(count == 1 ? "" : "s"))"))
            case .missing(let expected):
                out.append(gutter(index, showNumber: true) + style.green("- " + Self.visible(expected, everySpace: false)))
                out.append(blankGutter + style.red("+ ∅"))
            case .unexpected(let actual):
                out.append(gutter(index, showNumber: false) + style.green("- ∅"))
                out.append(blankGutter + style.red("+ " + Self.visible(actual, everySpace: false)))
            case .mismatch(let expected, let actual):
                let onlySpacing = Self.collapsedSpacing(expected) == Self.collapsedSpacing(actual)
                out.append(gutter(index, showNumber: true) + style.green("- " + Self.visible(expected, everySpace: onlySpacing)))
                out.append(blankGutter + style.red("+ " + Self.visible(actual, everySpace: onlySpacing)))
                if let note = conflictNote(expected: expected, actual: actual) {
                    out.append(blankGutter + style.yellow("  " + note))
                }
            }
        }
        if failuresTotal > failuresShown {
            out.append("")
            out.append(style.dim("… and \(failuresTotal - failuresShown) more differing lines"))
        }
        return out.map { $0.trimmingTrailingSpaces() }.joined(separator: "\n") + "\n"
    }

    /// For each row, the 1-based expected line it shows (nil for live lines the expectation lacks).
    private func expectedLineNumbers() -> [Int?] {
        var next = 1
        return lines.map { line in
            guard line.consumesExpectedLine else { return nil }
            defer { next += 1 }
            return next
        }
    }

    /// When a placeholder line fits the live line on its own but a name had another value earlier,
    /// says which name and value.
    private func conflictNote(expected: String, actual: String) -> String? {
        let pattern = PatternLine(expected)
        guard pattern.hasPlaceholders else { return nil }
        let live = Array(actual.trimmingTrailingSpaces().utf8)
        guard let alone = pattern.alternatives(for: live, bound: [:], limit: 1).first else { return nil }
        for name in pattern.placeholderNames {
            if let earlier = bindings[name], let now = alone[name], earlier != now {
                return "<\(name)> is \"\(now)\" here but was \"\(earlier)\" earlier; a name must match the same text each time"
            }
        }
        return nil
    }

    /// The line with whitespace made visible: tabs as `→`; spaces as `·` when `everySpace`, else only
    /// in indentation and runs of two or more; an empty line as `⏎`. Trailing spaces are dropped:
    /// they never matter to the matcher.
    static func visible(_ line: String, everySpace: Bool) -> String {
        let text = line.trimmingTrailingSpaces()
        if text.isEmpty { return "⏎" }
        let characters = Array(text)
        var result = ""
        var inIndent = true
        for (index, character) in characters.enumerated() {
            switch character {
            case "\t":
                result.append("→")
            case " ":
                let neighbourIsSpace = (index > 0 && characters[index - 1] == " ")
                    || (index + 1 < characters.count && characters[index + 1] == " ")
                result.append(everySpace || inIndent || neighbourIsSpace ? "·" : " ")
            default:
                inIndent = false
                result.append(character)
            }
        }
        return result
    }

    /// The line with every run of whitespace made one space, to tell spacing-only differences.
    static func collapsedSpacing(_ line: String) -> String {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}

// MarkdownRenderer draws lesson Markdown for a terminal: wrapped paragraphs, lists with hanging
// indents, aligned tables, code blocks behind a bar (never wrapped), quotes behind `│`. Widths
// always count visible characters, so colour never changes the layout.

public struct MarkdownRenderer: Sendable {
    /// Columns to fit the text in (code blocks may run past it; they are never wrapped).
    public var width: Int
    /// ANSI styles on or off. With colour off the output contains no escape sequences.
    public var color: Bool

    public init(width: Int, color: Bool) {
        self.width = max(20, width)
        self.color = color
    }

    /// The Markdown text rendered for the terminal, ending in a newline.
    public func render(_ markdown: String) -> String {
        let lines = renderBlocks(MarkdownParser.parse(markdown), width: width)
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// A lesson: a title block (title, id, phase, difficulty, minutes, tags), then each section.
    public func renderLesson(_ lesson: Lesson) -> String {
        let style = Style(isEnabled: color)
        var out: [String] = []
        for line in wrap(InlineRenderer(color: color).parse(lesson.title, style: .bold), width: width) {
            out.append(string(line, color: color))
        }
        var facts: [String] = [lesson.id]
        if !lesson.phaseTitle.isEmpty {
            facts.append("phase \(lesson.phase): \(lesson.phaseTitle)")
        } else {
            facts.append("phase \(lesson.phase)")
        }
        if !lesson.difficulty.isEmpty { facts.append(lesson.difficulty) }
        if lesson.estimatedMinutes > 0 { facts.append("\(lesson.estimatedMinutes) min") }
        out += wrapPlain(facts.joined(separator: " · ")).map(style.dim)
        if !lesson.tags.isEmpty { out += wrapPlain("tags: " + lesson.tags.joined(separator: ", ")).map(style.dim) }
        if !lesson.prerequisites.isEmpty {
            out += wrapPlain("after: " + lesson.prerequisites.joined(separator: ", ")).map(style.dim)
        }
        out.append(style.dim(String(repeating: "─", count: width)))

        var blocks = MarkdownParser.parse(lesson.preamble)
        for section in lesson.sections {
            blocks.append(.heading(level: 2, text: section.title))
            if section == lesson.challengeSection {
                blocks += MarkdownParser.parse(Self.withoutHints(section.body))
                let counts = lesson.challenges.filter { !$0.hints.isEmpty }.map { "\($0.number): \($0.hints.count)" }
                if !counts.isEmpty {
                    blocks.append(.paragraph("*Hints, one at a time:* `wirelab hint \(lesson.id) <n>` (hints per challenge: "
                        + counts.joined(separator: ", ") + ")"))
                }
            } else {
                blocks += MarkdownParser.parse(section.body)
            }
        }
        out.append("")
        out += renderBlocks(blocks, width: width)
        return out.joined(separator: "\n") + "\n"
    }

    /// The text without `> Hint: ...` quotes (and their continuation lines): hints are revealed
    /// one at a time, never all at once.
    static func withoutHints(_ markdown: String) -> String {
        var kept: [String] = []
        var inHint = false
        for line in splitLines(markdown) {
            let trimmed = line.trimmingSpaces()
            if ChallengeKeyParser.hintText(trimmed) != nil { inHint = true; continue }
            if inHint && trimmed.hasPrefix(">") { continue }
            inHint = false
            kept.append(line)
        }
        return kept.joined(separator: "\n")
    }

    private func wrapPlain(_ text: String) -> [String] {
        wrap(text.map { StyledCharacter(character: $0, style: []) }, width: width).map { string($0, color: false) }
    }

    // MARK: Blocks

    /// The blocks as lines, a blank line between blocks. In a list item (`inListItem`) a nested
    /// list follows its text directly, as a tight list reads.
    func renderBlocks(_ blocks: [MarkdownBlock], width: Int, inListItem: Bool = false) -> [String] {
        var lines: [String] = []
        for block in blocks {
            var isList = false
            if case .list = block { isList = true }
            if !lines.isEmpty && !(inListItem && isList) { lines.append("") }
            lines += renderBlock(block, width: width)
        }
        return lines
    }

    private var style: Style { Style(isEnabled: color) }
    private var inline: InlineRenderer { InlineRenderer(color: color) }

    private func renderBlock(_ block: MarkdownBlock, width: Int) -> [String] {
        switch block {
        case .heading(let level, let text):
            return renderHeading(level: level, text: text, width: width)
        case .paragraph(let text):
            return wrap(inline.parse(text), width: width).map { string($0, color: color) }
        case .code(_, let lines):
            let bar = style.dim("  │ "), emptyBar = style.dim("  │")
            return (lines.isEmpty ? [""] : lines).map { $0.isBlank ? emptyBar : bar + expandTabs($0) }
        case .list(let ordered, let items):
            return renderList(ordered: ordered, items: items, width: width)
        case .table(let header, let alignments, let rows):
            return renderTable(header: header, alignments: alignments, rows: rows, width: width)
        case .quote(let blocks):
            let bar = style.dim("│ ")
            return renderBlocks(blocks, width: width - 2).map { $0.isEmpty ? style.dim("│") : bar + $0 }
        case .rule:
            return [style.dim(String(repeating: "─", count: width))]
        }
    }

    private func renderHeading(level: Int, text: String, width: Int) -> [String] {
        let styled = inline.parse(text, style: level <= 2 ? [.bold, .underline] : [.bold])
        let lines = wrap(styled, width: width)
        var out = lines.map { string($0, color: color) }
        if !color && level <= 2 {
            let length = lines.map(\.count).max() ?? 0
            out.append(String(repeating: level == 1 ? "═" : "─", count: length))
        }
        return out
    }

    private func renderList(ordered: Bool, items: [MarkdownListItem], width: Int) -> [String] {
        let markers = items.map { ordered ? "\($0.marker)." : "•" }
        let markerWidth = markers.map(\.count).max() ?? 1
        var out: [String] = []
        for (item, marker) in zip(items, markers) {
            let indent = markerWidth + 1
            let content = renderBlocks(item.blocks, width: width - indent, inListItem: true)
            let head = String(repeating: " ", count: markerWidth - marker.count) + (ordered ? marker : style.dim(marker)) + " "
            let hang = String(repeating: " ", count: indent)
            if content.isEmpty { out.append(head); continue }
            for (index, line) in content.enumerated() {
                out.append(line.isEmpty ? "" : (index == 0 ? head : hang) + line)
            }
        }
        return out
    }

    // MARK: Tables

    private func renderTable(header: [String], alignments: [TableAlignment], rows: [[String]], width: Int) -> [String] {
        let columns = header.count
        guard columns > 0 else { return [] }
        let head = header.map { inline.parse($0, style: .bold) }
        let body = rows.map { $0.map { inline.parse($0) } }
        var widths = (0..<columns).map { column in
            max(1, ([head[column]] + body.map { $0[column] }).map(\.count).max() ?? 1)
        }
        // Each column is padded by a space either side; columns are joined by "│".
        let overhead = columns * 3 - 1
        let minimum = 6
        while widths.reduce(0, +) + overhead > width,
              let widest = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[widest] > minimum {
            widths[widest] -= 1
        }

        func renderRow(_ cells: [StyledText]) -> [String] {
            let wrapped = cells.enumerated().map { wrap($0.element, width: widths[$0.offset]) }
            let height = wrapped.map(\.count).max() ?? 1
            return (0..<height).map { lineIndex in
                (0..<columns).map { column in
                    let text = lineIndex < wrapped[column].count ? wrapped[column][lineIndex] : []
                    return " " + aligned(text, width: widths[column], alignment: alignments[column]) + " "
                }.joined(separator: style.dim("│"))
            }
        }

        var out = renderRow(head)
        out.append(style.dim(widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: "┼")))
        for row in body { out += renderRow(row) }
        return out.map { $0.trimmingTrailingSpaces() }
    }

    private func aligned(_ text: StyledText, width: Int, alignment: TableAlignment) -> String {
        let room = max(0, width - text.count)
        let rendered = string(text, color: color)
        switch alignment {
        case .left: return rendered + String(repeating: " ", count: room)
        case .right: return String(repeating: " ", count: room) + rendered
        case .center:
            return String(repeating: " ", count: room / 2) + rendered + String(repeating: " ", count: room - room / 2)
        }
    }

    private func expandTabs(_ line: String) -> String {
        guard line.contains("\t") else { return line }
        var out = ""
        var column = 0
        for character in line {
            if character == "\t" {
                let spaces = 4 - column % 4
                out += String(repeating: " ", count: spaces)
                column += spaces
            } else {
                out.append(character)
                column += 1
            }
        }
        return out
    }
}

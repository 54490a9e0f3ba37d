// The block structure of the Markdown lessons use: headings, paragraphs, fenced code, lists
// (nested by indentation), tables, block quotes and rules. Enough CommonMark for lessons, not all.

indirect enum MarkdownBlock: Equatable {
    case heading(level: Int, text: String)
    case paragraph(String)
    case code(language: String, lines: [String])
    case list(ordered: Bool, items: [MarkdownListItem])
    case table(header: [String], alignments: [TableAlignment], rows: [[String]])
    case quote([MarkdownBlock])
    case rule
}

struct MarkdownListItem: Equatable {
    /// `-`/`*`/`+` for bullets, or the number the author wrote.
    var marker: String
    var blocks: [MarkdownBlock]
}

enum TableAlignment: Equatable {
    case left, center, right
}

enum MarkdownParser {
    static func parse(_ markdown: String) -> [MarkdownBlock] {
        parseBlocks(withoutHTMLComments(splitLines(markdown.replacingTabsInIndent()))[...])
    }

    /// The lines without HTML comments that start a line (`<!-- ... -->`, possibly over several
    /// lines): they hold challenge keys, which the learner is not meant to read. Fenced code is kept
    /// as written.
    static func withoutHTMLComments(_ lines: [String]) -> [String] {
        var kept: [String] = []
        var fence: Fence?
        var inComment = false
        for line in lines {
            if inComment {
                if line.contains("-->") { inComment = false }
                continue
            }
            if let open = fence {
                if open.isClosed(by: line) { fence = nil }
                kept.append(line)
                continue
            }
            if let opening = Fence.opening(line) {
                fence = opening
                kept.append(line)
                continue
            }
            if line.trimmingSpaces().hasPrefix("<!--") {
                if !line.contains("-->") { inComment = true }
                continue
            }
            kept.append(line)
        }
        return kept
    }

    static func parseBlocks(_ lines: ArraySlice<String>) -> [MarkdownBlock] {
        var blocks: [MarkdownBlock] = []
        var index = lines.startIndex
        while index < lines.endIndex {
            let line = lines[index]
            if line.isBlank { index += 1; continue }

            if let fence = Fence.opening(line) {
                var code: [String] = []
                index += 1
                while index < lines.endIndex, !fence.isClosed(by: lines[index]) {
                    code.append(dropIndent(lines[index], upTo: fence.indent))
                    index += 1
                }
                if index < lines.endIndex { index += 1 }
                blocks.append(.code(language: fence.language, lines: code))
            } else if let (level, text) = heading(line) {
                blocks.append(.heading(level: level, text: text))
                index += 1
            } else if isRule(line) {
                blocks.append(.rule)
                index += 1
            } else if quoteContent(line) != nil {
                var inner: [String] = []
                while index < lines.endIndex, let content = quoteContent(lines[index]) {
                    inner.append(content)
                    index += 1
                }
                blocks.append(.quote(parseBlocks(inner[...])))
            } else if index + 1 < lines.endIndex, line.contains("|"), let alignments = separatorRow(lines[index + 1]) {
                let header = tableCells(line)
                var rows: [[String]] = []
                index += 2
                while index < lines.endIndex, lines[index].contains("|"), !lines[index].isBlank {
                    rows.append(tableCells(lines[index]))
                    index += 1
                }
                let columns = max(header.count, rows.map(\.count).max() ?? 0)
                func padded(_ row: [String]) -> [String] { row + Array(repeating: "", count: columns - row.count) }
                let aligned = alignments + Array(repeating: TableAlignment.left, count: max(0, columns - alignments.count))
                blocks.append(.table(header: padded(header), alignments: Array(aligned.prefix(columns)), rows: rows.map(padded)))
            } else if listMarker(line) != nil {
                let (block, next) = parseList(lines, from: index)
                blocks.append(block)
                index = next
            } else {
                var text: [String] = [line.trimmingSpaces()]
                index += 1
                while index < lines.endIndex, !lines[index].isBlank, !startsBlock(lines[index]) {
                    text.append(lines[index].trimmingSpaces())
                    index += 1
                }
                blocks.append(.paragraph(text.joined(separator: " ")))
            }
        }
        return blocks
    }

    // MARK: Lists

    /// A list item's marker: its indent, the marker text, and the column where its content starts.
    struct ListMarker {
        var indent: Int
        var marker: String
        var isOrdered: Bool
        var contentColumn: Int
        var text: String
    }

    static func listMarker(_ line: String) -> ListMarker? {
        let indent = line.leadingIndent
        let rest = line.drop(while: { $0 == " " })
        if let first = rest.first, first == "-" || first == "*" || first == "+" {
            let after = rest.dropFirst()
            guard after.isEmpty || after.first == " " else { return nil }
            let spaces = min(4, max(1, after.prefix(while: { $0 == " " }).count))
            return ListMarker(indent: indent, marker: String(first), isOrdered: false,
                              contentColumn: indent + 1 + spaces, text: after.trimmingSpaces())
        }
        let digits = rest.prefix(while: \.isASCIIDigitCharacter)
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        let after = rest.dropFirst(digits.count)
        guard let dot = after.first, dot == "." || dot == ")" else { return nil }
        let text = after.dropFirst()
        guard text.isEmpty || text.first == " " else { return nil }
        let spaces = min(4, max(1, text.prefix(while: { $0 == " " }).count))
        return ListMarker(indent: indent, marker: String(digits), isOrdered: true,
                          contentColumn: indent + digits.count + 1 + spaces, text: text.trimmingSpaces())
    }

    /// Parses the list starting at `start`; returns it and the index after it.
    private static func parseList(_ lines: ArraySlice<String>, from start: Int) -> (MarkdownBlock, Int) {
        guard let first = listMarker(lines[start]) else { preconditionFailure("Invalid list start") }
        var items: [MarkdownListItem] = []
        var current: (marker: ListMarker, lines: [String])? = nil
        var index = start
        var previousBlank = false

        func finish() {
            if let item = current {
                items.append(MarkdownListItem(marker: item.marker.marker, blocks: parseBlocks(item.lines[...])))
            }
            current = nil
        }

        while index < lines.endIndex {
            let line = lines[index]
            if line.isBlank {
                previousBlank = true
                current?.lines.append("")
                index += 1
                continue
            }
            let indent = line.leadingIndent
            if let marker = listMarker(line), marker.indent <= first.indent + 1, marker.isOrdered == first.isOrdered {
                finish()
                current = (marker, [marker.text])
            } else if let item = current, indent >= item.marker.contentColumn || (indent > first.indent && listMarker(line) != nil) {
                current?.lines.append(dropIndent(line, upTo: min(indent, item.marker.contentColumn)))
            } else if !previousBlank, indent > first.indent || !startsBlock(line) {
                current?.lines.append(line.trimmingSpaces())  // lazy continuation of the paragraph
            } else {
                break
            }
            previousBlank = false
            index += 1
        }
        finish()
        // Give back trailing blank lines.
        return (.list(ordered: first.isOrdered, items: items), index)
    }

    // MARK: Line kinds

    static func heading(_ line: String) -> (Int, String)? {
        guard line.leadingIndent <= 3 else { return nil }
        let rest = line.drop(while: { $0 == " " })
        let level = rest.prefix(while: { $0 == "#" }).count
        guard (1...6).contains(level) else { return nil }
        let after = rest.dropFirst(level)
        guard after.isEmpty || after.first == " " else { return nil }
        var text = after.trimmingSpaces()
        while text.hasSuffix("#") { text.removeLast() }
        return (level, text.trimmingSpaces())
    }

    static func isRule(_ line: String) -> Bool {
        guard line.leadingIndent <= 3 else { return false }
        let marks = line.filter { $0 != " " }
        guard marks.count >= 3, let first = marks.first, first == "-" || first == "*" || first == "_" else { return false }
        return marks.allSatisfy { $0 == first }
    }

    static func quoteContent(_ line: String) -> String? {
        guard line.leadingIndent <= 3 else { return nil }
        let rest = line.drop(while: { $0 == " " })
        guard rest.first == ">" else { return nil }
        let after = rest.dropFirst()
        return String(after.first == " " ? after.dropFirst() : after)
    }

    /// True when `line` starts a block that ends a paragraph.
    static func startsBlock(_ line: String) -> Bool {
        Fence.opening(line) != nil || heading(line) != nil || isRule(line) || quoteContent(line) != nil
            || listMarker(line) != nil
    }

    // MARK: Tables

    /// The alignments of a separator row like `|---|:--:|--:|`, or nil when `line` is not one.
    static func separatorRow(_ line: String) -> [TableAlignment]? {
        guard line.contains("-") else { return nil }
        let cells = tableCells(line)
        guard !cells.isEmpty else { return nil }
        var alignments: [TableAlignment] = []
        for cell in cells {
            let left = cell.hasPrefix(":"), right = cell.hasSuffix(":")
            let dashes = cell.drop(while: { $0 == ":" }).reversed().drop(while: { $0 == ":" })
            guard !dashes.isEmpty, dashes.allSatisfy({ $0 == "-" }) else { return nil }
            alignments.append(left && right ? .center : right ? .right : .left)
        }
        return alignments
    }

    /// The cells of a table row: split on `|` outside inline code (`\|` is a literal bar), trimmed,
    /// with the optional outer bars removed.
    static func tableCells(_ line: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var inCode = false
        var escaped = false
        for character in line.trimmingSpaces() {
            if escaped {
                if character != "|" { current.append("\\") }
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "`" {
                inCode.toggle()
                current.append(character)
            } else if character == "|" && !inCode {
                cells.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if escaped { current.append("\\") }
        cells.append(current)
        let trimmedLine = line.trimmingSpaces()
        if trimmedLine.hasPrefix("|"), cells.first?.isBlank == true { cells.removeFirst() }
        if trimmedLine.hasSuffix("|"), !trimmedLine.hasSuffix("\\|"), cells.last?.isBlank == true { cells.removeLast() }
        return cells.map { $0.trimmingSpaces() }
    }
}

extension String {
    /// Tabs in a line's indentation become four spaces, so indentation can be counted in columns.
    func replacingTabsInIndent() -> String {
        splitLines(self).map { line -> String in
            let indent = line.prefix(while: { $0 == " " || $0 == "\t" })
            guard indent.contains("\t") else { return line }
            return String(repeating: " ", count: indent.leadingIndent) + line.dropFirst(indent.count)
        }.joined(separator: "\n")
    }
}

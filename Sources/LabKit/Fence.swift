// Fenced code blocks, the CommonMark way: ``` or ~~~ (three or more), up to three spaces of indent,
// an info string after an opening fence, and a closing fence of the same character at least as long.
// A line inside a fence is code: a `##` there is not a heading.

/// An opening code fence found on a line.
struct Fence {
    var character: Character
    var length: Int
    var indent: Int
    var info: String

    /// The fence that `line` opens, or nil when the line is not an opening fence.
    static func opening(_ line: String) -> Fence? {
        let indent = line.prefix(while: { $0 == " " }).count
        guard indent <= 3 else { return nil }
        let rest = line.dropFirst(indent)
        guard let character = rest.first, character == "`" || character == "~" else { return nil }
        let length = rest.prefix(while: { $0 == character }).count
        guard length >= 3 else { return nil }
        let info = rest.dropFirst(length).trimmingSpaces()
        // A backtick fence's info string may not contain a backtick (it would be inline code).
        if character == "`" && info.contains("`") { return nil }
        return Fence(character: character, length: length, indent: indent, info: info)
    }

    /// True when `line` closes this fence.
    func isClosed(by line: String) -> Bool {
        let indent = line.prefix(while: { $0 == " " }).count
        guard indent <= 3 else { return false }
        let rest = line.dropFirst(indent)
        let run = rest.prefix(while: { $0 == character }).count
        return run >= length && rest.dropFirst(run).isBlank
    }

    /// The first word of the info string.
    var language: String {
        String(info.prefix(while: { $0 != " " && $0 != "\t" && $0 != "{" }))
    }
}

/// A run of lines split into prose lines and fenced code blocks.
enum FencedLine {
    case text(String, line: Int)
    case code(CodeBlock)
}

/// Splits `lines` (the first being file line `firstLine`) into text lines and code blocks.
/// An unclosed fence runs to the end of the lines and comes back with `isClosed == false`.
func scanFences(_ lines: ArraySlice<String>, firstLine: Int) -> [FencedLine] {
    var result: [FencedLine] = []
    var index = lines.startIndex
    while index < lines.endIndex {
        let lineNumber = firstLine + (index - lines.startIndex)
        guard let fence = Fence.opening(lines[index]) else {
            result.append(.text(lines[index], line: lineNumber))
            index += 1
            continue
        }
        var body: [String] = []
        var closed = false
        index += 1
        while index < lines.endIndex {
            if fence.isClosed(by: lines[index]) {
                closed = true
                index += 1
                break
            }
            body.append(dropIndent(lines[index], upTo: fence.indent))
            index += 1
        }
        result.append(.code(CodeBlock(
            language: fence.language, info: fence.info, code: body.joined(separator: "\n"),
            firstLine: lineNumber + 1, fenceLine: lineNumber, isClosed: closed)))
    }
    return result
}

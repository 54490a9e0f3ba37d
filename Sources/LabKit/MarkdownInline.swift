// Inline Markdown (`**bold**`, `*em*`, `_em_`, `` `code` ``, `[text](url)`, `\` escapes) turned
// into styled characters, and greedy word wrapping that counts only what is visible.

/// The inline styles a character can carry.
struct InlineStyle: OptionSet, Hashable {
    let rawValue: UInt8
    static let bold = InlineStyle(rawValue: 1)
    static let italic = InlineStyle(rawValue: 2)
    static let code = InlineStyle(rawValue: 4)
    static let underline = InlineStyle(rawValue: 8)
    static let dim = InlineStyle(rawValue: 16)
}

/// One visible character and its style. A run of cells is one line of output.
struct StyledCharacter: Equatable {
    var character: Character
    var style: InlineStyle
}

typealias StyledText = [StyledCharacter]

struct InlineRenderer {
    /// With colour off, inline code keeps its backticks and links show their address in brackets.
    var color: Bool

    func parse(_ text: String, style: InlineStyle = []) -> StyledText {
        parse(Array(text)[...], style: style)
    }

    private func parse(_ characters: ArraySlice<Character>, style: InlineStyle) -> StyledText {
        var out: StyledText = []
        var index = characters.startIndex
        func literal(_ character: Character) { out.append(StyledCharacter(character: character, style: style)) }

        while index < characters.endIndex {
            let character = characters[index]
            switch character {
            case "\\":
                let next = characters.index(after: index)
                if next < characters.endIndex, characters[next].isPunctuation || characters[next].isSymbol {
                    literal(characters[next])
                    index = characters.index(after: next)
                } else {
                    literal(character)
                    index = next
                }
            case "`":
                let run = characters[index...].prefix(while: { $0 == "`" }).count
                if let close = closingBackticks(characters, from: index + run, count: run) {
                    var code = String(characters[(index + run)..<close])
                    if code.count >= 2, code.first == " ", code.last == " ", !code.isBlank {
                        code = String(code.dropFirst().dropLast())
                    }
                    let shown = color ? code : "`" + code + "`"
                    out += shown.map { StyledCharacter(character: $0, style: style.union(.code)) }
                    index = close + run
                } else {
                    for _ in 0..<run { literal("`") }
                    index += run
                }
            case "*", "_":
                let run = characters[index...].prefix(while: { $0 == character }).count
                let size = run >= 2 ? 2 : 1
                if let close = closingEmphasis(characters, from: index, marker: character, size: size) {
                    let inner = characters[(index + size)..<close]
                    out += parse(inner, style: style.union(size == 2 ? .bold : .italic))
                    index = close + size
                } else {
                    for _ in 0..<run { literal(character) }
                    index += run
                }
            case "[":
                if let (label, url, end) = link(characters, from: index) {
                    out += parse(label, style: style.union(.underline))
                    let labelText = String(label)
                    if url != labelText && !url.isEmpty {
                        out += " (\(url))".map { StyledCharacter(character: $0, style: style.union(.dim)) }
                    }
                    index = end
                } else {
                    literal(character)
                    index += 1
                }
            default:
                literal(character)
                index += 1
            }
        }
        return out
    }

    private func closingBackticks(_ characters: ArraySlice<Character>, from start: Int, count: Int) -> Int? {
        var index = start
        while index < characters.endIndex {
            if characters[index] == "`" {
                let run = characters[index...].prefix(while: { $0 == "`" }).count
                if run == count { return index }
                index += run
            } else {
                index += 1
            }
        }
        return nil
    }

    /// Where the emphasis opened at `start` closes. The opener must be followed by a non-space and
    /// the closer preceded by one; `_` must also sit at word edges, so `snake_case_name` stays as is.
    private func closingEmphasis(_ characters: ArraySlice<Character>, from start: Int, marker: Character, size: Int) -> Int? {
        let contentStart = start + size
        guard contentStart < characters.endIndex, !characters[contentStart].isWhitespace else { return nil }
        if marker == "_", start > characters.startIndex, characters[start - 1].isLetter || characters[start - 1].isNumber {
            return nil
        }
        // The scan starts at the content's first character, so a code span that opens the content
        // (`**`Keep-Alive`**`) is skipped whole: starting one later read its closing backtick as an
        // opener and ran past the closing `**`.
        var index = contentStart
        while index + size <= characters.endIndex {
            let character = characters[index]
            if index == contentStart, character == marker {
                index += 1
                continue
            }
            if character == "`" {
                let run = characters[index...].prefix(while: { $0 == "`" }).count
                index = (closingBackticks(characters, from: index + run, count: run).map { $0 + run }) ?? index + run
                continue
            }
            if character == marker {
                let run = characters[index...].prefix(while: { $0 == marker }).count
                let after = index + run
                let fitsSize = size == 2 ? run >= 2 : run == 1
                let edgeOK = marker != "_" || after >= characters.endIndex
                    || !(characters[after].isLetter || characters[after].isNumber)
                if fitsSize, !characters[index - 1].isWhitespace, edgeOK {
                    return size == 2 ? index + run - 2 : index
                }
                index += run
                continue
            }
            index += 1
        }
        return nil
    }

    /// `[label](url)` at `start`: the label, the url, and the index after `)`.
    private func link(_ characters: ArraySlice<Character>, from start: Int) -> (ArraySlice<Character>, String, Int)? {
        guard let close = characters[start...].firstIndex(of: "]"), close + 1 < characters.endIndex,
              characters[close + 1] == "(", let end = characters[(close + 1)...].firstIndex(of: ")") else { return nil }
        return (characters[(start + 1)..<close], String(characters[(close + 2)..<end]).trimmingSpaces(), end + 1)
    }
}

// MARK: Wrapping

/// Breaks styled text into words at spaces. Inline code is never broken at its spaces.
func words(_ text: StyledText) -> [StyledText] {
    var result: [StyledText] = []
    var current: StyledText = []
    for cell in text {
        if cell.character == " " && !cell.style.contains(.code) {
            if !current.isEmpty { result.append(current); current = [] }
        } else {
            current.append(cell)
        }
    }
    if !current.isEmpty { result.append(current) }
    return result
}

/// Greedy wrapping to `width` columns; a word longer than a whole line is cut.
func wrap(_ text: StyledText, width: Int) -> [StyledText] {
    let width = max(1, width)
    var lines: [StyledText] = []
    var line: StyledText = []
    for var word in words(text) {
        if !line.isEmpty, line.count + 1 + word.count <= width {
            // The space takes the styles both neighbours share, so an underline runs unbroken.
            let shared = line[line.count - 1].style.intersection(word[0].style).subtracting(.code)
            line.append(StyledCharacter(character: " ", style: shared))
            line += word
            continue
        }
        if !line.isEmpty { lines.append(line); line = [] }
        while word.count > width {
            lines.append(Array(word.prefix(width)))
            word.removeFirst(width)
        }
        line = word
    }
    if !line.isEmpty || lines.isEmpty { lines.append(line) }
    return lines
}

/// The styled text as a string: ANSI codes around each run of one style when `color` is on.
func string(_ text: StyledText, color: Bool) -> String {
    guard color else { return String(text.map(\.character)) }
    let style = Style(isEnabled: true)
    var out = ""
    var index = text.startIndex
    while index < text.endIndex {
        let runStyle = text[index].style
        var end = index
        while end < text.endIndex, text[end].style == runStyle { end += 1 }
        var run = String(text[index..<end].map(\.character))
        if runStyle.contains(.code) { run = style.cyan(run) }
        if runStyle.contains(.italic) { run = style.italic(run) }
        if runStyle.contains(.underline) { run = style.underline(run) }
        if runStyle.contains(.bold) { run = style.bold(run) }
        if runStyle.contains(.dim) { run = style.dim(run) }
        out += run
        index = end
    }
    return out
}

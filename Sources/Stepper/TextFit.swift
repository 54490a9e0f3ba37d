import LabKit

/// TextFit: making text fit a row of the terminal. Widths count visible characters (LabKit's
/// `visibleWidth`: ANSI escape sequences take no room, every other character one column).
enum TextFit {
    /// `text` cut to at most `width` visible columns, an ellipsis marking a cut. Escape sequences
    /// are kept; when the text has any, a reset (`ESC[0m`) ends it so no style leaks into the next row.
    static func fit(_ text: String, width: Int, ellipsis: String = "…") -> String {
        guard width > 0 else { return "" }
        let visible = visibleWidth(text)
        let hasEscapes = text.unicodeScalars.contains("\u{1B}")
        if visible <= width { return hasEscapes ? text + "\u{1B}[0m" : text }
        let ellipsis = ellipsis.count < width ? ellipsis : "…"
        let keep = width - ellipsis.count
        var out = String.UnicodeScalarView()
        var count = 0
        scanTerminalText(text) { scalar, kind in
            if kind == .column {
                if count == keep { return false }
                count += 1
            }
            out.append(scalar)
            return true
        }
        return String(out) + (hasEscapes ? "\u{1B}[0m" : "") + ellipsis
    }

    /// `text` cut into rows of `width` visible columns (no word breaking: the way a terminal wraps).
    /// Escape sequences are kept; each row after the first starts by repeating every sequence met
    /// so far, so styles carry over exactly, and every row but the last ends with a reset.
    static func hardWrapped(_ text: String, width: Int) -> [String] {
        guard width > 0, visibleWidth(text) > width else { return [text] }
        var rows: [String] = []
        var row = String.UnicodeScalarView()
        var escapes = String.UnicodeScalarView()   // every sequence so far, to replay on the next row
        var count = 0
        scanTerminalText(text) { scalar, kind in
            if kind == .escape {
                row.append(scalar)
                escapes.append(scalar)
                return true
            }
            if kind == .column && count == width {
                rows.append(String(row) + (escapes.isEmpty ? "" : "\u{1B}[0m"))
                row = escapes
                count = 0
            }
            if kind == .column { count += 1 }
            row.append(scalar)
            return true
        }
        rows.append(String(row))
        return rows
    }

    /// `text` wrapped at spaces into rows of at most `width` visible columns, every row after the
    /// first starting with `continuation` (a mark or an indent); a word longer than a row is cut
    /// where the row ends, as a terminal would. Escape sequences are kept: each new row replays the
    /// ones met so far (after `continuation`), and every row but the last ends with a reset.
    static func wordWrapped(_ text: String, width: Int, continuation: String = "") -> [String] {
        guard width > 0, visibleWidth(text) > width else { return [text] }
        typealias Piece = (scalar: Unicode.Scalar, kind: TerminalScalar)
        func pieces(_ text: String) -> [Piece] {
            var out: [Piece] = []
            scanTerminalText(text) { scalar, kind in
                out.append((scalar, kind))
                return true
            }
            return out
        }
        // A continuation as wide as the row would leave no room: drop it.
        let mark = visibleWidth(continuation) < width ? pieces(continuation) : []
        let markWidth = mark.count { $0.kind == .column }
        var rows: [[Piece]] = []
        var escapesSoFar: [Piece] = []
        var row: [Piece] = []
        var count = 0
        var fixed = 0          // pieces at the row's start that are the mark and replayed escapes
        var lastSpace: Int?    // index in `row` of the last space after a word (a break may go there)
        var hasWord = false    // the row has a visible character that is not a space, after `fixed`
        for piece in pieces(text) {
            if piece.kind == .column, count >= width {
                // A space right at the edge is the break itself: the next row starts after it.
                let breaksHere = piece.scalar == " "
                var tail: [Piece] = []
                if !breaksHere, let space = lastSpace,
                   markWidth + row[(space + 1)...].count(where: { $0.kind == .column }) < width {
                    tail = Array(row[(space + 1)...])
                    row = Array(row[..<space])
                }
                while let last = row.last, last.kind == .column, last.scalar == " ", row.count > fixed { row.removeLast() }
                rows.append(row)
                escapesSoFar += row.dropFirst(fixed).filter { $0.kind == .escape }
                row = mark + escapesSoFar
                fixed = row.count
                // Spaces that open the carried-over words are dropped: the row starts with a word.
                tail = Array(tail.drop { $0.kind == .column && $0.scalar == " " })
                row += tail
                count = markWidth + tail.count { $0.kind == .column }
                lastSpace = row.indices.dropFirst(fixed).last { row[$0].kind == .column && row[$0].scalar == " " }
                hasWord = tail.contains { $0.kind == .column && $0.scalar != " " }
                if breaksHere { continue }
            }
            if piece.kind == .column, piece.scalar == " ", row.count == fixed, !rows.isEmpty { continue }
            row.append(piece)
            if piece.kind == .column {
                count += 1
                if piece.scalar != " " { hasWord = true } else if hasWord { lastSpace = row.count - 1 }
            }
        }
        rows.append(row)
        let hasEscapes = text.unicodeScalars.contains("\u{1B}")
        return rows.enumerated().map { index, row in
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: row.map(\.scalar))
            return String(scalars) + (hasEscapes && index < rows.count - 1 ? "\u{1B}[0m" : "")
        }
    }

    /// Plain `text` (no escape sequences) wrapped at spaces to lines of at most `width` characters;
    /// a word longer than the width gets a line of its own (and is cut when drawn).
    static func wrapped(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// `text` followed by spaces up to `width` visible columns (never cut).
    static func padded(_ text: String, to width: Int) -> String {
        let visible = visibleWidth(text)
        return visible >= width ? text : text + String(repeating: " ", count: width - visible)
    }

    /// A line printed by an experiment, made safe to draw: tabs become spaces (stops of 4) and other
    /// control characters, escape included, become `�`, so a script can't move the cursor or
    /// change colours on the stepper's screen.
    static func sanitized(_ line: String) -> String {
        guard line.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return line }
        var out = ""
        var column = 0
        for character in line {
            if character == "\t" {
                let spaces = 4 - column % 4
                out += String(repeating: " ", count: spaces)
                column += spaces
            } else if let scalar = character.unicodeScalars.first, scalar.value < 0x20 || scalar.value == 0x7F {
                out.append("\u{FFFD}")
                column += 1
            } else {
                out.append(character)
                column += 1
            }
        }
        return out
    }
}

extension Waterfall {
    /// A row of character cells over the run's time, `msPerColumn` milliseconds each: column `n`
    /// covers `[n, n + 1) × msPerColumn`. An instant is drawn in the column it rounds to, so a
    /// request from 0.4 to 2.6 columns takes columns 0, 1 and 2.
    struct Track {
        var cells: [Character]
        let msPerColumn: Double

        init(columns: Int, msPerColumn: Double) {
            cells = Array(repeating: " ", count: max(1, columns))
            self.msPerColumn = msPerColumn
        }

        /// The column `ms` falls in, clamped to the track.
        func column(_ ms: Double) -> Int {
            min(cells.count - 1, max(0, Int((ms / msPerColumn).rounded())))
        }

        /// The columns `[from, to)` covers. Empty when it is shorter than about half a column,
        /// unless `atLeastOne`: a request however short takes one column, so it is never lost.
        func columns(from: Double, to: Double, atLeastOne: Bool) -> Range<Int> {
            let first = column(from)
            var end = min(cells.count, max(0, Int((to / msPerColumn).rounded())))
            if atLeastOne { end = max(end, first + 1) }
            return first..<max(first, end)
        }

        mutating func paint(from: Double, to: Double, _ glyph: Character, atLeastOne: Bool = false) {
            for index in columns(from: from, to: to, atLeastOne: atLeastOne) { cells[index] = glyph }
        }

        var text: String { String(cells) }
    }

    /// The time axis over a track: tick values on one line (in at most `room` columns, so a last
    /// label may run past the track), and a ruler under them. Ticks fall on round numbers — 1, 2
    /// or 5 times a power of ten — about every ten columns.
    static func axis(_ track: Track, room: Int) -> (labels: String, ruler: String) {
        let step = roundStep(atLeast: track.msPerColumn * 10)
        var labels = [Character](repeating: " ", count: max(room, track.cells.count))
        var ruler = [Character](repeating: "─", count: track.cells.count)
        var nextFree = 0
        var tick = 0
        while true {
            let ms = Double(tick) * step
            let column = Int((ms / track.msPerColumn).rounded())
            guard column < ruler.count else { break }
            ruler[column] = tick == 0 ? "├" : "┼"
            let label = Array(LabValue.fixed(ms, decimals(of: step)))
            if column >= nextFree && column + label.count <= labels.count {
                labels.replaceSubrange(column..<column + label.count, with: label)
                nextFree = column + label.count + 1
            }
            tick += 1
        }
        if ruler.count > 1, ruler[ruler.count - 1] == "─" { ruler[ruler.count - 1] = "┤" }
        return (String(labels), String(ruler))
    }

    /// The smallest of 1, 2, 5 × 10ⁿ that is at least `value` (positive, finite).
    static func roundStep(atLeast value: Double) -> Double {
        guard value.isFinite, value > 0 else { return 1 }
        var power = 1.0
        while power * 10 <= value { power *= 10 }
        while power > value { power /= 10 }
        for multiple in [1.0, 2, 5, 10] where power * multiple >= value { return power * multiple }
        return power * 10
    }

    /// Digits after the point needed to print multiples of `step`: 0 for 1 and up, 1 for 0.5, 2 for 0.05.
    static func decimals(of step: Double) -> Int {
        var digits = 0
        var scaled = step
        while scaled < 0.999_999, digits < 6 {
            scaled *= 10
            digits += 1
        }
        return digits
    }

    /// `items` joined by `separator` into lines of at most `width` columns, the first line starting
    /// with `indent`, the others with `continuation` (default: `indent`). An item too long for a
    /// line of its own is cut with "…". Breaks only between items.
    static func flow(_ items: [String], width: Int, indent: String = "", continuation: String? = nil,
                     separator: String = " ") -> [String] {
        var lines: [String] = []
        var line = ""
        for item in items {
            if line.isEmpty {
                line = (lines.isEmpty ? indent : continuation ?? indent) + item
            } else if line.count + separator.count + item.count <= width {
                line += separator + item
            } else {
                lines.append(line)
                line = (continuation ?? indent) + item
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines.map { cut($0, to: width) }
    }

    /// `text` if it fits in `width` columns, else its start and "…" (`cutMark`: "..." in plain
    /// mode, so the line keeps its width after `PlainText.ascii`).
    static func cut(_ text: String, to width: Int) -> String {
        guard text.count > width else { return text }
        let mark = cutMark
        return width <= mark.count ? String(text.prefix(width)) : String(text.prefix(width - mark.count)) + mark
    }
}

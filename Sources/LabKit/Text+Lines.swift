// Small string helpers shared by the lesson parser, the matcher and the renderer.

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    func trimmingSpaces() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first.isBlank { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isBlank { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// The text without trailing spaces and tabs (and a stray carriage return).
    func trimmingTrailingSpaces() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// How many spaces begin the text (a tab counts as 4, enough for Markdown indentation).
    var leadingIndent: Int {
        var count = 0
        for scalar in unicodeScalars {
            if scalar == " " { count += 1 } else if scalar == "\t" { count += 4 } else { break }
        }
        return count
    }

    /// True when the text is empty or only spaces and tabs.
    var isBlank: Bool { unicodeScalars.allSatisfy(\.isBlank) }
}

extension Unicode.Scalar {
    var isBlank: Bool { self == " " || self == "\t" || self == "\n" || self == "\r" }
}

/// Splits text into lines on "\n" (a "\r\n" counts as one break). "" is one empty line.
/// (Swift treats "\r\n" as one Character, so both separators are named.)
func splitLines(_ text: String) -> [String] {
    text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { line in
        line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
    }
}

/// Removes up to `count` leading spaces from a line.
func dropIndent(_ line: String, upTo count: Int) -> String {
    var dropped = 0
    var index = line.startIndex
    while dropped < count, index < line.endIndex, line[index] == " " {
        index = line.index(after: index)
        dropped += 1
    }
    return String(line[index...])
}

/// The lines without leading and trailing blank lines, and how many leading lines were dropped.
func trimBlankLines(_ lines: ArraySlice<String>) -> (lines: ArraySlice<String>, droppedAtStart: Int) {
    var slice = lines
    var dropped = 0
    while let first = slice.first, first.isBlank { slice = slice.dropFirst(); dropped += 1 }
    while let last = slice.last, last.isBlank { slice = slice.dropLast() }
    return (slice, dropped)
}

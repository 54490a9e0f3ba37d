// Where a token or a syntax node starts in the lesson file.

/// A position in the lesson file: `line` counts FILE lines (the script's first line is
/// `lineOffset + 1`), `column` counts characters from 1.
///
/// A tab counts as one column; the diagnostic renderer copies tabs into the caret line so the
/// caret still lands under the right character.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    /// `41:12`, the form compilers print between the file name and the message.
    public var description: String { "\(line):\(column)" }
}

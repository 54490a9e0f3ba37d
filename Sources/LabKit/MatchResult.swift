// The verdict of comparing expected output with live output, and the diff that explains it.

/// One row of the comparison, in order.
public enum DiffLine: Sendable, Equatable {
    /// A literal expected line and the identical live line.
    case same(expected: String, actual: String)
    /// A line with `<name>` placeholders that accepted the live line. Not a difference.
    case placeholder(expected: String, actual: String)
    /// A `...` line, and how many live lines it stood for.
    case elided(count: Int)
    /// An expected line with no live line for it.
    case missing(expected: String)
    /// A live line the expected output has no line for.
    case unexpected(actual: String)
    /// An expected line and the different live line in its place.
    case mismatch(expected: String, actual: String)

    /// True for the rows that make the outputs differ.
    public var isFailure: Bool {
        switch self {
        case .same, .placeholder, .elided: false
        case .missing, .unexpected, .mismatch: true
        }
    }

    /// True when the row stands for one line of the expected text.
    var consumesExpectedLine: Bool {
        switch self {
        case .same, .placeholder, .elided, .missing, .mismatch: true
        case .unexpected: false
        }
    }
}

/// The result of `OutputMatcher.match`.
public struct MatchResult: Sendable, Equatable {
    public var isMatch: Bool
    /// The value each placeholder name took (on a mismatch: the values seen before it went wrong).
    public var bindings: [String: String]
    /// The comparison, row by row: the whole expected and live texts.
    public var lines: [DiffLine]
    /// The index in `lines` of the first failing row.
    public var firstFailureIndex: Int?
    /// The 1-based line of the expected text where the first difference is. For a live line the
    /// expected output lacks, the expected line it would come before (one past the end at the end).
    public var firstFailureExpectedLine: Int?
    /// The file line of the first difference, when the caller said where the expected block starts.
    public var firstFailureFileLine: Int?

    public init(isMatch: Bool, bindings: [String: String], lines: [DiffLine], expectedFirstLine: Int? = nil) {
        self.isMatch = isMatch
        self.bindings = bindings
        self.lines = lines
        firstFailureIndex = lines.firstIndex(where: \.isFailure)
        if let index = firstFailureIndex {
            let expectedLine = lines[..<index].filter(\.consumesExpectedLine).count + 1
            firstFailureExpectedLine = expectedLine
            firstFailureFileLine = expectedFirstLine.map { $0 + expectedLine - 1 }
        }
    }
}

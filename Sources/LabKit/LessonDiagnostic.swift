// A problem found in a lesson file, reported the way a compiler reports one.

/// A problem in a lesson file: `file:line: message` (or `file:line:col: message`).
///
/// A line of 0 means "the file as a whole" (it cannot be read, for example) and is left out of the
/// description. Warnings say so after the location: `file:line: warning: message`.
public struct LessonDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Equatable {
        case error
        case warning
    }

    public var file: String
    public var line: Int
    public var column: Int?
    public var message: String
    public var severity: Severity

    public init(file: String, line: Int, column: Int? = nil, message: String, severity: Severity = .error) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.severity = severity
    }

    public var description: String {
        var location = file
        if line > 0 {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        let prefix = severity == .warning ? "warning: " : ""
        return "\(location): \(prefix)\(message)"
    }
}

extension Array where Element == LessonDiagnostic {
    /// The diagnostics ordered by file, then line, then column; equal ones keep their order.
    func sortedByLocation() -> [LessonDiagnostic] {
        enumerated().sorted { lhs, rhs in
            let (a, b) = (lhs.element, rhs.element)
            if a.file != b.file { return a.file < b.file }
            if a.line != b.line { return a.line < b.line }
            if (a.column ?? 0) != (b.column ?? 0) { return (a.column ?? 0) < (b.column ?? 0) }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}

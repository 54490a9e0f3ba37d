// Errors in a lab script, reported like a compiler:
//
//     Lessons/03-idle.md:41:12: error: expected a duration like 200ms after 'sleep'
//         sleep soon
//               ^

/// One error in a script: one sentence that says what was expected, and where.
///
/// `line` is a FILE line (the parser's `lineOffset` already applied), `column` counts
/// characters from 1.
public struct ScriptDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int

    public init(message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    public init(_ message: String, at location: SourceLocation) {
        self.init(message: message, line: location.line, column: location.column)
    }

    public var location: SourceLocation { SourceLocation(line: line, column: column) }

    /// `41:12: error: expected ...`, without a file name or source line.
    public var description: String { "\(line):\(column): error: \(message)" }

    /// The compiler-style report: `file:line:col: error: message`, then the source line and a
    /// caret under the column. `lines` are the FILE's lines (index 0 is line 1); when the line
    /// is not among them only the first line is printed. No trailing newline.
    public func rendered(file: String, lines: [String]) -> String {
        var output = "\(file):\(line):\(column): error: \(message)"
        guard line >= 1, line <= lines.count else { return output }
        let text = lines[line - 1]
        // Keep tabs so the caret lines up with the character however wide the terminal's tabs are.
        let padding = text.prefix(max(0, column - 1)).map { $0 == "\t" ? "\t" : " " }.joined()
        let shortfall = max(0, column - 1 - text.count)
        output += "\n\(text)\n\(padding)\(String(repeating: " ", count: shortfall))^"
        return output
    }

    /// The same report, splitting the whole file's text into lines first.
    public func rendered(file: String, source: String) -> String {
        rendered(file: file, lines: ScriptDiagnostics.lines(of: source))
    }
}

/// Every error found in one script, in source order. `LabScriptParser.parse` throws this:
/// the parser reports the first error of each statement and carries on at the next one.
public struct ScriptDiagnostics: Error, Sendable, Equatable, CustomStringConvertible {
    public var diagnostics: [ScriptDiagnostic]

    public init(_ diagnostics: [ScriptDiagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }

    /// Each diagnostic rendered like a compiler (see `ScriptDiagnostic.rendered`), one after another.
    public func rendered(file: String, lines: [String]) -> String {
        diagnostics.map { $0.rendered(file: file, lines: lines) }.joined(separator: "\n")
    }

    public func rendered(file: String, source: String) -> String {
        rendered(file: file, lines: Self.lines(of: source))
    }

    /// Splits text into lines the way the lexer counts them (`\n`, `\r\n` and `\r` all end a line).
    public static func lines(of source: String) -> [String] {
        source.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
    }
}

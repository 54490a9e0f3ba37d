// The front end's entry point: source text in, syntax tree or every error out.

/// Parses lab scripts. Pure: no IO, no clocks.
public enum LabScriptParser {
    /// Parses a whole script.
    ///
    /// `lineOffset` is the number of file lines before the script (it sits in a Markdown lesson),
    /// so with `lineOffset: 40` the script's first line is line 41 in every location and
    /// diagnostic. Throws every error found, in source order: the first of each broken statement.
    public static func parse(_ source: String, lineOffset: Int = 0) throws(ScriptDiagnostics) -> Script {
        var parser = Parser(tokens: Lexer.tokens(in: source, lineOffset: lineOffset))
        let script = parser.parseScript()
        guard parser.diagnostics.isEmpty else { throw ScriptDiagnostics(parser.diagnostics) }
        return script
    }

    /// Parses one expression alone, such as a challenge's `server.connections`.
    public static func parseExpression(_ source: String, lineOffset: Int = 0) throws(ScriptDiagnostics) -> Expression {
        var parser = Parser(tokens: Lexer.tokens(in: source, lineOffset: lineOffset))
        do throws(ScriptDiagnostic) {
            while parser.match(.newline) {}
            let expression = try parser.expression()
            while parser.match(.newline) {}
            guard parser.isAtEnd else {
                throw parser.error("expected the end of the expression", at: parser.peek)
            }
            return expression
        } catch {
            throw ScriptDiagnostics([error])
        }
    }
}

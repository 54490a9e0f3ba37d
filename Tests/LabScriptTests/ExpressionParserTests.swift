import Testing
import LabScript

private func parsed(_ source: String) throws(ScriptDiagnostics) -> String {
    try LabScriptParser.parseExpression(source).description
}

private func firstError(_ source: String) -> ScriptDiagnostic? {
    do {
        _ = try LabScriptParser.parseExpression(source)
        return nil
    } catch {
        return error.diagnostics.first
    }
}

@Suite("Parser: expressions")
struct ExpressionParserTests {
    @Test("precedence and associativity", arguments: [
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
        ("a - b - c", "(- (- a b) c)"),
        ("a / b % c * d", "(* (% (/ a b) c) d)"),
        ("-a * b", "(* (- a) b)"),
        ("- -a", "(- (- a))"),
        ("a + b < c * d", "(< (+ a b) (* c d))"),
        ("a < b and c or d", "(or (and (< a b) c) d)"),
        ("a or b and c", "(or a (and b c))"),
        ("not a == b", "(not (== a b))"),
        ("not a and not b", "(and (not a) (not b))"),
        ("a != b", "(!= a b)"),
        ("a <= b", "(<= a b)"),
        ("a >= -1", "(>= a (- 1))"),
        ("noKA.ms / withKA.ms", "(/ (. noKA ms) (. withKA ms))"),
        ("a.b.c", "(. (. a b) c)"),
        ("a[0].b", "(. (index a 0) b)"),
        ("r.headers[\"content-type\"]", "(index (. r headers) \"content-type\")"),
        ("min(a, b + 1)", "(call min a (+ b 1))"),
        ("len(r.body) > 0", "(> (call len (. r body)) 0)"),
        ("now()", "(call now)"),
        ("5s + 200ms - 500us", "(- (+ 5000ms 200ms) 0.5ms)"),
        ("true != false", "(!= true false)"),
        ("x == none", "(== x none)"),
        ("1.5 * 2", "(* 1.5 2)"),
    ])
    func precedence(source: String, tree: String) throws {
        #expect(try parsed(source) == tree)
    }

    @Test("strings keep text and interpolations with their formats")
    func strings() throws {
        #expect(try parsed(#""Requests: {server.requests}, took {r.ms:.1}ms""#)
            == #""Requests: {(. server requests)}, took {(. r ms):.1}ms""#)
        #expect(try parsed(#""{noKA.ms / withKA.ms:>8.2}x""#) == #""{(/ (. noKA ms) (. withKA ms)):>8.2}x""#)
        #expect(try parsed(#""line\n\{literal\}""#) == #""line\n\{literal\}""#)
    }

    @Test("an interpolated expression carries its own location")
    func interpolationLocation() throws {
        let expression = try LabScriptParser.parseExpression(#""n={a + b}""#, lineOffset: 9)
        guard case .string(let string) = expression.kind,
              case .interpolation(let inner, nil) = string.parts.last else {
            Issue.record("expected an interpolation, got \(expression)")
            return
        }
        #expect(inner.location == LabScript.SourceLocation(line: 10, column: 7))
        guard case .binary(.add, let left, let right) = inner.kind else {
            Issue.record("expected an addition, got \(inner)")
            return
        }
        #expect(left.location == LabScript.SourceLocation(line: 10, column: 5))
        #expect(right.location == LabScript.SourceLocation(line: 10, column: 9))
    }

    @Test("operations point at their operator, members at their name, calls at the function")
    func locations() throws {
        let sum = try LabScriptParser.parseExpression("r.ms + max(a, b)")
        #expect(sum.location == LabScript.SourceLocation(line: 1, column: 6))
        guard case .binary(.add, let member, let call) = sum.kind else {
            Issue.record("expected an addition, got \(sum)")
            return
        }
        #expect(member.location == LabScript.SourceLocation(line: 1, column: 3))
        #expect(call.location == LabScript.SourceLocation(line: 1, column: 8))
        #expect(member == Expression(
            .member(Expression(.variable("r"), at: LabScript.SourceLocation(line: 1, column: 1)), name: "ms"),
            at: LabScript.SourceLocation(line: 1, column: 3)))
    }

    @Test("comparisons do not chain")
    func chainedComparison() {
        #expect(firstError("a < b < c") == ScriptDiagnostic(
            message: "expected 'and' between two comparisons, like a < b and b < c, found '<'", line: 1, column: 7))
    }

    @Test("mistakes in expressions", arguments: [
        ("(1 + 2", "expected ')' to close the '(' at column 1, found the end of the script", 1, 7),
        ("a[1", "expected ']' to close the '[' at column 2, found the end of the script", 1, 4),
        ("min(1 2)", "expected ')' or ',' in the call to 'min' opened at column 4, found '2'", 1, 7),
        ("a.", "expected a field name after '.', found the end of the script", 1, 3),
        ("a.b(1)", "expected a function name before '(', like len(x); only names can be called, found '('", 1, 4),
        ("1 +", "expected an expression, found the end of the script", 1, 4),
        ("a and", "expected an expression, found the end of the script", 1, 6),
        ("* 2", "expected an expression, found '*'", 1, 1),
        ("1 2", "expected the end of the expression, found '2'", 1, 3),
        (#""{a +}""#, "expected an expression, found '}'", 1, 6),
        (#""{}""#, "expected an expression between '{' and '}'", 1, 3),
        (#""{a b}""#, "expected '}' after the expression in '{...}', found 'b'", 1, 5),
    ])
    func mistakes(source: String, message: String, line: Int, column: Int) {
        #expect(firstError(source) == ScriptDiagnostic(message: message, line: line, column: column))
    }
}

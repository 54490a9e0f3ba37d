// Phase 2: tokens to syntax tree, by recursive descent.
//
// Error recovery: a statement that fails throws its first error; the statement list records it
// and skips to the end of that line (skipping a whole `{ }` block opened on it), then carries
// on, so one run reports every broken line once.

/// The parser: one method per statement form (Parser+Statements.swift) and one per precedence
/// level (Parser+Expressions.swift), on top of the `check`/`match`/`consume`/`expect` helpers here.
struct Parser {
    var tokens: [Token]
    var current = 0
    private(set) var diagnostics: [ScriptDiagnostic] = []
    /// Every name the script has bound so far (let, assignment, `as`, measure, agent, proxy, open),
    /// regardless of scope: enough to tell `sleep gap` (a name) from `sleep soon` (a mistake).
    var boundNames: Set<String> = []
    /// Greater than zero while parsing the body of an `on` hook.
    var hookDepth = 0

    init(tokens: [Token]) {
        precondition(tokens.last?.kind == .end, "a token list ends with .end")
        self.tokens = tokens
    }

    // MARK: Script and blocks

    mutating func parseScript() -> Script {
        var statements: [Statement] = []
        while true {
            skipSeparators()
            if isAtEnd { break }
            if check(.rightBrace) {
                diagnostics.append(ScriptDiagnostic("expected a statement, found a '}' that closes no block", at: peek))
                advance()
                continue
            }
            parseRecovering(into: &statements)
        }
        return Script(statements)
    }

    /// `{ statements }`, the `{` on the same line as `owner` (the statement's keyword, for messages).
    mutating func block(of owner: String) throws(ScriptDiagnostic) -> [Statement] {
        if check(.newline) {
            throw ScriptDiagnostic("expected '{' on the same line as '\(owner)'", at: peek)
        }
        let open = try expect(.leftBrace, "expected '{' to start the body of '\(owner)'")
        var statements: [Statement] = []
        while true {
            skipSeparators()
            if match(.rightBrace) { return statements }
            if isAtEnd {
                throw ScriptDiagnostic(
                    "expected '}' to close this '{' before the end of the script", at: open.location)
            }
            parseRecovering(into: &statements)
        }
    }

    /// Parses one statement; on error records it and skips to the next statement.
    private mutating func parseRecovering(into statements: inout [Statement]) {
        let start = current
        do throws(ScriptDiagnostic) {
            statements.append(try statement())
        } catch {
            diagnostics.append(error)
            synchronize()
            if current == start { advance() }
        }
    }

    /// Skips the rest of a broken statement: up to the next newline or `;` outside braces, or up
    /// to (not past) a `}` that closes the enclosing block. A `{` opened on the broken line is
    /// skipped with everything up to its `}`, so its body is not misread as the outer block's.
    private mutating func synchronize() {
        var depth = 0
        while !isAtEnd {
            switch peek.kind {
            case .newline, .semicolon:
                if depth == 0 {
                    advance()
                    return
                }
            case .leftBrace:
                depth += 1
            case .rightBrace:
                if depth == 0 { return }
                depth -= 1
            default:
                break
            }
            advance()
        }
    }

    mutating func skipSeparators() {
        while match(.newline) || match(.semicolon) {}
    }

    // MARK: Token helpers

    var peek: Token { tokens[current] }

    func peek(_ offset: Int) -> Token {
        tokens[min(current + offset, tokens.count - 1)]
    }

    var isAtEnd: Bool { peek.kind == .end }

    /// Whether the current token ends a statement: a newline, `;`, `}` or the end.
    var isAtStatementEnd: Bool {
        switch peek.kind {
        case .newline, .semicolon, .rightBrace, .end: true
        default: false
        }
    }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[current]
        if !isAtEnd { current += 1 }
        return token
    }

    /// Whether the current token is `kind` (for kinds without a payload, such as `.comma`).
    func check(_ kind: TokenKind) -> Bool {
        peek.kind == kind
    }

    /// Whether the current token is the identifier `word`.
    func check(word: String, offset: Int = 0) -> Bool {
        peek(offset).kind == .identifier(word)
    }

    /// Consumes the current token when it is `kind`.
    mutating func match(_ kind: TokenKind) -> Bool {
        guard check(kind) else { return false }
        advance()
        return true
    }

    mutating func match(word: String) -> Bool {
        guard check(word: word) else { return false }
        advance()
        return true
    }

    /// Consumes a token of `kind` or throws `message` (with ", found ..." appended).
    @discardableResult
    mutating func expect(_ kind: TokenKind, _ message: String) throws(ScriptDiagnostic) -> Token {
        guard check(kind) else { throw error(message, at: peek) }
        return advance()
    }

    /// An error at `token`: `message`, then what was found there. An invalid token speaks for
    /// itself: its own message (from the lexer) wins, since that is the real first mistake.
    func error(_ message: String, at token: Token) -> ScriptDiagnostic {
        if case .invalid(let lexical) = token.kind {
            return ScriptDiagnostic(lexical, at: token.location)
        }
        var text = "\(message), found \(Self.describe(token))"
        // `if a = 1 {`, `expect a = 1`: a comparison written as an assignment.
        let isAfterCondition = ["expected a new line", "body of 'if'", "body of 'else if'", "end of the expression"]
            .contains { message.contains($0) }
        if token.kind == .equal, isAfterCondition {
            text += "; use '==' to compare"
        }
        return ScriptDiagnostic(text, at: token.location)
    }

    /// How a token reads in a message: `'maxSockets'`, `a string`, `the end of the line`.
    static func describe(_ token: Token) -> String {
        switch token.kind {
        case .newline: "the end of the line"
        case .end: token.text.isEmpty ? "the end of the script" : "'\(token.text)'"
        case .string: "a string"
        case .path: "the path '\(token.text)'"
        default: "'\(token.text)'"
        }
    }
}

extension ScriptDiagnostic {
    init(_ message: String, at token: Token) {
        self.init(message, at: token.location)
    }
}

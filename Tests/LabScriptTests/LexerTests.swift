import Testing
import LabScript

private func kinds(_ source: String, lineOffset: Int = 0) -> [TokenKind] {
    Lexer.tokens(in: source, lineOffset: lineOffset).map(\.kind)
}

private func at(_ line: Int, _ column: Int) -> LabScript.SourceLocation {
    LabScript.SourceLocation(line: line, column: column)
}

@Suite("Lexer")
struct LexerTests {
    @Test("durations become milliseconds; numbers without a unit stay numbers")
    func durations() {
        #expect(kinds("sleep 200ms 5s 1.5s 2m 500us 5 1.5") == [
            .identifier("sleep"),
            .duration(milliseconds: 200), .duration(milliseconds: 5000), .duration(milliseconds: 1500),
            .duration(milliseconds: 120_000), .duration(milliseconds: 0.5),
            .number(5), .number(1.5), .end,
        ])
    }

    @Test("an unknown unit is an invalid token that says which units exist")
    func unknownUnit() {
        let tokens = Lexer.tokens(in: "sleep 5sec")
        #expect(tokens[1].kind == .invalid("expected a duration unit us, ms, s or m after 5, found 'sec'"))
        #expect(tokens[1].location == at(1, 7))
        #expect(tokens[1].text == "5sec")
    }

    @Test("a / right after AGENT METHOD starts a path token that runs to the next space")
    func requestPath() {
        #expect(kinds("pool GET /delay/200?x=1 \"Connection: close\"") == [
            .identifier("pool"), .identifier("GET"), .path([.text("/delay/200?x=1")]),
            .string([.text("Connection: close")]), .end,
        ])
        #expect(kinds("let r = fetch POST /") == [
            .identifier("let"), .identifier("r"), .equal, .identifier("fetch"), .identifier("POST"),
            .path([.text("/")]), .end,
        ])
    }

    @Test("paths end at ';', '#' and an unmatched '}'")
    func pathEnds() {
        #expect(kinds("parallel { pool GET /a; pool GET /b}") == [
            .identifier("parallel"), .leftBrace,
            .identifier("pool"), .identifier("GET"), .path([.text("/a")]), .semicolon,
            .identifier("pool"), .identifier("GET"), .path([.text("/b")]), .rightBrace, .end,
        ])
        #expect(kinds("pool GET /x# comment") == [.identifier("pool"), .identifier("GET"), .path([.text("/x")]), .end])
    }

    @Test("everywhere else / is division", arguments: [
        "print a / b", "x = a/b", "print N / 2", "let y = N / 2", "expect A / 2 > 1",
    ])
    func division(source: String) {
        #expect(kinds(source).contains(.slash))
        #expect(!kinds(source).contains { if case .path = $0 { true } else { false } })
    }

    @Test("a path may interpolate: the expression's tokens keep their own columns")
    func pathInterpolation() {
        let tokens = Lexer.tokens(in: "pool GET /delay/{ms}?n={i + 1}")
        #expect(tokens[2].kind == .path([
            .text("/delay/"),
            .interpolation(tokens: [
                Token(kind: .identifier("ms"), text: "ms", location: at(1, 18)),
                Token(kind: .end, text: "}", location: at(1, 20)),
            ], format: nil),
            .text("?n="),
            .interpolation(tokens: [
                Token(kind: .identifier("i"), text: "i", location: at(1, 25)),
                Token(kind: .plus, text: "+", location: at(1, 27)),
                Token(kind: .number(1), text: "1", location: at(1, 29)),
                Token(kind: .end, text: "}", location: at(1, 30)),
            ], format: nil),
        ]))
        #expect(tokens[2].text == "/delay/{ms}?n={i + 1}")
    }

    @Test("a string interpolation with a format spec: the tokens end at the ':'")
    func stringInterpolationWithFormat() {
        let tokens = Lexer.tokens(in: "print \"took {r.ms:.1}ms\"")
        #expect(tokens[1].kind == .string([
            .text("took "),
            .interpolation(tokens: [
                Token(kind: .identifier("r"), text: "r", location: at(1, 14)),
                Token(kind: .dot, text: ".", location: at(1, 15)),
                Token(kind: .identifier("ms"), text: "ms", location: at(1, 16)),
                Token(kind: .end, text: ":", location: at(1, 18)),
            ], format: FormatSpec(precision: 1)),
            .text("ms"),
        ]))
        #expect(tokens[1].location == at(1, 7))
    }

    @Test("a string inside an interpolation is lexed as a nested string")
    func nestedString() {
        let tokens = Lexer.tokens(in: #"print "{r.headers["x-id"]}""#)
        guard case .string(let segments) = tokens[1].kind,
              case .interpolation(let inner, nil) = segments.first else {
            Issue.record("expected an interpolated string, got \(tokens[1].kind)")
            return
        }
        #expect(inner.map(\.kind) == [
            .identifier("r"), .dot, .identifier("headers"), .leftBracket,
            .string([.text("x-id")]), .rightBracket, .end,
        ])
    }

    @Test("escapes resolve; an empty string is one empty text segment")
    func escapes() {
        #expect(kinds(#""a\n\r\t\\\"\{\}b""#) == [.string([.text("a\n\r\t\\\"{}b")]), .end])
        #expect(kinds(#""""#) == [.string([.text("")]), .end])
    }

    @Test("an unknown escape points at its backslash")
    func unknownEscape() {
        let token = Lexer.tokens(in: #"print "a\qb""#)[1]
        #expect(token.kind == .invalid(#"expected an escape \n, \r, \t, \\, \", \{ or \}, found '\q'"#))
        #expect(token.location == at(1, 9))
    }

    @Test("an unterminated string points at its opening quote")
    func unterminatedString() {
        let tokens = Lexer.tokens(in: "print \"hello\nprint 2")
        #expect(tokens[1].kind == .invalid("expected a closing \" before the end of the line"))
        #expect(tokens[1].location == at(1, 7))
        #expect(tokens[2].kind == .newline)
        #expect(tokens[3] == Token(kind: .identifier("print"), text: "print", location: at(2, 1)))
    }

    @Test("an unclosed '{' in a string points at the '{', even when a quote follows")
    func unclosedInterpolation() {
        let token = Lexer.tokens(in: "print \"n = {x\"")[1]
        #expect(token.kind == .invalid("expected '}' to close the '{' at column 12"))
        #expect(token.location == at(1, 12))
    }

    @Test("a bad format spec points at the spec")
    func badFormat() {
        let token = Lexer.tokens(in: "print \"{x:8x}\"")[1]
        #expect(token.kind == .invalid("expected a format like .1, >8 or <12.2 after ':', found '8x'"))
        #expect(token.location == at(1, 11))
    }

    @Test("format specs", arguments: [
        (".1", FormatSpec(precision: 1)),
        (">8", FormatSpec(alignment: .right, width: 8)),
        ("<12.2", FormatSpec(alignment: .left, width: 12, precision: 2)),
        ("^5", FormatSpec(alignment: .center, width: 5)),
        ("6", FormatSpec(width: 6)),
    ])
    func formatSpecs(text: String, spec: FormatSpec) {
        #expect(FormatSpec(parsing: text) == spec)
        #expect(spec.description == text)
    }

    @Test("text that is not a format spec", arguments: ["", "<", "8.", ".x", "x", ">>8", "1.2.3"])
    func notFormatSpecs(text: String) {
        #expect(FormatSpec(parsing: text) == nil)
    }

    @Test("operators and punctuation")
    func operators() {
        #expect(kinds("== != <= >= < > = + - * / % ( ) [ ] { } , . ;") == [
            .equalEqual, .bangEqual, .lessEqual, .greaterEqual, .less, .greater, .equal,
            .plus, .minus, .star, .slash, .percent,
            .leftParen, .rightParen, .leftBracket, .rightBracket, .leftBrace, .rightBrace,
            .comma, .dot, .semicolon, .end,
        ])
    }

    @Test("C habits are invalid tokens with the word to use instead")
    func cHabits() {
        #expect(kinds("!")[0] == .invalid("expected 'not' to negate a condition, found '!'"))
        #expect(kinds("&&")[0] == .invalid("expected 'and' to combine conditions, found '&&'"))
        #expect(kinds("'x'")[0] == .invalid("expected a string in double quotes like \"text\", found a single quote"))
    }

    @Test("comments vanish, newlines stay, CRLF counts as one line end")
    func commentsAndNewlines() {
        #expect(kinds("print 1 # one\r\n# only a comment\nprint 2") == [
            .identifier("print"), .number(1), .newline, .newline, .identifier("print"), .number(2), .end,
        ])
        #expect(Lexer.tokens(in: "a\r\nb")[2].location == at(2, 1))
    }

    @Test("lineOffset shifts every line; columns count characters")
    func lineOffset() {
        let tokens = Lexer.tokens(in: "\nprint \"héllo\" x", lineOffset: 40)
        #expect(tokens[0].location == at(41, 1))
        #expect(tokens[1].location == at(42, 1))
        #expect(tokens[3].location == at(42, 15))
    }
}

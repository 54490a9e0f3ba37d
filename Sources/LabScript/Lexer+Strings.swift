// Strings, request paths and `{expr:spec}` interpolations.
//
// An interpolation is lexed in place, so its tokens carry their real columns and an error inside
// `{...}` points at the right character. Strings cannot span lines.

extension Lexer {
    static let unterminatedStringMessage = "expected a closing \" before the end of the line"

    /// A string after its opening quote: escapes `\n \r \t \\ \" \{ \}`, `{expr}` interpolations.
    /// A lone `}` must be written `\}`, so a brace in a string is never ambiguous.
    mutating func scanString(start: Int, location: SourceLocation) -> Token {
        var segments: [StringSegment] = []
        var literal = ""
        var firstError: (message: String, location: SourceLocation)?
        func note(_ message: String, at location: SourceLocation) {
            if firstError == nil { firstError = (message, location) }
        }
        while true {
            guard let character = peek(), !character.isNewline else {
                return Token(kind: .invalid(Self.unterminatedStringMessage), text: text(from: start), location: location)
            }
            if character == "\"" {
                advance()
                break
            }
            switch character {
            case "\\":
                let escapeLocation = here
                advance()
                guard let escaped = peek(), !escaped.isNewline else { continue }
                advance()
                switch escaped {
                case "n": literal.append("\n")
                case "r": literal.append("\r")
                case "t": literal.append("\t")
                case "\\", "\"", "{", "}": literal.append(escaped)
                default:
                    note("expected an escape \\n, \\r, \\t, \\\\, \\\", \\{ or \\}, found '\\\(escaped)'", at: escapeLocation)
                }
            case "{":
                if !literal.isEmpty { segments.append(.text(literal)) }
                literal = ""
                switch scanInterpolation() {
                case .success(let segment): segments.append(segment)
                case .failure(let error): return invalidRestOfLine(error)
                }
            case "}":
                note("expected \\} for a literal '}' in a string", at: here)
                advance()
            default:
                literal.append(character)
                advance()
            }
        }
        if let firstError {
            return Token(kind: .invalid(firstError.message), text: text(from: start), location: firstError.location)
        }
        if !literal.isEmpty || segments.isEmpty { segments.append(.text(literal)) }
        return Token(kind: .string(segments), text: text(from: start), location: location)
    }

    /// A request target after its `/`: everything up to a space, `;`, `#`, `"` or an unmatched
    /// `}`, with `{expr}` interpolations. No escapes: a backslash is just a character.
    mutating func scanPath(start: Int, location: SourceLocation) -> Token {
        var segments: [StringSegment] = []
        var literal = "/"
        while let character = peek(), !character.isNewline,
              !" \t;#\"}".contains(character) {
            if character == "{" {
                if !literal.isEmpty { segments.append(.text(literal)) }
                literal = ""
                switch scanInterpolation() {
                case .success(let segment): segments.append(segment)
                case .failure(let error): return invalidRestOfLine(error)
                }
            } else {
                literal.append(character)
                advance()
            }
        }
        if !literal.isEmpty { segments.append(.text(literal)) }
        return Token(kind: .path(segments), text: text(from: start), location: location)
    }

    struct InterpolationError: Error {
        var message: String
        var location: SourceLocation
    }

    /// `{expr}` or `{expr:spec}`, starting at the `{`. The tokens end with an `.end` token at the
    /// closing `}` (or at the `:`), so the parser can read them like a little script.
    mutating func scanInterpolation() -> Result<StringSegment, InterpolationError> {
        let openLocation = here
        advance()
        let unclosed = InterpolationError(
            message: "expected '}' to close the '{' at column \(openLocation.column)", location: openLocation)
        var inner: [Token] = []
        var depth = 0
        while true {
            skipSpaces()
            guard let character = peek(), !character.isNewline else { return .failure(unclosed) }
            if depth == 0, character == "}" {
                inner.append(Token(kind: .end, text: "}", location: here))
                advance()
                return .success(.interpolation(tokens: inner, format: nil))
            }
            if depth == 0, character == ":" {
                inner.append(Token(kind: .end, text: ":", location: here))
                advance()
                let specLocation = here
                var spec = ""
                while let next = peek(), !next.isNewline, next != "}", next != "\"" {
                    spec.append(next)
                    advance()
                }
                guard match("}") else { return .failure(unclosed) }
                guard let format = FormatSpec(parsing: spec) else {
                    return .failure(InterpolationError(
                        message: "expected a format like .1, >8 or <12.2 after ':', found '\(spec)'",
                        location: specLocation))
                }
                return .success(.interpolation(tokens: inner, format: format))
            }
            let token = scanToken(allowingPath: false)
            switch token.kind {
            case .invalid(Self.unterminatedStringMessage):
                // `"{x"`: the quote meant to end the outer string, so the `{` is what is unclosed.
                return .failure(unclosed)
            case .invalid(let message):
                return .failure(InterpolationError(message: message, location: token.location))
            case .leftParen, .leftBracket:
                depth += 1
            case .rightParen, .rightBracket:
                depth = max(0, depth - 1)
            default:
                break
            }
            inner.append(token)
        }
    }

    mutating func skipSpaces() {
        while let character = peek(), character == " " || character == "\t" { advance() }
    }

    /// An invalid token for an error inside a string; the rest of the line is skipped, since the
    /// parser will not read past the error anyway and half a string would only confuse it.
    mutating func invalidRestOfLine(_ error: InterpolationError) -> Token {
        let start = index
        while !isAtLineEnd { advance() }
        return Token(kind: .invalid(error.message), text: text(from: start), location: error.location)
    }
}

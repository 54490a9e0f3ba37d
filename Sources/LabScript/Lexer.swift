// Phase 1: characters to tokens.
//
// The lexer never throws. Text it cannot read becomes an `.invalid` token carrying the message;
// the parser reports it when it gets there, so every error, lexical or not, comes out in reading
// order and the parser's recovery (skip to the next line) covers both.

/// Turns a script's source into tokens, each with its FILE line and column: `Lexer.tokens(in:)`.
public struct Lexer {
    let characters: [Character]
    var index = 0
    var line: Int
    var column = 1
    /// The top-level tokens so far: `isAtRequestTarget` looks back at them.
    var tokens: [Token] = []

    /// `lineOffset` is the number of file lines before the script's first line.
    init(_ source: String, lineOffset: Int = 0) {
        characters = Array(source)
        line = lineOffset + 1
    }

    /// All the tokens of `source`, ending with `.end`.
    public static func tokens(in source: String, lineOffset: Int = 0) -> [Token] {
        var lexer = Lexer(source, lineOffset: lineOffset)
        return lexer.scanAll()
    }

    mutating func scanAll() -> [Token] {
        while true {
            skipSpacesAndComment()
            guard let character = peek() else { break }
            if character.isNewline {
                tokens.append(Token(kind: .newline, text: "\n", location: here))
                advance()
                continue
            }
            tokens.append(scanToken(allowingPath: isAtRequestTarget))
        }
        tokens.append(Token(kind: .end, text: "", location: here))
        return tokens
    }

    // MARK: Characters

    var here: SourceLocation { SourceLocation(line: line, column: column) }

    func peek(_ offset: Int = 0) -> Character? {
        index + offset < characters.count ? characters[index + offset] : nil
    }

    /// Whether the next character ends the line (or the source).
    var isAtLineEnd: Bool { peek().map(\.isNewline) ?? true }

    @discardableResult
    mutating func advance() -> Character {
        let character = characters[index]
        index += 1
        if character.isNewline {
            line += 1
            column = 1
        } else {
            column += 1
        }
        return character
    }

    mutating func match(_ expected: Character) -> Bool {
        guard peek() == expected else { return false }
        advance()
        return true
    }

    /// Skips spaces and tabs, and a `#` comment up to (not including) the end of the line.
    mutating func skipSpacesAndComment() {
        while let character = peek(), !character.isNewline {
            if character == " " || character == "\t" || character == "\r" {
                advance()
            } else if character == "#" {
                while !isAtLineEnd { advance() }
            } else {
                return
            }
        }
    }

    func text(from start: Int) -> String {
        String(characters[start..<index])
    }

    // MARK: Tokens

    /// Reads one token starting at the current (non-space, non-newline) character.
    mutating func scanToken(allowingPath: Bool) -> Token {
        let start = index
        let location = here
        let character = advance()
        func token(_ kind: TokenKind) -> Token {
            Token(kind: kind, text: text(from: start), location: location)
        }
        func invalid(_ message: String) -> Token {
            token(.invalid(message))
        }
        switch character {
        case "{": return token(.leftBrace)
        case "}": return token(.rightBrace)
        case "(": return token(.leftParen)
        case ")": return token(.rightParen)
        case "[": return token(.leftBracket)
        case "]": return token(.rightBracket)
        case ",": return token(.comma)
        case ".": return token(.dot)
        case ";": return token(.semicolon)
        case "+": return token(.plus)
        case "-": return token(.minus)
        case "*": return token(.star)
        case "%": return token(.percent)
        case "=": return token(match("=") ? .equalEqual : .equal)
        case "<": return token(match("=") ? .lessEqual : .less)
        case ">": return token(match("=") ? .greaterEqual : .greater)
        case "!":
            return match("=") ? token(.bangEqual) : invalid("expected 'not' to negate a condition, found '!'")
        case "&":
            _ = match("&")
            return invalid("expected 'and' to combine conditions, found '\(text(from: start))'")
        case "|":
            _ = match("|")
            return invalid("expected 'or' to combine conditions, found '\(text(from: start))'")
        case "'":
            return invalid("expected a string in double quotes like \"text\", found a single quote")
        case "/":
            return allowingPath ? scanPath(start: start, location: location) : token(.slash)
        case "\"":
            return scanString(start: start, location: location)
        default:
            if character.isASCIIDigit { return scanNumber(start: start, location: location) }
            if character.isIdentifierStart {
                while let next = peek(), next.isIdentifierContinuation { advance() }
                return token(.identifier(text(from: start)))
            }
            return invalid("unexpected character '\(character)'")
        }
    }

    /// `5`, `1.5`, and with a unit the duration in milliseconds: `200ms`, `5s`, `1.5s`, `2m`, `500us`.
    mutating func scanNumber(start: Int, location: SourceLocation) -> Token {
        while let next = peek(), next.isASCIIDigit { advance() }
        if peek() == ".", let digit = peek(1), digit.isASCIIDigit {
            advance()
            while let next = peek(), next.isASCIIDigit { advance() }
        }
        let digits = text(from: start)
        let value = Double(digits) ?? 0
        guard let next = peek(), next.isIdentifierStart else {
            return Token(kind: .number(value), text: digits, location: location)
        }
        let unitStart = index
        while let next = peek(), next.isIdentifierContinuation { advance() }
        let milliseconds: Double
        switch text(from: unitStart) {
        case "us": milliseconds = value / 1000
        case "ms": milliseconds = value
        case "s": milliseconds = value * 1000
        case "m": milliseconds = value * 60_000
        default:
            let message = "expected a duration unit us, ms, s or m after \(digits), found '\(text(from: unitStart))'"
            return Token(kind: .invalid(message), text: text(from: start), location: location)
        }
        return Token(kind: .duration(milliseconds: milliseconds), text: text(from: start), location: location)
    }

    /// Whether a `/` here starts a request target rather than a division: it follows a method
    /// word (capitals) that follows an agent name at the start of a statement or after `=`
    /// (`pool GET /`, `let r = pool GET /`). So `print N / 2` and `x = a / b` stay divisions.
    var isAtRequestTarget: Bool {
        let count = tokens.count
        guard count >= 2,
              case .identifier(let method) = tokens[count - 1].kind, isMethodWord(method),
              case .identifier(let agent) = tokens[count - 2].kind, !isReservedWord(agent)
        else { return false }
        guard count >= 3 else { return true }
        switch tokens[count - 3].kind {
        case .newline, .semicolon, .leftBrace, .equal: return true
        default: return false
        }
    }
}

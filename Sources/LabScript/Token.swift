// The lexer's output: the script as a flat list of tokens, each with the place it starts.

/// One token: what it is, the exact source text it was read from, and where that text starts.
public struct Token: Sendable, Equatable {
    public var kind: TokenKind
    /// The source text of the token (for a string, the whole literal with its quotes).
    public var text: String
    public var location: SourceLocation

    public init(kind: TokenKind, text: String, location: SourceLocation) {
        self.kind = kind
        self.text = text
        self.location = location
    }
}

/// What a token is.
///
/// Keywords are not a token kind: `print`, `server`, `and`, `true` ... are identifiers, and the
/// parser decides what they mean where they stand (so `server` starts a statement but
/// `server.requests` is an ordinary expression).
public enum TokenKind: Sendable, Equatable {
    case identifier(String)
    /// A number without a unit: `5`, `1.5`.
    case number(Double)
    /// A number with a unit, already converted to milliseconds: `5s` is 5000, `500us` is 0.5.
    case duration(milliseconds: Double)
    /// A double-quoted string, escapes resolved, split into text and `{...}` interpolations.
    case string([StringSegment])
    /// An unquoted request target right after a method word: `/delay/{ms}?x=1`.
    case path([StringSegment])

    case leftBrace, rightBrace, leftParen, rightParen, leftBracket, rightBracket
    case comma, dot, semicolon
    /// `=`, which binds (`let x = 1`), assigns (`x = 2`) and sets (`maxSockets=3`).
    case equal
    case plus, minus, star, slash, percent
    case equalEqual, bangEqual, less, lessEqual, greater, greaterEqual

    /// The end of a line: statements end here (or at `;`).
    case newline
    /// Text the lexer could not read. The message says what was expected; the parser reports it
    /// when it reaches this token, so lexical and syntax errors come out in reading order.
    case invalid(String)
    /// The end of the script, or the `}` / `:` that ends an interpolation's token list.
    case end
}

/// A piece of a string or path token.
public enum StringSegment: Sendable, Equatable {
    /// Literal text with escapes already resolved.
    case text(String)
    /// `{expr}` or `{expr:spec}`: the expression's tokens, with their real file locations, always
    /// ending in an `.end` token placed at the closing `}` (or at the `:` that starts the format).
    case interpolation(tokens: [Token], format: FormatSpec?)
}

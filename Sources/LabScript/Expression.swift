// The syntax tree for expressions.

/// An expression and where it starts.
///
/// The location of an operation is its operator (`+`, `-`, `not`, `[`), of a member access the
/// member's name, of a call the function's name: the places a runtime error should point at.
public struct Expression: Sendable, Equatable {
    public var kind: Expr
    public var location: SourceLocation

    public init(_ kind: Expr, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}

/// What an expression is.
public indirect enum Expr: Sendable, Equatable {
    /// `5`, `1.5`.
    case number(Double)
    /// `200ms`, `5s`, `2m`, `500us`: evaluates to the NUMBER of milliseconds (`5s` is 5000).
    /// Kept apart from `.number` only so tools can tell it was written with a unit.
    case duration(milliseconds: Double)
    /// `"took {r.ms:.1}ms"`, and request targets (`/delay/{ms}` is a string too).
    case string(InterpolatedString)
    /// `true`, `false`.
    case bool(Bool)
    /// `none`: the absent value (a header that was not sent, a missing field).
    case noneLiteral
    /// A name: `x`, `server`, `pool`, `event`.
    case variable(String)
    /// `r.status`: a field of a value.
    case member(Expression, name: String)
    /// `list[0]`, `r.headers["content-type"]`.
    case index(Expression, Expression)
    /// `min(a, b)`: only a name can be called; which names exist is the interpreter's business.
    case call(name: String, arguments: [Expression])
    case unary(UnaryOperator, Expression)
    /// Arithmetic, comparisons and the short-circuiting `and` / `or`.
    case binary(BinaryOperator, Expression, Expression)
}

public enum UnaryOperator: String, Sendable, Equatable, CaseIterable {
    case negate = "-"
    case not = "not"
}

public enum BinaryOperator: String, Sendable, Equatable, CaseIterable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case remainder = "%"
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessEqual = "<="
    case greater = ">"
    case greaterEqual = ">="
    /// Short-circuits: the right side is evaluated only when the left side is true.
    case and = "and"
    /// Short-circuits: the right side is evaluated only when the left side is false.
    case or = "or"
}

/// A string literal (or request path) cut into literal text and interpolations.
public struct InterpolatedString: Sendable, Equatable {
    public var parts: [StringPart]

    public init(_ parts: [StringPart]) {
        self.parts = parts
    }

    /// The text when there is no interpolation at all, else nil.
    public var literalText: String? {
        var text = ""
        for part in parts {
            switch part {
            case .text(let piece): text += piece
            case .interpolation: return nil
            }
        }
        return text
    }
}

public enum StringPart: Sendable, Equatable {
    case text(String)
    /// `{expr}` or `{expr:spec}`.
    case interpolation(Expression, format: FormatSpec?)
}

/// The format after `:` inside `{}`: `[<|>|^]?[0-9]*(\.[0-9]+)?`, e.g. `.1`, `>8`, `<12.2`.
///
/// `width` pads to at least that many characters (numbers align right, text left, unless an
/// alignment is given); `precision` is the number of digits after the decimal point.
public struct FormatSpec: Sendable, Equatable, CustomStringConvertible {
    public enum Alignment: Character, Sendable, Equatable {
        case left = "<"
        case right = ">"
        case center = "^"
    }

    public var alignment: Alignment?
    public var width: Int?
    public var precision: Int?

    public init(alignment: Alignment? = nil, width: Int? = nil, precision: Int? = nil) {
        self.alignment = alignment
        self.width = width
        self.precision = precision
    }

    /// Reads a spec such as `<12.2`; nil when the text is not one (the empty text is not one).
    public init?(parsing text: String) {
        var rest = Substring(text)
        if let first = rest.first, let alignment = Alignment(rawValue: first) {
            self.alignment = alignment
            rest = rest.dropFirst()
        }
        let widthDigits = rest.prefix(while: \.isASCIIDigit)
        rest = rest.dropFirst(widthDigits.count)
        if !widthDigits.isEmpty { width = Int(widthDigits) }
        if rest.first == "." {
            let precisionDigits = rest.dropFirst().prefix(while: \.isASCIIDigit)
            guard !precisionDigits.isEmpty else { return nil }
            precision = Int(precisionDigits)
            rest = rest.dropFirst(1 + precisionDigits.count)
        }
        guard rest.isEmpty, width != nil || precision != nil else { return nil }
    }

    /// The spec as written: `<12.2`.
    public var description: String {
        var text = alignment.map { String($0.rawValue) } ?? ""
        if let width { text += String(width) }
        if let precision { text += ".\(precision)" }
        return text
    }
}

extension Character {
    /// 0-9 only (`isNumber` would also accept other scripts' digits and fractions).
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isIdentifierStart: Bool { isASCII && (isLetter || self == "_") }
    var isIdentifierContinuation: Bool { isASCII && (isLetter || isNumber || self == "_") }
}

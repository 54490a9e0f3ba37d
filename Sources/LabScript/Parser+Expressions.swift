// Expressions, one method per precedence level, loosest first:
//
//   expression     → or
//   or             → and ( "or" and )*
//   and            → not ( "and" not )*
//   not            → "not" not | comparison
//   comparison     → additive ( ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) additive )?   no chains
//   additive       → multiplicative ( ( "+" | "-" ) multiplicative )*
//   multiplicative → unary ( ( "*" | "/" | "%" ) unary )*
//   unary          → "-" unary | postfix
//   postfix        → primary ( "." NAME | "[" expression "]" )*
//   primary        → NUMBER | DURATION | STRING | "true" | "false" | "none"
//                  | NAME | NAME "(" arguments? ")" | "(" expression ")"

extension Parser {
    mutating func expression() throws(ScriptDiagnostic) -> Expression {
        try or()
    }

    private mutating func or() throws(ScriptDiagnostic) -> Expression {
        var left = try and()
        while check(word: "or") {
            let location = advance().location
            left = Expression(.binary(.or, left, try and()), at: location)
        }
        return left
    }

    private mutating func and() throws(ScriptDiagnostic) -> Expression {
        var left = try not()
        while check(word: "and") {
            let location = advance().location
            left = Expression(.binary(.and, left, try not()), at: location)
        }
        return left
    }

    private mutating func not() throws(ScriptDiagnostic) -> Expression {
        if check(word: "not") {
            let location = advance().location
            return Expression(.unary(.not, try not()), at: location)
        }
        return try comparison()
    }

    private static func comparisonOperator(_ kind: TokenKind) -> BinaryOperator? {
        switch kind {
        case .equalEqual: .equal
        case .bangEqual: .notEqual
        case .less: .less
        case .lessEqual: .lessEqual
        case .greater: .greater
        case .greaterEqual: .greaterEqual
        default: nil
        }
    }

    /// Comparisons do not chain: `a < b < c` reads as maths but would compare a boolean with c.
    private mutating func comparison() throws(ScriptDiagnostic) -> Expression {
        let left = try additive()
        guard let op = Self.comparisonOperator(peek.kind) else { return left }
        let location = advance().location
        let result = Expression(.binary(op, left, try additive()), at: location)
        if Self.comparisonOperator(peek.kind) != nil {
            throw ScriptDiagnostic(
                "expected 'and' between two comparisons, like a < b and b < c, found '\(peek.text)'", at: peek)
        }
        return result
    }

    private mutating func additive() throws(ScriptDiagnostic) -> Expression {
        var left = try multiplicative()
        while true {
            let op: BinaryOperator
            switch peek.kind {
            case .plus: op = .add
            case .minus: op = .subtract
            default: return left
            }
            let location = advance().location
            left = Expression(.binary(op, left, try multiplicative()), at: location)
        }
    }

    private mutating func multiplicative() throws(ScriptDiagnostic) -> Expression {
        var left = try unary()
        while true {
            let op: BinaryOperator
            switch peek.kind {
            case .star: op = .multiply
            case .slash: op = .divide
            case .percent: op = .remainder
            default: return left
            }
            let location = advance().location
            left = Expression(.binary(op, left, try unary()), at: location)
        }
    }

    private mutating func unary() throws(ScriptDiagnostic) -> Expression {
        if check(.minus) {
            let location = advance().location
            return Expression(.unary(.negate, try unary()), at: location)
        }
        return try postfix()
    }

    private mutating func postfix() throws(ScriptDiagnostic) -> Expression {
        var expression = try primary()
        while true {
            if match(.dot) {
                guard case .identifier(let name) = peek.kind else {
                    throw error("expected a field name after '.'", at: peek)
                }
                let location = advance().location
                expression = Expression(.member(expression, name: name), at: location)
                if check(.leftParen) {
                    throw error("expected a function name before '(', like len(x); only names can be called", at: peek)
                }
            } else if check(.leftBracket) {
                let open = advance()
                let index = try self.expression()
                try expect(.rightBracket, "expected ']' to close the '[' at column \(open.location.column)")
                expression = Expression(.index(expression, index), at: open.location)
            } else {
                return expression
            }
        }
    }

    private mutating func primary() throws(ScriptDiagnostic) -> Expression {
        let token = peek
        switch token.kind {
        case .number(let value):
            advance()
            return Expression(.number(value), at: token.location)
        case .duration(let milliseconds):
            advance()
            return Expression(.duration(milliseconds: milliseconds), at: token.location)
        case .string(let segments), .path(let segments):
            advance()
            return Expression(.string(try interpolatedString(segments)), at: token.location)
        case .leftParen:
            advance()
            let inner = try expression()
            try expect(.rightParen, "expected ')' to close the '(' at column \(token.location.column)")
            return inner
        case .identifier(let name):
            switch ExpressionKeyword(rawValue: name) {
            case .true?:
                advance()
                return Expression(.bool(true), at: token.location)
            case .false?:
                advance()
                return Expression(.bool(false), at: token.location)
            case .none?:
                advance()
                return Expression(.noneLiteral, at: token.location)
            case .and?, .or?, .not?:
                throw error("expected an expression", at: token)
            case nil:
                advance()
                if check(.leftParen) { return try call(name, at: token.location) }
                return Expression(.variable(name), at: token.location)
            }
        default:
            throw error("expected an expression", at: token)
        }
    }

    /// `name(arguments)`, after the name.
    private mutating func call(_ name: String, at location: SourceLocation) throws(ScriptDiagnostic) -> Expression {
        let open = advance()
        var arguments: [Expression] = []
        if !check(.rightParen) {
            repeat {
                arguments.append(try expression())
            } while match(.comma)
        }
        try expect(.rightParen, "expected ')' or ',' in the call to '\(name)' opened at column \(open.location.column)")
        return Expression(.call(name: name, arguments: arguments), at: location)
    }

    /// Parses each interpolation's tokens with a parser of its own: they carry their real
    /// locations, so an error inside `{...}` points into the string.
    func interpolatedString(_ segments: [StringSegment]) throws(ScriptDiagnostic) -> InterpolatedString {
        var parts: [StringPart] = []
        for segment in segments {
            switch segment {
            case .text(let text):
                parts.append(.text(text))
            case .interpolation(let tokens, let format):
                var inner = Parser(tokens: tokens)
                if inner.isAtEnd {
                    throw ScriptDiagnostic("expected an expression between '{' and '\(inner.peek.text)'", at: inner.peek)
                }
                let expression = try inner.expression()
                guard inner.isAtEnd else {
                    throw inner.error("expected '}' after the expression in '{...}'", at: inner.peek)
                }
                parts.append(.interpolation(expression, format: format))
            }
        }
        return InterpolatedString(parts)
    }
}

// ConditionWords: a failed condition of a build or your-server key, said in words.
//
// A key's `expect` with a message shows the message alone (its `{...}` already evaluated). One
// without a message is said from its parts, never as internals like `[none != none]`:
//
//     expect server.connections <= 3      expected server.connections to be at most 3; it was 5
//     expect probe.timeout != none        expected probe.timeout to have a value; it was none (never happened)
//     expect probe.keepsAlive             expected probe.keepsAlive to be true; it was false
//
// Pure: it reads the failure the interpreter recorded (the parsed condition and the values it saw).

import LabRun
import LabScript

enum ConditionWords {
    /// How a value that is none reads.
    static let noneText = "none (never happened)"

    /// The sentence for one failed condition.
    static func sentence(_ failure: ExpectFailure) -> String {
        if let note = failure.note { return note }
        guard let condition = failure.condition else {
            return failure.message.replacingOccurrences(of: "expect failed: ", with: "")
        }
        let values = failure.values
        switch condition.kind {
        case .binary(let op, let left, let right) where op != .and && op != .or && values.count == 2:
            return comparison(op, left, right, leftValue: values[0], rightValue: values[1])
        case .unary(.not, let operand):
            return "expected \(text(operand)) to be false; it was \(shown(values.first ?? nil))"
        case .binary(.and, _, _), .binary(.or, _, _):
            return "expected \(text(condition)) to hold; it did not"
        default:
            return "expected \(text(condition)) to be true; it was \(shown(values.first ?? nil))"
        }
    }

    static func comparison(_ op: BinaryOperator, _ left: Expression, _ right: Expression,
                           leftValue: String?, rightValue: String?) -> String {
        let subject = text(left)
        if right.kind == .noneLiteral {
            if op == .notEqual { return "expected \(subject) to have a value; it was \(noneText)" }
            if op == .equal { return "expected \(subject) to be none; it was \(shown(leftValue))" }
        }
        let phrase: String
        switch op {
        case .equal: phrase = "to be"
        case .notEqual: phrase = "not to be"
        case .less: phrase = "to be less than"
        case .lessEqual: phrase = "to be at most"
        case .greater: phrase = "to be more than"
        case .greaterEqual: phrase = "to be at least"
        default: phrase = op.rawValue
        }
        let wanted = isLiteral(right) ? text(right) : "\(text(right)) (\(shown(rightValue)))"
        return "expected \(subject) \(phrase) \(wanted); it was \(shown(leftValue))"
    }

    static func shown(_ value: String?) -> String { value ?? noneText }

    static func isLiteral(_ expression: Expression) -> Bool {
        switch expression.kind {
        case .number, .duration, .bool: return true
        case .string(let string): return string.literalText != nil
        case .unary(.negate, let operand): return isLiteral(operand)
        default: return false
        }
    }

    /// The expression as a learner would write it (infix, parentheses around nested operations).
    static func text(_ expression: Expression) -> String {
        switch expression.kind {
        case .number(let n): return LabValue.format(n)
        case .duration(let ms): return LabValue.format(ms) + "ms"
        case .string(let string):
            let inner = string.parts.map { part -> String in
                switch part {
                case .text(let piece): return piece
                case .interpolation(let inner, _): return "{" + text(inner) + "}"
                }
            }.joined()
            return "\"" + inner + "\""
        case .bool(let b): return b ? "true" : "false"
        case .noneLiteral: return "none"
        case .variable(let name): return name
        case .member(let base, let name): return text(base) + "." + name
        case .index(let base, let index): return text(base) + "[" + text(index) + "]"
        case .call(let name, let arguments): return name + "(" + arguments.map(text).joined(separator: ", ") + ")"
        case .unary(.negate, let operand): return "-" + nested(operand)
        case .unary(.not, let operand): return "not " + nested(operand)
        case .binary(let op, let left, let right): return nested(left) + " " + op.rawValue + " " + nested(right)
        }
    }

    private static func nested(_ expression: Expression) -> String {
        if case .binary = expression.kind { return "(" + text(expression) + ")" }
        return text(expression)
    }
}

import LabKit
import LabScript

extension Interpreter {
    func evaluate(_ expression: Expression, _ scope: Scope) throws(LabRuntimeError) -> LabValue {
        switch expression.kind {
        case .number(let n): return .number(n)
        case .duration(let ms): return .number(ms)
        case .bool(let b): return .bool(b)
        case .noneLiteral: return .none
        case .string(let string): return .string(try interpolate(string, scope))
        case .variable(let name):
            if let value = scope.lookup(name) ?? lab.builtinValue(name) { return value }
            var message = "'\(name)' is not defined"
            if let guess = closestName(name, scope.allNames + lab.builtinNames) { message += "; did you mean '\(guess)'?" }
            throw LabRuntimeError(message, at: expression.location)
        case .member(let base, let name):
            let value = try evaluate(base, scope)
            guard case .object(let object) = value else {
                throw LabRuntimeError("\(value.typeName) has no field '\(name)'", at: expression.location)
            }
            if let field = object.field(name) { return field }
            var message = "\(object.typeName) has no field '\(name)'"
            if let guess = closestName(name, object.fieldNames) { message += "; did you mean '\(guess)'?" }
            throw LabRuntimeError(message, at: expression.location)
        case .index(let base, let index):
            let value = try evaluate(base, scope)
            let key = try evaluate(index, scope)
            switch (value, key) {
            case (.list(let items), .number(let n)):
                let i = Int(n)
                guard Double(i) == n, i >= 0, i < items.count else {
                    throw LabRuntimeError("index \(LabValue.format(n)) is outside the list (it has \(items.count) items)", at: expression.location)
                }
                return items[i]
            case (.object(let object), .string(let name)):
                return object.field(name) ?? LabValue.none
            case (.string(let s), .number(let n)):
                let i = Int(n)
                guard Double(i) == n, i >= 0, i < s.count else { throw LabRuntimeError("index \(LabValue.format(n)) is outside the string", at: expression.location) }
                return .string(String(s[s.index(s.startIndex, offsetBy: i)]))
            default:
                throw LabRuntimeError("cannot index \(value.typeName) with \(key.typeName)", at: expression.location)
            }
        case .call(let name, let arguments):
            let values = try arguments.map { (argument) throws(LabRuntimeError) -> LabValue in try evaluate(argument, scope) }
            return try call(name, values, at: expression.location)
        case .unary(let op, let operand):
            let value = try evaluate(operand, scope)
            switch op {
            case .not: return .bool(!value.isTruthy)
            case .negate:
                guard case .number(let n) = value else { throw LabRuntimeError("cannot negate \(value.typeName)", at: expression.location) }
                return .number(-n)
            }
        case .binary(let op, let left, let right):
            let a = try evaluate(left, scope)
            if op == .and { return a.isTruthy ? .bool(try evaluate(right, scope).isTruthy) : .bool(false) }
            if op == .or { return a.isTruthy ? .bool(true) : .bool(try evaluate(right, scope).isTruthy) }
            let b = try evaluate(right, scope)
            return try binary(op, a, b, at: expression.location)
        }
    }

    func interpolate(_ string: InterpolatedString, _ scope: Scope) throws(LabRuntimeError) -> String {
        var text = ""
        for part in string.parts {
            switch part {
            case .text(let piece): text += piece
            case .interpolation(let expression, let format):
                text += LabValue.formatted(try evaluate(expression, scope), format)
            }
        }
        return text
    }

    private func binary(_ op: BinaryOperator, _ a: LabValue, _ b: LabValue, at location: SourceLocation) throws(LabRuntimeError) -> LabValue {
        switch op {
        case .equal: return .bool(a.equals(b))
        case .notEqual: return .bool(!a.equals(b))
        case .add:
            if case .number(let x) = a, case .number(let y) = b { return .number(x + y) }
            if case .string = a { return .string(a.description + b.description) }
            if case .string = b { return .string(a.description + b.description) }
            if case .list(let x) = a, case .list(let y) = b { return .list(x + y) }
        case .subtract, .multiply, .divide, .remainder:
            guard case .number(let x) = a, case .number(let y) = b else { break }
            switch op {
            case .subtract: return .number(x - y)
            case .multiply: return .number(x * y)
            case .divide:
                guard y != 0 else { throw LabRuntimeError("division by zero", at: location) }
                return .number(x / y)
            default:
                guard y != 0 else { throw LabRuntimeError("remainder by zero", at: location) }
                return .number(x.truncatingRemainder(dividingBy: y))
            }
        case .less, .lessEqual, .greater, .greaterEqual:
            let order: Int
            if case .number(let x) = a, case .number(let y) = b { order = x < y ? -1 : (x > y ? 1 : 0) }
            else if case .string(let x) = a, case .string(let y) = b { order = x < y ? -1 : (x > y ? 1 : 0) }
            else { break }
            switch op {
            case .less: return .bool(order < 0)
            case .lessEqual: return .bool(order <= 0)
            case .greater: return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case .and, .or:
            break
        }
        throw LabRuntimeError("cannot apply '\(op.rawValue)' to \(a.typeName) and \(b.typeName)", at: location)
    }

    static let builtinFunctions = ["min", "max", "round", "abs", "len", "str", "floor", "ceil", "num"]

    private func call(_ name: String, _ args: [LabValue], at location: SourceLocation) throws(LabRuntimeError) -> LabValue {
        func numbers() throws(LabRuntimeError) -> [Double] {
            var out: [Double] = []
            for arg in args {
                guard case .number(let n) = arg else { throw LabRuntimeError("\(name)() takes numbers, got \(arg.typeName)", at: location) }
                out.append(n)
            }
            return out
        }
        func arity(_ range: ClosedRange<Int>) throws(LabRuntimeError) {
            guard range.contains(args.count) else {
                throw LabRuntimeError("\(name)() takes \(range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)") argument(s), got \(args.count)", at: location)
            }
        }
        switch name {
        case "min", "max":
            var items = args
            if args.count == 1, case .list(let list) = args[0] { items = list }
            guard !items.isEmpty else { throw LabRuntimeError("\(name)() needs at least one value", at: location) }
            var values: [Double] = []
            for item in items {
                guard case .number(let n) = item else { throw LabRuntimeError("\(name)() takes numbers, got \(item.typeName)", at: location) }
                values.append(n)
            }
            return .number(name == "min" ? values.min()! : values.max()!)
        case "round":
            try arity(1...2)
            let n = try numbers()
            var scale = 1.0
            for _ in 0..<Int(n.count > 1 ? n[1] : 0) { scale *= 10 }
            return .number((n[0] * scale).rounded() / scale)
        case "abs": try arity(1...1); return .number(abs(try numbers()[0]))
        case "floor": try arity(1...1); return .number(try numbers()[0].rounded(.down))
        case "ceil": try arity(1...1); return .number(try numbers()[0].rounded(.up))
        case "len":
            try arity(1...1)
            switch args[0] {
            case .string(let s): return .number(Double(s.utf8.count))
            case .list(let l): return .number(Double(l.count))
            default: throw LabRuntimeError("len() takes a string or a list, got \(args[0].typeName)", at: location)
            }
        case "str": try arity(1...1); return .string(args[0].description)
        case "num":
            try arity(1...1)
            if case .number = args[0] { return args[0] }
            guard case .string(let s) = args[0], let n = Double(s.trimmingSpaces()) else {
                throw LabRuntimeError("num() cannot read a number from \(args[0].description)", at: location)
            }
            return .number(n)
        default:
            var message = "unknown function '\(name)'"
            if let guess = closestName(name, Self.builtinFunctions) { message += "; did you mean '\(guess)'?" }
            throw LabRuntimeError(message + " (functions: \(Self.builtinFunctions.joined(separator: ", ")))", at: location)
        }
    }
}

/// The closest of `candidates` to `name` within a small edit distance (a swap of two neighbouring
/// letters counts as one edit, so `cuont` finds `count`).
func closestName(_ name: String, _ candidates: [String]) -> String? {
    var best: (String, Int)?
    for candidate in Set(candidates) {
        let d = editDistance(name.lowercased(), candidate.lowercased())
        if d <= max(1, min(3, (candidate.count + 2) / 3)), best == nil || d < best!.1 || (d == best!.1 && candidate < best!.0) { best = (candidate, d) }
    }
    return best?.0
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}

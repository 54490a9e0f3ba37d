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
            if let why = object.whyHidden(name) { throw LabRuntimeError(why, at: expression.location) }
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
                if let why = object.whyHidden(name) { throw LabRuntimeError(why, at: expression.location) }
                return object.field(name) ?? LabValue.none
            case (.string(let s), .number(let n)):
                // Strings index by byte, like len(): HTTP is bytes.
                let bytes = Array(s.utf8)
                let i = Int(n)
                guard Double(i) == n, i >= 0, i < bytes.count else { throw LabRuntimeError("index \(LabValue.format(n)) is outside the string (it has \(bytes.count) bytes)", at: expression.location) }
                return .string(String(decoding: bytes[i...i], as: UTF8.self))
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

    static let builtinFunctions = ["min", "max", "round", "abs", "len", "str", "floor", "ceil", "num",
                                   "find", "contains", "slice", "split", "lines", "join", "header"]

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
            try arity(1...2)
            if case .number = args[0], args.count == 1 { return args[0] }
            var base = 10.0
            if args.count == 2 {
                guard case .number(let b) = args[1] else { throw LabRuntimeError("num()'s base must be a number", at: location) }
                base = b
            }
            guard case .string(let s) = args[0] else { throw LabRuntimeError("num() reads a string, got \(args[0].typeName)", at: location) }
            let text = s.trimmingSpaces()
            if base == 10, let n = Double(text) { return .number(n) }
            guard base >= 2, base <= 36, let n = Int(text, radix: Int(base)) else {
                throw LabRuntimeError("num() cannot read a base-\(LabValue.format(base)) number from \"\(s)\"", at: location)
            }
            return .number(Double(n))
        case "find", "contains":
            try arity(2...2)
            let (haystack, needle) = (Array(args[0].description.utf8), Array(args[1].description.utf8))
            let index = byteIndex(of: needle, in: haystack)
            return name == "contains" ? .bool(index != nil) : .number(Double(index ?? -1))
        case "slice":
            try arity(2...3)
            let bytes = Array(args[0].description.utf8)
            var bounds: [Int] = []
            for arg in args.dropFirst() {
                guard case .number(let n) = arg, n == n.rounded() else { throw LabRuntimeError("slice() takes whole-number byte offsets", at: location) }
                bounds.append(Int(n))
            }
            let start = max(0, min(bounds[0] < 0 ? bytes.count + bounds[0] : bounds[0], bytes.count))
            let endRaw = bounds.count > 1 ? bounds[1] : bytes.count
            let end = max(start, min(endRaw < 0 ? bytes.count + endRaw : endRaw, bytes.count))
            return .string(String(decoding: bytes[start..<end], as: UTF8.self))
        case "split":
            try arity(2...2)
            let text = args[0].description, separator = args[1].description
            guard !separator.isEmpty else { throw LabRuntimeError("split() needs a non-empty separator", at: location) }
            return .list(text.components(separatedByText: separator).map { .string($0) })
        case "lines":
            try arity(1...1)
            var pieces = args[0].description.components(separatedByText: "\n").map { line -> String in
                var line = line
                if line.unicodeScalars.last == "\r" { line.unicodeScalars.removeLast() }
                return line
            }
            if pieces.last == "" { pieces.removeLast() }
            return .list(pieces.map { .string($0) })
        case "join":
            try arity(1...2)
            guard case .list(let items) = args[0] else { throw LabRuntimeError("join() takes a list, got \(args[0].typeName)", at: location) }
            return .string(items.map(\.description).joined(separator: args.count > 1 ? args[1].description : ""))
        case "header":
            // header(rawHead, "Content-Length"): a field's value in raw header text, or none.
            try arity(2...2)
            let wanted = args[1].description.lowercased()
            for line in args[0].description.components(separatedByText: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                if line[..<colon].lowercased() == wanted {
                    var value = String(line[line.index(after: colon)...]).trimmingSpaces()
                    if value.unicodeScalars.last == "\r" { value.unicodeScalars.removeLast() }
                    return .string(value.trimmingSpaces())
                }
            }
            return .none
        default:
            var message = "unknown function '\(name)'"
            if let guess = closestName(name, Self.builtinFunctions) { message += "; did you mean '\(guess)'?" }
            throw LabRuntimeError(message + " (functions: \(Self.builtinFunctions.joined(separator: ", ")))", at: location)
        }
    }
}

/// The closest of `candidates` to `name` (LabKit's `closestMatches`), for "did you mean".
func closestName(_ name: String, _ candidates: [String]) -> String? {
    closestMatches(to: name, in: Array(Set(candidates)).sorted()).first
}

/// The byte offset of `needle` in `haystack`, or nil.
func byteIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard !needle.isEmpty else { return 0 }
    guard haystack.count >= needle.count else { return nil }
    for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
        if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
    }
    return nil
}

extension String {
    /// Splits on every occurrence of `separator` (compared by Unicode scalars, so "\r\n" works).
    func components(separatedByText separator: String) -> [String] {
        let text = Array(unicodeScalars), sep = Array(separator.unicodeScalars)
        var pieces: [String] = []
        var current = String.UnicodeScalarView()
        var i = 0
        while i < text.count {
            if i + sep.count <= text.count, Array(text[i..<(i + sep.count)]) == sep {
                pieces.append(String(current))
                current = String.UnicodeScalarView()
                i += sep.count
            } else {
                current.append(text[i])
                i += 1
            }
        }
        pieces.append(String(current))
        return pieces
    }

    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}

// AnswerShape: whether a predict key wants a number, known before anything runs, so that
// `wirelab verify L N z` is refused as a usage error without running the key's snippet.
//
// A key wants a number when it has `tolerance:` or `unit:`, or when its `answer:` expression is
// numeric by its form: a number, arithmetic, a counting function (len, round, floor, min...), a
// `closedBy.REASON`, another counter of the lab's objects or a numeric setting, or a name whose `let` in the key's
// script starts it as a number. Anything else is unknown here; the verifier still refuses a
// non-number after the run when the measured answer is a number (the same exit 64).

import Foundation
import LabKit
import LabScript

extension ChallengeVerifier {
    /// True when `key` (a predict key) is known to want a number; false when it wants a word or
    /// it can't be told before running.
    public static func wantsNumber(_ key: ChallengeKey) -> Bool {
        guard key.kind == .predict else { return false }
        if key.fields["tolerance"] != nil || key.fields["unit"] != nil { return true }
        guard let source = key.fields["answer"],
              let answer = try? LabScriptParser.parseExpression(source) else { return false }
        return AnswerShape(script: key.script).isNumeric(answer, depth: 0)
    }
}

struct AnswerShape {
    /// Each name's first `let NAME = EXPR` in the key's script.
    var lets: [String: LabScript.Expression] = [:]

    /// Counters of the lab's objects (server, agents, pools, `run`, a request's result).
    static let counters: Set<String> = [
        "connections", "requests", "created", "reused", "closed", "retried", "free", "ms", "status",
        "serverErrors", "count",
        // settings of a server or an agent (a mystery server's hidden ones too)
        "maxRequestsPerSocket", "keepAliveTimeout", "headersTimeout", "requestTimeout",
    ]
    static let numericFunctions: Set<String> = ["len", "round", "floor", "ceil", "abs", "min", "max", "num", "find"]

    init(script: String) {
        for line in script.split(separator: "\n") {
            let text = line.drop(while: { $0 == " " || $0 == "\t" })
            guard text.hasPrefix("let ") else { continue }
            let rest = text.dropFirst(4)
            guard let equals = rest.firstIndex(of: "=") else { continue }
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces)
            guard lets[name] == nil, let value = try? LabScriptParser.parseExpression(String(rest[rest.index(after: equals)...])) else { continue }
            lets[name] = value
        }
    }

    func isNumeric(_ expression: LabScript.Expression, depth: Int) -> Bool {
        guard depth < 16 else { return false }
        switch expression.kind {
        case .number, .duration: return true
        case .unary(.negate, _): return true
        case .binary(.add, let left, let right):
            return isNumeric(left, depth: depth + 1) && isNumeric(right, depth: depth + 1)
        case .binary(.subtract, _, _), .binary(.multiply, _, _), .binary(.divide, _, _), .binary(.remainder, _, _):
            return true
        case .call(let name, _): return Self.numericFunctions.contains(name)
        case .variable(let name): return lets[name].map { isNumeric($0, depth: depth + 1) } ?? false
        case .member(let base, let name):
            if case .member(_, "closedBy") = base.kind { return true }
            return Self.counters.contains(name)
        default: return false
        }
    }
}

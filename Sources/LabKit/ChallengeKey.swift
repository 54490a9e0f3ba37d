// Challenge keys: how a numbered challenge says, in the lesson file, how WireLab checks an answer.
//
// A key is an HTML comment under the item, so GitHub renders the lesson without it (and without
// spoiling a choice):
//
//     1. **Shrink the free list.** ... How many sockets does the pool keep idle?
//
//        <!-- check predict
//        answer: pool.free
//        agent pool keepAlive=true maxSockets=3 maxFreeSockets=1
//        parallel { pool GET /delay/50; pool GET /delay/50; pool GET /delay/50 }
//        -->
//
//        > Hint: `maxFreeSockets` caps the idle sockets kept per host.
//
// The first line names the kind. `name: value` lines follow (the header); the lines after them
// are a lab script. What each kind needs is in `docs/challenges.md`; `ChallengeKeyParser` checks it
// here so `wirelab lint` reports a broken key at its file line.

import LabScript

/// How a challenge is verified.
public enum ChallengeKind: String, Sendable, CaseIterable {
    /// The learner predicts a number or a word; the key's snippet computes the truth by running.
    case predict
    /// The learner picks one option; the key names it and explains.
    case choice
    /// The learner writes a lab script; the key's conditions check what the lab observed.
    case build
    /// The learner runs their own server; the key's conditions check what the probe measured.
    case yourServer = "your-server"
    /// The learner runs their own client against the lab server the key sets up; the key's
    /// conditions check what the server observed of it (`client.*`).
    case yourClient = "your-client"

    /// The header names this kind accepts, and which of them it requires.
    var fields: (allowed: Set<String>, required: Set<String>) {
        switch self {
        case .predict: return (["answer", "tolerance", "unit", "limit", "explain"], ["answer"])
        case .choice: return (["answer", "choices", "explain"], ["answer", "choices", "explain"])
        case .build: return (["limit", "explain"], [])
        case .yourServer: return (["max-wait", "max-requests", "requests", "protocol", "streams", "idle-wait", "explain"], [])
        case .yourClient: return (["limit", "keep-alive-timeout", "advertised-timeout", "no-keep-alive-header", "max-requests",
                                   "close-silently-after", "drop-reused", "explain"], [])
        }
    }
}

/// The machine-checkable key under a challenge item.
public struct ChallengeKey: Sendable, Equatable {
    public var kind: ChallengeKind
    /// The header's `name: value` lines.
    public var fields: [String: String]
    /// The file line of each header field (for diagnostics).
    public var fieldLines: [String: Int]
    /// The lab script after the header ("" when there is none).
    public var script: String
    /// The file line of the script's first line.
    public var scriptFirstLine: Int
    /// The file line of `<!-- check`.
    public var line: Int

    public init(kind: ChallengeKind, fields: [String: String], fieldLines: [String: Int] = [:], script: String,
                scriptFirstLine: Int, line: Int) {
        self.kind = kind
        self.fields = fields
        self.fieldLines = fieldLines
        self.script = script
        self.scriptFirstLine = scriptFirstLine
        self.line = line
    }

    /// The key's `explain:` paragraph: why the answer is what it is, shown after a pass or a reveal.
    public var explanation: String? { fields["explain"] }

    /// The options of a choice key, lowercased (`choices: a b c`).
    public var choices: [String] {
        (fields["choices"] ?? "").split(whereSeparator: { $0 == " " || $0 == "," }).map { $0.lowercased() }
    }

    /// A predict key's tolerance: an absolute amount, or a fraction of the true answer.
    public enum Tolerance: Sendable, Equatable {
        case exact
        case absolute(Double)
        case relative(Double)
    }

    /// The tolerance of a predict key (`tolerance: 2` or `tolerance: 10%`); nil when malformed.
    public var tolerance: Tolerance? {
        guard let text = fields["tolerance"] else { return .exact }
        if text.hasSuffix("%") {
            guard let percent = Double(text.dropLast().trimmingSpaces()), percent >= 0 else { return nil }
            return .relative(percent / 100)
        }
        guard let amount = Double(text), amount >= 0 else { return nil }
        return amount == 0 ? .exact : .absolute(amount)
    }
}

/// A challenge item split into what the learner reads, its hints and its key.
struct ChallengeItemParts {
    var prompt: String
    var hints: [String]
    var key: ChallengeKey?
    var keyProblem: String?
}

/// Splits a challenge item's lines (de-indented, with their file lines) into prompt, hints and key.
enum ChallengeKeyParser {
    static func parts(lines: [String], fileLines: [Int]) -> ChallengeItemParts {
        var prompt: [String] = []
        var hints: [String] = []
        var keyLines: [(text: String, line: Int)] = []
        var keyStart: Int?
        var keyClosed = false
        var inKey = false
        var inHint = false
        for (text, line) in zip(lines, fileLines) {
            if inKey {
                if let end = text.range(of: "-->") {
                    let before = String(text[..<end.lowerBound]).trimmingSpaces()
                    if !before.isEmpty { keyLines.append((before, line)) }
                    inKey = false
                    keyClosed = true
                } else {
                    keyLines.append((text, line))
                }
                continue
            }
            if text.hasPrefix("<!--"), keyStart == nil, text.dropFirst(4).trimmingSpaces().hasPrefix("check") {
                keyStart = line
                var rest = String(text.dropFirst(4))
                if let end = rest.range(of: "-->") {
                    rest = String(rest[..<end.lowerBound])
                    keyClosed = true
                } else {
                    inKey = true
                }
                keyLines.append((rest.trimmingSpaces(), line))
                inHint = false
                continue
            }
            if let hint = hintText(text) {
                hints.append(hint)
                inHint = true
                continue
            }
            if inHint, text.hasPrefix(">") {
                let more = String(text.dropFirst()).trimmingSpaces()
                hints[hints.count - 1] += more.isEmpty ? "\n" : (hints[hints.count - 1].hasSuffix("\n") ? "" : " ") + more
                continue
            }
            inHint = false
            prompt.append(text)
        }
        var parts = ChallengeItemParts(prompt: trimBlankLines(prompt[...]).lines.joined(separator: "\n"), hints: hints)
        guard let keyStart else { return parts }
        guard keyClosed else {
            parts.keyProblem = "line \(keyStart): the key's comment is never closed with '-->'"
            return parts
        }
        switch key(keyLines, line: keyStart) {
        case .success(let key): parts.key = key
        case .failure(let problem): parts.keyProblem = problem.message
        }
        return parts
    }

    /// The text of a `> Hint: ...` line, or nil.
    static func hintText(_ line: String) -> String? {
        guard line.hasPrefix(">") else { return nil }
        let body = line.dropFirst().trimmingSpaces()
        for marker in ["**Hint:**", "Hint:"] where body.hasPrefix(marker) {
            return String(body.dropFirst(marker.count)).trimmingSpaces()
        }
        return nil
    }

    struct Problem: Error { var message: String }

    /// Parses the key's lines: `check KIND`, the header, the script.
    static func key(_ lines: [(text: String, line: Int)], line: Int) -> Result<ChallengeKey, Problem> {
        let first = lines[0].text.trimmingSpaces()
        let words = first.split(separator: " ", maxSplits: 1).map(String.init)
        let kindName = words.count > 1 ? words[1].trimmingSpaces() : ""
        guard let kind = ChallengeKind(rawValue: kindName) else {
            let known = ChallengeKind.allCases.map(\.rawValue).joined(separator: ", ")
            let found = kindName.isEmpty ? "nothing" : "'\(kindName)'"
            return .failure(Problem(message: "line \(line): a key starts with '<!-- check KIND' where KIND is one of \(known); found \(found)"))
        }
        var fields: [String: String] = [:]
        var fieldLines: [String: Int] = [:]
        var index = 1
        while index < lines.count, let (name, value) = headerField(lines[index].text) {
            let allowed = kind.fields.allowed
            guard allowed.contains(name) else {
                let list = allowed.sorted().joined(separator: ", ")
                return .failure(Problem(message: "line \(lines[index].line): a \(kind.rawValue) key has no field '\(name)' (fields: \(list))"))
            }
            fields[name] = value
            fieldLines[name] = lines[index].line
            index += 1
        }
        for name in kind.fields.required.sorted() where fields[name] == nil {
            return .failure(Problem(message: "line \(line): a \(kind.rawValue) key needs '\(name): ...'"))
        }
        let scriptLines = lines[index...]
        let script = trimBlankLines(scriptLines.map(\.text)[...])
        let firstLine = scriptLines.isEmpty ? line + 1 : scriptLines[scriptLines.startIndex + script.droppedAtStart].line
        let key = ChallengeKey(kind: kind, fields: fields, fieldLines: fieldLines, script: script.lines.joined(separator: "\n"),
                               scriptFirstLine: firstLine, line: line)
        if let problem = check(key) { return .failure(problem) }
        return .success(key)
    }

    /// `name: value` when the line is a header field (a lowercase name, a colon, a space).
    static func headerField(_ text: String) -> (String, String)? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let name = text[..<colon]
        guard !name.isEmpty, name.allSatisfy({ ("a"..."z").contains($0) || $0 == "-" }) else { return nil }
        let after = text[text.index(after: colon)...]
        guard after.isEmpty || after.first == " " else { return nil }
        return (String(name), after.trimmingSpaces())
    }

    /// What each kind needs beyond its fields; script syntax included.
    static func check(_ key: ChallengeKey) -> Problem? {
        let at = { (name: String) in key.fieldLines[name] ?? key.line }
        switch key.kind {
        case .predict:
            if key.tolerance == nil {
                return Problem(message: "line \(at("tolerance")): 'tolerance' is a number or a percentage like 10%")
            }
            if let answer = key.fields["answer"] {
                do throws(ScriptDiagnostics) {
                    _ = try LabScriptParser.parseExpression(answer)
                } catch {
                    return Problem(message: "line \(at("answer")): the answer expression: \(error.diagnostics[0].message)")
                }
            }
        case .choice:
            let choices = key.choices
            if choices.count < 2 { return Problem(message: "line \(at("choices")): 'choices' lists at least two options, like 'a b c'") }
            let answer = (key.fields["answer"] ?? "").lowercased()
            if !choices.contains(answer) {
                return Problem(message: "line \(at("answer")): the answer '\(answer)' is not one of the choices (\(choices.joined(separator: " ")))")
            }
            if !key.script.isEmpty { return Problem(message: "line \(key.scriptFirstLine): a choice key has no script") }
        case .build, .yourServer, .yourClient:
            if key.script.isEmpty {
                return Problem(message: "line \(key.line): a \(key.kind.rawValue) key needs conditions: lab lines like 'expect server.connections == 1'")
            }
        }
        for name in ["limit", "max-wait", "keep-alive-timeout", "advertised-timeout", "idle-wait"] {
            if let text = key.fields[name], parseKeyDuration(text) == nil {
                return Problem(message: "line \(at(name)): '\(name)' is a duration like 5s or 500ms")
            }
        }
        for name in ["max-requests", "requests", "close-silently-after", "streams"] {
            if let text = key.fields[name], Int(text).map({ $0 > 0 }) != true {
                return Problem(message: "line \(at(name)): '\(name)' is a positive whole number")
            }
        }
        if key.kind == .yourClient, !key.script.isEmpty, !key.script.contains("client.") {
            return Problem(message: "line \(key.scriptFirstLine): a your-client key's conditions read what the server observed of the learner's client, like 'expect client.reusedRequests >= 4'; these never mention client")
        }
        if let text = key.fields["drop-reused"], text != "all", Int(text).map({ $0 > 0 }) != true {
            return Problem(message: "line \(at("drop-reused")): 'drop-reused' is a positive whole number or all")
        }
        if let text = key.fields["protocol"], !["both", "http1", "h2"].contains(text) {
            return Problem(message: "line \(at("protocol")): 'protocol' is both, http1 or h2 (which of the probe's checks run)")
        }
        if let text = key.fields["no-keep-alive-header"], !["true", "false"].contains(text) {
            return Problem(message: "line \(at("no-keep-alive-header")): 'no-keep-alive-header' is true or false")
        }
        if !key.script.isEmpty {
            do throws(ScriptDiagnostics) {
                _ = try LabScriptParser.parse(key.script, lineOffset: key.scriptFirstLine - 1)
            } catch {
                let first = error.diagnostics[0]
                return Problem(message: "line \(first.line): the key's script: \(first.message)")
            }
        }
        return nil
    }
}

/// A duration such as `5s`, `200ms` or `1.5s` in milliseconds; nil when malformed.
public func parseKeyDuration(_ text: String) -> Int? {
    let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000)]
    for (suffix, factor) in units where text.hasSuffix(suffix) {
        guard let number = Double(text.dropLast(suffix.count)), number >= 0 else { return nil }
        return Int((number * factor).rounded())
    }
    return nil
}

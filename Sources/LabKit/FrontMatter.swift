// Front matter: `key: value` lines between `---` lines at the top of a lesson file.
// Values are scalars (optionally quoted) or inline lists `[a, b]`. Nothing else (no nesting).

import Foundation

/// The raw front matter of a lesson file, in order, before any key is given a type.
struct FrontMatter {
    struct Entry {
        var key: String
        var value: FrontMatterValue
        var line: Int
    }

    var entries: [Entry]
    /// The file line of the closing `---`.
    var endLine: Int

    func entry(_ key: String) -> Entry? { entries.first { $0.key == key } }

    /// A problem in the front matter, with the file line it belongs to.
    struct Problem: Error {
        var line: Int
        var message: String
    }

    /// Why a value could not be read (the caller adds the key and line).
    struct ValueProblem: Error {
        var message: String
    }

    /// Reads the front matter at the top of `lines` (the file's lines, file line 1 first).
    static func parse(_ lines: [String]) -> Result<FrontMatter, Problem> {
        guard let first = lines.first, first.trimmingSpaces() == "---" else {
            return .failure(Problem(line: 1, message: "front matter: a lesson starts with a '---' line, then 'key: value' lines, then '---'"))
        }
        guard let closing = lines.indices.dropFirst().first(where: { lines[$0].trimmingSpaces() == "---" }) else {
            return .failure(Problem(line: 1, message: "front matter: the '---' on line 1 is never closed by another '---'"))
        }
        var entries: [Entry] = []
        var seen: [String: Int] = [:]
        for index in 1..<closing {
            let lineNumber = index + 1
            let text = lines[index].trimmingSpaces()
            if text.isEmpty || text.hasPrefix("#") { continue }
            guard let colon = text.firstIndex(of: ":"), isKey(text[..<colon]) else {
                return .failure(Problem(line: lineNumber, message: "front matter: expected 'key: value', found \"\(text)\""))
            }
            let key = String(text[..<colon])
            if let earlier = seen[key] {
                return .failure(Problem(line: lineNumber, message: "front matter: '\(key)' is given twice (first on line \(earlier))"))
            }
            seen[key] = lineNumber
            switch parseValue(text[text.index(after: colon)...].trimmingSpaces()) {
            case .success(let value):
                entries.append(Entry(key: key, value: value, line: lineNumber))
            case .failure(let problem):
                return .failure(Problem(line: lineNumber, message: "front matter: '\(key)': \(problem.message)"))
            }
        }
        return .success(FrontMatter(entries: entries, endLine: closing + 1))
    }

    private static func isKey(_ text: Substring) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
    }

    private static func parseValue(_ text: String) -> Result<FrontMatterValue, ValueProblem> {
        guard text.hasPrefix("[") else { return unquote(text).map { .scalar($0) } }
        guard text.hasSuffix("]") else { return .failure(ValueProblem(message: "a list needs a closing ']'")) }
        let inner = text.dropFirst().dropLast()
        var items: [String] = []
        for raw in splitListItems(String(inner)) {
            let item = raw.trimmingSpaces()
            if item.isEmpty { continue }
            switch unquote(item) {
            case .success(let value): items.append(value)
            case .failure(let problem): return .failure(problem)
            }
        }
        return .success(.list(items))
    }

    /// Splits a list's inside on commas that are not inside quotes.
    private static func splitListItems(_ text: String) -> [String] {
        var items: [String] = []
        var current = ""
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil }
                current.append(character)
            } else if character == "\"" || character == "'" {
                quote = character
                current.append(character)
            } else if character == "," {
                items.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        items.append(current)
        return items
    }

    /// `"text"` or `'text'` without its quotes; anything else as it is.
    private static func unquote(_ text: String) -> Result<String, ValueProblem> {
        guard let quote = text.first, quote == "\"" || quote == "'" else { return .success(text) }
        guard text.count >= 2, text.last == quote else { return .failure(ValueProblem(message: "the quote \(quote) is never closed")) }
        var inner = String(text.dropFirst().dropLast())
        if quote == "\"" {
            inner = inner.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
        }
        return .success(inner)
    }
}

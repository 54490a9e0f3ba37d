// The expected output as a pattern: each line is literal text, `...` (any number of lines), or text
// with `<name>` placeholders that each match one run of non-space characters.
//
// Lines are compared as UTF-8 bytes after trailing spaces and tabs are dropped. A placeholder name
// is a letter or `_`, then letters, digits, `_` or `-`; `\<` is a literal `<`, and any `<` that
// does not start a valid `<name>` is literal too.

/// One piece of an expected line.
enum PatternSegment: Equatable {
    case literal([UInt8])
    case placeholder(String)
}

/// One expected line, compiled.
struct PatternLine {
    /// The line as the lesson wrote it.
    var text: String
    /// True for a line that is `...` alone: it matches zero or more lines.
    var isElision: Bool
    var segments: [PatternSegment]

    var hasPlaceholders: Bool {
        segments.contains { if case .placeholder = $0 { true } else { false } }
    }

    /// The placeholder names, in order, repeats included.
    var placeholderNames: [String] {
        segments.compactMap { if case .placeholder(let name) = $0 { name } else { nil } }
    }

    /// For a line without placeholders, the text it must equal (escapes resolved).
    var literalText: String? {
        guard !isElision, !hasPlaceholders else { return nil }
        guard case .literal(let bytes)? = segments.first else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }

    init(_ text: String) {
        self.text = text
        let trimmed = text.trimmingTrailingSpaces()
        isElision = trimmed.trimmingSpaces() == "..."
        segments = isElision ? [] : Self.compile(Array(trimmed.utf8))
    }

    private static func compile(_ bytes: [UInt8]) -> [PatternSegment] {
        var segments: [PatternSegment] = []
        var literal: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "<") {
                literal.append(UInt8(ascii: "<"))
                index += 2
            } else if byte == UInt8(ascii: "<"), let end = placeholderEnd(bytes, from: index) {
                if !literal.isEmpty { segments.append(.literal(literal)); literal = [] }
                segments.append(.placeholder(String(decoding: bytes[(index + 1)..<end], as: UTF8.self)))
                index = end + 1
            } else {
                literal.append(byte)
                index += 1
            }
        }
        if !literal.isEmpty { segments.append(.literal(literal)) }
        return segments
    }

    /// The index of the `>` closing a valid `<name>` that opens at `start`, or nil.
    private static func placeholderEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        guard index < bytes.count, isNameStart(bytes[index]) else { return nil }
        index += 1
        while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
        return index < bytes.count && bytes[index] == UInt8(ascii: ">") ? index : nil
    }

    private static func isNameStart(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || byte == UInt8(ascii: "_")
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
    }

    // MARK: Matching one line

    /// The ways this line matches `line` (UTF-8, trailing spaces already dropped) when the names in
    /// `bound` must keep their values. Each alternative holds only the names this line binds anew.
    /// At most `limit` alternatives are returned, and the search is bounded, so a line like
    /// `<a><b><c><d>` against a long word cannot take long.
    func alternatives(for line: [UInt8], bound: [String: String], limit: Int = 8) -> [[String: String]] {
        var results: [[String: String]] = []
        var budget = 20_000
        var fresh: [String: String] = [:]

        func value(of name: String) -> String? { bound[name] ?? fresh[name] }

        func walk(_ segment: Int, _ position: Int) {
            budget -= 1
            guard budget > 0, results.count < limit else { return }
            guard segment < segments.count else {
                if position == line.count { results.append(fresh) }
                return
            }
            switch segments[segment] {
            case .literal(let text):
                guard line.count - position >= text.count,
                      line[position..<(position + text.count)].elementsEqual(text) else { return }
                walk(segment + 1, position + text.count)
            case .placeholder(let name):
                if let known = value(of: name) {
                    let bytes = Array(known.utf8)
                    guard line.count - position >= bytes.count,
                          line[position..<(position + bytes.count)].elementsEqual(bytes) else { return }
                    walk(segment + 1, position + bytes.count)
                    return
                }
                var runEnd = position
                while runEnd < line.count, line[runEnd] != UInt8(ascii: " "), line[runEnd] != UInt8(ascii: "\t") {
                    runEnd += 1
                }
                // Longest value first; never split a multi-byte character.
                var end = runEnd
                while end > position {
                    if end == line.count || line[end] & 0xC0 != 0x80 {
                        fresh[name] = String(decoding: line[position..<end], as: UTF8.self)
                        walk(segment + 1, end)
                        fresh[name] = nil
                    }
                    end -= 1
                }
            }
        }

        walk(0, 0)
        return results
    }
}

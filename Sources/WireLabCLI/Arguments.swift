import LabKit
import Wire

/// A usage error: printed as `Error: ...`, the command's usage, and exit 64 (EX_USAGE).
public struct UsageError: Error, Equatable {
    public var message: String
    public var command: String?
    public init(_ message: String, command: String? = nil) {
        self.message = message
        self.command = command
    }
}

/// One option a command accepts.
struct OptionSpec {
    var name: String            // without dashes: "keep-alive-timeout"
    var valueName: String?      // nil for a flag
    var help: String
    var short: Character? = nil
    /// The value may be left out, and is only ever given inline: `--waterfall` alone is a flag,
    /// `--waterfall=requests` a flag with a value, and in `--waterfall lesson` the next argument
    /// stays a positional.
    var isValueOptional = false
}

/// The parsed command line of one command: flags, option values, positional arguments.
struct ParsedArguments {
    var flags: Set<String> = []
    var values: [String: String] = [:]
    var positionals: [String] = []

    func has(_ flag: String) -> Bool { flags.contains(flag) }
    func value(_ name: String) -> String? { values[name] }
}

/// Parses `arguments` against `options`. Unknown options get a "did you mean" from the known ones.
/// An option with an optional value (`isValueOptional`) is recorded as a flag, and its value, if
/// given inline, as a value too.
func parseArguments(_ arguments: [String], options: [OptionSpec], command: String) throws(UsageError) -> ParsedArguments {
    var parsed = ParsedArguments()
    var index = 0
    var onlyPositionals = false
    while index < arguments.count {
        let argument = arguments[index]
        index += 1
        if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
            parsed.positionals.append(argument)
            continue
        }
        if argument == "--" { onlyPositionals = true; continue }
        var name: String
        var inlineValue: String?
        if argument.hasPrefix("--") {
            name = String(argument.dropFirst(2))
            if let eq = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
        } else {
            let letter = argument.dropFirst().first!
            guard let spec = options.first(where: { $0.short == letter }), argument.count == 2 else {
                throw UsageError("Unknown option '\(argument)'", command: command)
            }
            name = spec.name
        }
        guard let spec = options.first(where: { $0.name == name }) else {
            var message = "Unknown option '--\(name)'"
            if let guess = closestWord(to: name, in: options.map(\.name)) { message += "\nDid you mean '--\(guess)'?" }
            throw UsageError(message, command: command)
        }
        if spec.valueName == nil {
            if inlineValue != nil { throw UsageError("Option '--\(name)' takes no value", command: command) }
            parsed.flags.insert(name)
        } else if spec.isValueOptional {
            parsed.flags.insert(name)
            if let inlineValue { parsed.values[name] = inlineValue }
        } else {
            if let inlineValue {
                parsed.values[name] = inlineValue
            } else if index < arguments.count {
                parsed.values[name] = arguments[index]
                index += 1
            } else {
                throw UsageError("Option '--\(name)' needs a value (\(spec.valueName!))", command: command)
            }
        }
    }
    return parsed
}

/// The closest word within a small edit distance, for "Did you mean" (LabKit's `closestMatches`: a
/// swap of two neighbouring letters counts as one edit, so `lsit` finds `list`).
func closestWord(to word: String, in candidates: [String]) -> String? {
    closestMatches(to: word, in: candidates).first
}

/// Parses a duration such as `5s`, `200ms`, `1.5s`, `2m` or a bare number of milliseconds.
func parseDurationMs(_ text: String) -> Int? {
    let units: [(String, Double)] = [("ms", 1), ("us", 0.001), ("s", 1000), ("m", 60_000)]
    for (suffix, factor) in units where text.hasSuffix(suffix) {
        guard let number = Double(text.dropLast(suffix.count)), number >= 0 else { return nil }
        return Int((number * factor).rounded())
    }
    guard let number = Int(text), number >= 0 else { return nil }
    return number
}

func requireDuration(_ parsed: ParsedArguments, _ name: String, command: String) throws(UsageError) -> Int? {
    guard let text = parsed.value(name) else { return nil }
    guard let ms = parseDurationMs(text) else {
        throw UsageError("Option '--\(name)' expects a duration like 5s or 200ms, got '\(text)'", command: command)
    }
    return ms
}

func requireInt(_ parsed: ParsedArguments, _ name: String, command: String, range: ClosedRange<Int> = 0...Int.max) throws(UsageError) -> Int? {
    guard let text = parsed.value(name) else { return nil }
    guard let value = Int(text), range.contains(value) else {
        throw UsageError("Option '--\(name)' expects a whole number in \(range.lowerBound)...\(range.upperBound == Int.max ? "" : String(range.upperBound)), got '\(text)'", command: command)
    }
    return value
}

/// Splits a command's URL argument into origin and target. A URL the command can't take (not
/// http://, https, a bad port, no host) is a usage error (exit 64), as `verify --url` has it; a
/// host that doesn't resolve is a fact about the network, printed as `Error: ...` and giving
/// nil, for exit 1.
func resolveURL(_ url: String, command: String, console: Console) throws(UsageError) -> (origin: HTTPOrigin, target: String)? {
    do {
        return try HTTPOrigin.parse(url)
    } catch {
        switch error {
        case .unresolvable:
            console.errorLine("Error: \(error)")
            return nil
        case .notHTTP, .badPort, .noHost, .https:
            throw UsageError(error.description, command: command)
        }
    }
}

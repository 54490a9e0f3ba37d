#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LabKit
import Wire

/// Where a command writes. The real one goes to the process's stdout/stderr, unbuffered per line;
/// tests pass a recording one.
public protocol Console: AnyObject {
    func out(_ text: String)
    func err(_ text: String)
    /// Where a command reads a typed answer (`progress --reset` asks before it forgets).
    var input: LineInput { get }
}

public final class StandardConsole: Console {
    public init() {}
    public let input: LineInput = StandardInput()
    public func out(_ text: String) { Self.write(text, to: 1) }
    public func err(_ text: String) { Self.write(text, to: 2) }

    /// Writes straight to the descriptor: no stdio buffer, so output interleaves in order and
    /// nothing is lost if the process exits right after.
    static func write(_ text: String, to fd: Int32) {
        Platform.writeAll(fd, Array(text.utf8))
    }
}

/// PlainConsole: plain mode's console (`--plain`, `TERM=dumb`): everything written goes through
/// `PlainText.ascii`, so no command draws a box, a block bar or a mark a screen reader can't say.
final class PlainConsole: Console {
    let base: Console
    init(_ base: Console) { self.base = base }
    var input: LineInput { base.input }
    func out(_ text: String) { base.out(PlainText.ascii(text)) }
    func err(_ text: String) { base.err(PlainText.ascii(text)) }
}

/// A console that records what was written (for tests).
public final class RecordingConsole: Console {
    public private(set) var stdout = ""
    public private(set) var stderr = ""
    public var input: LineInput
    public init(input: LineInput = ScriptedInput(lines: [], isTerminal: false)) {
        self.input = input
    }
    public func out(_ text: String) { stdout += text }
    public func err(_ text: String) { stderr += text }
}

extension Console {
    func line(_ text: String = "") { out(text + "\n") }
    func errorLine(_ text: String) { err(text + "\n") }
}

/// Typed lines for tests, and whether to pretend they come from a terminal.
public final class ScriptedInput: LineInput {
    private var lines: [String]
    public let isTerminal: Bool
    public init(lines: [String], isTerminal: Bool) {
        self.lines = lines
        self.isTerminal = isTerminal
    }
    public func readLine() -> String? { lines.isEmpty ? nil : lines.removeFirst() }
}

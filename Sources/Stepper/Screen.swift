import LabKit

/// Screen: one frame of the stepper, as the state machine sees it: exactly `size.rows` lines, none
/// wider than `size.columns` visible columns. Lines may carry ANSI styles (only when colour is on).
public struct Screen: Sendable, Equatable {
    public var size: TerminalSize
    public var lines: [String]

    public init(size: TerminalSize, lines: [String]) {
        self.size = size
        self.lines = lines
    }

    /// The lines without escape sequences.
    public var plainLines: [String] { lines.map(strippingANSI) }
    /// The plain lines joined with newlines, trailing spaces removed (handy in test failures).
    public var plainText: String {
        plainLines.map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
    }
}

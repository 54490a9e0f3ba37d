import LabKit

/// TerminalOutput: where the renderer writes. The driver's writes to standard output; tests record.
public protocol TerminalOutput: AnyObject {
    func write(_ text: String)
}

/// A terminal output that keeps everything written, for tests.
public final class RecordingTerminalOutput: TerminalOutput {
    public private(set) var text = ""
    public init() {}
    public func write(_ text: String) { self.text += text }
}

/// Writes to standard output with one `write(2)` per call, so a frame reaches the terminal whole.
final class StandardTerminalOutput: TerminalOutput {
    func write(_ text: String) { TerminalIO.write(TerminalIO.standardOutput, Array(text.utf8)) }
}

/// StepperRenderer draws `Screen`s on an alternate screen. Every frame is drawn whole, in one
/// write: each row is addressed (`ESC[row;1H`), written, and cleared to its end (`ESC[K`), so
/// nothing is erased before it is replaced and the screen does not flicker. A row that fills the
/// width is not followed by `ESC[K`: with the cursor parked in the last column that would erase
/// the row's last character. It never moves the cursor past the last row, so the screen never scrolls.
public struct StepperRenderer {
    /// Switch to the alternate screen, hide the cursor, clear.
    public static let enterSequence = "\u{1B}[?1049h\u{1B}[?25l\u{1B}[H\u{1B}[2J"
    /// Reset styles, leave the alternate screen (the shell's screen comes back), show the cursor.
    public static let leaveSequence = "\u{1B}[0m\u{1B}[?1049l\u{1B}[?25h"

    public let output: TerminalOutput

    public init(output: TerminalOutput) {
        self.output = output
    }

    public func enter() { output.write(Self.enterSequence) }

    public func leave() { output.write(Self.leaveSequence) }

    /// Draws `screen`; `clearingFirst` erases the whole screen before (after a resize, when the
    /// terminal may have reflowed the old frame).
    public func draw(_ screen: Screen, clearingFirst: Bool = false) {
        output.write(frame(screen, clearingFirst: clearingFirst))
    }

    /// The bytes of one frame.
    public func frame(_ screen: Screen, clearingFirst: Bool = false) -> String {
        var text = clearingFirst ? "\u{1B}[2J" : ""
        text += "\u{1B}[H"
        for (row, line) in screen.lines.enumerated() {
            text += "\u{1B}[\(row + 1);1H" + line
            if visibleWidth(line) < screen.size.columns { text += "\u{1B}[K" }
        }
        return text
    }
}

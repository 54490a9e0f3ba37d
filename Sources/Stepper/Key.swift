/// Key: one key press as the stepper understands it, decoded from the terminal's bytes by
/// `KeyDecoder`. Printable characters (letters, digits, punctuation, any Unicode) arrive as `.char`;
/// the space bar has its own case because it pages down outside a prompt.
public enum Key: Sendable, Equatable, CustomStringConvertible {
    case char(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case space, enter, escape, backspace, tab
    /// Ctrl-C: byte 3 (the terminal is in raw mode with ISIG off, so it is a key, not SIGINT).
    case ctrlC

    public var description: String {
        switch self {
        case .char(let character): "'\(character)'"
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .space: "Space"
        case .enter: "Enter"
        case .escape: "Esc"
        case .backspace: "Backspace"
        case .tab: "Tab"
        case .ctrlC: "Ctrl-C"
        }
    }
}

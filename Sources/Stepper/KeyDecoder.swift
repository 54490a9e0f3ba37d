/// KeyDecoder turns the bytes a raw-mode terminal sends into `Key`s. Pure: bytes in, keys out.
///
/// What it understands:
/// - `ESC [ A`..`D` and `ESC O A`..`D` (arrows, normal and application cursor mode),
///   `ESC [ 5 ~` / `ESC [ 6 ~` (PgUp/PgDn), `ESC [ H`/`F`, `ESC [ 1 ~`/`4 ~`/`7 ~`/`8 ~` (Home/End);
/// - byte 3 (Ctrl-C), 13 or 10 (Enter), 127 or 8 (Backspace), 9 (Tab), 32 (Space);
/// - UTF-8 text, one `.char` per character.
///
/// A sequence cut at the end of a chunk (`ESC [` then nothing yet, or half a UTF-8 character) is
/// kept for the next `decode` call. A lone `ESC` at the end of a chunk is the Escape key: terminals
/// send a whole sequence in one write, so waiting for more would only make Esc feel slow. Unknown
/// CSI sequences (function keys, mouse reports) and other control bytes are dropped, never shown.
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// The keys in `bytes`, after whatever an earlier call left pending.
    public mutating func decode(_ bytes: [UInt8]) -> [Key] {
        let input = pending + bytes
        pending = []
        var keys: [Key] = []
        var index = 0
        while index < input.count {
            let byte = input[index]
            switch byte {
            case 0x1B:
                switch escapeSequence(input, at: index) {
                case .key(let key, let length):
                    keys.append(key)
                    index += length
                case .ignored(let length):
                    index += length
                case .incomplete:
                    pending = Array(input[index...])
                    return keys
                }
            case 0x03: keys.append(.ctrlC); index += 1
            case 0x0D, 0x0A: keys.append(.enter); index += 1
            case 0x7F, 0x08: keys.append(.backspace); index += 1
            case 0x09: keys.append(.tab); index += 1
            case 0x20: keys.append(.space); index += 1
            case 0x00..<0x20: index += 1   // other control bytes: nothing the stepper uses
            default:
                let length = Self.utf8Length(leadByte: byte)
                guard length > 0 else { index += 1; continue }   // a stray continuation byte
                guard index + length <= input.count else {
                    pending = Array(input[index...])
                    return keys
                }
                let scalarBytes = input[index..<(index + length)]
                let text = String(decoding: scalarBytes, as: UTF8.self)
                if let character = text.first, character != "\u{FFFD}" { keys.append(.char(character)) }
                index += length
            }
        }
        return keys
    }

    private enum Escape {
        case key(Key, length: Int)
        case ignored(length: Int)
        case incomplete
    }

    private func escapeSequence(_ input: [UInt8], at start: Int) -> Escape {
        let next = start + 1
        guard next < input.count else { return .key(.escape, length: 1) }
        switch input[next] {
        case UInt8(ascii: "["):
            // CSI: parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, one final byte 0x40–0x7E.
            var end = next + 1
            while end < input.count, (0x20...0x3F).contains(input[end]) { end += 1 }
            guard end < input.count else { return .incomplete }
            guard (0x40...0x7E).contains(input[end]) else { return .ignored(length: end - start) }
            let parameters = String(decoding: input[(next + 1)..<end], as: UTF8.self)
            let length = end - start + 1
            switch (parameters, input[end]) {
            case ("", UInt8(ascii: "A")): return .key(.up, length: length)
            case ("", UInt8(ascii: "B")): return .key(.down, length: length)
            case ("", UInt8(ascii: "C")): return .key(.right, length: length)
            case ("", UInt8(ascii: "D")): return .key(.left, length: length)
            case ("", UInt8(ascii: "H")): return .key(.home, length: length)
            case ("", UInt8(ascii: "F")): return .key(.end, length: length)
            case ("5", UInt8(ascii: "~")): return .key(.pageUp, length: length)
            case ("6", UInt8(ascii: "~")): return .key(.pageDown, length: length)
            case ("1", UInt8(ascii: "~")), ("7", UInt8(ascii: "~")): return .key(.home, length: length)
            case ("4", UInt8(ascii: "~")), ("8", UInt8(ascii: "~")): return .key(.end, length: length)
            default: return .ignored(length: length)
            }
        case UInt8(ascii: "O"):
            // SS3: application cursor mode sends ESC O A for ↑.
            let final = next + 1
            guard final < input.count else { return .incomplete }
            switch input[final] {
            case UInt8(ascii: "A"): return .key(.up, length: 3)
            case UInt8(ascii: "B"): return .key(.down, length: 3)
            case UInt8(ascii: "C"): return .key(.right, length: 3)
            case UInt8(ascii: "D"): return .key(.left, length: 3)
            case UInt8(ascii: "H"): return .key(.home, length: 3)
            case UInt8(ascii: "F"): return .key(.end, length: 3)
            default: return .ignored(length: 3)
            }
        default:
            // ESC then another key (Alt+key, or Esc typed quickly before a letter): Esc, and the
            // next byte is decoded on its own.
            return .key(.escape, length: 1)
        }
    }

    /// How many bytes a UTF-8 sequence starting with `leadByte` has; 0 for a continuation byte.
    static func utf8Length(leadByte: UInt8) -> Int {
        switch leadByte {
        case 0x00..<0x80: 1
        case 0xC0..<0xE0: 2
        case 0xE0..<0xF0: 3
        case 0xF0..<0xF8: 4
        default: 0
        }
    }
}

// What the terminal can do: is stdout a terminal, may we use colour, how wide is it.
// Decided once from the environment; tests build one with explicit values.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct Terminal: Sendable, Equatable {
    /// True when standard output is a terminal (not a pipe or a file).
    public var isTTY: Bool
    /// True when ANSI colour and styles may be written.
    public var useColor: Bool
    /// Columns to wrap text to, between 40 and 120.
    public var width: Int
    /// Plain mode: ASCII only — no box drawing or block bars, words instead of ✔ ✘ ▸ — for screen
    /// readers and dumb terminals. On with `--plain` (which sets `WIRELAB_PLAIN`) or `TERM=dumb`.
    public var isPlain = false

    /// The narrowest and widest widths text is wrapped to.
    public static let widthRange = 40...120

    public init(isTTY: Bool, useColor: Bool, width: Int, isPlain: Bool = false) {
        self.isTTY = isTTY
        self.useColor = useColor
        self.width = Self.clampedWidth(width)
        self.isPlain = isPlain
    }

    /// The terminal standard output is connected to, as `environment` describes it.
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> Terminal {
        let tty = isatty(STDOUT_FILENO) == 1
        return Terminal(
            isTTY: tty,
            useColor: colorAllowed(isTTY: tty, environment: environment),
            width: detectedWidth(environment: environment),
            isPlain: plainRequested(environment: environment))
    }

    /// Plain mode: `WIRELAB_PLAIN` set to anything (what `--plain` sets), or `TERM=dumb`.
    public static func plainRequested(environment: [String: String]) -> Bool {
        if let plain = environment["WIRELAB_PLAIN"], !plain.isEmpty { return true }
        return environment["TERM"] == "dumb"
    }

    /// Colour only on a terminal, never with `NO_COLOR` set to anything (https://no-color.org),
    /// never on `TERM=dumb`.
    public static func colorAllowed(isTTY: Bool, environment: [String: String]) -> Bool {
        guard isTTY else { return false }
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        return environment["TERM"] != "dumb"
    }

    /// The window's columns (TIOCGWINSZ), else `COLUMNS`, else 80; clamped to `widthRange`.
    public static func detectedWidth(environment: [String: String]) -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return clampedWidth(Int(size.ws_col))
        }
        if let columns = environment["COLUMNS"].flatMap({ Int($0.trimmingSpaces()) }), columns > 0 {
            return clampedWidth(columns)
        }
        return 80
    }

    static func clampedWidth(_ width: Int) -> Int {
        min(max(width, widthRange.lowerBound), widthRange.upperBound)
    }

    /// A style helper that colours only when this terminal allows it.
    public var style: Style { Style(isEnabled: useColor, isPlain: isPlain) }
}

/// ANSI text styles that turn into plain text when colour is off.
public struct Style: Sendable, Equatable {
    public var isEnabled: Bool
    /// Plain mode (see `Terminal.isPlain`): the marks below are words and ASCII.
    public var isPlain: Bool

    public init(isEnabled: Bool, isPlain: Bool = false) {
        self.isEnabled = isEnabled
        self.isPlain = isPlain
    }

    /// A lesson done, a challenge verified (a mark in a list): `✔`, or `done` in plain mode.
    public var pass: String { isPlain ? "done" : "✔" }
    /// A verdict that passed (a match, a correct answer): `✔`, or `OK:`.
    public var ok: String { isPlain ? "OK:" : "✔" }
    /// A failure: `✘`, or `FAIL:`.
    public var fail: String { isPlain ? "FAIL:" : "✘" }
    /// Neither pass nor fail (not judged): `◦`, or `NOTE:`.
    public var neutral: String { isPlain ? "NOTE:" : "◦" }
    /// The current item: `▸`, or `>`.
    public var current: String { isPlain ? ">" : "▸" }
    /// A title mark before what runs: `▶`, or `>`.
    public var play: String { isPlain ? ">" : "▶" }
    /// A progress bar of `width` cells, `filled` of them full: `███░░░`, or `###---`.
    public func bar(filled: Int, width: Int) -> String {
        let full = max(0, min(filled, width))
        return String(repeating: isPlain ? "#" : "█", count: full) + String(repeating: isPlain ? "-" : "░", count: max(0, width - full))
    }

    public func bold(_ text: String) -> String { wrap(text, "1", "22") }
    public func dim(_ text: String) -> String { wrap(text, "2", "22") }
    public func italic(_ text: String) -> String { wrap(text, "3", "23") }
    public func underline(_ text: String) -> String { wrap(text, "4", "24") }
    public func red(_ text: String) -> String { wrap(text, "31", "39") }
    public func green(_ text: String) -> String { wrap(text, "32", "39") }
    public func yellow(_ text: String) -> String { wrap(text, "33", "39") }
    public func cyan(_ text: String) -> String { wrap(text, "36", "39") }

    private func wrap(_ text: String, _ on: String, _ off: String) -> String {
        guard isEnabled, !text.isEmpty else { return text }
        return "\u{1B}[\(on)m\(text)\u{1B}[\(off)m"
    }
}

/// How a scalar of terminal text counts: part of an ANSI escape sequence, a character that takes a
/// column, or one that takes none (a combining mark, a zero-width joiner).
public enum TerminalScalar {
    case escape
    case column
    case zeroWidth
}

/// Walks `text` scalar by scalar, saying how each one counts on a terminal. `body` returns false to
/// stop. The one place that knows where an escape sequence (ESC, then `[` parameters and a final
/// byte in 0x40...0x7E, or ESC and one byte) begins and ends.
public func scanTerminalText(_ text: String, _ body: (Unicode.Scalar, TerminalScalar) -> Bool) {
    var inEscape = false
    var sawBracket = false
    for scalar in text.unicodeScalars {
        let kind: TerminalScalar
        if inEscape {
            if !sawBracket {
                if scalar == "[" { sawBracket = true } else { inEscape = false }
            } else if (0x40...0x7E).contains(scalar.value) {
                inEscape = false
            }
            kind = .escape
        } else if scalar == "\u{1B}" {
            inEscape = true
            sawBracket = false
            kind = .escape
        } else if scalar.properties.generalCategory == .nonspacingMark || scalar == "\u{200D}" {
            kind = .zeroWidth
        } else {
            kind = .column
        }
        if !body(scalar, kind) { return }
    }
}

/// The number of terminal columns `text` takes: characters, not counting ANSI escape sequences.
/// (Every character counts as one column; wide CJK and emoji are not special-cased.)
public func visibleWidth(_ text: String) -> Int {
    var count = 0
    scanTerminalText(text) { _, kind in
        if kind == .column { count += 1 }
        return true
    }
    return count
}

/// The text with ANSI escape sequences removed.
public func strippingANSI(_ text: String) -> String {
    var result = String.UnicodeScalarView()
    scanTerminalText(text) { scalar, kind in
        if kind != .escape { result.append(scalar) }
        return true
    }
    return String(result)
}

/// PlainText: the ASCII stand-ins plain mode (`Terminal.isPlain`) draws for the glyphs WireLab
/// uses — box drawing, block bars, marks and arrows — so a screen reader reads words and signs
/// and a dumb terminal shows no mojibake. Each stand-in takes as many columns as its glyph
/// (columns stay aligned), except `…`, which becomes `...`: a label cut to fit a column must end
/// in "..." already in plain mode (the waterfall's `plain:`) to keep its columns. Other text,
/// letters with accents included, is left alone.
public enum PlainText {
    static let standIns: [Character: String] = [
        "─": "-", "━": "-", "│": "|", "┆": ":", "├": "+", "┼": "+", "┤": "+", "┌": "+", "┐": "+", "└": "+", "┘": "+",
        "█": "#", "▓": "%", "▒": "=", "░": "-", "·": ".", "•": "*", "◦": "o", "■": "#",
        "▸": ">", "▶": ">", "→": ">", "←": "<", "↑": "^", "↓": "v", "↳": ">", "↪": ">", "»": ">",
        "✔": "+", "✘": "x", "…": "...", "–": "-", "—": "-", "≈": "~", "×": "x", "≤": "<", "≥": ">",
    ]

    /// `text` with every glyph in `standIns` replaced; escape sequences pass through.
    public static func ascii(_ text: String) -> String {
        guard text.contains(where: { standIns[$0] != nil }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            if let standIn = standIns[character] { out += standIn } else { out.append(character) }
        }
        return out
    }
}

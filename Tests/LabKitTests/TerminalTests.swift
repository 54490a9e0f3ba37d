import Testing
@testable import LabKit

@Suite("Terminal and styles")
struct TerminalTests {
    @Test("colour needs a TTY, no NO_COLOR and a TERM other than dumb")
    func colorDecision() {
        #expect(Terminal.colorAllowed(isTTY: true, environment: ["TERM": "xterm-256color"]))
        #expect(Terminal.colorAllowed(isTTY: true, environment: ["NO_COLOR": ""]))
        #expect(!Terminal.colorAllowed(isTTY: false, environment: [:]))
        #expect(!Terminal.colorAllowed(isTTY: true, environment: ["NO_COLOR": "1"]))
        #expect(!Terminal.colorAllowed(isTTY: true, environment: ["TERM": "dumb"]))
    }

    @Test("width is clamped to 40...120")
    func widthClamp() {
        #expect(Terminal(isTTY: false, useColor: false, width: 10).width == 40)
        #expect(Terminal(isTTY: false, useColor: false, width: 300).width == 120)
        #expect(Terminal(isTTY: false, useColor: false, width: 90).width == 90)
    }

    @Test("styles are plain text when disabled and ANSI when enabled")
    func styles() {
        let off = Style(isEnabled: false)
        #expect(off.bold("x") == "x")
        #expect(off.red("x") == "x")
        let on = Style(isEnabled: true)
        #expect(on.green("ok") == "\u{1B}[32mok\u{1B}[39m")
        #expect(visibleWidth(on.bold(on.cyan("abc"))) == 3)
        #expect(strippingANSI(on.underline("abc")) == "abc")
    }
}

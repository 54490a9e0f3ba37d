import Testing
@testable import LabKit

@Suite("Match result rendering")
struct MatchResultRenderTests {
    private let expected = "header\none\ntwo\nthree\nport <port>\n  indented\nfour\nfive\nsix\nseven\neight\nnine\nten"
    private let actual = "header\none\ntwo\nthree\nport 8080\n  indented\nfour\nfive\nsix\nseven\neight\nNINE\nten"

    @Test("the first failing line is marked with its expected and file line")
    func marksFirstFailure() {
        let text = OutputMatcher.match(expected: expected, actual: actual, expectedFirstLine: 50).render(color: false)
        #expect(text.contains("first difference at expected line 12 (file line 61)"))
        #expect(text.contains("> 12 - nine"))
        #expect(text.contains("     + NINE"))
    }

    @Test("only a little context is shown, and placeholder lines are context, not differences")
    func context() {
        let text = OutputMatcher.match(expected: expected, actual: actual).render(color: false)
        #expect(text.contains("⋮ 9 matching lines"))
        #expect(!text.contains("port"))
        #expect(!text.contains("header"))
        #expect(text.contains("  10   seven"))
    }

    @Test("whitespace is visible in differing lines; missing and extra lines show ∅, empty lines ⏎")
    func visibleWhitespace() {
        let text = OutputMatcher.match(expected: "  a  b\nc\n\nd", actual: "  a b\n\tc\nd\nextra").render(color: false)
        #expect(text.contains("- ··a··b"))
        #expect(text.contains("+ ··a·b"))
        #expect(text.contains("+ →c"))
        #expect(text.contains("- ⏎"))
        #expect(text.contains("+ ∅"))
        #expect(text.contains("- ∅"))
        #expect(text.contains("+ extra"))
        #expect(!text.contains("\u{1B}"))
    }

    @Test("a repeated name that disagrees is explained")
    func conflictNote() {
        let text = OutputMatcher.match(expected: "open <c>\nreuse <c>", actual: "open 1\nreuse 2").render(color: false)
        #expect(text.contains("<c> is \"2\" here but was \"1\" earlier"))
    }

    @Test("colour is used only when asked for")
    func color() {
        let result = OutputMatcher.match(expected: "a", actual: "b")
        #expect(result.render(color: true).contains("\u{1B}[31m"))
        #expect(!result.render(color: false).contains("\u{1B}"))
        #expect(OutputMatcher.match(expected: "a", actual: "a").render(color: false).hasPrefix("✓ output matches"))
    }
}

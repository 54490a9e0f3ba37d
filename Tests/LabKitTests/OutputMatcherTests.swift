import Foundation
import Testing
@testable import LabKit

@Suite("Output matcher")
struct OutputMatcherTests {
    private func matches(_ expected: String, _ actual: String) -> Bool {
        OutputMatcher.match(expected: expected, actual: actual).isMatch
    }

    // MARK: Literal lines

    @Test("identical text matches, line by line")
    func literal() {
        let result = OutputMatcher.match(expected: "a\nb", actual: "a\nb")
        #expect(result.isMatch)
        #expect(result.lines == [.same(expected: "a", actual: "a"), .same(expected: "b", actual: "b")])
        #expect(result.firstFailureIndex == nil)
    }

    @Test("a literal mismatch is reported as one mismatched line")
    func literalMismatch() {
        let result = OutputMatcher.match(expected: "a\nb\nc", actual: "a\nB\nc")
        #expect(!result.isMatch)
        #expect(result.lines == [
            .same(expected: "a", actual: "a"), .mismatch(expected: "b", actual: "B"), .same(expected: "c", actual: "c"),
        ])
        #expect(result.firstFailureIndex == 1)
        #expect(result.firstFailureExpectedLine == 2)
    }

    @Test("a missing line is reported as missing")
    func missingLine() {
        let result = OutputMatcher.match(expected: "a\nb\nc", actual: "a\nc")
        #expect(!result.isMatch)
        #expect(result.lines == [.same(expected: "a", actual: "a"), .missing(expected: "b"), .same(expected: "c", actual: "c")])
        #expect(result.firstFailureExpectedLine == 2)
    }

    @Test("an extra line is reported as unexpected")
    func extraLine() {
        let result = OutputMatcher.match(expected: "a\nc", actual: "a\nb\nc")
        #expect(!result.isMatch)
        #expect(result.lines == [.same(expected: "a", actual: "a"), .unexpected(actual: "b"), .same(expected: "c", actual: "c")])
        #expect(result.firstFailureExpectedLine == 2)
        let atEnd = OutputMatcher.match(expected: "a", actual: "a\nmore")
        #expect(atEnd.lines == [.same(expected: "a", actual: "a"), .unexpected(actual: "more")])
        #expect(atEnd.firstFailureExpectedLine == 2)
    }

    @Test("trailing spaces and tabs are ignored on both sides, leading ones are not")
    func trailingSpaces() {
        #expect(matches("a  \nb", "a\nb\t "))
        #expect(matches("a", "a   "))
        #expect(!matches("  a", "a"))
        #expect(!matches("a b", "a  b"))
    }

    @Test("trailing empty lines at the end of either text are ignored")
    func trailingEmptyLines() {
        #expect(matches("a\n\n\n", "a"))
        #expect(matches("a", "a\n\n  \n"))
        #expect(matches("", "\n\n"))
        #expect(!matches("a\n\nb", "a\nb"))
    }

    // MARK: Elision

    @Test("... matches any number of lines at the start, middle and end, or everything")
    func elision() {
        #expect(matches("...\nlast", "one\ntwo\nlast"))
        #expect(matches("first\n...\nlast", "first\nx\ny\nz\nlast"))
        #expect(matches("first\n...\nlast", "first\nlast"))
        #expect(matches("first\n...", "first\nx\ny"))
        #expect(matches("...", "anything\nat\nall"))
        #expect(matches("...", ""))
        #expect(matches("  ...  ", "x"))
        #expect(!matches("first\n...\nlast", "first\nx\nnot last"))
        #expect(!matches("...\nlast", ""))
    }

    @Test("several ... backtrack to find the one alignment that works")
    func severalElisions() {
        #expect(matches("...\nb\n...\nb\n...\nc", "b\nb\nx\nb\nc"))
        #expect(matches("a\n...\nb\n...\nc", "a\nb\nb\nc\nc\nb\nc"))
        #expect(!matches("...\nb\n...\nb\n...\nc", "b\nc\nc"))
    }

    @Test("an elided run reports how many lines it stood for")
    func elidedCount() {
        let result = OutputMatcher.match(expected: "a\n...\nz", actual: "a\n1\n2\n3\nz")
        #expect(result.lines == [.same(expected: "a", actual: "a"), .elided(count: 3), .same(expected: "z", actual: "z")])
    }

    // MARK: Placeholders

    @Test("a placeholder matches one run of non-space characters and binds it")
    func placeholder() {
        let result = OutputMatcher.match(expected: "port <port> open", actual: "port 8080 open")
        #expect(result.isMatch)
        #expect(result.bindings == ["port": "8080"])
        #expect(result.lines == [.placeholder(expected: "port <port> open", actual: "port 8080 open")])
        #expect(!matches("port <port> open", "port  open"))
        #expect(!matches("port <port> open", "port 80 80 open"))
    }

    @Test("literal text around a placeholder must match exactly")
    func surroundingText() {
        let result = OutputMatcher.match(expected: "  With keep-alive: <lower>ms", actual: "  With keep-alive: 12.3ms")
        #expect(result.isMatch)
        #expect(result.bindings["lower"] == "12.3")
        #expect(matches("Speedup: <N>x", "Speedup: 4.2x"))
        #expect(!matches("Speedup: <N>x", "Speedup: 4.2"))
        #expect(!matches("Speedup: <N>x", "Speedup: x"))
        #expect(matches("<a>-<b>", "x-y-z"))
        #expect(matches("(<v>)", "(12)"))
    }

    @Test("a name used twice must match the same text, across lines")
    func consistency() {
        #expect(matches("conn <id>\nreused <id>", "conn 7\nreused 7"))
        let result = OutputMatcher.match(expected: "conn <id>\nreused <id>", actual: "conn 7\nreused 8")
        #expect(!result.isMatch)
        #expect(result.lines == [
            .placeholder(expected: "conn <id>", actual: "conn 7"), .mismatch(expected: "reused <id>", actual: "reused 8"),
        ])
        #expect(result.firstFailureIndex == 1)
        #expect(!matches("<x> <x>", "a b"))
        #expect(matches("<x> <x>", "a a"))
    }

    @Test("consistency is searched through ... and ambiguous splits")
    func consistencySearch() {
        // The greedy first choice binds a="x-y"; only a="x" makes the second line match.
        #expect(matches("<a>-<b>\n<a>", "x-y-z\nx"))
        // The lazy ... would pair id with 1; only the later line keeps id consistent.
        #expect(matches("first <id>\n...\nlast <id>", "first 2\nlast 1\nlast 2"))
    }

    @Test("names are a letter or _ then letters, digits, _ or -; anything else is literal")
    func placeholderNames() {
        #expect(matches("<conn-id_2>", "abc"))
        #expect(matches("a < b", "a < b"))
        #expect(!matches("a < b", "a x b"))
        #expect(matches("<1x>", "<1x>"))
        #expect(matches("<>", "<>"))
        #expect(matches("<a b>", "<a b>"))
        #expect(matches("x <unclosed", "x <unclosed"))
    }

    @Test("\\< escapes a literal <")
    func escape() {
        #expect(matches("\\<html>", "<html>"))
        #expect(!matches("\\<html>", "body"))
        #expect(matches("a \\<b> <c>", "a <b> 3"))
        #expect(matches("back\\slash", "back\\slash"))
    }

    @Test("placeholder-accepted lines are not differences")
    func placeholdersNotDifferences() {
        let result = OutputMatcher.match(expected: "took <t>ms\nconnections: 2", actual: "took 5ms\nconnections: 3")
        #expect(result.lines.filter(\.isFailure) == [.mismatch(expected: "connections: 2", actual: "connections: 3")])
        let rendered = result.render(color: false)
        #expect(!rendered.contains("- took"))
        #expect(rendered.contains("- connections:·2") || rendered.contains("- connections: 2"))
    }

    // MARK: First failure location

    @Test("the first failure's file line is the expected block's first line plus its offset")
    func firstFailureFileLine() {
        let result = OutputMatcher.match(expected: "a\n...\nb\nc", actual: "a\nx\nb\nd", expectedFirstLine: 40)
        #expect(result.firstFailureIndex == 3)
        #expect(result.firstFailureExpectedLine == 4)
        #expect(result.firstFailureFileLine == 43)
    }

    // MARK: Bounded work

    @Test("a pathological input with many ... and 1000 lines finishes quickly")
    func pathological() {
        let actual = Array(repeating: "x", count: 1000).joined(separator: "\n")
        let expected = (Array(repeating: "...\nx", count: 5) + ["...", "y"]).joined(separator: "\n")
        let start = Date()
        let result = OutputMatcher.match(expected: expected, actual: actual)
        #expect(!result.isMatch)
        #expect(Date().timeIntervalSince(start) < 10)
        let matching = (Array(repeating: "...\nx", count: 5) + ["..."]).joined(separator: "\n")
        #expect(OutputMatcher.match(expected: matching, actual: actual).isMatch)
    }

    @Test("1000 expected lines with several ... against 1000 live lines finishes")
    func pathologicalLarge() {
        let actual = Array(repeating: "x", count: 1000).joined(separator: "\n")
        let block = Array(repeating: "x", count: 300).joined(separator: "\n")
        let expected = ["...", block, "...", block, "...", block, "...", "y"].joined(separator: "\n")
        let start = Date()
        let result = OutputMatcher.match(expected: expected, actual: actual)
        #expect(!result.isMatch)
        #expect(result.lines.filter(\.isFailure).count == 1)
        #expect(result.firstFailureExpectedLine == 905)
        #expect(OutputMatcher.match(expected: ["...", block, "...", block, "..."].joined(separator: "\n"), actual: actual).isMatch)
        #expect(Date().timeIntervalSince(start) < 20)
    }

    @Test("a consistency search with no answer gives up within its budget")
    func searchBudget() {
        let actual = (0..<1000).map { "v \($0)" }.joined(separator: "\n")
        let start = Date()
        let result = OutputMatcher.match(expected: "...\nv <a>\n...\nv <a>\n...", actual: actual)
        #expect(!result.isMatch)
        #expect(result.lines.contains { $0.isFailure })
        #expect(Date().timeIntervalSince(start) < 20)
    }

    @Test("repeated names across many lines with ... do not blow up")
    func pathologicalPlaceholders() {
        let actual = (0..<400).map { "v \($0 % 7)" }.joined(separator: "\n")
        let expected = "...\nv <a>\n...\nv <a>\n...\nv <b>\n...\nnever"
        let start = Date()
        #expect(!OutputMatcher.match(expected: expected, actual: actual).isMatch)
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(OutputMatcher.match(expected: "...\nv <a>\n...\nv <a>\n...", actual: actual).isMatch)
    }

    @Test("a line of many adjacent placeholders against a long word is bounded")
    func adjacentPlaceholders() {
        let word = String(repeating: "a", count: 300)
        let start = Date()
        _ = OutputMatcher.match(expected: "<a><b><c><d><e><f>!", actual: word)
        #expect(Date().timeIntervalSince(start) < 10)
    }
}

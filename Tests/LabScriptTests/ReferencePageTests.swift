import Foundation
import Testing
import LabScript

/// The reference page's examples are scripts too: every ```lab block in docs/lab-script.md must parse.
@Suite("docs/lab-script.md")
struct ReferencePageTests {
    @Test("every lab example on the reference page parses")
    func examplesParse() throws {
        let page = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/lab-script.md")
        let text = try String(contentsOf: page, encoding: .utf8)
        let lines = ScriptDiagnostics.lines(of: text)
        var examples = 0
        var index = 0
        while index < lines.count {
            guard lines[index].trimmingCharacters(in: .whitespaces) == "```lab" else {
                index += 1
                continue
            }
            let start = index + 1
            var end = start
            while end < lines.count, !lines[end].hasPrefix("```") { end += 1 }
            do throws(ScriptDiagnostics) {
                _ = try LabScriptParser.parse(lines[start..<end].joined(separator: "\n"), lineOffset: start)
            } catch {
                let report = error.rendered(file: "docs/lab-script.md", lines: lines)
                Issue.record("\n\(report)")
            }
            examples += 1
            index = end + 1
        }
        #expect(examples >= 8)
    }
}

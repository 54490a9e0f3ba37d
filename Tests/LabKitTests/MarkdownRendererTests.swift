import Testing
@testable import LabKit

@Suite("Markdown renderer")
struct MarkdownRendererTests {
    private func plain(_ markdown: String, width: Int = 40) -> [String] {
        let text = MarkdownRenderer(width: width, color: false).render(markdown)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    @Test("paragraphs join source lines and wrap at the width")
    func wrapping() {
        let lines = plain("one two three four five six seven eight\nnine ten eleven twelve thirteen fourteen", width: 24)
        #expect(lines == ["one two three four five", "six seven eight nine ten", "eleven twelve thirteen", "fourteen"])
        #expect(lines.allSatisfy { visibleWidth($0) <= 24 })
    }

    @Test("wrapping counts visible characters, not escape sequences")
    func wrappingWithColor() {
        let markdown = "**bold words** and `code` and *em* text that keeps going past the edge"
        let colored = MarkdownRenderer(width: 30, color: true).render(markdown)
        let plainText = MarkdownRenderer(width: 30, color: false).render(markdown)
        #expect(colored.contains("\u{1B}["))
        for line in colored.split(separator: "\n") { #expect(visibleWidth(String(line)) <= 30) }
        // The same words land on the same lines; only the backticks differ with colour off.
        #expect(strippingANSI(colored).split(separator: "\n").count == plainText.split(separator: "\n").count)
    }

    @Test("with colour off there are no escape sequences and inline code keeps its backticks")
    func noColor() {
        let markdown = "# Title\n\n**bold** *em* _em_ `code`\n\n| a | b |\n|---|---|\n| **x** | y |\n\n> quote\n\n- item\n\n```lab\nprint 1\n```\n\n---"
        let text = MarkdownRenderer(width: 60, color: false).render(markdown)
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains("bold em em `code`"))
    }

    @Test("headings stand apart, with a rule under # and ## when colour is off")
    func headings() {
        #expect(plain("# Big\ntext\n## Mid\n### Small") == ["Big", "═══", "", "text", "", "Mid", "───", "", "Small"])
    }

    @Test("bullets get • and a hanging indent; nested lists indent further")
    func bulletLists() {
        let lines = plain("- alpha beta gamma delta epsilon zeta\n- two\n  - nested one\n  - nested two\n* three", width: 24)
        #expect(lines == [
            "• alpha beta gamma delta",
            "  epsilon zeta",
            "• two",
            "  • nested one",
            "  • nested two",
            "• three",
        ])
    }

    @Test("numbered lists keep their numbers and align the text after them")
    func numberedLists() {
        let lines = plain("1. first item here\n2. second item that wraps around\n10. tenth", width: 24)
        #expect(lines == [" 1. first item here", " 2. second item that", "    wraps around", "10. tenth"])
    }

    @Test("tables align columns on visible text, honouring :--: and --:")
    func tables() {
        let lines = plain("| Name | Count | Note |\n|:--|:-:|--:|\n| `keepAlive` | 1 | **yes** |\n| x | 200 | no |", width: 60)
        #expect(lines == [
            " Name        │ Count │ Note",
            "─────────────┼───────┼──────",
            " `keepAlive` │   1   │  yes",
            " x           │  200  │   no",
        ])
        let colored = MarkdownRenderer(width: 60, color: true).render("| a | b |\n|---|---|\n| **bold** | c |")
        let bars = colored.split(separator: "\n").map { line -> Int? in
            let visible = strippingANSI(String(line))
            return visible.firstIndex(of: "│").map { visible.distance(from: visible.startIndex, to: $0) }
        }
        #expect(bars[0] == bars[2])
    }

    @Test("a table wider than the screen wraps its cells to fit")
    func wideTable() {
        let long = Array(repeating: "word", count: 20).joined(separator: " ")
        let lines = plain("| a | b |\n|---|---|\n| \(long) | \(long) |", width: 40)
        #expect(lines.allSatisfy { visibleWidth($0) <= 40 })
        #expect(lines.count > 3)
    }

    @Test("code blocks are indented behind a bar, never wrapped, language tag hidden")
    func codeBlocks() {
        let long = String(repeating: "x", count: 80)
        let lines = plain("```lab\nprint 1\n\n\(long)\n```", width: 40)
        #expect(lines == ["  │ print 1", "  │", "  │ \(long)"])
        #expect(!lines.joined().contains("lab"))
    }

    @Test("block quotes get a bar and wrap inside it")
    func quotes() {
        let lines = plain("> one two three four five six seven", width: 20)
        #expect(lines == ["│ one two three four", "│ five six seven"])
    }

    @Test("horizontal rules fill the width")
    func rules() {
        #expect(plain("a\n\n---\n\nb", width: 40) == ["a", "", String(repeating: "─", count: 40), "", "b"])
    }

    @Test("underscores inside words are not emphasis; escapes are literal")
    func inlineEdges() {
        #expect(plain("snake_case_name and \\*stars\\* and 2 * 3 * 4") == ["snake_case_name and *stars* and 2 * 3 *", "4"])
        #expect(plain("a [link](https://x.test) here", width: 60) == ["a link (https://x.test) here"])
    }

    @Test("a lesson renders a title line with id, difficulty, minutes and tags, then its sections")
    func lesson() throws {
        let lesson = try parsed(lessonText())
        let text = MarkdownRenderer(width: 60, color: false).renderLesson(lesson)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "A Sample Lesson")
        #expect(lines[1] == "sample-lesson · phase 1: Connections · beginner · 10 min")
        #expect(lines[2] == "tags: http, tcp")
        #expect(text.contains("Concept\n───────"))
        #expect(text.contains("A connection can carry many requests."))
        #expect(text.contains("  │ print \"hello\""))
        #expect(text.contains("1. Predict the number of connections."))
        #expect(!text.contains("\u{1B}"))
    }
}

@Suite("Markdown: bold around inline code")
struct MarkdownBoldCodeTests {
    @Test("bold that opens or closes with a code span shows no literal asterisks", arguments: [
        "**`Keep-Alive: timeout=N, max=M`** is the server telling",
        "- **`keepAliveTimeout`** (Node's name; nginx calls it `keepalive_timeout`, Apache",
        "says **`Connection: close`**, and the server closes",
        "**`max` counts differently between servers.** Node and WireLab",
        "option **`keepAliveMsecs`**.",
        "*`em code`* and __`bold`__",
    ])
    func boldCode(_ markdown: String) {
        let text = MarkdownRenderer(width: 100, color: false).render(markdown)
        #expect(!text.contains("**"), "\(text)")
        #expect(!text.contains("*`") && !text.contains("`*") && !text.contains("__"), "\(text)")
        let colored = MarkdownRenderer(width: 100, color: true).render(markdown)
        #expect(!strippingANSI(colored).contains("*`"), "\(colored)")
    }

    @Test("the code inside stays code and the bold is bold")
    func styles() {
        let cells = InlineRenderer(color: true).parse("**`Connection`** is")
        #expect(String(cells.map(\.character)) == "Connection is")
        #expect(cells.prefix(10).allSatisfy { $0.style.contains(.bold) && $0.style.contains(.code) })
        #expect(!cells.last!.style.contains(.bold))
    }

    @Test("a lone asterisk pair stays literal")
    func literal() {
        #expect(String(InlineRenderer(color: true).parse("a ** b").map(\.character)) == "a ** b")
    }
}

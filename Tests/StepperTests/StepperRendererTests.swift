import LabKit
import Testing
@testable import Stepper

@Suite("StepperRenderer: frames on an alternate screen")
struct StepperRendererTests {
    @Test("enter switches to the alternate screen and hides the cursor; leave undoes both, in that order")
    func enterLeave() {
        let output = RecordingTerminalOutput()
        let renderer = StepperRenderer(output: output)
        renderer.enter()
        #expect(output.text.hasPrefix("\u{1B}[?1049h\u{1B}[?25l"))
        renderer.leave()
        #expect(output.text.hasSuffix("\u{1B}[?1049l\u{1B}[?25h"))
    }

    @Test("a frame homes the cursor, addresses every row, and clears each row's end unless the row is full")
    func frame() {
        let output = RecordingTerminalOutput()
        let screen = Screen(size: TerminalSize(columns: 5, rows: 3), lines: ["ab", "abcde", ""])
        StepperRenderer(output: output).draw(screen)
        #expect(output.text == "\u{1B}[H\u{1B}[1;1Hab\u{1B}[K\u{1B}[2;1Habcde\u{1B}[3;1H\u{1B}[K")
        output.write("")
        let cleared = StepperRenderer(output: output).frame(screen, clearingFirst: true)
        #expect(cleared.hasPrefix("\u{1B}[2J\u{1B}[H"))
    }

    @Test("with colour off (NO_COLOR) a frame has no style sequences; with colour on it has")
    func noColor() {
        var plain = Fixtures.machine(color: false)
        plain.press(.char("c"))
        let frame = StepperRenderer(output: RecordingTerminalOutput()).frame(plain.screen)
        #expect(!frame.contains("m\u{1B}[") && !frame.contains("\u{1B}[0m") && !frame.contains("\u{1B}[1m"))
        #expect(!plain.screen.lines.joined().contains("\u{1B}"))
        var colored = Fixtures.machine(color: true)
        colored.press(.char("c"))
        #expect(colored.screen.lines.joined().contains("\u{1B}[1m"))
        #expect(colored.screen.lines.allSatisfy { visibleWidth($0) <= 80 })
    }

    @Test("an experiment's output can't move the cursor or change colours: control characters are replaced")
    func sanitized() {
        var machine = Fixtures.machine(color: false)
        machine.press(.char("r"))
        _ = machine.handle(.runPrinted("evil \u{1B}[2J\u{07}bell"))
        #expect(!machine.screen.lines.joined().contains("\u{1B}"))
        #expect(machine.body.contains("evil \u{FFFD}[2J\u{FFFD}bell"))
    }

    @Test("a line wider than the screen is cut with an ellipsis; styles are closed")
    func cut() {
        #expect(TextFit.fit("abcdefgh", width: 5) == "abcd…")
        let styled = TextFit.fit("\u{1B}[1mabcdefgh\u{1B}[22m", width: 5)
        #expect(visibleWidth(styled) == 5)
        #expect(styled.hasSuffix("\u{1B}[0m…"))
        #expect(TextFit.fit("abc", width: 5) == "abc")
    }
}

@Suite("TextFit: wrapping run output like a terminal")
struct TextFitTests {
    @Test("a long plain line is cut into rows of the width")
    func plain() {
        #expect(TextFit.hardWrapped("abcdefgh", width: 3) == ["abc", "def", "gh"])
        #expect(TextFit.hardWrapped("abc", width: 3) == ["abc"])
    }

    @Test("styles carry over to the next row and each row but the last is reset")
    func styled() {
        let rows = TextFit.hardWrapped("\u{1B}[31mabcdef\u{1B}[39m", width: 4)
        #expect(rows == ["\u{1B}[31mabcd\u{1B}[0m", "\u{1B}[31mef\u{1B}[39m"])
        #expect(rows.allSatisfy { visibleWidth($0) <= 4 })
    }

    @Test("the run view wraps a long printed line instead of cutting it: at words, continuation rows marked")
    func runView() {
        var machine = Fixtures.machine(columns: 20)
        machine.press(.char("r"))
        _ = machine.handle(.runPrinted("0123456789012345678901234"))
        _ = machine.handle(.runPrinted("keep alive saves a handshake"))
        let printed = Array(machine.body.drop { !$0.isEmpty }.dropFirst().prefix(5))
        // A word longer than the row is cut where the row ends, as a terminal would.
        #expect(printed[0] == "0123456789012345678")
        #expect(printed[1] == "┆ 901234")
        #expect(printed[2] == "keep alive saves a")
        #expect(printed[3] == "┆ handshake")
    }

    @Test("word wrapping keeps every word whole, fits the width and carries styles over")
    func wordWrapped() {
        #expect(TextFit.wordWrapped("one two three four", width: 9, continuation: "> ") == ["one two", "> three", "> four"])
        #expect(TextFit.wordWrapped("short", width: 9) == ["short"])
        #expect(TextFit.wordWrapped("  indented words wrap here", width: 12, continuation: "    ") == ["  indented", "    words", "    wrap", "    here"])
        let rows = TextFit.wordWrapped("\u{1B}[31mred words here\u{1B}[39m", width: 9)
        #expect(rows == ["\u{1B}[31mred words\u{1B}[0m", "\u{1B}[31mhere\u{1B}[39m"])
        for text in ["a bb ccc dddd eeeee ffffff", "xxxxxxxxxxxxxxxxxxxxxxxx yy", "  lead and trail  "] {
            for width in 3...12 {
                let rows = TextFit.wordWrapped(text, width: width, continuation: ": ")
                #expect(rows.allSatisfy { visibleWidth($0) <= width }, "\(text) at \(width): \(rows)")
                let words = rows.map { $0.hasPrefix(": ") && $0 != rows[0] ? String($0.dropFirst(2)) : $0 }.joined(separator: " ")
                #expect(words.split(separator: " ").joined() == text.split(separator: " ").joined(), "\(rows)")
            }
        }
    }

    @Test("a long status message wraps over more rows instead of being cut; the body gives them up")
    func statusWraps() {
        var machine = Fixtures.machine(columns: 40, rows: 24)
        machine.showNotice("Your copy of the experiment: /home/learner/.local/state/wirelab/workspace/first.lab (set $VISUAL or $EDITOR to open it from here).")
        #expect(!machine.screen.plainText.contains("…"))
        #expect(machine.statusRowCount >= 3)
        #expect(machine.statusLine.contains("to open it from here)."))
        #expect(machine.screen.lines.count == 24)
        #expect(machine.screen.plainLines.allSatisfy { visibleWidth($0) <= 40 })
    }

    @Test("a body line wider than the screen (a verification's feedback) wraps with a hanging indent")
    func bodyWraps() {
        var machine = Fixtures.machine(columns: 40)
        machine.press(.char("c"), .char("1"))
        let report = VerifyReport(lessonID: "first", challenge: 1, status: .wrong,
                                  headline: "Not yet: the server closed the idle connection after 3003 ms, and the challenge wants at most 400 ms.")
        machine.state.results["first#1"] = report
        let text = machine.body.joined(separator: "\n")
        #expect(!machine.screen.plainText.contains("…"))
        #expect(text.contains("at most 400 ms."))
        #expect(machine.body.allSatisfy { visibleWidth($0) <= 39 })
    }
}

@Suite("Stepper: plain mode")
struct StepperPlainTests {
    static func isASCII(_ line: String) -> Bool { line.unicodeScalars.allSatisfy { $0.value < 128 } }

    @Test("every view is ASCII: no box drawing, a # bar, words for the marks")
    func ascii() {
        var progress = LearnerProgress()
        progress.markDone("first")
        var machine = Fixtures.machine(progress: progress, start: 0)
        machine.state.plain = true
        #expect(machine.progressLine.hasPrefix("[") && machine.progressLine.contains("] 1/3 lessons done, 0/6 challenges verified"))
        #expect(machine.screen.plainLines[0] == "Lesson 1 of 3: The First Lesson, done, beginner, 10 min, http, tcp")
        for key in ["e", "l", "?", "c", "d", "w"] {
            machine.press(.escape, .char(Character(key)))
            for line in machine.screen.plainLines { #expect(Self.isASCII(line), "\(key): \(line)") }
        }
        machine.press(.escape, .char("l"))
        #expect(machine.body.contains { $0.hasPrefix("> > done 1  The First Lesson") })
        machine.press(.escape, .char("r"))
        _ = machine.handle(.runPrinted("a long line that has to wrap because it is much wider than the screen is, by far, truly"))
        _ = machine.handle(.runFinished(Fixtures.report()))
        for line in machine.screen.plainLines { #expect(Self.isASCII(line), "run: \(line)") }
        #expect(machine.body.contains { $0.hasPrefix(": ") })
        #expect(machine.body[0].hasPrefix("> Ran the lesson's experiment, first"))
    }
}

@Suite("Stepper: the lesson list keeps its columns")
struct StepperListTests {
    @Test("long titles are cut with … so every row fits and the details line up, with two-digit numbers")
    func longTitles() {
        let lessons = (1...12).map { number in
            StepperLesson(id: "l\(number)", title: number % 2 == 0 ? "A Very Long Title About Keep-Alive Through Reverse Proxies and Load Balancers \(number)" : "Short \(number)",
                          phase: 1, difficulty: "intermediate", estimatedMinutes: 15)
        }
        var done = LearnerProgress()
        done.markDone("l10")
        for columns in [60, 80, 100] {
            var machine = StepperMachine(lessons: lessons, progress: done, size: TerminalSize(columns: columns, rows: 30), color: false, start: 0)
            machine.press(.char("l"))
            let rows = machine.body.filter { $0.contains("15 min") }
            #expect(rows.count == 12)
            #expect(rows.allSatisfy { visibleWidth($0) <= columns - 1 }, "\(rows)")
            #expect(Set(rows.map { $0.range(of: "intermediate")!.lowerBound.utf16Offset(in: $0) }).count == 1, "\(rows)")
            #expect(rows.contains { $0.contains("✔ 10  A Very Long") && $0.contains("…") })
            machine.state.plain = true
            let plainRows = machine.screen.plainLines.filter { $0.contains("15 min") && !$0.hasPrefix("Lesson") }
            #expect(Set(plainRows.map { $0.range(of: "intermediate")!.lowerBound.utf16Offset(in: $0) }).count == 1, "\(plainRows.joined(separator: "\n"))")
            #expect(plainRows.contains { $0.contains("done 10  A Very Long") && $0.contains("...") })
        }
    }
}

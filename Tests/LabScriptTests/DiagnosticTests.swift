import Testing
import LabScript

private func diagnostics(_ source: String, lineOffset: Int = 0) -> [ScriptDiagnostic] {
    do {
        _ = try LabScriptParser.parse(source, lineOffset: lineOffset)
        return []
    } catch {
        return error.diagnostics
    }
}

private func error(_ line: Int, _ column: Int, _ message: String) -> ScriptDiagnostic {
    ScriptDiagnostic(message: message, line: line, column: column)
}

@Suite("Diagnostics")
struct DiagnosticTests {
    @Test("typical mistakes, each with its line and column", arguments: [
        ("print \"hello", error(1, 7, "expected a closing \" before the end of the line")),
        ("repeat 3 {\n  print 1\n", error(1, 10, "expected '}' to close this '{' before the end of the script")),
        ("sleep soon", error(1, 7, "expected a duration like 200ms after 'sleep', found 'soon'")),
        ("sleep", error(1, 6, "expected a duration like 200ms after 'sleep', found the end of the script")),
        ("sleep 200", error(1, 7, "expected a duration like 200ms after 'sleep', found a number without a unit")),
        ("sleep \"1s\"", error(1, 7, "expected a duration like 200ms after 'sleep', found a string")),
        ("limit = 3", error(1, 7, "expected a duration like 200ms after 'limit', found '='")),
        ("prnt \"x\"", error(1, 1, "unknown statement 'prnt'; did you mean 'print'?")),
        ("repaet 3 { }", error(1, 1, "unknown statement 'repaet'; did you mean 'repeat'?")),
        ("hello world", error(1, 1, "expected a statement such as print, let, or a request like fetch GET /, found 'hello'")),
        ("\"hi\"", error(1, 1, "expected a statement such as print \"...\", found a string")),
        ("pool get /", error(1, 6, "expected the HTTP method in capitals, like GET, found 'get'")),
        ("on server.connection {\n  sleep 1s\n}",
         error(2, 3, "'sleep' can't be used inside an 'on' hook, which may only contain print, let, assignments, expect and if")),
        ("on server.request {\n  if event.reused { fetch GET / }\n}",
         error(2, 21, "a request can't be used inside an 'on' hook, which may only contain print, let, assignments, expect and if")),
        ("on server.idle { let r = pool GET / }",
         error(1, 26, "a request can't be used inside an 'on' hook, which may only contain print, let, assignments, expect and if")),
        ("on server.conection { }", error(1, 4, "unknown event 'server.conection'; did you mean 'server.connection'?")),
        ("on agent.pool.conect { }", error(1, 4, "unknown event 'agent.pool.conect'; did you mean 'agent.pool.connect'?")),
        ("on client.hello { }",
         error(1, 4, "expected an event like server.connection, server.request or agent.NAME.connect, found 'client.hello'")),
        ("pool GET\n", error(1, 9, "expected a request target like / or \"/path\" after 'GET', found the end of the line")),
        ("pool GET \"Connection: close\"",
         error(1, 10, "expected a request target like / or \"/path\" after 'GET', found \"Connection: close\"")),
        ("pool GET / Accept", error(1, 12, "expected a header like \"Accept: text/plain\" or an option like body=\"hi\", found 'Accept'")),
        ("print \"n = {x\"", error(1, 12, "expected '}' to close the '{' at column 12")),
        ("print \"{a +}\"", error(1, 12, "expected an expression, found '}'")),
        ("if a = 1 { }", error(1, 6, "expected '{' to start the body of 'if', found '='; use '==' to compare")),
        ("repeat 3\n{ print 1 }", error(1, 9, "expected '{' on the same line as 'repeat'")),
        ("repeat { }", error(1, 8, "expected a count like 5 after 'repeat', found '{'")),
        ("repeat 3 as { }", error(1, 13, "expected a name after 'as', found '{'")),
        ("let print = 1", error(1, 5, "expected a name after 'let', but 'print' is a keyword")),
        ("let x 1", error(1, 7, "expected '=' after 'let x', found '1'")),
        ("let x =", error(1, 8, "expected a value after 'let x =', found the end of the script")),
        ("print 1 2", error(1, 9, "expected a new line or ';' after the statement, found '2'")),
        ("}", error(1, 1, "expected a statement, found a '}' that closes no block")),
        ("else { }", error(1, 1, "expected 'else' only right after the '}' of an 'if' block")),
        ("server", error(1, 7, "expected a setting like keepAliveTimeout=5s, 'shutdown' or 'restart' after 'server', found the end of the script")),
        ("server keepAliveTimeout 5s", error(1, 25, "expected '=' after 'keepAliveTimeout', like keepAliveTimeout=5s, found '5s'")),
        ("server mystery", error(1, 15, "expected '=' after 'mystery', like mystery=7, found the end of the script")),
        ("server box", error(1, 11, "expected settings like mystery=7 or keepAliveTimeout=1500ms after 'server box', found the end of the script")),
        ("server box 5", error(1, 12, "expected a setting like mystery=7 or keepAliveTimeout=1500ms, found '5'")),
        ("server print x=1", error(1, 8, "expected a name after 'server', but 'print' is a keyword")),
        ("agent pool maxSockets=1 maxSockets=2", error(1, 25, "expected each setting once, but 'maxSockets' is set again")),
        ("agent pool maxSockets=", error(1, 23, "expected a value after 'maxSockets=', found the end of the script")),
        ("network", error(1, 8, "expected a setting like rtt=50ms or 'off' after 'network', found the end of the script")),
        ("reset 5", error(1, 7, "expected 'server' or an agent name after 'reset', found '5'")),
        ("open c host=x", error(1, 8, "expected to= or port= after 'open c', found 'host='")),
        ("recv c until=close bytes=3", error(1, 20, "expected either until= or bytes= after 'recv c', not both")),
        ("recv c wait=1s", error(1, 8, "expected until=, bytes= or timeout= after 'recv c', found 'wait='")),
        ("send c", error(1, 7, "expected the data to send, like \"PING\\r\\n\", after 'send c', found the end of the script")),
        ("close", error(1, 6, "expected a socket name (from 'open') after 'close', found the end of the script")),
        ("expect", error(1, 7, "expected a condition like r.status == 200 after 'expect', found the end of the script")),
        ("print a ! b", error(1, 9, "expected 'not' to negate a condition, found '!'")),
        ("true = 1", error(1, 1, "expected a name before '=', but 'true' is a keyword")),
        ("on server.idle { r = pool GET / }",
         error(1, 22, "a request can't be used inside an 'on' hook, which may only contain print, let, assignments, expect and if")),
        ("on server.idle { t = recv c }",
         error(1, 22, "'recv' can't be used inside an 'on' hook, which may only contain print, let, assignments, expect and if")),
        ("r = pool GET", error(1, 13, "expected a request target like / or \"/path\" after 'GET', found the end of the script")),
        ("expect a = 1", error(1, 10, "expected a new line or ';' after the statement, found '='; use '==' to compare")),
        ("measure m = { }", error(1, 11, "expected '{' to start the body of 'measure', found '='")),
    ])
    func mistakes(source: String, expected: ScriptDiagnostic) {
        #expect(diagnostics(source) == [expected])
    }

    @Test("a name bound earlier is a fine duration; so is arithmetic on a duration")
    func durationNames() {
        #expect(diagnostics("let gap = 100ms\nsleep gap\nlimit gap * 10\nrepeat 3 as i { sleep i * 10ms }").isEmpty)
        #expect(diagnostics("measure m { }\nsleep m.ms").isEmpty)
    }

    @Test("lineOffset: diagnostics use file lines")
    func lineOffset() {
        #expect(diagnostics("print 1\n    sleep soon", lineOffset: 40) == [
            error(42, 11, "expected a duration like 200ms after 'sleep', found 'soon'"),
        ])
    }

    @Test("several errors: the first of each statement, recovering at the next line")
    func recovery() {
        let source = """
        prnt "a"
        print "ok"
        sleep soon
        repeat 2 {
          print 1 2
          sleep 5
          print "fine"
        }
        let = 3; print "still parsed"; print 1 1
        """
        #expect(diagnostics(source) == [
            error(1, 1, "unknown statement 'prnt'; did you mean 'print'?"),
            error(3, 7, "expected a duration like 200ms after 'sleep', found 'soon'"),
            error(5, 11, "expected a new line or ';' after the statement, found '2'"),
            error(6, 9, "expected a duration like 5ms after 'sleep', found a number without a unit"),
            error(9, 5, "expected a name after 'let', found '='"),
            error(9, 40, "expected a new line or ';' after the statement, found '1'"),
        ])
    }

    @Test("a block opened on a broken line is skipped whole, so its '}' does not end the outer block")
    func recoverySkipsBrokenBlock() {
        let source = """
        measure m {
          repeat x x {
            print 1
          }
          print y y
        }
        print z z
        """
        #expect(diagnostics(source) == [
            error(2, 12, "expected '{' to start the body of 'repeat', found 'x'"),
            error(5, 11, "expected a new line or ';' after the statement, found 'y'"),
            error(7, 9, "expected a new line or ';' after the statement, found 'z'"),
        ])
    }

    @Test("a lexical error is reported where the parser reaches it, once")
    func lexicalErrorOnce() {
        #expect(diagnostics("print \"a\\qb\" + 1\nprint 2 2") == [
            error(1, 9, #"expected an escape \n, \r, \t, \\, \", \{ or \}, found '\q'"#),
            error(2, 9, "expected a new line or ';' after the statement, found '2'"),
        ])
    }

    @Test("rendered like a compiler: file:line:col, the line, a caret")
    func rendering() {
        let file = (1...40).map { "line \($0)" } + ["    sleep soon"]
        let diagnostic = error(41, 11, "expected a duration like 200ms after 'sleep', found 'soon'")
        #expect(diagnostic.rendered(file: "Lessons/03-idle.md", lines: file) == """
        Lessons/03-idle.md:41:11: error: expected a duration like 200ms after 'sleep', found 'soon'
            sleep soon
                  ^
        """)
    }

    @Test("rendering keeps tabs under the caret and survives a line outside the file")
    func renderingEdges() {
        let diagnostic = error(2, 3, "expected something")
        #expect(diagnostic.rendered(file: "a.md", source: "x\n\tab\n") == "a.md:2:3: error: expected something\n\tab\n\t ^")
        #expect(error(9, 1, "m").rendered(file: "a.md", source: "x") == "a.md:9:1: error: m")
        let all = ScriptDiagnostics([error(1, 1, "one"), error(1, 3, "two")])
        #expect(all.rendered(file: "f", source: "abc") == "f:1:1: error: one\nabc\n^\nf:1:3: error: two\nabc\n  ^")
    }

    @Test("end to end: a lesson's script parsed with its offset, errors rendered against the file")
    func endToEnd() {
        let lesson = "## Experiment\n\n```lab\nprint \"hi\"\nfetch GET\n```\n"
        let lines = ScriptDiagnostics.lines(of: lesson)
        let script = lines[3..<5].joined(separator: "\n")
        do {
            _ = try LabScriptParser.parse(script, lineOffset: 3)
            Issue.record("expected an error")
        } catch {
            #expect(error.rendered(file: "Lessons/01.md", lines: lines) == """
            Lessons/01.md:5:10: error: expected a request target like / or "/path" after 'GET', found the end of the script
            fetch GET
                     ^
            """)
        }
    }
}

import Testing
import LabScript

private func parsed(_ source: String) throws(ScriptDiagnostics) -> [String] {
    try LabScriptParser.parse(source).statements.map(\.description)
}

private func at(_ line: Int, _ column: Int) -> LabScript.SourceLocation {
    LabScript.SourceLocation(line: line, column: column)
}

@Suite("Parser: statements")
struct StatementParserTests {
    @Test("each statement kind", arguments: [
        ("server keepAliveTimeout=5s headersTimeout=60s maxRequestsPerSocket=0",
         "(server keepAliveTimeout=5000ms headersTimeout=60000ms maxRequestsPerSocket=0)"),
        ("server shutdown grace=2s", "(server-shutdown grace=2000ms)"),
        ("server shutdown", "(server-shutdown)"),
        ("let s = server shutdown grace=1s", "(let s (server-shutdown grace=1000ms))"),
        ("server restart", "(server-restart)"),
        ("server box mystery=7", "(named-server box mystery=7)"),
        ("server box keepAliveTimeout=1500ms keepAliveHint=none", "(named-server box keepAliveTimeout=1500ms keepAliveHint=none)"),
        ("server keepAliveHint=5s", "(server keepAliveHint=5000ms)"),
        ("s = server shutdown grace=1s", "(set s (server-shutdown grace=1000ms))"),
        ("reset server", "(reset-server)"),
        ("reset pool", "(reset-agent pool)"),
        ("agent pool keepAlive=true maxSockets=3 maxFreeSockets=2 scheduling=fifo timeout=5s",
         "(agent pool keepAlive=true maxSockets=3 maxFreeSockets=2 scheduling=fifo timeout=5000ms)"),
        ("agent plain", "(agent plain)"),
        ("network rtt=50ms tls=1", "(network rtt=50ms tls=1)"),
        ("network off", "(network-off)"),
        ("limit 20s", "(limit 20000ms)"),
        ("proxy edge upstream=pool", "(proxy edge upstream=pool)"),
        (#"let r = pool GET /delay/200 "Connection: close" "X-Id: {i}" body="hello""#,
         #"(let r (request pool GET "/delay/200" "Connection: close" "X-Id: {i}" body="hello"))"#),
        ("pool GET /", #"(request pool GET "/")"#),
        ("r = pool GET /a to=box", #"(set r (request pool GET "/a" to=box))"#),
        ("agent naive hintMargin=0ms ignoreHint=true checkBeforeReuse=false retryStale=false",
         "(agent naive hintMargin=0ms ignoreHint=true checkBeforeReuse=false retryStale=false)"),
        ("fetch GET /delay/{ms}?x=1", #"(request fetch GET "/delay/{ms}?x=1")"#),
        (#"fetch GET "http://127.0.0.1:{port}/""#, #"(request fetch GET "http://127.0.0.1:{port}/")"#),
        ("fetch POST / body = \"x\" timeout = 1s", #"(request fetch POST "/" body="x" timeout=1000ms)"#),
        ("let x = 1 + 2", "(let x (+ 1 2))"),
        ("x = x + 1", "(set x (+ x 1))"),
        (#"print "Requests: {server.requests}, took {r.ms:.1}ms""#,
         #"(print "Requests: {(. server requests)}, took {(. r ms):.1}ms")"#),
        ("print", "(print)"),
        ("print x * 2", "(print (* x 2))"),
        (#"expect noKA.ms > withKA.ms "keep-alive should win""#,
         #"(expect (> (. noKA ms) (. withKA ms)) "keep-alive should win")"#),
        ("expect r.reused", "(expect (. r reused))"),
        ("repeat 5 { fetch GET / }", #"(repeat 5 { (request fetch GET "/") })"#),
        ("repeat n as i { print i }", "(repeat n as i { (print i) })"),
        ("repeat 2 { }", "(repeat 2 { })"),
        ("parallel { pool GET /a; pool GET /b; { sleep 1ms; pool GET /c } }",
         #"(parallel { (request pool GET "/a") (request pool GET "/b") { (sleep 1ms) (request pool GET "/c") } })"#),
        ("parallel 10 as i { pool GET /{i} }", #"(parallel 10 as i { (request pool GET "/{i}") })"#),
        ("parallel n { pool GET / }", #"(parallel n { (request pool GET "/") })"#),
        ("sleep 200ms", "(sleep 200ms)"),
        ("let gap = 50ms; sleep gap * 2", "(let gap 50ms)\n(sleep (* gap 2))"),
        ("measure noKA { repeat 20 { fetch GET / \"Connection: close\" } }",
         #"(measure noKA { (repeat 20 { (request fetch GET "/" "Connection: close") }) })"#),
        (#"on server.connection { print "[server] New TCP connection #{event.id}" }"#,
         #"(on server.connection { (print "[server] New TCP connection #{(. event id)}") })"#),
        ("on agent.pool.reuse { let n = 1; n = n + 1; expect n > 1; if n { print } }",
         "(on agent.pool.reuse { (let n 1) (set n (+ n 1)) (expect (> n 1)) (if n { (print) }) })"),
        ("if a > 1 { print 1 } else if b { print 2 } else { print 3 }",
         "(if (> a 1) { (print 1) } elif b { (print 2) } else { (print 3) })"),
        ("if a {\n  print 1\n}\nelse {\n  print 2\n}", "(if a { (print 1) } else { (print 2) })"),
        ("open c", "(open c)"),
        ("open c to=edge", "(open c to=edge)"),
        ("open c port=8080", "(open c port=8080)"),
        (#"send c "GET / HTTP/1.1\r\nHost: x\r\n\r\n""#, #"(send c "GET / HTTP/1.1\r\nHost: x\r\n\r\n")"#),
        (#"let t = recv c until="\r\n\r\n" timeout=1s"#, #"(let t (recv c until="\r\n\r\n" timeout=1000ms))"#),
        ("let t = recv c until=close", "(let t (recv c until=close))"),
        ("recv c bytes=10", "(recv c bytes=10)"),
        ("t = recv c until=close", "(set t (recv c until=close))"),
        ("recv c", "(recv c)"),
        ("close c", "(close c)"),
        ("abort c", "(abort c)"),
        ("{ print 1; print 2 }", "{ (print 1) (print 2) }"),
    ])
    func statementKinds(source: String, tree: String) throws {
        #expect(try parsed(source).joined(separator: "\n") == tree)
    }

    @Test("the full tree of a request, with every location")
    func requestTree() throws {
        let script = try LabScriptParser.parse(#"  let r = pool GET /delay/{ms} "X-Id: 1" body="hi""#, lineOffset: 2)
        let target = Expression(.string(InterpolatedString([
            .text("/delay/"),
            .interpolation(Expression(.variable("ms"), at: at(3, 28)), format: nil),
        ])), at: at(3, 20))
        let request = Request(
            agent: "pool", method: "GET", target: target,
            headers: [Expression(.string(InterpolatedString([.text("X-Id: 1")])), at: at(3, 32))],
            settings: [Setting(key: "body", value: Expression(.string(InterpolatedString([.text("hi")])), at: at(3, 47)), at: at(3, 42))])
        #expect(script == Script([Statement(.request(request, bindTo: "r"), at: at(3, 3))]))
    }

    @Test("a request's result assigned to an existing name, from inside a parallel group")
    func assignedRequest() throws {
        let script = try LabScriptParser.parse("let a = 0\nparallel { a = pool GET / }")
        guard case .parallel(nil, nil, let body) = script.statements[1].kind,
              case .request(let request, let binding) = body.first?.kind else {
            Issue.record("expected a parallel block holding a request, got \(script)")
            return
        }
        #expect(request.agent == "pool")
        #expect(binding == .assign("a"))
        #expect(binding?.name == "a")
        #expect(body.first?.location == at(2, 12))
    }

    @Test("statements in blocks keep their file lines")
    func blockLocations() throws {
        let script = try LabScriptParser.parse("repeat 2 {\n  sleep 1ms\n}\nprint", lineOffset: 40)
        guard case .repeat(_, _, let body) = script.statements[0].kind else {
            Issue.record("expected repeat, got \(script)")
            return
        }
        #expect(script.statements.map(\.location) == [at(41, 1), at(44, 1)])
        #expect(body.map(\.location) == [at(42, 3)])
    }

    @Test("separators: blank lines, comments and ';' are all fine")
    func separators() throws {
        #expect(try parsed("\n\n# intro\nprint 1 ;; print 2 # two\n\n") == ["(print 1)", "(print 2)"])
        #expect(try parsed("") == [])
    }

    @Test("the sketch's seed experiment parses")
    func seedExperiment() throws {
        let source = """
        on server.connection {
          print "[server] New TCP connection #{server.connections}"
        }

        print "=== HTTP Keep-Alive ==="
        repeat 5 {
          fetch GET / "Connection: close"
        }
        print "  Requests: {server.requests}, TCP connections: {server.connections}"

        reset server
        agent ka keepAlive=true maxSockets=1
        repeat 5 {
          ka GET /
        }
        print "server.keepAliveTimeout: {server.keepAliveTimeout} ms"

        reset server
        agent pool keepAlive=true maxSockets=3 maxFreeSockets=2
        parallel {
          pool GET /a
          pool GET /b
          pool GET /c
        }
        print "Parallel: {server.requests} requests, {server.connections} connections"

        measure noKA { repeat 20 { fetch GET / "Connection: close" } }
        measure withKA { repeat 20 { ka GET / } }
        print "  Without keep-alive: {noKA.ms:.1}ms"
        print "  Speedup:            {noKA.ms / withKA.ms:.1}x"
        expect noKA.ms > withKA.ms "keep-alive should win"
        """
        let script = try LabScriptParser.parse(source)
        #expect(script.statements.count == 17)
        #expect(script.statements.last?.location == at(31, 1))
    }
}

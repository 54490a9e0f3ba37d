import LabKit
import LabScript
import Testing
@testable import LabRun

@Suite("Interpreter: assigned results, naive agents, named and mystery servers")
struct NewStatementsTests {
    @Test("a request inside parallel hands its result to a name outside it")
    func assignFromParallel() {
        let outcome = run("""
            let a = 0
            let b = 0
            agent pool maxSockets=2
            parallel {
              a = pool GET /delay/30
              { sleep 5ms; b = pool GET /status/201 }
            }
            print "{a.status} {b.status} {a.connection != b.connection}"
            let t = 0
            open c
            send c "GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n"
            repeat 1 { t = recv c until=close }
            print lines(t)[0]
            let s = 0
            if true { s = server shutdown grace=1s }
            print s.idleClosed >= 0
            """)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        #expect(outcome.output == ["200 201 true", "HTTP/1.1 200 OK", "true"])
    }

    @Test("assigning a result to a name that does not exist stops before anything is sent")
    func assignUndefined() {
        let outcome = run("""
            let result = 0
            parallel {
              reslt = fetch GET /
            }
            """)
        #expect(outcome.runtimeError?.message == "'reslt' is not defined; did you mean 'result'? (use 'let reslt = ...' to create it)")
        #expect(outcome.runtimeError?.location.line == 3)
        #expect(outcome.requests.isEmpty)
        #expect(run("x = fetch GET /").runtimeError?.message == "'x' is not defined; use 'let x = ...' to create it")
    }

    @Test("the naive-client settings are read back, and checked")
    func agentSettings() {
        let outcome = run("""
            agent naive hintMargin=0ms ignoreHint=true checkBeforeReuse=false retryStale=false
            print "{naive.hintMargin} {naive.ignoreHint} {naive.checkBeforeReuse} {naive.retryStale}"
            print "{fetch.hintMargin} {fetch.ignoreHint} {fetch.checkBeforeReuse} {fetch.retryStale}"
            """)
        #expect(outcome.output == ["0 true false false", "1000 false true true"])
        #expect(run("agent a retryStale=no").runtimeError?.message == "'no' is not defined")
        #expect(run("agent a retryStale=0").runtimeError?.message == "retryStale is true or false, got a number")
        #expect(run("agent a hintMargin=-1ms").runtimeError?.message == "hintMargin must be 0ms or more")
        #expect(run("agent a retryStal=false").runtimeError?.message == "agent has no setting 'retryStal'; did you mean 'retryStale'?")
    }

    @Test("readBody=false: the body is left unread, so the socket closes (closedBy.bodyUnread) and is not reused; checked")
    func readBodyFalse() {
        let outcome = run("""
            agent pool maxSockets=1
            let a = pool GET /bytes/100000 readBody=false
            let b = pool GET /bytes/100000 readBody=true
            let c = pool GET /bytes/100000
            print "{a.status} {a.bytes} {b.bytes} {c.bytes}"
            print "{a.connection} {b.connection} {c.connection} {c.reused}"
            print "{pool.created} {pool.closedBy.bodyUnread}"
            """)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        #expect(outcome.output == ["200 0 100000 100000", "1 2 2 true", "2 1"])
        #expect(run("fetch GET / readBody=no").runtimeError?.message == "'no' is not defined")
        #expect(run("fetch GET / readBody=0").runtimeError?.message == "readBody is true or false, got a number")
        #expect(run("fetch GET / readBdy=false").runtimeError?.message == "a request has no setting 'readBdy'; did you mean 'readBody'?")
    }

    @Test("simulated network: the check before reuse can't see a close still on its way; the retry can recover from it")
    func raceUnderSimulation() {
        // The server closes its idle socket 1 s after its response; the request leaves at that very
        // moment (on the agent's clock the response came 200 ms late), so it meets the close halfway.
        let outcome = run("""
            network rtt=400ms
            server keepAliveTimeout=1s
            agent checker ignoreHint=true retryStale=false
            agent retrier ignoreHint=true checkBeforeReuse=false
            let a = 0
            let b = 0
            parallel {
              { checker GET /; sleep 800ms; a = checker GET / }
              { retrier GET /; sleep 800ms; b = retrier GET / }
            }
            print "{a.ok} {a.reused} {a.errorKind}"
            print "{b.ok} {b.retried}"
            """)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        #expect(outcome.output == ["false true closed", "true true"])
    }

    @Test("a named server: its own port and settings, reached with to= or its url")
    func namedServer() {
        let outcome = run(#"""
            server plain keepAliveTimeout=1500ms maxRequestsPerSocket=2 keepAliveHint=4s
            server quiet keepAliveHint=none
            let r = fetch GET /echo to=plain
            let q = fetch GET "{quiet.url}/"
            print "{r.headers["keep-alive"]} {q.headers["keep-alive"]} {q.headers.connection}"
            print "{plain.requests} {plain.connections} {plain.keepAliveTimeout} {plain.keepAliveHint} {quiet.keepAliveHint}"
            print "{server.requests} {server.keepAliveHint} {plain.port != server.port} {plain.mystery}"
            open c to=plain
            send c "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
            let head = recv c until="\r\n\r\n"
            print plain.requests
            """#)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        #expect(outcome.output == ["timeout=4, max=2 none keep-alive", "1 1 1500 4000 none", "0 5000 true none", "2"])
        #expect(run("fetch GET / to=plian").runtimeError?.message
            == "to=plian: there is no proxy or server named 'plian' (to= takes server, a proxy or a named server)")
        #expect(run("server box mystery=3 keepAliveTimeout=1s").runtimeError?.message
            == "a mystery server takes no other settings: its settings are the mystery (remove keepAliveTimeout=)")
        #expect(run("agent box\nserver box mystery=3").runtimeError?.message
            == "'box' already names an agent, a proxy or a socket; give the server another name")
        #expect(run("server box maxRequestsPerSoket=3").runtimeError?.message
            == "server box has no setting 'maxRequestsPerSoket'; did you mean 'maxRequestsPerSocket'?")
    }

    @Test("a mystery server hides its settings and counters from the script; it can be measured")
    func mysteryHidden() {
        let outcome = run(#"""
            server box mystery=1
            let r = fetch GET / to=box
            print "{box.mystery} {box.name} {r.headers["keep-alive"]} {box.listening}"
            print box.keepAliveTimeout
            """#)
        #expect(outcome.output == ["1 box timeout=4, max=8 true"])
        #expect(outcome.runtimeError?.message
            == "box is mystery server 1: its keepAliveTimeout is yours to find by measuring, not to read (a mystery server shows only listening, mystery, name, port, url)")
        #expect(outcome.runtimeError?.location.line == 4)
        #expect(run("server box mystery=1\nprint box[\"closedBy\"]").runtimeError?.message.hasPrefix("box is mystery server 1: its closedBy") == true)
    }

    @Test("a challenge key's answer and conditions may read a mystery server's settings")
    func mysteryRevealedToKeys() throws {
        var options = RunOptions()
        options.limitMs = 10_000
        let answer = try LabScriptParser.parseExpression("box.keepAliveTimeout + box.maxRequestsPerSocket")
        let predicted = ExperimentRunner.run(source: "server box mystery=1\nfetch GET / to=box", expected: nil, options: options,
                                             epilogue: Epilogue(answer: answer))
        #expect(predicted.epilogue?.error == nil)
        #expect(predicted.epilogue?.answer?.description == "2508")
        let conditions = try LabScriptParser.parse("""
            expect box.requests == 1
            expect box.keepAliveHint == 4000 "hint {box.keepAliveHint}"
            """)
        let built = ExperimentRunner.run(source: "server box mystery=1\nfetch GET / to=box", expected: nil, options: options,
                                         epilogue: Epilogue(conditions: conditions))
        #expect(built.epilogue?.error == nil)
        #expect(built.epilogue?.failures.isEmpty == true)
        #expect(built.epilogue?.checked == 2)
    }
}

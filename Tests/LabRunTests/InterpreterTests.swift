import LabKit
import LabScript
import Testing
@testable import LabRun

/// Runs a script with a short default limit and returns the outcome.
func run(_ source: String, expected: String? = nil, limitMs: Int = 10_000) -> ExperimentOutcome {
    var options = RunOptions()
    options.limitMs = limitMs
    return ExperimentRunner.run(source: source, expected: expected, options: options)
}

@Suite("Interpreter: values, control flow, output")
struct InterpreterLanguageTests {
    @Test("print, let, arithmetic, strings and format specs")
    func basics() {
        let outcome = run("""
            let x = 2 + 3 * 4
            x = x + 1
            print "x={x} half={x / 2:.2} pad=[{x:>5}] left=[{"ab":<4}]"
            print 5s + 200ms
            print "a" + 1
            print round(2.6) + min(3, 1, 2) + max(1, 9) + abs(-2) + len("abcd")
            print not (1 > 2) and true
            """)
        #expect(outcome.runtimeError == nil)
        #expect(outcome.output == ["x=15 half=7.50 pad=[   15] left=[ab  ]", "5200", "a1", "19", "true"])
    }

    @Test("repeat binds its index from 1 and if/else chooses one branch")
    func loops() {
        let outcome = run("""
            repeat 3 as i {
              if i == 1 { print "one" } else if i == 2 { print "two" } else { print "many" }
            }
            """)
        #expect(outcome.output == ["one", "two", "many"])
    }

    @Test("string functions work on bytes, and printing raw CRLF text gives clean lines")
    func strings() {
        let outcome = run(#"""
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nX-A: b\r\n\r\n"
            print header(head, "content-length")
            print header(head, "missing")
            print find(head, "\r\n\r\n") + 4 == len(head)
            print slice(head, 0, 8)
            print len(lines(head))
            print join(split("a,b,c", ","), "+")
            print contains(head, "X-A") and not contains(head, "X-B")
            print num("1a", 16) + num(" 2 ")
            print head[0]
            print "one\r\ntwo"
            """#)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        #expect(outcome.output == ["12", "none", "true", "HTTP/1.1", "4", "a+b+c", "true", "28", "H", "one", "two"])
    }

    @Test("a long repeat of quick statements does not grow the stack")
    func longRepeat() {
        let outcome = run("""
            let n = 0
            repeat 100000 { n = n + 1 }
            print n
            """)
        #expect(outcome.output == ["100000"])
    }

    @Test("parallel branches run concurrently: the shorter sleep finishes first")
    func parallelOrder() {
        let outcome = run("""
            parallel {
              { sleep 60ms; print "slow" }
              { sleep 10ms; print "fast" }
            }
            print "after"
            parallel 3 as i { print "copy {i}" }
            """)
        #expect(outcome.output == ["fast", "slow", "after", "copy 1", "copy 2", "copy 3"])
    }

    @Test("measure binds the elapsed time, and sleep really waits")
    func measure() {
        let outcome = run("""
            measure m { sleep 50ms }
            expect m.ms >= 50
            print m.ms >= 50
            """)
        #expect(outcome.output == ["true"])
        #expect(outcome.verdict == .ran)
    }

    @Test("a failed expect is reported with its line and the values it compared")
    func expectFails() {
        let outcome = run("""
            let a = 1
            expect a > 2 "a should be big"
            print "still runs"
            """)
        #expect(outcome.verdict == .expectFailed)
        #expect(outcome.output == ["still runs"])
        #expect(outcome.expectFailures.first?.location.line == 2)
        #expect(outcome.expectFailures.first?.message.contains("(1 > 2)") == true)
        #expect(outcome.expectFailures.first?.message.contains("a should be big") == true)
    }

    @Test("a runtime error names the line and column and suggests a name")
    func runtimeError() {
        let outcome = run("""
            let count = 1
            print "ok"
            print cuont + 1
            """)
        #expect(outcome.verdict == .broken)
        #expect(outcome.runtimeError?.location == SourceLocation(line: 3, column: 7))
        #expect(outcome.runtimeError?.message == "'cuont' is not defined; did you mean 'count'?")
        #expect(outcome.output == ["ok"])
    }

    @Test("a misspelt field gets a suggestion")
    func badField() {
        let outcome = run("print server.reqests")
        #expect(outcome.runtimeError?.message.contains("did you mean 'requests'") == true)
    }

    @Test("parse errors carry lesson-file lines")
    func parseErrors() {
        let outcome = ExperimentRunner.run(source: "print \"ok\"\nsleep soon\n", lineOffset: 40, expected: nil)
        #expect(outcome.verdict == .broken)
        #expect(outcome.parseErrors.first?.line == 42)
    }

    @Test("the time limit also stops a script that computes without ever waiting")
    func timeLimitBusy() {
        let outcome = run("""
            limit 300ms
            let n = 0
            repeat 1000000 { repeat 1000000 { n = n + 1 } }
            """)
        #expect(outcome.verdict == .broken)
        #expect(outcome.runtimeError?.message.contains("time limit of 0.3s") == true)
        #expect(outcome.runtimeError?.location.line == 3)
    }

    @Test("the time limit stops a script that would run too long, naming the line")
    func timeLimit() {
        let outcome = run("""
            limit 100ms
            print "before"
            sleep 5s
            print "never"
            """)
        #expect(outcome.verdict == .broken)
        #expect(outcome.runtimeError?.message.contains("time limit") == true)
        #expect(outcome.runtimeError?.location.line == 3)
        #expect(outcome.output == ["before"])
        #expect(outcome.elapsedMs < 4_000)
    }

    @Test("the time limit names the statement that was waiting, not a hook that ran meanwhile")
    func timeLimitAfterHook() {
        // The hook runs when the server accepts the connection, while line 6 waits for its answer.
        let outcome = run("""
            on server.connection {
              let seen = event.id
            }
            limit 300ms
            repeat 3 {
              fetch GET /delay/5000
            }
            """)
        #expect(outcome.verdict == .broken)
        #expect(outcome.runtimeError?.message.contains("time limit of 0.3s") == true)
        #expect(outcome.runtimeError?.location.line == 6)
        #expect(outcome.runtimeError?.location.column == 3)
    }

    @Test("the time limit inside a parallel block names a branch that was still waiting")
    func timeLimitParallel() {
        let outcome = run("""
            limit 300ms
            parallel {
              sleep 10ms
              sleep 5s
            }
            """)
        #expect(outcome.runtimeError?.location.line == 4)
    }
}

@Suite("Interpreter: the lab (server, agents, hooks, sockets, network)")
struct InterpreterLabTests {
    @Test("without keep-alive five requests open five connections; with it, one")
    func keepAliveCounts() {
        let outcome = run("""
            on server.connection { print "conn #{event.id}" }
            repeat 3 { fetch GET / "Connection: close" }
            print "{server.requests} {server.connections}"
            reset server
            agent ka keepAlive=true maxSockets=1
            repeat 3 { ka GET / }
            print "{server.requests} {server.connections} {ka.created} {ka.reused}"
            """)
        #expect(outcome.output == ["conn #1", "conn #2", "conn #3", "3 3", "conn #4", "3 1 1 2"])
    }

    @Test("a request result exposes status, headers, connection, reuse and timing")
    func requestResult() {
        let outcome = run("""
            agent a
            let r = a GET /echo "X-Lab: yes"
            let s = a GET /status/404
            print "{r.status} {r.headers["keep-alive"]} {r.headers.connection} {r.connection} {r.reused} {r.retried}"
            print "{s.status} {s.connection} {s.reused} {s.timing.connect}"
            print len(r.body) > 0
            expect r.timing.connect >= 0
            """)
        #expect(outcome.runtimeError == nil)
        #expect(outcome.output == ["200 timeout=5 keep-alive 1 false false", "404 1 true none", "true"])
    }

    @Test("the HTTP/2 server settings apply and are readable; a value outside RFC 9113's range is an error at its place")
    func h2ServerSettings() {
        let outcome = run("""
            print "{server.h2MaxConcurrentStreams} {server.h2InitialWindowSize} {server.h2MaxFrameSize}"
            server h2MaxConcurrentStreams=8 h2InitialWindowSize=1000 h2MaxFrameSize=32768
            print "{server.h2MaxConcurrentStreams} {server.h2InitialWindowSize} {server.h2MaxFrameSize}"
            """)
        #expect(outcome.runtimeError == nil)
        #expect(outcome.output == ["100 65535 16384", "8 1000 32768"])
        for (statement, message, column) in [
            ("server h2MaxFrameSize=100", "h2MaxFrameSize is a whole number from 16384 to 16777215 (SETTINGS_MAX_FRAME_SIZE, RFC 9113 §6.5.2), got 100", 8),
            ("server keepAliveTimeout=1s h2InitialWindowSize=2147483648",
             "h2InitialWindowSize is a whole number from 0 to 2147483647 (SETTINGS_INITIAL_WINDOW_SIZE, RFC 9113 §6.5.2), got 2147483648", 28),
            ("server h2MaxConcurrentStreams=1.5", "h2MaxConcurrentStreams is a whole number from 0 to 4294967295 (SETTINGS_MAX_CONCURRENT_STREAMS, RFC 9113 §6.5.2), got 1.5", 8),
            ("server x h2MaxConcurrentStreams=-1", "h2MaxConcurrentStreams is a whole number from 0 to 4294967295 (SETTINGS_MAX_CONCURRENT_STREAMS, RFC 9113 §6.5.2), got -1", 10),
        ] {
            let failed = run("print 1\n" + statement)
            #expect(failed.runtimeError?.message == message, "\(statement)")
            #expect(failed.runtimeError?.location.line == 2)
            #expect(failed.runtimeError?.location.column == column, "\(statement)")
        }
    }

    @Test("server h2Only=true: the port speaks only h2c; an HTTP/2 agent is served, an HTTP/1.1 request is not")
    func h2OnlyServer() {
        let outcome = run("""
            print server.h2Only
            server h2Only=true
            print server.h2Only
            agent h protocol=h2
            let r = h GET /
            print "{r.status} {r.version}"
            let x = fetch GET /
            print "{x.ok} {x.error}"
            server h2Only=false
            let y = fetch GET /
            print "{y.status} {server.h2Only}"
            """)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        #expect(outcome.output.count == 5)
        #expect(Array(outcome.output.prefix(3)) == ["false", "true", "200 HTTP/2"])
        // The HTTP/1.1 request meets SETTINGS, and the error says so.
        #expect(outcome.output.dropFirst(3).first?.hasPrefix("false malformed response: bad status line at byte 0: an HTTP/2 SETTINGS frame") == true,
                "\(outcome.output)")
        #expect(outcome.output.last == "200 false")
        let wrong = run("print 1\nserver h2Only=1")
        #expect(wrong.runtimeError?.message == "h2Only is true or false")
        #expect(wrong.runtimeError?.location.line == 2)
        #expect(wrong.runtimeError?.location.column == 8)
    }

    @Test("server settings apply and are readable")
    func serverSettings() {
        let outcome = run("""
            server keepAliveTimeout=3s maxRequestsPerSocket=2
            agent a
            let r = a GET /
            print "{server.keepAliveTimeout} {server.maxRequestsPerSocket} {r.headers["keep-alive"]}"
            a GET /
            a GET /
            print "{server.connections} {server.closedBy.maxRequests}"
            """)
        #expect(outcome.output == ["3000 2 timeout=3, max=2", "2 1"])
    }

    @Test("server events say protocol and stream: HTTP/1.1 and stream 0, then an HTTP/2 connection (the preface) closed idle")
    func protocolAndStream() {
        let outcome = run("""
            server keepAliveTimeout=100ms
            on server.request { print "request {event.protocol} {event.version} stream {event.stream}" }
            on server.response { print "response {event.protocol} stream {event.stream}" }
            on server.close { print "close {event.protocol}: {event.streams} streams, {event.requests} requests ({event.key})" }
            agent a keepAlive=false
            a GET /
            open c
            send c "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n"
            let rest = recv c until=close
            print "{server.h2Connections} {server.streams} {server.requests}"
            """)
        #expect(outcome.parseErrors.isEmpty && outcome.runtimeError == nil, "\(outcome.parseErrors) \(String(describing: outcome.runtimeError))")
        #expect(outcome.output == [
            "request HTTP/1.1 HTTP/1.1 stream 0", "response HTTP/1.1 stream 0", "close HTTP/1.1: 0 streams, 1 requests (clientRequestedClose)",
            "close HTTP/2: 0 streams, 0 requests (keepAliveTimeout)", "1 0 1",
        ])
    }

    @Test("hooks see server close reasons")
    func closeHook() {
        let outcome = run("""
            server keepAliveTimeout=50ms
            on server.close { print "closed #{event.connection}: {event.reason}" }
            open c
            send c "GET / HTTP/1.1\\r\\nHost: lab\\r\\n\\r\\n"
            let answer = recv c until="\\}"
            let rest = recv c until=close
            print "peer closed: {c.closed}"
            """)
        #expect(outcome.parseErrors.isEmpty && outcome.runtimeError == nil, "\(outcome.parseErrors) \(String(describing: outcome.runtimeError))")
        #expect(outcome.output == ["closed #1: keep-alive timeout", "peer closed: true"])
    }

    @Test("a raw socket shows the bytes on the wire")
    func rawSocket() {
        let outcome = run("""
            open c
            send c "GET /status/201 HTTP/1.1\\r\\nHost: lab\\r\\nConnection: close\\r\\n\\r\\n"
            let head = recv c until="\\r\\n\\r\\n"
            let rest = recv c until=close
            print len(head) > 0
            print rest
            print c.closed
            """)
        #expect(outcome.runtimeError == nil)
        #expect(outcome.output == ["true", #"{"status":201}"#, "true"])
    }

    @Test("simulated RTT: a new connection costs one round trip more than a reused one")
    func simulatedRTT() {
        let outcome = run("""
            network rtt=40ms
            agent a
            let first = a GET /
            let second = a GET /
            print round((first.ms - second.ms) / 40)
            print round(second.ms / 40)
            """)
        #expect(outcome.output == ["1", "1"])
    }

    @Test("graceful shutdown reports its counts")
    func shutdown() {
        let outcome = run("""
            agent a
            agent b
            a GET /
            parallel {
              b GET /delay/100
              { sleep 30ms; let s = server shutdown grace=2s; print "{s.idleClosed} {s.drained} {s.forced}" }
            }
            """)
        #expect(outcome.output == ["1 1 0"])
    }

    @Test("a reverse proxy with its own upstream pool: requests go through it with to=")
    func proxy() {
        let outcome = run(#"""
            agent up keepAlive=true maxSockets=1
            proxy edge upstream=up
            agent client
            repeat 3 { client GET /echo to=edge }
            let r = client GET /status/201 to=edge
            print "{r.status} {r.headers.via} {edge.connections} {server.connections} {edge.forwarded} {up.reused}"
            open c to=edge
            send c "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            let raw = recv c until=close
            print lines(raw)[0]
            """#)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        #expect(outcome.output == ["201 1.1 wirelab-proxy 1 1 4 3", "HTTP/1.1 200 OK"])
    }

    @Test("a proxy without an upstream agent is a runtime error that says how to write it")
    func proxyWithoutUpstream() {
        let outcome = run("proxy edge keepAliveTimeout=1s")
        #expect(outcome.runtimeError?.message == "a proxy needs its upstream agent: proxy edge upstream=AGENT")
    }

    @Test("a proxy's server settings are parsed as the server's: a negative one is refused the same way, at its place")
    func proxyNegativeSetting() {
        for (statement, column) in [("server keepAliveTimeout=-1", 8), ("proxy edge upstream=up keepAliveTimeout=-1", 24)] {
            let outcome = run("agent up\n" + statement)
            #expect(outcome.runtimeError?.message == "keepAliveTimeout must be 0 or more", "\(statement)")
            #expect(outcome.runtimeError?.location.line == 2)
            #expect(outcome.runtimeError?.location.column == column, "\(statement)")
        }
        let unknown = run("agent up\nproxy edge upstream=up maxBodyBytes=10")
        #expect(unknown.runtimeError?.message.hasPrefix("proxy has no setting 'maxBodyBytes'") == true)
    }

    @Test("an unknown agent setting is a runtime error with a suggestion")
    func badAgentSetting() {
        let outcome = run("agent a maxSocket=3")
        #expect(outcome.runtimeError?.message == "agent has no setting 'maxSocket'; did you mean 'maxSockets'?")
    }

    @Test("TCP keepalive idle is read back from the kernel")
    func tcpKeepAlive() {
        let outcome = run("""
            agent a keepAliveMsecs=3000
            a GET /
            print "{a.tcpKeepAlive} {a.tcpKeepAliveIdle}"
            """)
        #expect(outcome.output == ["true 3"])
    }
}

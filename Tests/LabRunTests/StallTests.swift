import LabKit
import Testing
@testable import LabRun

@Suite("Interpreter: stall=, a simulated lost segment on one connection")
struct StallTests {
    @Test("a stalled request is late by the retransmission, in whole round trips; the others on other connections are not")
    func onlyItsConnection() {
        // Six warm connections; one request loses its response's first segment, resent 300 ms later.
        let outcome = run("""
            let rtt = 100ms
            network rtt=rtt
            agent h1 maxSockets=6
            parallel 6 { h1 GET / }
            let stalled = 0
            let late = 0
            parallel 6 as i {
              let r = none
              if i == 1 { r = h1 GET / stall=300ms } else { r = h1 GET / }
              if i == 1 { stalled = floor(r.ms / rtt) }
              if floor(r.ms / rtt) > 1 { late = late + 1 }
            }
            print "{stalled} {late} {h1.created}"
            """)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        #expect(outcome.output == ["4 1 6"])
    }

    @Test("a request queued behind the stalled one on its connection waits for it too")
    func behindOnOneConnection() {
        let outcome = run("""
            let rtt = 100ms
            network rtt=rtt
            agent one maxSockets=1
            one GET /
            let a = 0
            let b = 0
            parallel {
              a = one GET / stall=300ms
              b = one GET /
            }
            print "{floor(a.ms / rtt)} {floor(b.ms / rtt)} {one.created}"
            """)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        // The second request goes out only after the first response arrived (4 RTT), then takes one more.
        #expect(outcome.output == ["4 5 1"])
    }

    @Test("stall= without the simulated network, or not above 0, is an error that says so")
    func errors() {
        #expect(run("fetch GET / stall=300ms").runtimeError?.message
            == "stall= simulates a lost segment on the simulated network; switch it on first (network rtt=100ms)")
        #expect(run("network rtt=50ms\nfetch GET / stall=0ms").runtimeError?.message
            == "stall is how late the lost segment's retransmission arrives, a duration above 0 like 300ms")
        #expect(run("fetch GET / stal=1ms").runtimeError?.message == "a request has no setting 'stal'; did you mean 'stall'?")
    }
}

@Suite("Interpreter: HTTP/2 knobs the lessons measure with (stall over h2, h2ConnectionWindow, h2ReadDelay, goAways)")
struct H2LessonKnobTests {
    @Test("a lost segment on one HTTP/2 connection holds back every stream on it")
    func stallOverH2() {
        let outcome = run("""
            let rtt = 100ms
            network rtt=rtt
            agent h2 protocol=h2
            h2 GET /
            let late = 0
            parallel 4 as i {
              let r = none
              if i == 1 { r = h2 GET / stall=300ms } else { r = h2 GET / }
              if floor(r.ms / rtt) > 1 { late = late + 1 }
            }
            print "{late} {h2.created} {h2.streams}"
            """)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        #expect(outcome.output == ["4 1 5"])
    }

    @Test("a slow reader with a 65,535-byte connection window holds back a small response; a roomy window does not")
    func connectionWindow() {
        // Counted in whole 100 ms steps: the reader gives bytes back 300 ms after they arrive, so a
        // wait can only come out longer, never shorter.
        let outcome = run("""
            repeat 2 as round {
              let window = 65535
              if round == 2 { window = 1048576 }
              agent reader protocol=h2 h2ConnectionWindow=window h2ReadDelay=300ms
              let big = 0
              let small = 0
              parallel {
                big = reader GET /bytes/100000
                small = reader GET /
              }
              print "{floor(small.ms / 100) >= 3} {floor(big.ms / 100) >= 3} {big.bytes}"
            }
            """)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        #expect(outcome.output == ["true true 100000", "false true 100000"])
    }

    @Test("a graceful shutdown sends two GOAWAYs; the agent counts them and keeps the last id")
    func goAways() {
        let outcome = run("""
            agent mux protocol=h2
            print "{mux.goAways} {mux.goAwayLastStream}"
            mux GET /
            parallel {
              mux GET /delay/200
              { sleep 30ms; server shutdown grace=2s }
            }
            print "{mux.goAways} {mux.goAwayLastStream}"
            """)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        #expect(outcome.output == ["0 none", "2 3"])
    }

    @Test("the h2 settings are errors that say what is wrong")
    func errors() {
        #expect(run("agent a h2ReadDelay=10ms").runtimeError?.message == "h2ReadDelay is an HTTP/2 setting; add protocol=h2 to the agent")
        #expect(run("agent a protocol=h2 h2ConnectionWindow=1000").runtimeError?.message
            == "h2ConnectionWindow is a whole number of bytes from 65535 (the initial window) to 2147483647, got 1000")
        #expect(run("agent a protocol=h2 h2ReadDelay=-1ms").runtimeError?.message == "h2ReadDelay must be 0ms or more")
    }
}

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

import Testing
@testable import LabRun

@Suite("Interpreter: the process, agents and run objects", .serialized)
struct ObservationObjectTests {
    @Test("agents and run add up every agent and every request, whole run")
    func agentsAndRun() {
        let outcome = run("""
            agent a keepAlive=true maxSockets=1
            agent b keepAlive=true
            repeat 3 { a GET / }
            b GET /status/503
            fetch GET / "Connection: close"
            reset a
            print "agents {agents.count} created {agents.created} reused {agents.reused} requests {agents.requests}"
            print "run {run.requests} ok {run.ok} 5xx {run.serverErrors} reused {run.reused} connections {run.connections}"
            """)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        // fetch, a and b; a made 1 socket and reused it twice; b and fetch made one each.
        #expect(outcome.output == ["agents 3 created 3 reused 2 requests 5",
                                   "run 5 ok 4 5xx 1 reused 2 connections 3"])
    }

    @Test("process reads the descriptor limit and counts both ends of a connection")
    func process() {
        // `openFiles` counts the whole test process, where other tests open and close sockets at the
        // same time: one of them closing two between `before` and the count can hide our two. So
        // the script is run up to five times; counting both ends must show in one of them (if it
        // did not count them, every run would print false).
        var outputs: [[String]] = []
        for _ in 0..<5 {
            let outcome = run("""
                let before = process.openFiles
                agent a keepAlive=true
                a GET /
                print process.fdLimit > 0
                print process.fdHardLimit >= process.fdLimit
                print process.openFiles - before >= 2
                print process.rssKiB > 0
                """)
            #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
            outputs.append(outcome.output)
            if outcome.output == ["true", "true", "true", "true"] { break }
        }
        #expect(outputs.last == ["true", "true", "true", "true"], "\(outputs)")
    }

    @Test("process.labSockets counts the sockets on the lab server's port exactly, whatever else the process opens")
    func labSockets() {
        let outcome = run("""
            print process.labSockets
            agent a keepAlive=true
            a GET /
            print process.labSockets
            agent a keepAlive=false
            repeat 200 { if server.open > 0 { sleep 10ms } }
            print process.labSockets
            """)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        // The listener; then both ends of one idle keep-alive connection; then the listener again.
        #expect(outcome.output == ["1", "3", "1"])
    }
}

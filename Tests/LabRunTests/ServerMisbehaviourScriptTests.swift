import Testing
@testable import LabRun

/// The lab script's misbehaviour settings: `server closeSilentlyAfter=N dropReusedRequests=N`.
@Suite("Lab script: a misbehaving server")
struct ServerMisbehaviourScriptTests {
    @Test("dropReusedRequests=1: the reused request is read, unanswered, and counted as droppedRequest; the agent's retry resends the GET")
    func drop() {
        let outcome = run("""
            server dropReusedRequests=1
            agent pool
            pool GET /
            let second = pool GET /
            print "{second.status} {second.retried} {server.requests} {server.closedBy.droppedRequest}"
            """)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        #expect(outcome.output == ["200 true 3 1"])
    }

    @Test("closeSilentlyAfter=1: every connection closes after its first response; a proxy takes neither setting")
    func silent() {
        let outcome = run("""
            server closeSilentlyAfter=1
            agent pool
            repeat 3 { pool GET /; sleep 50ms }
            print "{server.closedBy.closedSilently} {server.connections}"
            """)
        #expect(outcome.runtimeError == nil, "\(String(describing: outcome.runtimeError))")
        #expect(outcome.output == ["3 3"])
        let proxy = run("agent up\nproxy edge upstream=up dropReusedRequests=1")
        #expect(proxy.runtimeError?.message.hasPrefix("proxy has no setting 'dropReusedRequests'") == true)
    }
}

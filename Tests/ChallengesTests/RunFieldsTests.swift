import Foundation
import Testing
import Challenges
import LabKit

/// A lesson whose build keys each pin one `run` field a course key relies on.
let runFieldsLessonText = #"""
    ---
    id: run-fields
    phase: 1
    phase_title: Test
    sequence: 1
    title: Run fields
    difficulty: beginner
    tags: [t]
    prerequisites: []
    estimated_minutes: 1
    ---

    ## Challenge

    1. In flight.

       <!-- check build
       explain: x
       expect run.maxInFlight == 3 "in flight: {run.maxInFlight}"
       -->
    2. Seen.

       <!-- check build
       explain: x
       expect run.sockets == 1 "sockets: {run.sockets}"
       expect run.seen["POST /echo"] == 1 "seen: {run.seen}"
       expect run.seen["GET /"] == 2 "seen: {run.seen}"
       expect run.seen["DELETE /"] == 0 "seen: {run.seen}"
       expect run.contentLength["POST /echo"] == 3 "length: {run.contentLength["POST /echo"]}"
       expect run.contentLength["GET /"] == none "length: {run.contentLength["GET /"]}"
       expect run.okBy["fetch"] == 1 "fetch: {run.okBy["fetch"]}"
       expect run.okBy["nobody"] == 0 "nobody: {run.okBy["nobody"]}"
       -->
    3. Network.

       <!-- check build
       explain: x
       expect run.minRtt == 0 "minRtt: {run.minRtt}"
       expect run.minTls == 0 "minTls: {run.minTls}"
       -->
    4. Nothing.

       <!-- check build
       explain: x
       expect run.minRtt == none "minRtt: {run.minRtt}"
       expect run.maxInFlight == 0 "in flight: {run.maxInFlight}"
       expect run.afterShutdown == 0 "after: {run.afterShutdown}"
       -->
    5. After a shutdown.

       <!-- check build
       explain: x
       expect run.afterShutdown == 2 "after: {run.afterShutdown}"
       -->
    """#

@Suite("The run fields build keys check a task by")
struct RunFieldsTests {
    func verify(_ number: Int, _ text: String) throws -> VerificationResult {
        let lesson = try LessonLoader.parse(runFieldsLessonText, path: "run-fields.md").get()
        let challenge = try #require(lesson.challenges.first { $0.number == number })
        return ChallengeVerifier.verify(lesson: lesson, challenge: challenge, input: VerificationInput(file: try script(text)))
    }

    @Test("maxInFlight: parallel 3 is 3, whatever the pool's sockets; sequential is 1")
    func inFlight() throws {
        let burst = try verify(1, "agent one keepAlive=true maxSockets=1\nrepeat 2 { parallel 3 { one GET /delay/20 } }\n")
        #expect(burst.status == .correct, "\(burst.details)")
        let line = try verify(1, "repeat 5 { fetch GET / }\n")
        #expect(line.details.first?.hasPrefix("✘ in flight: 1") == true)
    }

    @Test("seen and contentLength: what the server parsed, raw sockets included; okBy per agent")
    func seen() throws {
        let result = try verify(2, #"""
            open c
            send c "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: x\r\n\r\n"
            let both = recv c timeout=300ms
            fetch GET /
            """#)
        #expect(result.status == .correct, "\(result.details)")
    }

    @Test("minRtt and minTls: a network switched on after the requests does not count")
    func network() throws {
        let late = try verify(3, "fetch GET /\nnetwork rtt=50ms tls=1\nfetch GET /\n")
        #expect(late.status == .correct, "\(late.details)")
        let early = try verify(3, "network rtt=50ms tls=1\nfetch GET /\n")
        #expect(early.details.contains { $0.hasPrefix("✘ minRtt: 50") })
        #expect(early.details.contains { $0.hasPrefix("✘ minTls: 1") })
    }

    @Test("with no requests: minRtt is none, maxInFlight and afterShutdown are 0")
    func nothing() throws {
        #expect(try verify(4, "print \"idle\"\n").status == .correct)
    }

    @Test("afterShutdown counts answered requests started after the shutdown began")
    func afterShutdown() throws {
        let result = try verify(5, """
            agent a keepAlive=true
            a GET /
            server shutdown grace=1s
            server restart
            a GET /
            a GET /
            """)
        #expect(result.status == .correct, "\(result.details)")
    }
}

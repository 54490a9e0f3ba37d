import Foundation
import Testing
import Challenges
import LabKit
import Wire

/// Verifies a your-server challenge of the course's own lessons against a stand-in server.
func verifyServer(_ lessonID: String, _ number: Int, _ behaviour: StandInServer.Behaviour) throws -> VerificationResult {
    let lesson = try #require(LessonLibrary.load(directory: packageLessonsDirectory()).lessons.first { $0.id == lessonID })
    let challenge = try #require(lesson.challenges.first { $0.number == number })
    #expect(challenge.key?.kind == .yourServer)
    let server = try StandInServer(behaviour)
    defer { server.stop() }
    return ChallengeVerifier.verify(lesson: lesson, challenge: challenge, input: VerificationInput(url: server.url))
}

/// The same against an h2c stand-in (`StandInH2Server`).
func verifyServer(_ lessonID: String, _ number: Int, _ behaviour: StandInH2Server.Behaviour) throws -> VerificationResult {
    let lesson = try #require(LessonLibrary.load(directory: packageLessonsDirectory()).lessons.first { $0.id == lessonID })
    let challenge = try #require(lesson.challenges.first { $0.number == number })
    #expect(challenge.key?.kind == .yourServer)
    let server = try StandInH2Server(behaviour)
    defer { server.stop() }
    return ChallengeVerifier.verify(lesson: lesson, challenge: challenge, input: VerificationInput(url: server.url))
}

/// The failed conditions' lines, for checking what the learner is told.
func failures(_ result: VerificationResult) -> String {
    result.details.filter { $0.hasPrefix("✘") }.joined(separator: "\n")
}

/// Every your-server challenge with a server a learner could write that passes (the way Node, nginx
/// or a hand-written server really behave) and one that must not.
@Suite("Your-server keys: a right server passes, a wrong one is told what was measured", .serialized)
struct ServerKeyTests {
    typealias Behaviour = StandInServer.Behaviour

    /// Node 20 with `server.keepAliveTimeout = 2000`: advertises timeout=2, closes about 3 s later.
    static var node2000: Behaviour {
        var b = Behaviour()
        b.keepAliveHeader = "timeout=2"
        b.idleCloseMs = 3_000
        b.http10KeepAlive = false
        return b
    }

    @Test("http-keep-alive 7: Node's one-second buffer passes; advertising 5 s and closing at 2 s fails")
    func httpKeepAlive7() throws {
        let right = try verifyServer("http-keep-alive", 7, Self.node2000)
        #expect(right.status == .correct, "\(right.details)")
        var liar = Behaviour()
        liar.keepAliveHeader = "timeout=5"
        liar.idleCloseMs = 2_000
        let wrong = try verifyServer("http-keep-alive", 7, liar)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("you advertised 5 s, so from 4.5 to 6.5 s is accepted, and yours closed it 2.0"))
    }

    @Test("keep-alive-header 4: HTTP/1.0 keep-alive with a header passes; Node's default close to HTTP/1.0 fails")
    func keepAliveHeader4() throws {
        var right = Behaviour()
        right.keepAliveHeader = "timeout=5"
        right.idleCloseMs = 5_000
        #expect(try verifyServer("keep-alive-header", 4, right).status == .correct)
        var node = right
        node.http10KeepAlive = false
        let wrong = try verifyServer("keep-alive-header", 4, node)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("found: response 1 said Connection: close"))
        #expect(!failures(wrong).contains("not answered"))
    }

    @Test("idle-timeout 4: Node with keepAliveTimeout=2000 (closes at 3 s) passes; a close-every-response server hears so")
    func idleTimeout4() throws {
        let right = try verifyServer("idle-timeout", 4, Self.node2000)
        #expect(right.status == .correct, "\(right.details)")
        var python = Behaviour()
        python.keepAlive = false
        let wrong = try verifyServer("idle-timeout", 4, python)
        #expect(wrong.status == .wrong)
        let told = failures(wrong)
        #expect(told.contains("the server closes the connection after every response"))
        #expect(told.contains("your server sent no Keep-Alive header"))
        #expect(!told.contains("still open"))
        var late = Self.node2000
        late.idleCloseMs = 4_000
        let tooLate = try verifyServer("idle-timeout", 4, late)
        #expect(tooLate.status == .wrong)
        #expect(failures(tooLate).contains("yours closed it after 4."))
        var never = Self.node2000
        never.idleCloseMs = 20_000
        let open = try verifyServer("idle-timeout", 4, never)
        #expect(open.status == .wrong)
        #expect(failures(open).contains("the probe measured no idle close: the server never closed it, still open when the probe's 6 s wait ran out"))
    }

    @Test("max-requests-per-socket 5: Node's maxRequestsPerSocket=3 passes; closing after 3 without saying close fails")
    func maxRequests5() throws {
        var node = Behaviour()
        node.keepAliveHeader = "timeout=5, max=3"
        node.idleCloseMs = 6_000
        node.maxRequests = 3
        node.limitEnding = .saidCloseThen503
        let right = try verifyServer("max-requests-per-socket", 5, node)
        #expect(right.status == .correct, "\(right.details)")
        #expect(right.details.contains { $0.contains("response 3 said Connection: close, but the server kept the connection open") })
        // The probe waited (up to 3 s) to see whether the server closes; a client would have closed
        // at once, so the kept-alive timing leaves that wait out.
        let timed = try #require(right.details.first { $0.contains("requests, kept alive") })
        // "5 requests, kept alive   2.7 ms total, 0.535 ms/request ...": the second number.
        let numbers = timed.split(separator: " ").compactMap { Double($0) }
        #expect(numbers.count >= 2 && numbers[1] < 1_000, "\(timed)")
        var silent = node
        silent.limitEnding = .silentClose
        let wrong = try verifyServer("max-requests-per-socket", 5, silent)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("say Connection: close on the last response"))
        #expect(failures(wrong).contains("3 (then the server closed the connection)"))
    }

    @Test("max-requests-per-socket 5: a 503 past the limit is not a request served")
    func maxRequestsRefusal() throws {
        // A handler that forces `Connection: keep-alive` hides Node's close on the last answer:
        // the limit shows only as the 503 that follows. Served: 7, not 8.
        var forced = Behaviour()
        forced.idleCloseMs = 6_000
        forced.maxRequests = 7
        forced.limitEnding = .silentThen503
        let seven = try verifyServer("max-requests-per-socket", 5, forced)
        #expect(seven.status == .wrong)
        #expect(failures(seven).contains("yours served 7: 7 (request 8 was refused with status 503)"))
        // Three served, then refused without a word: the count is right, the ending is not.
        forced.maxRequests = 3
        let three = try verifyServer("max-requests-per-socket", 5, forced)
        #expect(three.status == .wrong)
        #expect(failures(three).contains("say Connection: close on the last response"))
        #expect(!failures(three).contains("yours served"))
    }

    @Test("head-of-line-blocking 3: answering a pipeline passes; answering only the first of a read fails")
    func pipelining3() throws {
        #expect(try verifyServer("head-of-line-blocking", 3, Behaviour()).status == .correct)
        var dropper = Behaviour()
        dropper.answersPipelined = false
        let wrong = try verifyServer("head-of-line-blocking", 3, dropper)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("the probe sent three in one write and found: incomplete"))
    }

    @Test("proxy-keep-alive 5: a true timeout passes; nginx's keepalive_timeout 2s 5s (says 5, closes at 2) fails")
    func proxy5() throws {
        var honest = Behaviour()
        honest.keepAliveHeader = "timeout=3"
        honest.idleCloseMs = 3_000
        #expect(try verifyServer("proxy-keep-alive", 5, honest).status == .correct)
        var nginx = Behaviour()
        nginx.keepAliveHeader = "timeout=5"
        nginx.idleCloseMs = 2_000
        let wrong = try verifyServer("proxy-keep-alive", 5, nginx)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("it advertised 5 s, so from 4.5 to 6.5 s is accepted, and the proxy closed it 2.0"))
    }

    @Test("mystery-server 5: mystery server 8's policy with an honest header passes; its own dishonest header fails")
    func mystery5() throws {
        let box = ServerConfiguration.mystery(8)
        var honest = Behaviour()
        honest.idleCloseMs = box.keepAliveTimeoutMs
        honest.keepAliveHeader = "timeout=\(box.keepAliveTimeoutMs / 1000)"
        if box.maxRequestsPerSocket > 0 { honest.maxRequests = box.maxRequestsPerSocket }
        let right = try verifyServer("mystery-server", 5, honest)
        #expect(right.status == .correct, "\(right.details)")
        var dishonest = honest
        dishonest.keepAliveHeader = "timeout=\(box.keepAliveTimeoutMs / 1000 + 3)"
        let wrong = try verifyServer("mystery-server", 5, dishonest)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("advertise honestly"))
        // The hidden setting is not in what the learner is told.
        #expect(!failures(wrong).contains("\(box.keepAliveTimeoutMs)"))
    }

    typealias H2 = StandInH2Server.Behaviour

    @Test("head-of-line-blocking 5: Node's http2 (no limit sent) and a limit of 100 pass; a limit of 4 and an HTTP/1.1-only server fail")
    func multiplexes5() throws {
        let node = try verifyServer("head-of-line-blocking", 5, H2())
        #expect(node.status == .correct, "\(node.details)")
        #expect(try verifyServer("head-of-line-blocking", 5, H2(maxConcurrentStreams: 100)).status == .correct)
        // nginx with http2_max_concurrent_streams 4: the probe opens 4, all answered, but 10 were asked.
        let four = try verifyServer("head-of-line-blocking", 5, H2(maxConcurrentStreams: 4))
        #expect(four.status == .wrong)
        #expect(failures(four) == "✘ let a client open 10 streams at once (your SETTINGS_MAX_CONCURRENT_STREAMS: 4)")
        // An HTTP/1.1 server answers the preface as a request; nothing about streams is claimed.
        let http1 = try verifyServer("head-of-line-blocking", 5, Behaviour())
        #expect(http1.status == .wrong)
        #expect(failures(http1) == "✘ speak HTTP/2 with prior knowledge on this port (the probe sent the HTTP/2 preface, and it answered with HTTP/1: HTTP/1.1 200 OK)")
    }

    @Test("browser-connections 6: a limit of exactly 100 passes; Node's default (none sent) and nginx's 128 fail, each named")
    func hundredStreams6() throws {
        let right = try verifyServer("browser-connections", 6, H2(maxConcurrentStreams: 100))
        #expect(right.status == .correct, "\(right.details)")
        let node = try verifyServer("browser-connections", 6, H2())
        #expect(node.status == .wrong)
        #expect(failures(node).contains("your SETTINGS did not include it, so no limit; they were: none (an empty SETTINGS frame: every default)"))
        let nginx = try verifyServer("browser-connections", 6, H2(maxConcurrentStreams: 128))
        #expect(nginx.status == .wrong)
        #expect(failures(nginx) == "✘ advertise SETTINGS_MAX_CONCURRENT_STREAMS of 100 (yours: 128)")
        let http1 = try verifyServer("browser-connections", 6, Behaviour())
        #expect(http1.status == .wrong)
        #expect(failures(http1).contains("it answered with HTTP/1: HTTP/1.1 200 OK"))
    }

    @Test("graceful-shutdown 5: GOAWAY at 3 s idle passes; at 1 s, or never (Node's and nginx's defaults), fails with what was seen")
    func idleGoaway5() throws {
        let right = try verifyServer("graceful-shutdown", 5, H2(idleGoawayMs: 3_000))
        #expect(right.status == .correct, "\(right.details)")
        let early = try verifyServer("graceful-shutdown", 5, H2(idleGoawayMs: 1_000))
        #expect(early.status == .wrong)
        #expect(failures(early).contains("send GOAWAY after 2 to 4 s of idle (the probe found: GOAWAY (NO_ERROR) 1.0"))
        let never = try verifyServer("graceful-shutdown", 5, H2())
        #expect(never.status == .wrong)
        #expect(failures(never) == "✘ end an idle connection with GOAWAY after 2 to 4 s (the probe found: no GOAWAY, still open when the probe's 6 s wait ran out)")
    }


    @Test("what-http2-does-not-fix 5: 1 MiB stream and connection windows pass; Node's and nginx's defaults, or SETTINGS alone, fail with the windows named")
    func receiveWindows5() throws {
        // Node with settings: { initialWindowSize: 1048576 } and session.setLocalWindowSize(1048576).
        let right = try verifyServer("what-http2-does-not-fix", 5, H2(initialWindowSize: 1_048_576, connectionWindowIncrement: 1_048_576 - 65_535))
        #expect(right.status == .correct, "\(right.details)")
        // nginx with http2_body_preread_size 1m: stream 1 MiB, connection 2^31-1.
        let nginxRight = try verifyServer("what-http2-does-not-fix", 5, H2(maxConcurrentStreams: 128, initialWindowSize: 1_048_576, connectionWindowIncrement: 2_147_418_112))
        #expect(nginxRight.status == .correct, "\(nginxRight.details)")
        // Node's default: an empty SETTINGS frame, no WINDOW_UPDATE.
        let node = try verifyServer("what-http2-does-not-fix", 5, H2())
        #expect(node.status == .wrong)
        #expect(failures(node) == """
            ✘ grant each stream a window of at least 1 MiB (yours: stream 65535 (SETTINGS_INITIAL_WINDOW_SIZE not sent), connection 65535 (no WINDOW_UPDATE on stream 0))
            ✘ grant the connection a window of at least 1 MiB (yours: stream 65535 (SETTINGS_INITIAL_WINDOW_SIZE not sent), connection 65535 (no WINDOW_UPDATE on stream 0))
            """)
        // Node with the setting only: the connection window stays at 65,535.
        let settingOnly = try verifyServer("what-http2-does-not-fix", 5, H2(initialWindowSize: 1_048_576))
        #expect(settingOnly.status == .wrong)
        #expect(failures(settingOnly) == "✘ grant the connection a window of at least 1 MiB (yours: stream 1048576 (SETTINGS_INITIAL_WINDOW_SIZE), connection 65535 (no WINDOW_UPDATE on stream 0))")
        // nginx's default: connection 2^31-1, each stream 65,536.
        let nginx = try verifyServer("what-http2-does-not-fix", 5, H2(maxConcurrentStreams: 128, initialWindowSize: 65_536, connectionWindowIncrement: 2_147_418_112))
        #expect(nginx.status == .wrong)
        #expect(failures(nginx) == "✘ grant each stream a window of at least 1 MiB (yours: stream 65536 (SETTINGS_INITIAL_WINDOW_SIZE), connection 2147483647 (65535 + WINDOW_UPDATE 2147418112 on stream 0))")
        // One byte short of 1 MiB for the connection.
        let short = try verifyServer("what-http2-does-not-fix", 5, H2(initialWindowSize: 1_048_576, connectionWindowIncrement: 1_048_575 - 65_535))
        #expect(short.status == .wrong)
        #expect(failures(short).contains("connection 1048575 (65535 + WINDOW_UPDATE 983040 on stream 0)"))
        let http1 = try verifyServer("what-http2-does-not-fix", 5, Behaviour())
        #expect(http1.status == .wrong)
        #expect(failures(http1).contains("it answered with HTTP/1: HTTP/1.1 200 OK"))
    }

    @Test("probe.h2.sent reads every known setting, none when not sent; protocol: h2 sends no HTTP/1.1 request")
    func sentSettings() throws {
        let text = """
            ---
            id: h2keys
            phase: 1
            phase_title: Test
            sequence: 1
            title: h2 keys
            difficulty: beginner
            tags: [t]
            prerequisites: []
            estimated_minutes: 1
            ---

            ## Challenge

            1. Serve h2c.

               <!-- check your-server
               protocol: h2
               streams: 3
               idle-wait: 50ms
               expect probe.h2.sent.MAX_CONCURRENT_STREAMS == 7 "seven ({probe.h2.settings})"
               expect probe.h2.sent.INITIAL_WINDOW_SIZE == none "no window sent"
               expect probe.h2.streamsOpened == 3 and probe.h2.streamsAnswered == 3 "three at once ({probe.h2.streamsDetail})"
               expect probe.persistence == "not tried" "no HTTP/1.1 check ({probe.persistence})"
               -->
            """
        let lesson = try LessonLoader.parse(text, path: "h2keys.md").get()
        let server = try StandInH2Server(H2(maxConcurrentStreams: 7))
        defer { server.stop() }
        let result = ChallengeVerifier.verify(lesson: lesson, challenge: lesson.challenges[0], input: VerificationInput(url: server.url))
        #expect(result.status == .correct, "\(result.details)")
        let other = try StandInH2Server(H2(maxConcurrentStreams: 2))
        defer { other.stop() }
        let wrong = ChallengeVerifier.verify(lesson: lesson, challenge: lesson.challenges[0], input: VerificationInput(url: other.url))
        #expect(failures(wrong) == "✘ seven (MAX_CONCURRENT_STREAMS=2)\n✘ three at once (2 of 2 answered (status 200); 3 were asked for, the server's SETTINGS_MAX_CONCURRENT_STREAMS allows 2)")
    }

    @Test("without protocol: h2, a port that speaks only h2c gets one HTTP/1.1 request, not every HTTP/1.x check")
    func h2cOnlyPort() throws {
        let text = """
            ---
            id: h2only
            phase: 1
            phase_title: Test
            sequence: 1
            title: h2 only
            difficulty: beginner
            tags: [t]
            prerequisites: []
            estimated_minutes: 1
            ---

            ## Challenge

            1. Serve h2c.

               <!-- check your-server
               max-wait: 100ms
               expect probe.h2.priorKnowledge "h2c"
               expect probe.persistence == "not tried" "no other HTTP/1.x check ({probe.persistence})"
               -->
            """
        let lesson = try LessonLoader.parse(text, path: "h2only.md").get()
        let server = try StandInH2Server(H2())
        defer { server.stop() }
        let result = ChallengeVerifier.verify(lesson: lesson, challenge: lesson.challenges[0], input: VerificationInput(url: server.url))
        #expect(result.status == .correct, "\(result.details)")
        // The HTTP/1.1 GET meets the server's SETTINGS frame, and the probe names it.
        #expect(result.details.contains {
            $0.contains("an HTTP/1.1 GET got an answer that is not HTTP/1.x (bad status line at byte 0: an HTTP/2 SETTINGS frame, not a status line")
                && $0.contains("the port speaks h2c, so the other HTTP/1.x checks were left out")
        }, "\(result.details)")
    }

}

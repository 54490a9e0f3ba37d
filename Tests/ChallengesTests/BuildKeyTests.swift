import Foundation
import Testing
import Challenges
import LabKit

/// Verifies a build challenge of the course's own lessons with a script.
func verifyBuild(_ lessonID: String, _ number: Int, _ text: String) throws -> VerificationResult {
    let lesson = try #require(LessonLibrary.load(directory: packageLessonsDirectory()).lessons.first { $0.id == lessonID })
    let challenge = try #require(lesson.challenges.first { $0.number == number })
    #expect(challenge.key?.kind == .build)
    return ChallengeVerifier.verify(lesson: lesson, challenge: challenge, input: VerificationInput(file: try script(text)))
}

/// Every build challenge with an honest solution, which passes, and a plausible wrong one that
/// produces some of the same counts without doing the task, which must not.
@Suite("Build keys: an honest solution passes, a plausible wrong one does not")
struct BuildKeyTests {
    @Test("request-response-lifecycle 5: a raw socket with POST /echo and a 5-byte body passes; two agent GETs fail")
    func lesson1() throws {
        let right = try verifyBuild("request-response-lifecycle", 5, #"""
            open c
            send c "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            let a = recv c until="\r\n\r\n"
            let n = num(header(a, "Content-Length"))
            let ab = recv c bytes=n
            send c "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
            let b = recv c until="\r\n\r\n"
            close c
            """#)
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyBuild("request-response-lifecycle", 5, #"""
            agent a keepAlive=true
            a GET /
            a GET /
            """#)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("send a POST /echo"), "\(wrong.details)")
        let framed = try verifyBuild("request-response-lifecycle", 5, #"""
            open c
            send c "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
            let a = recv c until="\r\n\r\n"
            let ab = recv c bytes=num(header(a, "Content-Length"))
            send c "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
            let b = recv c until="\r\n\r\n"
            """#)
        #expect(framed.status == .wrong)
        #expect(failures(framed).contains("frame the body hello with Content-Length: 5 (the server parsed: POST /echo (Content-Length: 0), GET /)"))
    }

    @Test("http-keep-alive 6: three at a time passes; 30 sequential fetches fail")
    func lesson2() throws {
        let right = try verifyBuild("http-keep-alive", 6, #"""
            agent pool keepAlive=true maxSockets=3
            repeat 10 { parallel { pool GET / 
             pool GET /
             pool GET / } }
            """#)
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyBuild("http-keep-alive", 6, #"""
            agent pool keepAlive=true maxSockets=3
            repeat 30 { pool GET / }
            """#)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("keep two or three requests in flight"), "\(wrong.details)")
    }

    @Test("handshake-cost 4: files over the simulated network pass; switching it on after the requests fails")
    func lesson3() throws {
        let right = try verifyBuild("handshake-cost", 4, #"""
            network rtt=50ms tls=1
            agent browser keepAlive=true maxSockets=6
            parallel 6 { repeat 17 { browser GET / } }
            """#)
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyBuild("handshake-cost", 4, #"""
            agent browser keepAlive=true maxSockets=6
            parallel 6 { repeat 17 { browser GET / } }
            network rtt=50ms tls=1
            """#)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("every file crosses a simulated RTT"), "\(wrong.details)")
    }

    @Test("tcp-vs-http-keepalive 4: a timeout on /delay/2000 then / through client passes; another path fails")
    func lesson7() throws {
        let right = try verifyBuild("tcp-vs-http-keepalive", 4, #"""
            agent client keepAlive=true keepAliveMsecs=10000 timeout=300ms
            let slow = client GET /delay/2000
            let fine = client GET /
            """#)
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyBuild("tcp-vs-http-keepalive", 4, #"""
            agent client keepAlive=true keepAliveMsecs=10000 timeout=300ms
            let slow = client GET /delay/1000
            let fine = client GET /
            """#)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("send a request to /delay/2000"), "\(wrong.details)")
    }

    @Test("connection-pool 5: two origins in flight together pass; one origin after the other fails")
    func lesson8() throws {
        let right = try verifyBuild("connection-pool", 5, #"""
            server box keepAliveTimeout=5s
            agent client keepAlive=true maxSockets=3 maxTotalSockets=4
            repeat 5 {
              parallel {
                client GET /delay/20
                client GET /delay/20
                client GET /delay/20 to=box
                client GET /delay/20 to=box
                client GET /delay/20 to=box
              }
            }
            """#)
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyBuild("connection-pool", 5, #"""
            server box keepAliveTimeout=5s
            agent client keepAlive=true maxSockets=3 maxTotalSockets=4
            repeat 10 { client GET / }
            repeat 10 { client GET / to=box }
            """#)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("make the pool close one origin"), "\(wrong.details)")
    }

    @Test("stale-connections 3: an agent that retires sockets first passes; one that trusts the header fails")
    func lesson9() throws {
        let right = try verifyBuild("stale-connections", 3, #"""
            server keepAliveTimeout=1500ms keepAliveHint=5s
            agent careful keepAlive=true freeSocketTimeout=1s
            repeat 3 {
              careful GET /
              careful GET /
              sleep 1600ms
            }
            """#)
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyBuild("stale-connections", 3, #"""
            server keepAliveTimeout=1500ms keepAliveHint=5s
            agent trusting keepAlive=true
            repeat 3 {
              trusting GET /
              trusting GET /
              sleep 1600ms
            }
            """#)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("the server never closes an idle connection on you"), "\(wrong.details)")
    }

    @Test("graceful-shutdown 4: a drain followed by a new instance passes; stopping at the drain fails")
    func lesson12() throws {
        let right = try verifyBuild("graceful-shutdown", 4, #"""
            agent steady keepAlive=true maxSockets=3
            parallel {
              parallel 3 { steady GET /delay/200 }
              { sleep 50ms; server shutdown grace=2s; server restart }
            }
            repeat 9 { steady GET / }
            """#)
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyBuild("graceful-shutdown", 4, #"""
            agent steady keepAlive=true maxSockets=3
            repeat 9 { steady GET / }
            parallel {
              parallel 3 { steady GET /delay/200 }
              { sleep 50ms; server shutdown grace=2s }
            }
            """#)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("carry on after the shutdown"), "\(wrong.details)")
    }

    @Test("load-balancer-timeouts 4: the proxy race passes; /status/502 and idle closes fail")
    func lesson14() throws {
        let right = try verifyBuild("load-balancer-timeouts", 4, #"""
            server keepAliveTimeout=600ms
            network rtt=200ms
            agent upA keepAlive=true ignoreHint=true retryStale=false freeSocketTimeout=2s
            proxy lbA upstream=upA
            agent clients keepAlive=true
            parallel 5 { clients GET / to=lbA }
            parallel 5 {
              clients GET / to=lbA
              sleep 300ms
              clients GET / to=lbA
            }
            """#)
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyBuild("load-balancer-timeouts", 4, #"""
            server keepAliveTimeout=300ms
            agent a keepAlive=true freeSocketTimeout=10s ignoreHint=true
            repeat 3 { a GET /status/502; sleep 400ms }
            """#)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("the 502s come from the proxy"), "\(wrong.details)")
    }

    @Test("connection-exhaustion 4: a burst of 100 passes; 300 sequential requests fail")
    func lesson15() throws {
        let right = try verifyBuild("connection-exhaustion", 4, #"""
            agent bounded keepAlive=true maxSockets=20
            repeat 3 { parallel 100 { bounded GET / } }
            """#)
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyBuild("connection-exhaustion", 4, #"""
            agent bounded keepAlive=true maxSockets=20
            repeat 300 { bounded GET / }
            """#)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("start at least 100 requests at the same moment"), "\(wrong.details)")
    }

    @Test("mystery-server 4: an agent that gives up first passes; one that believes the header fails")
    func lesson16() throws {
        let right = try verifyBuild("mystery-server", 4, #"""
            server box mystery=8
            agent careful keepAlive=true freeSocketTimeout=1s
            repeat 4 {
              careful GET / to=box
              careful GET / to=box
              sleep 3s
            }
            """#)
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyBuild("mystery-server", 4, #"""
            server box mystery=8
            agent trusting keepAlive=true
            repeat 4 {
              trusting GET / to=box
              trusting GET / to=box
              sleep 3s
            }
            """#)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("the server never closes an idle connection on your agent"), "\(wrong.details)")
    }
}

/// A new build, your-server or your-client challenge must come with its right and wrong test: this
/// fails until `BuildKeyTests`, `ServerKeyTests` or `ClientKeyTests` calls it.
@Suite("Every build, your-server and your-client challenge has its right-and-wrong test")
struct KeyCoverageTests {
    static func source(_ file: String) throws -> String {
        let directory = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
    }

    @Test("each build challenge is verified by BuildKeyTests, each your-server one by ServerKeyTests, each your-client one by ClientKeyTests")
    func covered() throws {
        let builds = try Self.source("BuildKeyTests.swift")
        let servers = try Self.source("ServerKeyTests.swift")
        let clients = try Self.source("ClientKeyTests.swift")
        var clientChallenges = 0
        let lessons = LessonLibrary.load(directory: packageLessonsDirectory()).lessons
        var seen = 0
        for lesson in lessons {
            for challenge in lesson.challenges {
                let call = "(\"\(lesson.id)\", \(challenge.number),"
                switch challenge.key?.kind {
                case .build:
                    seen += 1
                    #expect(builds.contains("verifyBuild" + call), "\(lesson.id) \(challenge.number) has no test in BuildKeyTests")
                case .yourServer:
                    seen += 1
                    #expect(servers.contains("verifyServer" + call), "\(lesson.id) \(challenge.number) has no test in ServerKeyTests")
                case .yourClient:
                    seen += 1
                    clientChallenges += 1
                    #expect(clients.contains("verifyClient" + call), "\(lesson.id) \(challenge.number) has no test in ClientKeyTests")
                default:
                    break
                }
            }
        }
        #expect(seen >= 23)
        #expect(clientChallenges >= 7)
    }
}

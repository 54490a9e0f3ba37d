import Foundation
import Testing
import Challenges
import LabKit

/// Whether `tool` is on PATH (a your-client test needs a real client to run).
func hasTool(_ tool: String) -> Bool {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
}

/// Whether python3 can import `requests`.
let hasPythonRequests: Bool = {
    guard hasTool("python3") else { return false }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import requests"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}()

/// A client program written to a temporary file (its path).
func clientFile(_ text: String, ext: String) throws -> String {
    let path = NSTemporaryDirectory() + "wirelab-client-\(UUID().uuidString).\(ext)"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Verifies a your-client challenge of the course's own lessons by running `command`.
func verifyClient(_ lessonID: String, _ number: Int, _ command: [String]) throws -> VerificationResult {
    let lesson = try #require(LessonLibrary.load(directory: packageLessonsDirectory()).lessons.first { $0.id == lessonID })
    let challenge = try #require(lesson.challenges.first { $0.number == number })
    #expect(challenge.key?.kind == .yourClient)
    return ChallengeVerifier.verify(lesson: lesson, challenge: challenge, input: VerificationInput(command: command))
}

func repeated(_ url: String, _ n: Int) -> [String] { Array(repeating: url, count: n) }

/// Every your-client challenge with a real client configured right, which passes, and the same
/// client configured wrong, which must not. Each needs its tool; without it the test is skipped
/// (its name says which tool).
@Suite("Client keys: a client configured right passes, the same client configured wrong does not", .serialized)
struct ClientKeyTests {
    @Test("http-keep-alive 8 (curl): five URLs on one command line pass; five curl runs fail", .enabled(if: hasTool("curl"), "curl is not installed"))
    func reuseCurl() throws {
        let right = try verifyClient("http-keep-alive", 8, ["curl", "-s", "-o", "/dev/null"] + repeated("{url}/", 5))
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyClient("http-keep-alive", 8, ["sh", "-c", "for i in 1 2 3 4 5; do curl -s -o /dev/null \"$WIRELAB_URL/\"; done"])
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("they came on 5 connections; 0 of 5 reused one"), "\(wrong.details)")
        #expect(wrong.details.contains { $0.contains("Observed 5 requests on 5 connections") })
    }

    @Test("http-keep-alive 8 (python3 requests): a Session passes; requests.get in a loop fails", .enabled(if: hasPythonRequests, "python3 with requests is not installed"))
    func reusePython() throws {
        let session = try clientFile("import os, requests\ns = requests.Session()\nfor _ in range(5):\n    s.get(os.environ['WIRELAB_URL'] + '/').content\n", ext: "py")
        let right = try verifyClient("http-keep-alive", 8, ["python3", session])
        #expect(right.status == .correct, "\(right.details)")
        let loose = try clientFile("import os, requests\nfor _ in range(5):\n    requests.get(os.environ['WIRELAB_URL'] + '/').content\n", ext: "py")
        let wrong = try verifyClient("http-keep-alive", 8, ["python3", loose])
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("they came on 5 connections"), "\(wrong.details)")
    }

    @Test("max-requests-per-socket 6 (curl): seven URLs in one run pass; seven runs fail", .enabled(if: hasTool("curl"), "curl is not installed"))
    func closeHonoured() throws {
        let right = try verifyClient("max-requests-per-socket", 6, ["curl", "-s", "-o", "/dev/null"] + repeated("{url}/", 7))
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyClient("max-requests-per-socket", 6, ["sh", "-c", "for i in 1 2 3 4 5 6 7; do curl -s -o /dev/null \"$WIRELAB_URL/\"; done"])
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("yours reused 0 (on 7 connections)"), "\(wrong.details)")
    }

    @Test("max-requests-per-socket 6 (python3 sockets): a client that writes past Connection: close fails", .enabled(if: hasTool("python3"), "python3 is not installed"))
    func closeIgnored() throws {
        // Seven requests in one write on one connection: those after the third come after the close.
        let pipelining = try clientFile("""
            import os, socket, time
            host, port = os.environ['WIRELAB_URL'][7:].split(':')
            s = socket.create_connection((host, int(port)))
            s.sendall(b'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' * 7)
            time.sleep(0.3)
            s.close()
            """, ext: "py")
        let wrong = try verifyClient("max-requests-per-socket", 6, ["python3", pipelining])
        #expect(wrong.status == .wrong, "\(wrong.details)")
    }

    @Test("connection-pool 6 (node): an Agent with maxSockets 4 passes; the default agent fails", .enabled(if: hasTool("node"), "node is not installed"))
    func poolNode() throws {
        func client(_ agent: String) -> String {
            """
            const http = require('http');
            const agent = \(agent);
            let left = 12;
            for (let i = 0; i < 12; i++) {
              http.get(process.env.WIRELAB_URL + '/delay/200', { agent }, res => { res.resume(); res.on('end', () => { if (--left === 0) agent.destroy(); }); });
            }
            """
        }
        let right = try verifyClient("connection-pool", 6, ["node", try clientFile(client("new http.Agent({ keepAlive: true, maxSockets: 4 })"), ext: "js")])
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyClient("connection-pool", 6, ["node", try clientFile(client("new http.Agent({ keepAlive: true })"), ext: "js")])
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("keep at most 4 connections open at once"), "\(wrong.details)")
    }

    @Test("connection-pool 6 (curl): --parallel-max 4 passes; --parallel-max 12 fails", .enabled(if: hasTool("curl"), "curl is not installed"))
    func poolCurl() throws {
        let urls = repeated("{url}/delay/200", 12)
        let right = try verifyClient("connection-pool", 6, ["curl", "-s", "-o", "/dev/null", "--parallel", "--parallel-max", "4"] + urls)
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyClient("connection-pool", 6, ["curl", "-s", "-o", "/dev/null", "--parallel", "--parallel-max", "12"] + urls)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("keep at most 4 connections open at once"), "\(wrong.details)")
    }

    static let staleSteps = """
        import os, time
        url = os.environ['WIRELAB_URL']
        """

    @Test("stale-connections 5 (python3 requests): a Session passes", .enabled(if: hasPythonRequests, "python3 with requests is not installed"))
    func staleRequests() throws {
        let session = try clientFile(Self.staleSteps + """

            import requests
            s = requests.Session()
            s.get(url + '/').content
            time.sleep(1)
            s.get(url + '/').content
            time.sleep(1)
            s.post(url + '/echo', data=b'once').content
            """, ext: "py")
        let right = try verifyClient("stale-connections", 5, ["python3", session])
        #expect(right.status == .correct, "\(right.details)")
    }

    @Test("stale-connections 5 (python3 http.client): one retry of the GET passes; blind reuse fails", .enabled(if: hasTool("python3"), "python3 is not installed"))
    func staleHTTPClient() throws {
        func client(retry: Bool) -> String {
            Self.staleSteps + """

            import http.client
            host, port = url[7:].split(':')
            c = http.client.HTTPConnection(host, int(port))
            def get():
                c.request('GET', '/'); c.getresponse().read()
            get()
            time.sleep(1)
            try:
                get()
            except (http.client.RemoteDisconnected, ConnectionError):
                if \(retry ? "True" : "False"):
                    c.close(); get()
            time.sleep(1)
            c.close()   # never reuse an idle connection for a POST: a fresh one
            c.request('POST', '/echo', body=b'once'); c.getresponse().read()
            """
        }
        let right = try verifyClient("stale-connections", 5, ["python3", try clientFile(client(retry: true), ext: "py")])
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyClient("stale-connections", 5, ["python3", try clientFile(client(retry: false), ext: "py")])
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("the server saw 1 GETs"), "\(wrong.details)")
        let twice = try verifyClient("stale-connections", 5, ["python3", try clientFile(client(retry: true) + "\nc.request('POST', '/echo', body=b'once'); c.getresponse().read()\n", ext: "py")])
        #expect(twice.status == .wrong)
        #expect(failures(twice).contains("the server saw 2 POSTs"), "\(twice.details)")
    }

    @Test("browser-connections 5 (curl as a browser's stand-in): 21 URLs over 6 connections pass; over 21 fail", .enabled(if: hasTool("curl"), "curl is not installed"))
    func browserStandIn() throws {
        let urls = ["{url}/page/20"] + repeated("{url}/delay/50", 20)
        let right = try verifyClient("browser-connections", 5, ["curl", "-s", "-o", "/dev/null", "--parallel", "--parallel-max", "6"] + urls)
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyClient("browser-connections", 5, ["curl", "-s", "-o", "/dev/null", "--parallel", "--parallel-max", "21"] + urls)
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("use at most six connections at once"), "\(wrong.details)")
    }

    static func nginxScript() throws -> String {
        try KeyCoverageTests.source("Clients/nginx-proxy.sh")
    }

    @Test("proxy-keep-alive 6 (nginx): upstream keepalive passes; nginx's defaults fail", .enabled(if: hasTool("nginx") && hasTool("curl") && hasTool("python3"), "nginx, curl or python3 is not installed"))
    func proxyNginx() throws {
        let script = try clientFile(try Self.nginxScript(), ext: "sh")
        let right = try verifyClient("proxy-keep-alive", 6, ["sh", script, "keep"])
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyClient("proxy-keep-alive", 6, ["sh", script, "plain"])
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("0 of 5 requests reused one, on 5 connections"), "\(wrong.details)")
        #expect(failures(wrong).contains("was HTTP/1.0"), "\(wrong.details)")
    }
}

@Suite("your-client --wait: the server waits until the learner says done", .serialized)
struct ClientWaitTests {
    @Test("the wait hands out the URL; a client run by hand is observed; finished ends the wait",
          .enabled(if: hasTool("curl"), "curl is not installed"))
    func handRun() throws {
        let lesson = try #require(LessonLibrary.load(directory: packageLessonsDirectory()).lessons.first { $0.id == "http-keep-alive" })
        let challenge = try #require(lesson.challenges.first { $0.number == 8 })
        let wait = ClientWait { url, limitMs, finished in
            #expect(limitMs == 30_000)
            // The learner's program, started by hand while the server waits.
            Thread.detachNewThread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["curl", "-s", "-o", "/dev/null"] + repeated(url + "/", 5)
                try? process.run()
                process.waitUntilExit()
                finished()
            }
        }
        let result = ChallengeVerifier.verify(lesson: lesson, challenge: challenge, input: VerificationInput(wait: true), clientWait: wait)
        #expect(result.status == .correct, "\(result.details)")
        #expect(result.details.first?.hasPrefix("Observed by hand on http://127.0.0.1:") == true, "\(result.details)")
        #expect(result.clientObservation?.requests.count == 5)
    }
}

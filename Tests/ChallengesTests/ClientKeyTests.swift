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

/// Whether python3 can import httpx and h2 (httpx's HTTP/2).
let hasPythonHTTPX: Bool = {
    guard hasTool("python3") else { return false }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import httpx, h2"]
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

    /// Builds Clients/go/drain.go with the standard library only (GO111MODULE=off, its cache and
    /// GOPATH in a temporary directory), at most 120 s; the binary's path.
    static func buildGoClient() throws -> String {
        let directory = NSTemporaryDirectory() + "wirelab-go-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try KeyCoverageTests.source("Clients/go/drain.go").write(toFile: directory + "/drain.go", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["timeout", "120", "go", "build", "-o", directory + "/drain", directory + "/drain.go"]
        var environment = ProcessInfo.processInfo.environment
        environment["GO111MODULE"] = "off"
        environment["GOCACHE"] = directory + "/cache"
        environment["GOPATH"] = directory + "/gopath"
        environment["GOFLAGS"] = ""
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "go build of Clients/go/drain.go failed (status \(process.terminationStatus))")
        return directory + "/drain"
    }

    @Test("http-keep-alive 8 (go): bodies read to EOF and closed pass; closed unread, or never closed, fail", .enabled(if: hasTool("go"), "go is not installed"))
    func reuseGo() throws {
        let client = try Self.buildGoClient()
        let right = try verifyClient("http-keep-alive", 8, [client, "drain"])
        #expect(right.status == .correct, "\(right.details)")
        let unread = try verifyClient("http-keep-alive", 8, [client, "close"])
        #expect(unread.status == .wrong)
        #expect(failures(unread).contains("they came on 5 connections; 0 of 5 reused one"), "\(unread.details)")
        let leaked = try verifyClient("http-keep-alive", 8, [client, "leak"])
        #expect(leaked.status == .wrong)
        #expect(failures(leaked).contains("they came on 5 connections; 0 of 5 reused one"), "\(leaked.details)")
        #expect(leaked.clientObservation?.maxOpenConnections == 5, "\(leaked.details)")
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

    /// Three GETs then a POST, in the order the challenge asks; each failure is printed, not raised.
    static let staleSteps = """
        import os, sys
        url = os.environ['WIRELAB_URL']
        steps = [('GET', '/'), ('GET', '/'), ('GET', '/'), ('POST', '/echo')]
        """

    @Test("stale-connections 5 (python3 requests): Retry(total=1) passes; the default adapter and a Retry of every method fail",
          .enabled(if: hasPythonRequests, "python3 with requests is not installed"))
    func staleRequests() throws {
        func client(_ adapter: String) throws -> String {
            try clientFile(Self.staleSteps + """

                import requests
                from requests.adapters import HTTPAdapter
                from urllib3.util.retry import Retry
                s = requests.Session()
                \(adapter)
                for method, path in steps:
                    try:
                        print(method, s.request(method, url + path, data=b'once' if method == 'POST' else None).status_code)
                    except requests.exceptions.ConnectionError as e:
                        print(method, 'failed:', e)
                """, ext: "py")
        }
        let right = try verifyClient("stale-connections", 5, ["python3", try client("s.mount('http://', HTTPAdapter(max_retries=Retry(total=1)))")])
        #expect(right.status == .correct, "\(right.details)")
        let plain = try verifyClient("stale-connections", 5, ["python3", try client("pass")])
        #expect(plain.status == .wrong)
        #expect(failures(plain).contains("the server answered 2 of 3 GETs"), "\(plain.details)")
        let blind = try verifyClient("stale-connections", 5, ["python3", try client("s.mount('http://', HTTPAdapter(max_retries=Retry(total=1, allowed_methods=None)))")])
        #expect(blind.status == .wrong)
        #expect(failures(blind).contains("the server saw 2 POSTs"), "\(blind.details)")
    }

    @Test("stale-connections 5 (python3 http.client): a GET resent once passes; no retry, or the POST resent too, fails",
          .enabled(if: hasTool("python3"), "python3 is not installed"))
    func staleHTTPClient() throws {
        func client(retry methods: [String]) throws -> String {
            try clientFile(Self.staleSteps + """

                import http.client
                host, port = url[7:].split(':')
                c = http.client.HTTPConnection(host, int(port))
                def send(method, path):
                    c.request(method, path, body=b'once' if method == 'POST' else None)
                    return c.getresponse().read()
                for method, path in steps:
                    try:
                        send(method, path)
                    except (http.client.RemoteDisconnected, ConnectionError) as e:
                        c.close()
                        if method in \(methods):
                            send(method, path)
                        else:
                            print(method, 'failed:', e)
                """, ext: "py")
        }
        let right = try verifyClient("stale-connections", 5, ["python3", try client(retry: ["GET"])])
        #expect(right.status == .correct, "\(right.details)")
        let none = try verifyClient("stale-connections", 5, ["python3", try client(retry: [])])
        #expect(none.status == .wrong)
        #expect(failures(none).contains("the server answered 2 of 3 GETs"), "\(none.details)")
        let blind = try verifyClient("stale-connections", 5, ["python3", try client(retry: ["GET", "POST"])])
        #expect(blind.status == .wrong)
        #expect(failures(blind).contains("the server saw 2 POSTs"), "\(blind.details)")
    }

    @Test("stale-connections 5 (node): an Agent resending a GET when req.reusedSocket passes; the plain Agent and fetch fail",
          .enabled(if: hasTool("node"), "node is not installed"))
    func staleNode() throws {
        func agent(retry: Bool) throws -> String {
            try clientFile("""
                const http = require('http');
                const agent = new http.Agent({ keepAlive: true });
                function send(method, path, again) {
                  return new Promise(done => {
                    const req = http.request(process.env.WIRELAB_URL + path, { method, agent }, res => { res.resume(); res.on('end', done); });
                    req.on('error', err => {
                      const resend = \(retry) && !again && method === 'GET' && req.reusedSocket && err.code === 'ECONNRESET';
                      if (resend) done(send(method, path, true)); else { console.log(method, 'failed:', err.code); done(); }
                    });
                    req.end(method === 'POST' ? 'once' : undefined);
                  });
                }
                (async () => { for (const p of ['/', '/', '/']) await send('GET', p); await send('POST', '/echo'); agent.destroy(); })();
                """, ext: "js")
        }
        let right = try verifyClient("stale-connections", 5, ["node", try agent(retry: true)])
        #expect(right.status == .correct, "\(right.details)")
        let plain = try verifyClient("stale-connections", 5, ["node", try agent(retry: false)])
        #expect(plain.status == .wrong)
        #expect(failures(plain).contains("the server answered 2 of 3 GETs"), "\(plain.details)")
        let fetch = try clientFile("""
            (async () => {
              for (const [method, path] of [['GET', '/'], ['GET', '/'], ['GET', '/'], ['POST', '/echo']]) {
                try { const r = await fetch(process.env.WIRELAB_URL + path, { method, body: method === 'POST' ? 'once' : undefined }); await r.text(); }
                catch (e) { console.log(method, 'failed:', e.cause && e.cause.code); }
              }
            })();
            """, ext: "js")
        let fetched = try verifyClient("stale-connections", 5, ["node", fetch])
        #expect(fetched.status == .wrong)
        #expect(failures(fetched).contains("all three GETs answered"), "\(fetched.details)")
    }

    @Test("stale-connections 5 (curl): the POST in a run of its own passes; one run resends the POST and fails",
          .enabled(if: hasTool("curl"), "curl is not installed"))
    func staleCurl() throws {
        let right = try verifyClient("stale-connections", 5, ["sh", "-c", "curl -s -o /dev/null \"$WIRELAB_URL/\" \"$WIRELAB_URL/\" \"$WIRELAB_URL/\"; curl -s -o /dev/null -d once \"$WIRELAB_URL/echo\""])
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyClient("stale-connections", 5, ["curl", "-s", "-o", "/dev/null"] + repeated("{url}/", 3) + ["--next", "-s", "-o", "/dev/null", "-d", "once", "{url}/echo"])
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("the server saw 2 POSTs"), "\(wrong.details)")
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

    /// The 20 images of /page/20, each answered 200 ms after it arrives.
    static let pageImages = (1...20).map { "/page/20/\($0)?delay=200ms" }

    @Test("browser-connections 7 (node): one http2.connect for 20 requests passes; a connect per request fails", .enabled(if: hasTool("node"), "node is not installed"))
    func multiplexNode() throws {
        func client(shared: Bool) throws -> String {
            try clientFile("""
                const http2 = require('http2');
                const base = process.env.WIRELAB_URL;
                const paths = [\(Self.pageImages.map { "'\($0)'" }.joined(separator: ", "))];
                const shared = \(shared) ? http2.connect(base) : null;
                let left = paths.length;
                for (const path of paths) {
                  const session = shared || http2.connect(base);
                  const req = session.request({ ':path': path });
                  req.on('response', () => { req.resume(); req.on('end', () => { if (!shared) session.close(); if (--left === 0 && shared) shared.close(); }); });
                  req.on('error', e => console.log(path, 'failed:', e.code));
                  req.end();
                }
                """, ext: "js")
        }
        let right = try verifyClient("browser-connections", 7, ["node", try client(shared: true)])
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyClient("browser-connections", 7, ["node", try client(shared: false)])
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("they came on 20 connections, 20 of them HTTP/2"), "\(wrong.details)")
        #expect(failures(wrong).contains("at most 1 were in flight on one HTTP/2 connection"), "\(wrong.details)")
    }

    @Test("browser-connections 7 (python3 httpx): AsyncClient(http2=True) passes; the default HTTP/1.1 AsyncClient fails", .enabled(if: hasPythonHTTPX, "python3 with httpx and h2 is not installed"))
    func multiplexHTTPX() throws {
        func client(http2: Bool) throws -> String {
            try clientFile("""
                import asyncio, os
                import httpx
                base = os.environ['WIRELAB_URL']
                paths = [\(Self.pageImages.map { "'\($0)'" }.joined(separator: ", "))]
                async def main():
                    async with httpx.AsyncClient(\(http2 ? "http1=False, http2=True" : "")) as client:
                        responses = await asyncio.gather(*(client.get(base + p) for p in paths))
                        print(sorted({r.http_version for r in responses}), [r.status_code for r in responses].count(200))
                asyncio.run(main())
                """, ext: "py")
        }
        let right = try verifyClient("browser-connections", 7, ["python3", try client(http2: true)])
        #expect(right.status == .correct, "\(right.details)")
        let wrong = try verifyClient("browser-connections", 7, ["python3", try client(http2: false)])
        #expect(wrong.status == .wrong)
        #expect(failures(wrong).contains("(0 of 20 were)"), "\(wrong.details)")
        #expect(failures(wrong).contains("0 of them HTTP/2"), "\(wrong.details)")
    }

    @Test("browser-connections 7 (nghttp, curl): nghttp -n passes; curl --parallel over HTTP/1.1, and curl 7.88's prior knowledge with --parallel-immediate, fail",
          .enabled(if: hasTool("nghttp") && hasTool("curl"), "nghttp or curl is not installed"))
    func multiplexCLI() throws {
        let urls = Self.pageImages.map { "{url}" + $0 }
        let right = try verifyClient("browser-connections", 7, ["nghttp", "-n"] + urls)
        #expect(right.status == .correct, "\(right.details)")
        let http1 = try verifyClient("browser-connections", 7, ["curl", "-s", "-o", "/dev/null", "--parallel", "--parallel-max", "20"] + urls)
        #expect(http1.status == .wrong)
        #expect(failures(http1).contains("(0 of 20 were)"), "\(http1.details)")
        // curl 7.88.1 cannot multiplex with prior knowledge (curl issue 10634): with
        // --parallel-immediate each transfer opens its own HTTP/2 connection.
        let immediate = try verifyClient("browser-connections", 7, ["curl", "-s", "-o", "/dev/null", "--http2-prior-knowledge", "--parallel", "--parallel-immediate", "--parallel-max", "20"] + urls)
        #expect(immediate.status == .wrong)
        #expect(failures(immediate).contains("they came on 20 connections"), "\(immediate.details)")
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

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabRun
import Testing
@testable import WireLabCLI

/// `wirelab observe` end to end: the lab server on port 0, real clients of this machine as COMMAND.
/// Each client test is skipped, saying why, when the tool is not installed.
@Suite("wirelab observe", .serialized)
struct ObserveCommandTests {
    static func tool(_ name: String) -> String? {
        ObserveChild.locate(name, path: ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    }

    static let hasCurl = tool("curl") != nil
    static let hasPythonRequests: Bool = {
        guard let python = tool("python3") else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import requests"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Runs `wirelab observe --json ARGS`, returns the exit status, the parsed object (nil when
    /// stdout was not JSON) and stderr.
    static func observe(_ arguments: [String]) throws -> (status: Int32, json: [String: Any]?, stderr: String, stdout: String) {
        let console = RecordingConsole()
        let status = CLI.main(["observe", "--json"] + arguments, console: console, environment: [:])
        let object = try? JSONSerialization.jsonObject(with: Data(console.stdout.utf8)) as? [String: Any]
        return (status, object, console.stderr, console.stdout)
    }

    static func connections(_ json: [String: Any]) -> [[String: Any]] { json["connections"] as? [[String: Any]] ?? [] }

    @Test("curl with two URLs on one command line: 2 requests on 1 connection, 1 reused",
          .enabled(if: hasCurl, "curl is not installed: skipped"))
    func curlReuses() throws {
        let har = FileManager.default.temporaryDirectory.appendingPathComponent("observe-\(getpid()).har").path
        defer { try? FileManager.default.removeItem(atPath: har) }
        let run = try Self.observe(["--har", har, "--", "curl", "-s", "-o", "/dev/null", "{url}/", "-o", "/dev/null", "{url}/echo"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(run.json, "stdout: \(run.stdout)")
        #expect(json["requests"] as? Int == 2)
        #expect(json["reusedRequests"] as? Int == 1)
        #expect(json["maxOpenConnections"] as? Int == 1)
        let connections = Self.connections(json)
        #expect(connections.count == 1)
        #expect(connections.first?["requests"] as? Int == 2)
        #expect(connections.first?["protocol"] as? String == "HTTP/1.1")
        #expect(connections.first?["closedBy"] as? String == "client")
        let requests = try #require(json["requestList"] as? [[String: Any]])
        #expect(requests.map { $0["target"] as? String } == ["/", "/echo"])
        #expect(requests.allSatisfy { ($0["userAgent"] as? String)?.hasPrefix("curl/") == true })
        let command = try #require(json["command"] as? [String: Any])
        #expect(command["exitStatus"] as? Int == 0)
        // The HAR file: two entries on connection "1".
        let data = try #require(FileManager.default.contents(atPath: har))
        let log = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["log"] as? [String: Any])
        #expect(log["version"] as? String == "1.2")
        let entries = try #require(log["entries"] as? [[String: Any]])
        #expect(entries.map { $0["connection"] as? String } == ["1", "1"])
        #expect(entries.map { ($0["request"] as? [String: Any])?["url"] as? String }.allSatisfy { $0?.hasPrefix("http://127.0.0.1:") == true })
    }

    @Test("two separate curl runs through sh -c: 2 requests on 2 connections, none reused, and the diagnosis says so",
          .enabled(if: hasCurl && tool("sh") != nil, "curl or sh is not installed: skipped"))
    func separateCurls() throws {
        let run = try Self.observe(["--", "sh", "-c", "curl -s -o /dev/null \"$WIRELAB_URL/\" && curl -s -o /dev/null \"$WIRELAB_URL/\""])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(run.json, "stdout: \(run.stdout)")
        #expect(json["requests"] as? Int == 2)
        #expect(json["reusedRequests"] as? Int == 0)
        #expect(Self.connections(json).map { $0["requests"] as? Int } == [1, 1])
        let diagnosis = json["diagnosis"] as? [String] ?? []
        #expect(diagnosis.first?.hasPrefix("2 requests on 2 connections: each request paid a new handshake") == true)
    }

    @Test("serve's knobs apply: --max-requests-per-socket 2 and three curl URLs make 2 connections, the first closed by the server",
          .enabled(if: hasCurl, "curl is not installed: skipped"))
    func serverKnobs() throws {
        let run = try Self.observe(["--max-requests-per-socket", "2", "--", "curl", "-s", "-o", "/dev/null", "{url}/", "-o", "/dev/null", "{url}/", "-o", "/dev/null", "{url}/"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(run.json, "stdout: \(run.stdout)")
        #expect(json["requests"] as? Int == 3)
        #expect(json["reusedRequests"] as? Int == 1)
        #expect(Self.connections(json).map { $0["closeReason"] as? String } == ["maxRequests", "clientClosed"])
        #expect(json["requestsAfterClose"] as? Int == 0)
        #expect((json["server"] as? [String: Any])?["maxRequestsPerSocket"] as? Int == 2)
    }

    @Test("--rtt: the relay passes requests and closes both ways; a new connection costs at least two RTTs, a reused one at least one",
          .enabled(if: hasCurl, "curl is not installed: skipped"))
    func simulatedRTT() throws {
        let har = FileManager.default.temporaryDirectory.appendingPathComponent("observe-rtt-\(getpid()).har").path
        defer { try? FileManager.default.removeItem(atPath: har) }
        let run = try Self.observe(["--rtt", "60ms", "--har", har, "--", "curl", "-s", "-o", "/dev/null", "-w", "%{time_total}\\n", "{url}/",
                                    "-o", "/dev/null", "-w", "%{time_total}\\n", "{url}/echo"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(run.json, "stdout: \(run.stdout)")
        #expect(json["simulatedRttMs"] as? Int == 60)
        #expect(json["requests"] as? Int == 2)
        #expect(json["reusedRequests"] as? Int == 1)
        #expect(Self.connections(json).map { $0["closedBy"] as? String } == ["client"])
        // Lower bounds only: the delays are timers that never fire early.
        let seconds = ((json["command"] as? [String: Any])?["stdout"] as? String ?? "").split(separator: "\n").compactMap { Double($0) }
        #expect(seconds.count == 2)
        if seconds.count == 2 {
            #expect(seconds[0] >= 0.120, "new connection: \(seconds[0])s")
            #expect(seconds[1] >= 0.060, "reused: \(seconds[1])s")
        }
        let data = try #require(FileManager.default.contents(atPath: har))
        let entries = ((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["log"] as? [String: Any])?["entries"] as? [[String: Any]] ?? []
        #expect(entries.map { $0["_simulatedRttMs"] as? Double } == [60, 60])
    }

    @Test("--rtt relays large bodies both ways whole: 20 MB down, 800 KB up",
          .enabled(if: hasCurl && tool("sh") != nil, "curl or sh is not installed: skipped"))
    func simulatedRTTLargeBodies() throws {
        let body = FileManager.default.temporaryDirectory.appendingPathComponent("observe-body-\(getpid()).bin").path
        defer { try? FileManager.default.removeItem(atPath: body) }
        try Data((0..<800_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: URL(fileURLWithPath: body))
        let script = "curl -s -o /dev/null -w '%{size_download} %{http_code}\\n' \"$WIRELAB_URL/bytes/20000000\" && "
            + "curl -s -o /dev/null -w '%{size_upload} %{http_code}\\n' --data-binary @\(body) \"$WIRELAB_URL/echo\""
        let run = try Self.observe(["--rtt", "10ms", "--", "sh", "-c", script])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(run.json, "stdout: \(run.stdout)")
        #expect((json["command"] as? [String: Any])?["stdout"] as? String == "20000000 200\n800000 200\n")
        #expect(json["requests"] as? Int == 2)
    }

    @Test("--rtt with the server closing: its FIN reaches the client through the relay, and curl opens a second connection",
          .enabled(if: hasCurl, "curl is not installed: skipped"))
    func simulatedRTTServerCloses() throws {
        let run = try Self.observe(["--rtt", "20ms", "--max-requests-per-socket", "1", "--", "curl", "-s", "-o", "/dev/null", "{url}/", "-o", "/dev/null", "{url}/"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(run.json, "stdout: \(run.stdout)")
        #expect(json["requests"] as? Int == 2)
        #expect(Self.connections(json).map { $0["closeReason"] as? String } == ["maxRequests", "maxRequests"])
        #expect(json["maxOpenConnections"] as? Int == 1)
    }

    @Test("Python requests: a Session reuses one connection, requests.get opens one per call",
          .enabled(if: hasPythonRequests, "python3 with the requests package is not installed: skipped"))
    func pythonRequests() throws {
        let session = "import os, requests\ns = requests.Session()\nfor _ in range(3): s.get(os.environ['WIRELAB_URL'] + '/').raise_for_status()\n"
        let right = try Self.observe(["--", "python3", "-c", session])
        #expect(right.status == 0, "\(right.stderr)")
        let rightJSON = try #require(right.json, "stdout: \(right.stdout)")
        #expect(rightJSON["requests"] as? Int == 3)
        #expect(rightJSON["reusedRequests"] as? Int == 2)
        #expect(Self.connections(rightJSON).count == 1)

        let get = "import os, requests\nfor _ in range(3): requests.get(os.environ['WIRELAB_URL'] + '/').raise_for_status()\n"
        let wrong = try Self.observe(["--", "python3", "-c", get])
        #expect(wrong.status == 0, "\(wrong.stderr)")
        let wrongJSON = try #require(wrong.json, "stdout: \(wrong.stdout)")
        #expect(wrongJSON["requests"] as? Int == 3)
        #expect(wrongJSON["reusedRequests"] as? Int == 0)
        #expect(Self.connections(wrongJSON).count == 3)
    }

    static let rawClientPrelude = "import os, socket, time\nhost, port = os.environ['WIRELAB_URL'][7:].split(':')\ns = socket.create_connection((host, int(port)))\n"

    @Test("a raw client pipelining two requests, the second to /close: one connection, closed by the server after it",
          .enabled(if: tool("python3") != nil, "python3 is not installed: skipped"))
    func pipelined() throws {
        let script = Self.rawClientPrelude + "s.sendall(b'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\nGET /close HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')\nwhile s.recv(65536): pass\n"
        let run = try Self.observe(["--", "python3", "-c", script])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(run.json, "stdout: \(run.stdout)")
        #expect(json["requests"] as? Int == 2)
        #expect(json["reusedRequests"] as? Int == 1)
        let connection = try #require(Self.connections(json).first)
        #expect(connection["closedBy"] as? String == "server")
        #expect(connection["closeReason"] as? String == "responseClose")
        let requests = try #require(json["requestList"] as? [[String: Any]])
        #expect(requests.map { $0["responseClosed"] as? Bool } == [false, true])
        #expect(requests.map { $0["userAgent"] is NSNull } == [true, true])
    }

    @Test("a raw client that never finishes its request head: stopped at --limit (exit 2), its connection reported",
          .enabled(if: tool("python3") != nil, "python3 is not installed: skipped"))
    func neverFinishes() throws {
        let script = Self.rawClientPrelude + "s.sendall(b'GET / HTTP/1.1\\r\\nHost: x\\r\\n')\ntime.sleep(30)\n"
        let run = try Self.observe(["--limit", "1s", "--", "python3", "-c", script])
        #expect(run.status == 2)
        #expect(run.stderr.contains("was still running after 1000ms (--limit)"))
        let json = try #require(run.json, "stdout: \(run.stdout)")
        #expect(json["requests"] as? Int == 0)
        #expect(Self.connections(json).count == 1)
        #expect((json["command"] as? [String: Any])?["timedOut"] as? Bool == true)
        #expect((json["diagnosis"] as? [String])?.first?.hasPrefix("0 requests on 1 connection") == true)
    }

    @Test("COMMAND's own failure is reported: its exit status, its output, and exit 1")
    func commandFails() throws {
        try #require(Self.tool("sh") != nil, "sh is not installed")
        let run = try Self.observe(["--", "sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(run.status == 1)
        let command = try #require(run.json?["command"] as? [String: Any])
        #expect(command["exitStatus"] as? Int == 3)
        #expect(command["stdout"] as? String == "out\n")
        #expect(command["stderr"] as? String == "err\n")
    }

    @Test("a COMMAND that is not on PATH is a clear error, exit 2, and nothing is run")
    func notFound() throws {
        let run = try Self.observe(["--", "wirelab-no-such-command-\(getpid())"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("Error: command not found: 'wirelab-no-such-command-"))
    }

    @Test("a COMMAND still running at --limit is stopped: exit 2, and the server is shut down",
          .enabled(if: tool("sleep") != nil, "sleep is not installed: skipped"))
    func limit() throws {
        let console = RecordingConsole()
        let status = CLI.main(["observe", "--limit", "300ms", "--", "sleep", "30"], console: console, environment: [:])
        #expect(status == 2)
        #expect(console.stderr.contains("'sleep' was still running after 300ms (--limit): stopped it"))
        #expect(console.stdout.contains("'sleep' killed by signal"))   // 15, or 9 where SIGTERM is ignored
        // The port it listened on refuses connections now.
        let line = try #require(console.stdout.split(separator: "\n").first { $0.contains("server on http://127.0.0.1:") })
        let port = try #require(UInt16(line.split(separator: ":").last!.prefix { $0.isNumber }))
        #expect(!Self.accepts(port))
    }

    static func accepts(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    static let hasH2Load = tool("h2load") != nil

    @Test("curl --http2-prior-knowledge: one HTTP/2 connection, its request on stream 1",
          .enabled(if: hasCurl, "curl is not installed: skipped"))
    func curlHTTP2() throws {
        let run = try Self.observe(["--h2-max-concurrent-streams", "7", "--", "curl", "--http2-prior-knowledge", "-s", "-o", "/dev/null", "{url}/echo"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(run.json, "stdout: \(run.stdout)")
        #expect((json["server"] as? [String: Any])?["h2MaxConcurrentStreams"] as? Int == 7)
        #expect((json["server"] as? [String: Any])?["h2MaxFrameSize"] as? Int == 16_384)
        #expect(json["requests"] as? Int == 1)
        #expect((json["versions"] as? [String: Int]) == ["HTTP/2": 1])
        let connections = Self.connections(json)
        #expect(connections.count == 1)
        #expect(connections.first?["protocol"] as? String == "HTTP/2")
        #expect(connections.first?["requests"] as? Int == 1)
        let requests = try #require(json["requestList"] as? [[String: Any]])
        #expect(requests.first?["version"] as? String == "HTTP/2")
        #expect(requests.first?["stream"] as? Int == 1)
        #expect(requests.first?["status"] as? Int == 200)
    }

    @Test("h2load -n 20 -c 2 -m 5: 2 HTTP/2 connections of 10 streams each, every one answered, multiplexed",
          .enabled(if: hasH2Load, "h2load is not installed: skipped"))
    func h2load() throws {
        let run = try Self.observe(["--", "h2load", "-n", "20", "-c", "2", "-m", "5", "{url}/delay/20"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(run.json, "stdout: \(run.stdout)")
        #expect(json["requests"] as? Int == 20)
        let connections = Self.connections(json)
        #expect(connections.count == 2)
        #expect(connections.allSatisfy { $0["protocol"] as? String == "HTTP/2" && $0["requests"] as? Int == 10 })
        let requests = try #require(json["requestList"] as? [[String: Any]])
        #expect(requests.count == 20)
        #expect(requests.allSatisfy { $0["status"] as? Int == 200 && $0["respondedAtMs"] is Double })
        for id in [1, 2] {
            let mine = requests.filter { $0["connection"] as? Int == id }
            // Streams 1, 3, ... 19 on each connection, their index on it in order.
            #expect(mine.compactMap { $0["stream"] as? Int }.sorted() == Array(stride(from: 1, through: 19, by: 2)))
            #expect(mine.compactMap { $0["indexOnConnection"] as? Int }.sorted() == Array(1...10))
        }
        // /delay/20 holds each stream 20 ms: the five of one batch are in flight together.
        #expect((json["maxRequestsInFlight"] as? Int ?? 0) >= 5)
        let diagnosis = (json["diagnosis"] as? [String] ?? []).joined(separator: "\n")
        #expect(diagnosis.contains("20 of the requests were HTTP/2 streams on 2 connections, at most 5 in flight on one"), "\(diagnosis)")
    }

    @Test("usage errors exit 64 and name the option")
    func usage() {
        for (arguments, message) in [(["observe", "--"], "Nothing after '--'"),
                                     (["observe", "curl"], "Unexpected argument 'curl'"),
                                     (["observe", "--for", "1s", "--", "true"], "Option '--for' is for observing by hand"),
                                     (["observe", "--limit", "soon", "--", "true"], "Option '--limit' expects a duration"),
                                     (["observe", "--kep-alive-timeout", "1s"], "Did you mean '--keep-alive-timeout'?")] {
            let console = RecordingConsole()
            #expect(CLI.main(arguments, console: console, environment: [:]) == 64, "\(arguments)")
            #expect(console.stderr.contains(message), "\(arguments): \(console.stderr)")
        }
    }

    @Test("without COMMAND it observes for --for, prints the URL, and reports nothing seen")
    func byHand() {
        let console = RecordingConsole()
        #expect(CLI.main(["observe", "--for", "50ms"], console: console, environment: [:]) == 0)
        #expect(console.stdout.contains("observing: point your browser or program at http://127.0.0.1:"))
        #expect(console.stdout.contains("0 requests: nothing reached the server"))
    }
}

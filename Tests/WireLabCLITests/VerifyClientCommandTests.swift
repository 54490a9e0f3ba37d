import Foundation
import Testing
@testable import WireLabCLI

/// A lessons directory with one your-client challenge (five requests on one connection).
func makeClientFixture() throws -> (lessons: String, environment: [String: String]) {
    let dir = NSTemporaryDirectory() + "wirelab-verify-client-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let text = """
        ---
        id: clients
        phase: 1
        phase_title: Test
        sequence: 1
        title: Your client
        difficulty: beginner
        tags: [t]
        prerequisites: []
        estimated_minutes: 1
        ---

        ## Concept

        Text.

        ## Experiment

        ```lab
        agent ka keepAlive=true maxSockets=1
        repeat 2 { ka GET / }
        print "connections: {server.connections}"
        ```

        ## Expected Output

        ```
        connections: 1
        ```

        ## Challenge

        1. Your client sends three requests on one connection.

           <!-- check your-client
           limit: 5s
           explain: One session keeps one connection.
           expect client.requests >= 3 "send at least 3 requests (the server saw {client.requests})"
           expect client.usedConnections == 1 "send them on one connection (they came on {client.usedConnections})"
           -->
        2. Predict.

           <!-- check predict
           answer: 1
           explain: One.
           -->
        """
    try text.write(toFile: dir + "/01-clients.md", atomically: true, encoding: .utf8)
    let state = NSTemporaryDirectory() + "wirelab-verify-client-state-\(UUID().uuidString)"
    return (dir, ["NO_COLOR": "1", "WIRELAB_STATE": state])
}

/// A small client: `python3 -c` sending `n` requests, on one connection or one each.
func pythonClient(_ n: Int, reuse: Bool) -> [String] {
    ["python3", "-c", """
        import os, http.client
        host, port = os.environ['WIRELAB_URL'][7:].split(':')
        c = http.client.HTTPConnection(host, int(port))
        for _ in range(\(n)):
            c.request('GET', '/'); c.getresponse().read()
            if not \(reuse ? "True" : "False"): c.close()
        c.close()
        """]
}

@Suite("wirelab verify -- COMMAND: your-client exit codes", .serialized)
struct VerifyClientCommandTests {
    @Test("a client that reuses exits 0 and is saved; one that does not exits 1 with the measured values and observe's report",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "python3 is not installed at /usr/bin/python3"))
    func rightAndWrong() throws {
        let (lessons, env) = try makeClientFixture()
        let right = runLessonCLI(["verify", "clients", "1", "--lessons", lessons, "--"] + pythonClient(3, reuse: true), environment: env)
        #expect(right.status == 0, "\(right.out)\(right.err)")
        #expect(right.out.contains("✔ Correct: all 2 conditions held on what the server observed of your client."))
        #expect(right.out.contains("Observed 3 requests on 1 connection (2 reused)"))
        #expect(right.out.contains("Saved: 1 of 2 challenges verified."))
        let wrong = runLessonCLI(["verify", "clients", "1", "--lessons", lessons, "--"] + pythonClient(3, reuse: false), environment: env)
        #expect(wrong.status == 1)
        #expect(wrong.out.contains("✘ send them on one connection (they came on 3)"), "\(wrong.out)")
        #expect(wrong.out.contains("Observed 3 requests on 3 connections"))
        #expect(!wrong.out.contains("One session keeps one connection."))   // no explanation after a wrong answer
    }

    @Test("{url} in the arguments is the lab server's URL; a client that exits non-zero is reported with its status",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/sh"), "no /bin/sh"))
    func urlAndStatus() throws {
        let (lessons, env) = try makeClientFixture()
        let result = runLessonCLI(["verify", "clients", "1", "--lessons", lessons, "--", "sh", "-c", "echo \"$0\" | grep -q '^http://127.0.0.1:' && exit 3", "{url}"], environment: env)
        #expect(result.status == 1)
        #expect(result.out.contains("exited with status 3"), "\(result.out)")
        #expect(result.out.contains("expected") || result.out.contains("send at least 3 requests (the server saw 0)"))
    }

    @Test("a command not found exits 2 and nothing is recorded")
    func notFound() throws {
        let (lessons, env) = try makeClientFixture()
        let result = runLessonCLI(["verify", "clients", "1", "--lessons", lessons, "--", "wirelab-no-such-client-\(UUID().uuidString.prefix(8))"], environment: env)
        #expect(result.status == 2)
        #expect(result.out.contains("Command not found: 'wirelab-no-such-client-"), "\(result.out)")
        #expect(!FileManager.default.fileExists(atPath: env["WIRELAB_STATE"]! + "/progress.json"))
    }

    @Test("a command still running at the key's limit is stopped: exit 2", .enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/sleep"), "no /bin/sleep"))
    func outlivesLimit() throws {
        let (lessons, env) = try makeClientFixture()
        let result = runLessonCLI(["verify", "clients", "1", "--lessons", lessons, "--", "/bin/sleep", "30"], environment: env)
        #expect(result.status == 2)
        #expect(result.out.contains("was still running after 5000ms (this challenge's limit): stopped it"), "\(result.out)")
    }

    @Test("usage errors exit 64", arguments: [
        (["verify", "clients", "1"], "-- COMMAND ARGS..."),
        (["verify", "clients", "1", "5"], "runs your client: give it after '--'"),
        (["verify", "clients", "1", "--"], "Nothing after '--'"),
        (["verify", "clients", "1", "--wait", "--", "curl", "{url}"], "either --wait or -- COMMAND"),
        (["verify", "clients", "2", "1", "--", "curl", "{url}"], "not a your-client challenge"),
        (["verify", "clients", "2", "--wait"], "not a your-client challenge"),
        (["verify", "clients", "1", "--reveal", "--", "curl"], "'--reveal' shows the answer"),
    ] as [([String], String)])
    func usage(arguments: [String], message: String) throws {
        let (lessons, env) = try makeClientFixture()
        let split = arguments.firstIndex(of: "--") ?? arguments.count
        let full = Array(arguments[..<split]) + ["--lessons", lessons] + Array(arguments[split...])
        let result = runLessonCLI(full, environment: env)
        #expect(result.status == 64, "\(result.out)\(result.err)")
        #expect((result.out + result.err).contains(message), "\(result.out)\(result.err)")
        #expect(!result.out.contains("Verifying"))
    }
}

import Foundation
import LabRun
import Testing
@testable import WireLabCLI

/// `observe --close-silently-after N` and `--drop-reused N|all` with curl as the client, and their
/// usage errors.
@Suite("wirelab observe: a misbehaving server", .serialized)
struct ObserveMisbehaviourTests {
    typealias O = ObserveCommandTests

    @Test("--close-silently-after 1: curl's second URL needs a new connection; nothing announced a close",
          .enabled(if: O.hasCurl, "curl is not installed: skipped"))
    func silentClose() throws {
        let run = try O.observe(["--close-silently-after", "1", "--", "curl", "-s", "-o", "/dev/null", "{url}/", "-o", "/dev/null", "{url}/"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(run.json, "stdout: \(run.stdout)")
        #expect(json["requests"] as? Int == 2)
        #expect(json["reusedRequests"] as? Int == 0)
        #expect(O.connections(json).first?["closeReason"] as? String == "closedSilently")
        #expect(O.connections(json).first?["closedBy"] as? String == "server")
        let requests = try #require(json["requestList"] as? [[String: Any]])
        #expect(requests.map { $0["responseClosed"] as? Bool } == [false, false])
        #expect((json["server"] as? [String: Any])?["closeSilentlyAfter"] as? Int == 1)
    }

    @Test("--drop-reused all: curl's second GET is read and unanswered on connection 1, and curl resends it on connection 2",
          .enabled(if: O.hasCurl, "curl is not installed: skipped"))
    func dropReused() throws {
        let run = try O.observe(["--drop-reused", "all", "--", "curl", "-s", "-o", "/dev/null", "{url}/", "-o", "/dev/null", "{url}/"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(run.json, "stdout: \(run.stdout)")
        let requests = try #require(json["requestList"] as? [[String: Any]])
        #expect(requests.map { $0["connection"] as? Int } == [1, 1, 2])
        #expect(requests.map { $0["status"] as? Int } == [200, nil, 200])
        #expect(O.connections(json).first?["closeReason"] as? String == "droppedRequest")
        // The dropped request left flight when its connection closed, not at the end.
        #expect(json["maxRequestsInFlight"] as? Int == 1)
        #expect((json["server"] as? [String: Any])?["dropReusedRequests"] as? String == "all")
    }

    /// `wirelab observe ARGS` (the text report): exit status and stdout.
    static func observeText(_ arguments: [String]) -> (status: Int32, stdout: String) {
        let console = RecordingConsole()
        let status = CLI.main(["observe"] + arguments, console: console, environment: [:])
        return (status, console.stdout)
    }

    @Test("the text report: curl's dropped GET is counted, and its resend on another connection",
          .enabled(if: O.hasCurl, "curl is not installed: skipped"))
    func dropReusedReport() {
        let run = Self.observeText(["--drop-reused", "all", "--", "curl", "-s", "-o", "/dev/null", "{url}/a", "-o", "/dev/null", "{url}/b"])
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stdout.contains("  requests dropped unanswered (--drop-reused all): 1; the same request sent again on another connection: 1\n"), "\(run.stdout)")
        #expect(run.stdout.contains("GET /b  → no response (dropped)"), "\(run.stdout)")
        #expect(run.stdout.contains("  1 request was dropped unanswered by the server (--drop-reused all): read on a reused connection, which it then closed; your client resent it on another connection"), "\(run.stdout)")
    }

    @Test("the text report: three silent closes; what curl wrote on a closed connection is counted, and its resends",
          .enabled(if: O.hasCurl, "curl is not installed: skipped"))
    func silentCloseReport() throws {
        // curl 7.88.1 races the server's FIN: in 17 of 40 runs it wrote its next request on the
        // closed connection (and resent it on a new one), so the count is read back, not assumed.
        let arguments = ["--close-silently-after", "1", "--", "curl", "-s", "-o", "/dev/null", "{url}/", "-o", "/dev/null", "{url}/", "-o", "/dev/null", "{url}/"]
        let run = Self.observeText(arguments)
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stdout.contains("  connections closed without saying so (--close-silently-after 1): 3; requests sent on a closed connection: "), "\(run.stdout)")
        #expect(run.stdout.contains("  3 requests on 3 connections: the server closed each connection after its response, so none could be reused"), "\(run.stdout)")
        let late = run.stdout.components(separatedBy: "after the close (").count - 1
        let sentence = "  3 connections were closed by the server without saying so (--close-silently-after 1): after a response that said keep-alive; "
            + "your client sent \(late) request\(late == 1 ? "" : "s") on a closed connection"
        #expect(run.stdout.contains(sentence + (late == 0 ? " (it sent nothing on them after the close)." : " (lost there: it wrote before it noticed the close; ")), "\(run.stdout)")
        let json = try #require(try O.observe(arguments).json)
        #expect(json["silentCloses"] as? Int == 3)
        let written = try #require(json["requestsOnClosedConnections"] as? Int)
        // curl resends each such request, so all three GETs are answered on their own connections.
        #expect(json["resentFromClosedConnections"] as? Int == written)
        #expect((json["requestList"] as? [[String: Any]])?.map { $0["status"] as? Int } == [200, 200, 200])
    }

    @Test("a raw client that writes its second request after the server's silent close: the request is counted as sent on a closed connection",
          .enabled(if: O.tool("python3") != nil, "python3 is not installed: skipped"))
    func writeAfterSilentClose() throws {
        // It reads the response, then the server's FIN (recv returns b''), and writes anyway.
        let script = NSTemporaryDirectory() + "wirelab-late-\(UUID().uuidString).py"
        try """
            import os, socket
            host, port = os.environ['WIRELAB_URL'][7:].split(':')
            s = socket.create_connection((host, int(port)))
            s.settimeout(10)
            s.sendall(b'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')
            while s.recv(65536):
                pass
            s.sendall(b'GET /again HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')
            s.close()
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let text = Self.observeText(["--close-silently-after", "1", "--", "python3", script])
        #expect(text.status == 0, "\(text.stdout)")
        #expect(text.stdout.contains("your client sent 1 request on a closed connection (lost there: it wrote before it noticed the close; it did not resend it)"), "\(text.stdout)")
        #expect(text.stdout.contains("then 1 request after the close (32 bytes, discarded)"), "\(text.stdout)")
        let run = try O.observe(["--close-silently-after", "1", "--", "python3", script])
        let json = try #require(run.json, "stdout: \(run.stdout)")
        #expect(json["requests"] as? Int == 1)
        #expect(json["silentCloses"] as? Int == 1)
        #expect(json["requestsOnClosedConnections"] as? Int == 1)
    }

    @Test("bad values for the misbehaviour options exit 64 and name the option")
    func usage() {
        for (arguments, message) in [(["observe", "--drop-reused", "0"], "Option '--drop-reused' expects a whole number from 1, or all, got '0'"),
                                     (["observe", "--drop-reused", "some"], "Option '--drop-reused'"),
                                     (["observe", "--close-silently-after", "0"], "Option '--close-silently-after' expects a whole number"),
                                     (["serve", "--drop-reused", "none"], "Option '--drop-reused'")] {
            let console = RecordingConsole()
            #expect(CLI.main(arguments, console: console, environment: [:]) == 64, "\(arguments)")
            #expect(console.stderr.contains(message), "\(arguments): \(console.stderr)")
        }
    }
}

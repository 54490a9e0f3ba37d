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

import Testing
import Challenges
import LabKit
import LabRun
import Wire

/// The your-client key's header fields that set up a misbehaving server, and the `client` fields
/// that count answers.
@Suite("Client keys: misbehaviour fields and answered counts")
struct ClientKeyFieldsTests {
    @Test("close-silently-after and drop-reused (a number, or all) set the server up; absent, it behaves")
    func fields() {
        func config(_ fields: [String: String]) -> ServerConfiguration {
            ChallengeVerifier.clientServerConfiguration(ChallengeKey(kind: .yourClient, fields: fields, script: "expect client.requests >= 1", scriptFirstLine: 1, line: 1))
        }
        #expect(config(["close-silently-after": "2"]).closeSilentlyAfter == 2)
        #expect(config(["drop-reused": "all"]).dropReusedRequests == .max)
        #expect(config(["drop-reused": "3"]).dropReusedRequests == 3)
        #expect(config([:]).closeSilentlyAfter == 0 && config([:]).dropReusedRequests == 0)
    }

    @Test("answeredGets, answeredPosts and unanswered count what the server answered, and what it never did")
    func answered() throws {
        var observer = ClientObserver(startedEpochMs: 0)
        observer.opened(connection: 1, atMs: 0)
        observer.request(connection: 1, index: 1, method: "GET", target: "/", version: "HTTP/1.1", headers: [], atMs: 1)
        observer.response(connection: 1, status: 200, willClose: false, atMs: 2)
        observer.request(connection: 1, index: 2, method: "POST", target: "/echo", version: "HTTP/1.1", headers: [], atMs: 3)
        observer.closed(connection: 1, reason: .droppedRequest, atMs: 4)
        observer.finish(atMs: 5)
        guard case .object(let client) = ChallengeVerifier.clientValue(observer.observation) else {
            Issue.record("client is an object")
            return
        }
        func count(_ name: String) -> Double? {
            if case .number(let n)? = client.field(name) { return n }
            return nil
        }
        #expect(count("answeredGets") == 1)
        #expect(count("answeredPosts") == 0)
        #expect(count("posts") == 1)
        #expect(count("unanswered") == 1)
    }
}

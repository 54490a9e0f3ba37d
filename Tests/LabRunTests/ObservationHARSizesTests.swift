import Foundation
import Testing
@testable import LabRun

/// observe's HAR with what the server reported of the bytes: request head sizes, response heads as
/// written, body and content sizes; and what stays -1 when nothing was reported.
@Suite("Client observation: HAR sizes and response headers")
struct ObservationHARSizesTests {
    static func entries(_ o: ClientObservation) throws -> [[String: Any]] {
        let text = o.har(.init(creatorVersion: "t", origin: "http://127.0.0.1:1")).text()
        try HARCheck.validate(text)
        try HARCheck.validateChromium(text)
        let log = try #require((try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["log"] as? [String: Any])
        return try #require(log["entries"] as? [[String: Any]])
    }

    @Test("a reported head and body: response.headers as written, headersSize, bodySize with framing, content.size and mimeType")
    func reported() throws {
        var observer = ClientObserver(startedEpochMs: 1_765_000_000_000)
        observer.opened(connection: 1, atMs: 0)
        observer.request(connection: 1, index: 1, method: "GET", target: "/stream/3", version: "HTTP/1.1", headers: ClientObservationTests.curl, atMs: 1)
        observer.requestHeadSize(connection: 1, bytes: 77)
        let written = [ObservedHeader("Content-Type", "text/plain"), ObservedHeader("Transfer-Encoding", "chunked"),
                       ObservedHeader("Connection", "keep-alive")]
        observer.responseHead(connection: 1, headers: written, bytes: 120)
        observer.responseBody(connection: 1, wire: 13, content: 8)
        observer.responseBody(connection: 1, wire: 5, content: 0)
        observer.response(connection: 1, status: 200, willClose: false, atMs: 3)
        // A second request, read and never answered (dropped): nothing about its response is invented.
        observer.request(connection: 1, index: 2, method: "POST", target: "/echo", version: "HTTP/1.1",
                         headers: [ObservedHeader("Host", "a"), ObservedHeader("Content-Length", "4")], atMs: 5)
        observer.requestHeadSize(connection: 1, bytes: 40)
        observer.closed(connection: 1, reason: .droppedRequest, atMs: 6)
        observer.finish(atMs: 7)
        let entries = try Self.entries(observer.observation)
        let request = try #require(entries[0]["request"] as? [String: Any])
        #expect(request["headersSize"] as? Int == 77)
        let response = try #require(entries[0]["response"] as? [String: Any])
        #expect((response["headers"] as? [[String: String]])?.map { $0["name"] ?? "" } == ["Content-Type", "Transfer-Encoding", "Connection"])
        #expect(response["headersSize"] as? Int == 120)
        #expect(response["bodySize"] as? Int == 18)
        let content = try #require(response["content"] as? [String: Any])
        #expect(content["size"] as? Int == 8)
        #expect(content["mimeType"] as? String == "text/plain")
        #expect(entries[0]["_connectionId"] as? String == "1")
        let dropped = try #require(entries[1]["response"] as? [String: Any])
        #expect(dropped["status"] as? Int == 0)
        #expect(dropped["headersSize"] as? Int == -1 && dropped["bodySize"] as? Int == -1)
        #expect((dropped["headers"] as? [Any])?.isEmpty == true)
        #expect((entries[1]["request"] as? [String: Any])?["headersSize"] as? Int == 40)
        #expect((entries[1]["request"] as? [String: Any])?["bodySize"] as? Int == 4)
    }

    @Test("nothing reported (as over HTTP/2): the Connection field it said, sizes -1")
    func unreported() throws {
        let entries = try Self.entries(ClientObservationTests.sequential(1, reuse: true))
        let response = try #require(entries[0]["response"] as? [String: Any])
        #expect((response["headers"] as? [[String: String]]) == [["name": "Connection", "value": "keep-alive"]])
        #expect(response["headersSize"] as? Int == -1 && response["bodySize"] as? Int == -1)
        #expect((response["content"] as? [String: Any])?["size"] as? Int == -1)
        #expect((entries[0]["request"] as? [String: Any])?["headersSize"] as? Int == -1)
    }
}

import Testing
import HPACK
@testable import HTTP2

/// The client machine against the server machine, in memory: the bytes one writes are the bytes the
/// other reads, cut into uneven pieces. No sockets, no clocks.
@Suite struct ClientServerTests {
    struct Outcome: Equatable {
        var status = 0
        var body: [UInt8] = []
        var stream: StreamID = 0
        var finished = false
    }

    /// Runs `requests` through a client and a server (limit `maxStreams`) until nothing moves. The
    /// server answers a GET with the path as the body (`/big` with 150,000 bytes), a POST with the
    /// byte count of its body.
    static func converse(_ requests: [H2Request], maxStreams: Int, piece: Int) -> (outcomes: [Int: Outcome], peak: Int, serverPeak: Int) {
        var configuration = H2Configuration()
        configuration.maxConcurrentStreams = maxStreams
        var server = H2Connection(configuration: configuration)
        var client = H2ClientConnection()
        var toServer: [UInt8] = []
        var toClient: [UInt8] = []
        var outcomes: [Int: Outcome] = [:]
        var bodies: [StreamID: (path: String, count: Int)] = [:]
        var serverPeak = 0

        func clientDid(_ actions: [H2ClientAction]) {
            for action in actions {
                switch action {
                case .sendPreface: toServer += H2Connection.clientPreface
                case .send(let frame): frame.encode(into: &toServer)
                case .started(let tag, let stream): outcomes[tag, default: Outcome()].stream = stream
                case .response(let tag, _, let status, _, _): outcomes[tag, default: Outcome()].status = status
                case .data(let tag, _, let bytes, _): outcomes[tag, default: Outcome()].body += bytes
                case .finished(let tag, _): outcomes[tag, default: Outcome()].finished = true
                case .failed(let tag, _, let why): Issue.record("request \(tag) failed: \(why)")
                case .trailers, .wentAway, .close: break
                }
            }
        }
        func serverDid(_ actions: [H2Action]) {
            var more: [H2Action] = []
            for action in actions {
                switch action {
                case .send(let frame): frame.encode(into: &toClient)
                case .request(let stream, let fields, let endStream):
                    serverPeak = max(serverPeak, server.activeStreamCount)
                    let path = fields.first { $0.nameString == ":path" }!.valueString
                    bodies[stream] = (path, 0)
                    if endStream { more += answer(stream) }
                case .data(let stream, let bytes, let endStream):
                    bodies[stream]!.count += bytes.count
                    if endStream { more += answer(stream) }
                default: break
                }
            }
            if !more.isEmpty { serverDid(more) }
        }
        func answer(_ stream: StreamID) -> [H2Action] {
            let (path, count) = bodies[stream]!
            let body = path == "/big" ? [UInt8](repeating: 0x61, count: 150_000) : count > 0 ? Array(String(count).utf8) : Array(path.utf8)
            return server.sendHeaders(stream: stream, [HeaderField(":status", "200"), HeaderField("content-length", String(body.count))], endStream: false)
                + server.sendData(stream: stream, body, endStream: true)
        }

        serverDid(server.start())
        clientDid(client.start())
        for (tag, request) in requests.enumerated() { clientDid(client.send(request, tag: tag)) }
        var turns = 0
        while (!toServer.isEmpty || !toClient.isEmpty) && turns < 1_000_000 {
            turns += 1
            if !toServer.isEmpty {
                let cut = Array(toServer.prefix(piece))
                toServer.removeFirst(cut.count)
                serverDid(server.receivedBytes(cut))
            }
            if !toClient.isEmpty {
                let cut = Array(toClient.prefix(piece + 7))
                toClient.removeFirst(cut.count)
                clientDid(client.receivedBytes(cut))
            }
        }
        return (outcomes, client.peakOpenStreams, serverPeak)
    }

    @Test(arguments: [7, 100, 16_393])
    func manyRequestsABigUploadAndABigDownloadComplete(piece: Int) {
        var requests = (0..<7).map { ServerScript.get("/r\($0)") }
        requests.append(H2Request(method: "POST", authority: "example.com", path: "/upload", body: [UInt8](repeating: 1, count: 200_000)))
        requests.append(ServerScript.get("/big"))
        let (outcomes, peak, serverPeak) = ClientServerTests.converse(requests, maxStreams: 3, piece: piece)
        #expect(outcomes.count == 9)
        for tag in 0..<7 {
            #expect(outcomes[tag] == Outcome(status: 200, body: Array("/r\(tag)".utf8), stream: StreamID(2 * tag + 1), finished: true))
        }
        #expect(outcomes[7]?.body == Array("200000".utf8))
        #expect(outcomes[8]?.body.count == 150_000)
        #expect(outcomes.values.filter { !$0.finished }.map(\.stream) == [])
        // Never more than the server's limit at once: the server refused nothing.
        #expect(peak == 3)
        #expect(serverPeak <= 3)
    }
}

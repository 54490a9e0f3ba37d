import Testing
import HPACK
@testable import HTTP2

@Suite struct ConversationTests {
    /// A client's whole first flight: preface, SETTINGS, a GET, a POST split over HEADERS and
    /// CONTINUATION with a padded body, a PING, a WINDOW_UPDATE, an unknown frame.
    static func flight() -> [UInt8] {
        var encoder = HPACKEncoder()
        var bytes = H2Connection.clientPreface
        Frame.settings(ack: false, [Setting(.initialWindowSize, 1 << 16), Setting(.headerTableSize, 256)]).encode(into: &bytes)
        Frame.headers(stream: 1, fragment: encoder.encode(Script.get), endStream: true, endHeaders: true).encode(into: &bytes)
        let post = encoder.encode(Script.post(length: 5) + [HeaderField("user-agent", "wirelab-test")])
        Frame.headers(stream: 3, fragment: Array(post[..<4]), endStream: false, endHeaders: false, padLength: 2).encode(into: &bytes)
        Frame.continuation(stream: 3, fragment: Array(post[4...]), endHeaders: true).encode(into: &bytes)
        Frame.data(stream: 3, payload: Array("hel".utf8), endStream: false, padLength: 7).encode(into: &bytes)
        Frame.ping(ack: false, opaque: 9).encode(into: &bytes)
        Frame.unknown(type: 0x77, flags: 0, stream: 3, payload: [1]).encode(into: &bytes)
        Frame.windowUpdate(stream: 0, increment: 100).encode(into: &bytes)
        Frame.data(stream: 3, payload: Array("lo".utf8), endStream: true).encode(into: &bytes)
        return bytes
    }

    static func run(_ pieces: [[UInt8]]) -> [H2Action] {
        var connection = H2Connection()
        _ = connection.start()
        return pieces.flatMap { connection.receivedBytes($0) }
    }

    @Test func everySplitOfAConversationGivesTheSameActions() {
        let bytes = ConversationTests.flight()
        let whole = ConversationTests.run([bytes])
        #expect(whole == [
            .send(.settings(ack: true, [])),
            .request(stream: 1, Script.get, endStream: true),
            .request(stream: 3, Script.post(length: 5) + [HeaderField("user-agent", "wirelab-test")], endStream: false),
            .data(stream: 3, Array("hel".utf8), endStream: false),
            .send(.ping(ack: true, opaque: 9)),
            .data(stream: 3, Array("lo".utf8), endStream: true),
        ])
        for cut in 0...bytes.count {
            #expect(ConversationTests.run([Array(bytes[..<cut]), Array(bytes[cut...])]) == whole, "cut at \(cut)")
        }
        #expect(ConversationTests.run(bytes.map { [$0] }) == whole)
    }

    @Test func largeResponseHeadersAreCutIntoContinuations() throws {
        var script = Script()
        _ = script.headers(1, Script.get)
        let big = [HeaderField(":status", "200"), HeaderField("x-big", String(repeating: "z", count: 40_000))]
        let actions = script.connection.sendHeaders(stream: 1, big, endStream: true)
        var block: [UInt8] = []
        var shapes: [String] = []
        for action in actions {
            switch action {
            case .send(.headers(1, let fragment, let end, let endHeaders, nil, nil)):
                block += fragment
                shapes.append("H\(fragment.count)\(end ? "E" : "")\(endHeaders ? "!" : "")")
            case .send(.continuation(1, let fragment, let endHeaders)):
                block += fragment
                shapes.append("C\(fragment.count)\(endHeaders ? "!" : "")")
            case .streamClosed(1):
                shapes.append("closed")
            default:
                Issue.record("\(action)")
            }
        }
        #expect(shapes.count == 4)
        #expect(shapes.first == "H16384E")
        #expect(shapes[1] == "C16384")
        #expect(shapes[2].hasSuffix("!"))
        #expect(shapes.last == "closed")
        var decoder = HPACKDecoder()
        #expect(try decoder.decode(block) == big)
    }
}

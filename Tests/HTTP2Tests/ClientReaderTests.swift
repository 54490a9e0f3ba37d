import Testing
import HPACK
@testable import HTTP2

/// A slow reader (`automaticWindowUpdates` off, `dataConsumed` from the agent): the windows are
/// given back only as the application takes the bytes. Lesson what-http2-does-not-fix measures it.
@Suite struct ClientReaderTests {
    static func windowUpdates(_ actions: [H2ClientAction]) -> [Frame] {
        actions.frames.filter { if case .windowUpdate = $0 { true } else { false } }
    }

    @Test func noWindowUpdateUntilTheBytesAreTakenThenStreamAndConnection() {
        var configuration = H2Configuration()
        configuration.connectionWindowSize = 65_535
        configuration.automaticWindowUpdates = false
        var script = ServerScript(configuration)
        _ = script.client.send(ServerScript.get("/big"), tag: 1)
        _ = script.respond(1, endStream: false)
        let chunk = [UInt8](repeating: 7, count: 16_384)
        var received: [H2ClientAction] = []
        for _ in 0..<2 { received += script.feed(.data(stream: 1, payload: chunk, endStream: false)) }
        // Delivered, and nothing given back: the server's windows stay used up.
        #expect(received.contains(.data(tag: 1, stream: 1, chunk, endStream: false)))
        #expect(Self.windowUpdates(received).isEmpty)
        // Half of each window taken: a WINDOW_UPDATE for the stream, then one for the connection.
        let first = script.client.dataConsumed(stream: 1, count: 16_384)
        #expect(Self.windowUpdates(first).isEmpty)
        let second = script.client.dataConsumed(stream: 1, count: 16_384)
        #expect(Self.windowUpdates(second) == [.windowUpdate(stream: 1, increment: 32_768), .windowUpdate(stream: 0, increment: 32_768)])
    }

    @Test func bytesTakenTwiceAreNotGivenBackTwice() {
        var configuration = H2Configuration()
        configuration.connectionWindowSize = 65_535
        configuration.automaticWindowUpdates = false
        var script = ServerScript(configuration)
        _ = script.client.send(ServerScript.get(), tag: 1)
        _ = script.respond(1, endStream: false)
        for count in [16_384, 16_384, 7_232] { _ = script.feed(.data(stream: 1, payload: [UInt8](repeating: 1, count: count), endStream: false)) }
        let updates = Self.windowUpdates(script.client.dataConsumed(stream: 1, count: 40_000) + script.client.dataConsumed(stream: 1, count: 40_000))
        #expect(updates == [.windowUpdate(stream: 1, increment: 40_000), .windowUpdate(stream: 0, increment: 40_000)])
    }
}

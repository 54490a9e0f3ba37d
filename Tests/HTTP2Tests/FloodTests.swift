import Testing
import HPACK
@testable import HTTP2

@Suite struct FloodTests {
    @Test func pingFloodIsBounded() {
        var config = H2Configuration()
        config.maxControlFramesPerWindow = 10
        var script = Script(config)   // its SETTINGS counted one
        var actions: [H2Action] = []
        for i in 0..<9 { actions += script.send(.ping(ack: false, opaque: UInt64(i))) }
        #expect(errors(actions).isEmpty)
        script.connection.resetWindowElapsed()
        for i in 0..<10 { actions += script.send(.ping(ack: false, opaque: UInt64(i))) }
        #expect(errors(actions).isEmpty)
        let last = script.send(.ping(ack: false, opaque: 99))
        #expect(errors(last) == ["GOAWAY 0 ENHANCE_YOUR_CALM"])
        #expect(!last.contains(.send(.ping(ack: true, opaque: 99))))
    }

    @Test func settingsAndEmptyDataFloodsAreBounded() {
        var config = H2Configuration()
        config.maxControlFramesPerWindow = 4
        var script = Script(config)
        _ = script.headers(1, Script.post(), endStream: false)
        var actions: [H2Action] = []
        actions += script.send(.settings(ack: false, []))
        actions += script.send(.data(stream: 1, payload: [], endStream: false))
        actions += script.send(.data(stream: 1, payload: [1], endStream: false))   // not counted: it carries bytes
        actions += script.send(.data(stream: 1, payload: [], endStream: false))
        #expect(errors(actions).isEmpty)
        #expect(errors(script.send(.data(stream: 1, payload: [], endStream: false))) == ["GOAWAY 1 ENHANCE_YOUR_CALM"])
    }

    @Test func settingsTimeout() {
        var script = Script()
        var acked = Script()
        _ = acked.send(.settings(ack: true, []))
        #expect(acked.connection.settingsTimeoutFired().isEmpty)
        let actions = script.connection.settingsTimeoutFired()
        #expect(errors(actions) == ["GOAWAY 0 SETTINGS_TIMEOUT"])
        #expect(isClose(actions.last))
    }

    @Test func streamsOpenedCounts() {
        var config = H2Configuration()
        config.maxConcurrentStreams = 1
        var script = Script(config)
        _ = script.headers(1, Script.get)
        _ = script.headers(3, Script.get)   // refused
        #expect(script.connection.streamsOpened == 1)
        #expect(script.connection.activeStreamCount == 1)
    }
}

import Testing
import HPACK
@testable import HTTP2

@Suite struct FlowControlTests {
    @Test func paddingCountsAgainstBothWindows() {
        var config = H2Configuration()
        config.connectionWindowSize = 65_535
        var script = Script(config)
        _ = script.headers(1, Script.post(), endStream: false)
        // 10 bytes of data, 20 of padding, 1 Pad Length octet: 31 counted.
        #expect(script.send(.data(stream: 1, payload: [UInt8](repeating: 1, count: 10), endStream: false, padLength: 20))
                == [.data(stream: 1, [UInt8](repeating: 1, count: 10), endStream: false)])
        #expect(script.connection.connectionReceiveWindow == 65_535 - 31)
        #expect(script.connection.receiveWindow(stream: 1) == 65_535 - 31)
    }

    @Test func streamWindowOverrunWithoutRefill() {
        var config = H2Configuration()
        config.initialWindowSize = 100
        var script = Script(config)
        _ = script.send(.settings(ack: true, []))
        _ = script.headers(1, Script.post(), endStream: false)
        let actions = script.send(.data(stream: 1, payload: [UInt8](repeating: 0, count: 101), endStream: false))
        #expect(errors(actions) == ["RST 1 FLOW_CONTROL_ERROR"])
        #expect(actions.contains(.streamReset(stream: 1, .flowControlError, byPeer: false)))
    }

    @Test func dataOverTheConnectionWindowIsAConnectionError() {
        var config = H2Configuration()
        config.connectionWindowSize = 65_535
        config.initialWindowSize = 1 << 20
        var script = Script(config)
        let chunk = [UInt8](repeating: 0, count: 16_384)
        // Four streams of one frame each, three frames in all below the half-window refill... send
        // on streams the client resets itself first, so no stream window limits and no refill of
        // the connection beyond what the machine decides.
        _ = script.headers(1, Script.post(), endStream: false)
        var actions: [H2Action] = []
        actions += script.send(.data(stream: 1, payload: chunk, endStream: false))
        actions += script.send(.data(stream: 1, payload: chunk, endStream: false))
        // At 32,768 consumed the machine sent WINDOW_UPDATE for the connection: back to 65,535.
        #expect(actions.contains(.send(.windowUpdate(stream: 0, increment: 32_768))))
        #expect(script.connection.connectionReceiveWindow == 65_535)
        // One byte past the window in a single frame (the frame limit is raised to allow it).
        var big = H2Configuration()
        big.connectionWindowSize = 65_535
        big.initialWindowSize = 1 << 20
        big.maxFrameSize = 1 << 17
        var other = Script(big)
        _ = other.headers(1, Script.post(), endStream: false)
        let overrun = other.send(.data(stream: 1, payload: [UInt8](repeating: 0, count: 65_536), endStream: false))
        #expect(errors(overrun) == ["GOAWAY 1 FLOW_CONTROL_ERROR"])
    }

    @Test func windowUpdatesAreSentForReceivedData() {
        var config = H2Configuration()
        config.connectionWindowSize = 1 << 20
        var script = Script(config)
        _ = script.headers(1, Script.post(), endStream: false)
        let chunk = [UInt8](repeating: 0, count: 16_384)
        var actions: [H2Action] = []
        for _ in 0..<2 { actions += script.send(.data(stream: 1, payload: chunk, endStream: false)) }
        // The stream (65,535 before our SETTINGS are acknowledged) refills at half.
        #expect(actions.filter { if case .send(.windowUpdate) = $0 { true } else { false } }
                == [.send(.windowUpdate(stream: 1, increment: 32_768))])
    }

    @Test func sendDataWaitsForTheWindowAndSplitsByMaxFrameSize() {
        var script = Script(clientSettings: [Setting(.initialWindowSize, 20_000)])
        _ = script.headers(1, Script.get)
        _ = script.connection.sendHeaders(stream: 1, [HeaderField(":status", "200")], endStream: false)
        let body = [UInt8](repeating: 7, count: 30_000)
        let first = script.connection.sendData(stream: 1, body, endStream: true)
        #expect(first == [.send(.data(stream: 1, payload: Array(body[..<16_384]), endStream: false)),
                          .send(.data(stream: 1, payload: Array(body[16_384..<20_000]), endStream: false))])
        #expect(script.connection.pendingSendCount(stream: 1) == 10_000)
        #expect(script.connection.sendWindow(stream: 1) == 0)
        let rest = script.send(.windowUpdate(stream: 1, increment: 50_000))
        #expect(rest == [.send(.data(stream: 1, payload: Array(body[20_000...]), endStream: true)), .streamClosed(stream: 1)])
    }

    @Test func connectionWindowLimitsEveryStream() {
        var script = Script(clientSettings: [Setting(.initialWindowSize, 1 << 20)])
        _ = script.headers(1, Script.get)
        _ = script.headers(3, Script.get)
        let a = script.connection.sendData(stream: 1, [UInt8](repeating: 1, count: 65_535), endStream: false)
        #expect(a.count == 4)
        #expect(script.connection.connectionSendWindow == 0)
        #expect(script.connection.sendData(stream: 3, [2, 2], endStream: true).isEmpty)
        #expect(script.send(.windowUpdate(stream: 0, increment: 2)) == [
            .send(.data(stream: 3, payload: [2, 2], endStream: true)), .streamClosed(stream: 3),
        ])
    }

    @Test func initialWindowSizeChangeMovesOpenStreamsByTheDelta() {
        var script = Script()
        _ = script.headers(1, Script.get)
        _ = script.connection.sendData(stream: 1, [UInt8](repeating: 1, count: 60_000), endStream: false)
        #expect(script.connection.sendWindow(stream: 1) == 5_535)
        // Shrunk to 1,000: 5,535 - 64,535 = -59,000. Nothing may be sent until it is positive again.
        #expect(script.send(.settings(ack: false, [Setting(.initialWindowSize, 1_000)])) == [.send(.settings(ack: true, []))])
        #expect(script.connection.sendWindow(stream: 1) == -59_000)
        _ = script.headers(3, Script.get)
        #expect(script.connection.sendWindow(stream: 3) == 1_000)
        #expect(script.send(.windowUpdate(stream: 1, increment: 59_000)).isEmpty)
        #expect(script.connection.sendWindow(stream: 1) == 0)
        // Grown back: the delta reopens it.
        let actions = script.send(.settings(ack: false, [Setting(.initialWindowSize, 65_535)]))
        #expect(actions.first == .send(.settings(ack: true, [])))
        #expect(script.connection.sendWindow(stream: 3) == 65_535)
        #expect(script.connection.sendWindow(stream: 1) == 64_535)
    }

    @Test func initialWindowSizeChangePastTheMaximumIsAFlowControlError() {
        var script = Script()
        _ = script.headers(1, Script.get)
        _ = script.send(.windowUpdate(stream: 1, increment: UInt32(maxWindowSize - 65_535)))
        #expect(script.connection.sendWindow(stream: 1) == maxWindowSize)
        let actions = script.send(.settings(ack: false, [Setting(.initialWindowSize, 65_536)]))
        #expect(errors(actions) == ["GOAWAY 1 FLOW_CONTROL_ERROR"])
    }

    @Test func windowUpdateOverflowOnAStreamIsAStreamError() {
        var script = Script()
        _ = script.headers(1, Script.get)
        let actions = script.send(.windowUpdate(stream: 1, increment: UInt32(maxWindowSize)))
        #expect(errors(actions) == ["RST 1 FLOW_CONTROL_ERROR"])
    }

    @Test func windowUpdateOverflowOnTheConnectionIsAConnectionError() {
        var script = Script()
        let actions = script.send(.windowUpdate(stream: 0, increment: UInt32(maxWindowSize)))
        #expect(errors(actions) == ["GOAWAY 0 FLOW_CONTROL_ERROR"])
        // Found by the fuzzer: the refused increment is not applied.
        #expect(script.connection.connectionSendWindow == 65_535)
    }

    @Test func zeroIncrementErrors() {
        var script = Script()
        _ = script.headers(1, Script.get)
        var bytes: [UInt8] = []
        bytes = [0, 0, 4, 0x8, 0, 0, 0, 0, 1, 0, 0, 0, 0]
        #expect(errors(script.sendBytes(bytes)) == ["RST 1 PROTOCOL_ERROR"])
        bytes = [0, 0, 4, 0x8, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        #expect(errors(script.sendBytes(bytes)) == ["GOAWAY 1 PROTOCOL_ERROR"])
    }

    @Test func trailersWaitBehindTheBody() {
        var script = Script(clientSettings: [Setting(.initialWindowSize, 2)])
        _ = script.headers(1, Script.get)
        _ = script.connection.sendHeaders(stream: 1, [HeaderField(":status", "200")], endStream: false)
        #expect(script.connection.sendData(stream: 1, [1, 2, 3], endStream: false) == [.send(.data(stream: 1, payload: [1, 2], endStream: false))])
        #expect(script.connection.sendHeaders(stream: 1, [HeaderField("x-checksum", "9")], endStream: true).isEmpty)
        let rest = script.send(.windowUpdate(stream: 1, increment: 10))
        #expect(rest.count == 3)
        #expect(rest.first == .send(.data(stream: 1, payload: [3], endStream: false)))
        if case .send(.headers(1, _, true, true, nil, nil)) = rest[1] {} else { Issue.record("\(rest)") }
        #expect(rest.last == .streamClosed(stream: 1))
    }

    @Test func withoutAutomaticUpdatesTheApplicationPacesTheClient() {
        var config = H2Configuration()
        config.automaticWindowUpdates = false
        config.connectionWindowSize = 200_000
        var script = Script(config)
        _ = script.headers(1, Script.post(), endStream: false)
        let chunk = [UInt8](repeating: 0, count: 16_000)
        var actions: [H2Action] = []
        // 3 x (16,000 + 100 padding + 1): padding is given back at once, the data is not.
        for _ in 0..<3 { actions += script.send(.data(stream: 1, payload: chunk, endStream: false, padLength: 100)) }
        #expect(errors(actions).isEmpty)
        #expect(!actions.contains { if case .send(.windowUpdate) = $0 { true } else { false } })
        #expect(script.connection.receiveWindow(stream: 1) == 65_535 - 3 * 16_101)
        #expect(script.connection.connectionReceiveWindow == 200_000 - 3 * 16_101)
        // Reading 30,000 bytes gives back less than half the stream window: nothing yet.
        #expect(script.connection.dataConsumed(stream: 1, count: 30_000).isEmpty)
        // 3,000 more: the stream gets 33,303 back (with the padding); the connection, whose half
        // is 100,000, not yet.
        #expect(script.connection.dataConsumed(stream: 1, count: 3_000) == [.send(.windowUpdate(stream: 1, increment: 33_303))])
        // A client that ignores the stream window overruns it: 65,535 - 48,303 + 33,303 = 50,535 left.
        var over: [H2Action] = []
        for _ in 0..<4 { over += script.send(.data(stream: 1, payload: chunk, endStream: false)) }
        #expect(errors(over) == ["RST 1 FLOW_CONTROL_ERROR"])
    }

    @Test func withoutAutomaticUpdatesTheConnectionWindowWaitsForTheApplication() {
        var config = H2Configuration()
        config.automaticWindowUpdates = false
        config.connectionWindowSize = 65_535
        config.initialWindowSize = 1 << 20
        var script = Script(config)
        _ = script.headers(1, Script.post(), endStream: false)
        let chunk = [UInt8](repeating: 0, count: 16_384)
        var actions: [H2Action] = []
        for _ in 0..<3 { actions += script.send(.data(stream: 1, payload: chunk, endStream: false)) }
        #expect(errors(actions).isEmpty && actions.count == 3)
        #expect(script.connection.dataConsumed(stream: 1, count: 32_768) == [.send(.windowUpdate(stream: 0, increment: 32_768))])
        #expect(script.connection.connectionReceiveWindow == 65_535 - 3 * 16_384 + 32_768)
        // Consuming more than was received counts only what was received (16,384, under half).
        #expect(script.connection.dataConsumed(stream: 1, count: 1 << 30).isEmpty)
        #expect(script.connection.connectionConsumed == 16_384)
    }
}

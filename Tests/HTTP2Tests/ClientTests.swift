import Testing
import HPACK
@testable import HTTP2

/// The client role, one scripted test per rule (issue 20 step 2, client side).
@Suite struct ClientTests {
    @Test func startSendsThePrefaceThenSettingsWithPushOff() {
        var client = H2ClientConnection()
        let actions = client.start()
        #expect(actions.first == .sendPreface)
        #expect(actions.frames.first == .settings(ack: false, [Setting(.enablePush, 0), Setting(.maxHeaderListSize, 64 * 1024)]))
        // The connection window raised past 65,535 (the default configuration's 1 MiB).
        #expect(actions.frames.last == .windowUpdate(stream: 0, increment: UInt32((1 << 20) - 65_535)))
        #expect(client.start().isEmpty)
    }

    @Test func oneStreamUntilTheServersSettingsThenOddIdsInOrder() {
        var client = H2ClientConnection()
        _ = client.start()
        var started: [StreamID] = []
        for tag in 1...3 { started += client.send(ServerScript.get(), tag: tag).started }
        #expect(started == [1])
        #expect(client.queuedCount == 2)
        var bytes: [UInt8] = []
        Frame.settings(ack: false, [Setting(.maxConcurrentStreams, 10)]).encode(into: &bytes)
        let actions = client.receivedBytes(bytes)
        #expect(actions.first == .send(.settings(ack: true, [])))
        #expect(actions.started == [3, 5])
        #expect(actions.contains(.started(tag: 2, stream: 3)))
        // A client told to assume more sends them at once.
        var eager = H2ClientConnection(streamsBeforeSettings: 100)
        _ = eager.start()
        #expect((1...3).flatMap { eager.send(ServerScript.get(), tag: $0).started } == [1, 3, 5])
    }

    @Test func neverMoreStreamsThanTheServerAllowsTheRestQueue() {
        var script = ServerScript(settings: [Setting(.maxConcurrentStreams, 2)])
        var started: [StreamID] = []
        for tag in 1...5 { started += script.client.send(ServerScript.get("/\(tag)"), tag: tag).started }
        #expect(started == [1, 3])
        #expect(script.client.queuedCount == 3)
        let done = script.respond(1)
        #expect(done.contains(.finished(tag: 1, stream: 1)))
        #expect(done.started == [5])
        let three = script.respond(3)
        #expect(three.contains(.finished(tag: 2, stream: 3)))
        #expect(three.started == [7])
        #expect(script.respond(5).started == [9])
        #expect(script.client.queuedCount == 0)
        #expect(script.client.openStreamCount == 2)
        #expect(script.client.peakOpenStreams == 2)
    }

    @Test func aLoweredLimitHoldsNewStreamsUntilEnoughClose() {
        var script = ServerScript(settings: [Setting(.maxConcurrentStreams, 3)])
        for tag in 1...3 { _ = script.client.send(ServerScript.get(), tag: tag) }
        #expect(script.client.openStreamCount == 3)
        _ = script.feed(.settings(ack: false, [Setting(.maxConcurrentStreams, 1)]))
        #expect(script.client.send(ServerScript.get(), tag: 4).started.isEmpty)
        #expect(script.respond(1).started.isEmpty)
        #expect(script.respond(3).started.isEmpty)
        #expect(script.respond(5).started == [7])
    }

    @Test func requestHeadersAreOneBlockTheServerCanDecode() throws {
        var script = ServerScript()
        let request = H2Request(method: "POST", authority: "example.com", path: "/upload", headers: [HeaderField("x-a", "1")], body: [1, 2, 3])
        let actions = script.client.send(request, tag: 1)
        guard case .headers(1, let fragment, false, true, nil, nil)? = actions.frames.first else {
            Issue.record("no HEADERS: \(actions)")
            return
        }
        #expect(try script.decoder.decode(fragment) == request.headerList)
        #expect(actions.frames.dropFirst().first == .data(stream: 1, payload: [1, 2, 3], endStream: true))
    }

    // MARK: the server's SETTINGS honoured

    @Test func initialWindowChangeMovesOpenStreamsByTheDelta() {
        var script = ServerScript()
        let body = [UInt8](repeating: 7, count: 100_000)
        let first = script.client.send(H2Request(method: "POST", authority: "x", path: "/", body: body), tag: 1)
        let sent = first.frames.reduce(0) { if case .data(_, let p, _, _) = $1 { $0 + p.count } else { $0 } }
        #expect(sent == 65_535)
        #expect(script.client.sendWindow(stream: 1) == 0)
        // Lowered: the window goes negative; nothing more may go.
        let lowered = script.feed(.settings(ack: false, [Setting(.initialWindowSize, 60_000)]))
        #expect(lowered.frames == [.settings(ack: true, [])])
        #expect(script.client.sendWindow(stream: 1) == -5_535)
        // Raised: the delta is what may go now (the connection window still has room).
        _ = script.feed(.windowUpdate(stream: 0, increment: 100_000))
        let raised = script.feed(.settings(ack: false, [Setting(.initialWindowSize, 70_000)]))
        let more = raised.frames.reduce(0) { if case .data(_, let p, _, _) = $1 { $0 + p.count } else { $0 } }
        #expect(more == 70_000 - 65_535)
        #expect(script.client.sendWindow(stream: 1) == 0)
    }

    @Test func initialWindowPastTheMaximumOnAnOpenStreamIsAFlowControlError() {
        var script = ServerScript()
        _ = script.client.send(H2Request(method: "POST", authority: "x", path: "/", body: [1]), tag: 1)
        _ = script.feed(.windowUpdate(stream: 1, increment: UInt32(maxWindowSize - 65_534)))
        let actions = script.feed(.settings(ack: false, [Setting(.initialWindowSize, 65_536)]))
        #expect(actions.errorFrames == ["GOAWAY 0 FLOW_CONTROL_ERROR"])
        #expect(actions.failures == ["#1 1 maybe"])
        #expect(actions.isClosing)
    }

    @Test func dataIsCutAtThePeersMaxFrameSize() {
        var script = ServerScript(settings: [Setting(.maxConcurrentStreams, 10), Setting(.maxFrameSize, 20_000), Setting(.initialWindowSize, 100_000)])
        _ = script.feed(.windowUpdate(stream: 0, increment: 100_000))
        let actions = script.client.send(H2Request(method: "POST", authority: "x", path: "/", body: [UInt8](repeating: 1, count: 50_000)), tag: 1)
        let sizes = actions.frames.compactMap { if case .data(_, let p, _, _) = $0 { p.count } else { nil } }
        #expect(sizes == [20_000, 20_000, 10_000])
    }

    @Test func headerTableSizeZeroMakesTheNextBlockStartWithASizeUpdate() throws {
        var script = ServerScript(settings: [Setting(.maxConcurrentStreams, 10), Setting(.headerTableSize, 0)])
        let actions = script.client.send(ServerScript.get(), tag: 1)
        guard case .headers(_, let fragment, _, _, _, _)? = actions.frames.first else { Issue.record("no HEADERS"); return }
        #expect(fragment.first == 0x20)   // §6.3: dynamic table size update to 0
        #expect(try script.decoder.decode(fragment).count == 4)
    }

    // MARK: flow control, our side

    @Test func consumedDataIsGivenBackWithWindowUpdate() {
        var script = ServerScript()
        _ = script.client.send(ServerScript.get(), tag: 1)
        _ = script.respond(1, endStream: false)
        let first = script.feed(.data(stream: 1, payload: [UInt8](repeating: 0, count: 16_384), endStream: false))
        #expect(first.frames.isEmpty)
        // Half the stream window consumed: given back.
        let second = script.feed(.data(stream: 1, payload: [UInt8](repeating: 0, count: 16_384), endStream: false))
        #expect(second.frames == [.windowUpdate(stream: 1, increment: 32_768)])
        #expect(script.client.receiveWindow(stream: 1) == 65_535)
    }

    @Test func dataPastOurStreamWindowIsAStreamFlowControlError() {
        var script = ServerScript()
        _ = script.client.send(ServerScript.get(), tag: 1)
        _ = script.respond(1, endStream: false)
        var actions: [H2ClientAction] = []
        for _ in 0..<4 { actions += script.feed(.data(stream: 1, payload: [UInt8](repeating: 0, count: 16_384), endStream: false)) }
        // 4 × 16,384 = 65,536: one byte over (the window was given back only after a half).
        #expect(script.client.receiveWindow(stream: 1) != nil)
        var client = H2ClientConnection(configuration: { var c = H2Configuration(); c.automaticWindowUpdates = false; return c }())
        _ = client.start()
        var bytes: [UInt8] = []
        Frame.settings(ack: false, []).encode(into: &bytes)
        _ = client.receivedBytes(bytes)
        _ = client.send(ServerScript.get(), tag: 1)
        var encoder = HPACKEncoder()
        bytes = []
        Frame.headers(stream: 1, fragment: encoder.encode([HeaderField(":status", "200")]), endStream: false, endHeaders: true).encode(into: &bytes)
        for _ in 0..<4 { Frame.data(stream: 1, payload: [UInt8](repeating: 0, count: 16_384), endStream: false).encode(into: &bytes) }
        let over = client.receivedBytes(bytes)
        #expect(over.errorFrames == ["RST 1 FLOW_CONTROL_ERROR"])
        #expect(over.failures == ["#1 1 maybe"])
    }

    // MARK: responses validated

    @Test func aResponseWithoutStatusIsReset() {
        var script = ServerScript()
        _ = script.client.send(ServerScript.get(), tag: 1)
        let actions = script.respond(1, fields: [HeaderField("content-type", "text/plain")])
        #expect(actions.errorFrames == ["RST 1 PROTOCOL_ERROR"])
        #expect(actions.contains { if case .failed(1, 1, .mayHaveBeenProcessed(let r)) = $0 { r.contains("without :status") } else { false } })
        // The connection goes on.
        #expect(script.client.send(ServerScript.get(), tag: 2).started == [3])
    }

    @Test func badStatusValuesAndRequestPseudoHeadersAreMalformed() {
        let cases: [[HeaderField]] = [
            [HeaderField(":status", "2000")], [HeaderField(":status", "20a")], [HeaderField(":status", "099")],
            [HeaderField(":status", "101")],
            [HeaderField(":status", "200"), HeaderField(":status", "200")],
            [HeaderField(":status", "200"), HeaderField(":path", "/")],
            [HeaderField(":method", "GET"), HeaderField(":status", "200")],
            [HeaderField("server", "x"), HeaderField(":status", "200")],
            [HeaderField(":status", "200"), HeaderField("Server", "x")],
            [HeaderField(":status", "200"), HeaderField("connection", "close")],
            [HeaderField(":status", "200"), HeaderField("content-length", "x")],
        ]
        for fields in cases {
            var script = ServerScript()
            _ = script.client.send(ServerScript.get(), tag: 1)
            let actions = script.respond(1, fields: fields)
            #expect(actions.errorFrames == ["RST 1 PROTOCOL_ERROR"], "\(fields)")
            #expect(actions.failures == ["#1 1 maybe"], "\(fields)")
        }
    }

    @Test func contentLengthMustMatchTheData() {
        var script = ServerScript()
        _ = script.client.send(ServerScript.get(), tag: 1)
        _ = script.respond(1, [HeaderField("content-length", "5")], endStream: false)
        let short = script.feed(.data(stream: 1, payload: [1, 2, 3], endStream: true))
        #expect(short.errorFrames == ["RST 1 PROTOCOL_ERROR"])
        #expect(short.failures == ["#1 1 maybe"])

        _ = script.client.send(ServerScript.get(), tag: 2)
        _ = script.respond(3, [HeaderField("content-length", "2")], endStream: false)
        #expect(script.feed(.data(stream: 3, payload: [1, 2, 3], endStream: false)).errorFrames == ["RST 3 PROTOCOL_ERROR"])

        _ = script.client.send(ServerScript.get(), tag: 3)
        #expect(script.respond(5, [HeaderField("content-length", "4")], endStream: true).errorFrames == ["RST 5 PROTOCOL_ERROR"])

        _ = script.client.send(ServerScript.get(), tag: 4)
        _ = script.respond(7, [HeaderField("content-length", "3")], endStream: false)
        let right = script.feed(.data(stream: 7, payload: [1, 2, 3], endStream: true))
        #expect(right.contains(.finished(tag: 4, stream: 7)))
    }

    @Test func aHeadResponseMayAnnounceALengthWithoutData() {
        var script = ServerScript()
        _ = script.client.send(H2Request(method: "HEAD", authority: "x", path: "/"), tag: 1)
        let actions = script.respond(1, [HeaderField("content-length", "1000")], endStream: true)
        #expect(actions.errorFrames.isEmpty)
        #expect(actions.contains(.finished(tag: 1, stream: 1)))
    }

    @Test func dataBeforeTheResponseHeadIsMalformed() {
        var script = ServerScript()
        _ = script.client.send(ServerScript.get(), tag: 1)
        let actions = script.feed(.data(stream: 1, payload: [1], endStream: true))
        #expect(actions.errorFrames == ["RST 1 PROTOCOL_ERROR"])
    }

    @Test func informationalHeadsAreSkippedAndTrailersDelivered() {
        var script = ServerScript()
        _ = script.client.send(ServerScript.get(), tag: 1)
        #expect(script.respond(1, status: "103", [HeaderField("link", "</a>")], endStream: false).isEmpty)
        let head = script.respond(1, status: "200", endStream: false)
        #expect(head.contains { if case .response(1, 1, 200, _, false) = $0 { true } else { false } })
        _ = script.feed(.data(stream: 1, payload: [9], endStream: false))
        let end = script.respond(1, fields: [HeaderField("x-checksum", "1")], endStream: true)
        #expect(end == [.trailers(tag: 1, stream: 1, [HeaderField("x-checksum", "1")]), .finished(tag: 1, stream: 1)])
        // An informational head that ends the stream is malformed.
        _ = script.client.send(ServerScript.get(), tag: 2)
        #expect(script.respond(3, status: "100", endStream: true).errorFrames == ["RST 3 PROTOCOL_ERROR"])
    }

    // MARK: push refused

    @Test func pushPromiseIsAConnectionError() {
        var script = ServerScript()
        _ = script.client.send(ServerScript.get(), tag: 1)
        let fragment = script.block([HeaderField(":method", "GET"), HeaderField(":scheme", "http"), HeaderField(":path", "/p"), HeaderField(":authority", "x")])
        let actions = script.feed(.pushPromise(stream: 1, promised: 2, fragment: fragment, endHeaders: true))
        #expect(actions.errorFrames == ["GOAWAY 0 PROTOCOL_ERROR"])
        #expect(actions.failures == ["#1 1 maybe"])
        #expect(actions.isClosing)
        #expect(script.client.send(ServerScript.get(), tag: 2).failures == ["#2 - notProcessed"])
    }

    @Test func headersOnAServerStreamAndEnablePushOneAreProtocolErrors() {
        var script = ServerScript()
        #expect(script.respond(2).errorFrames == ["GOAWAY 0 PROTOCOL_ERROR"])
        var other = ServerScript()
        #expect(other.feed(.settings(ack: false, [Setting(.enablePush, 1)])).errorFrames == ["GOAWAY 0 PROTOCOL_ERROR"])
        var third = ServerScript()
        #expect(third.respond(5).errorFrames == ["GOAWAY 0 PROTOCOL_ERROR"])   // a stream we never opened
    }

    // MARK: §8.7: what was not processed

    @Test func goAwayFailsStreamsAboveItsLastIdAsNotProcessed() {
        var script = ServerScript(settings: [Setting(.maxConcurrentStreams, 3)])
        for tag in 1...5 { _ = script.client.send(H2Request(method: "POST", authority: "x", path: "/", body: [UInt8(tag)]), tag: tag) }
        let actions = script.feed(.goaway(lastStream: 1, .noError, debug: []))
        #expect(actions.first == .wentAway(lastStream: 1, .noError))
        #expect(actions.failures == ["#2 3 notProcessed", "#3 5 notProcessed", "#4 - notProcessed", "#5 - notProcessed"])
        #expect(!actions.isClosing)
        #expect(script.client.send(ServerScript.get(), tag: 6).failures == ["#6 - notProcessed"])
        // Frames on an abandoned stream are ignored; stream 1 finishes, then the connection closes.
        #expect(script.respond(3).isEmpty)
        let last = script.respond(1)
        #expect(last.contains(.finished(tag: 1, stream: 1)))
        #expect(last.errorFrames == ["GOAWAY 0 NO_ERROR"])
        #expect(last.isClosing)
    }

    @Test func refusedStreamIsNotProcessedOtherResetsMayHaveBeen() {
        var script = ServerScript()
        _ = script.client.send(H2Request(method: "POST", authority: "x", path: "/", body: [1]), tag: 1)
        _ = script.client.send(H2Request(method: "POST", authority: "x", path: "/", body: [1]), tag: 2)
        #expect(script.feed(.rstStream(stream: 1, .refusedStream)).failures == ["#1 1 notProcessed"])
        #expect(script.feed(.rstStream(stream: 3, .internalError)).failures == ["#2 3 maybe"])
    }

    @Test func aLostConnectionFailsInFlightAsMaybeAndQueuedAsNotProcessed() {
        var script = ServerScript(settings: [Setting(.maxConcurrentStreams, 1)])
        _ = script.client.send(ServerScript.get(), tag: 1)
        _ = script.client.send(ServerScript.get(), tag: 2)
        #expect(script.client.connectionLost("EOF").failures == ["#1 1 maybe", "#2 - notProcessed"])
        #expect(script.client.receivedBytes([0]).isEmpty)
    }

    @Test func aGoAwayWithAnErrorThenCloseFailsTheRestAsMaybe() {
        var script = ServerScript()
        _ = script.client.send(ServerScript.get(), tag: 1)
        _ = script.client.send(ServerScript.get(), tag: 2)
        let actions = script.feed(.goaway(lastStream: 3, .internalError, debug: []))
        #expect(actions.failures.isEmpty)
        #expect(script.client.connectionLost("EOF").failures == ["#1 1 maybe", "#2 3 maybe"])
    }

    @Test func cancelResetsTheStreamAndStartsTheNext() {
        var script = ServerScript(settings: [Setting(.maxConcurrentStreams, 1)])
        _ = script.client.send(ServerScript.get(), tag: 1)
        _ = script.client.send(ServerScript.get(), tag: 2)
        let actions = script.client.cancel(tag: 1)
        #expect(actions.errorFrames == ["RST 1 CANCEL"])
        #expect(actions.started == [3])
        // The server's answer on the reset stream is ignored.
        #expect(script.respond(1).isEmpty)
    }
}

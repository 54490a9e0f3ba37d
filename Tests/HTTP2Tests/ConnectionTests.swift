import Testing
import HPACK
@testable import HTTP2

@Suite struct HandshakeTests {
    @Test func startSendsSettingsAndRaisesTheConnectionWindow() {
        var config = H2Configuration()
        config.maxConcurrentStreams = 10
        config.connectionWindowSize = 1 << 20
        var connection = H2Connection(configuration: config)
        #expect(connection.start() == [
            .send(.settings(ack: false, [Setting(.maxConcurrentStreams, 10), Setting(.maxHeaderListSize, 65536)])),
            .send(.windowUpdate(stream: 0, increment: UInt32((1 << 20) - 65_535))),
        ])
        #expect(connection.connectionReceiveWindow == 1 << 20)
    }

    @Test func prefaceInAnySplitThenSettingsIsAcknowledged() {
        let bytes = H2Connection.clientPreface + Frame.settings(ack: false, [Setting(.maxFrameSize, 20_000)]).encoded
        for cut in 0...bytes.count {
            var connection = H2Connection()
            _ = connection.start()
            let actions = connection.receivedBytes(Array(bytes[..<cut])) + connection.receivedBytes(Array(bytes[cut...]))
            #expect(actions == [.send(.settings(ack: true, []))], "cut at \(cut)")
            #expect(connection.peerMaxFrameSize == 20_000)
        }
    }

    @Test func wrongPrefaceIsAProtocolError() {
        var connection = H2Connection()
        _ = connection.start()
        let actions = connection.receivedBytes(Array("GET / HTTP/1.1\r\n".utf8))
        #expect(errors(actions) == ["GOAWAY 0 PROTOCOL_ERROR"])
        #expect(isClose(actions.last))
        #expect(connection.receivedBytes(H2Connection.clientPreface).isEmpty)
    }

    @Test func firstFrameMustBeSettings() {
        var connection = H2Connection()
        _ = connection.start()
        let actions = connection.receivedBytes(H2Connection.clientPreface + Frame.ping(ack: false, opaque: 1).encoded)
        #expect(errors(actions) == ["GOAWAY 0 PROTOCOL_ERROR"])
    }

    @Test func settingsAckFromTheClientIsRecorded() {
        var script = Script()
        #expect(!script.connection.isSettingsAcknowledged)
        #expect(script.send(.settings(ack: true, [])).isEmpty)
        #expect(script.connection.isSettingsAcknowledged)
    }

    @Test func pingIsAnsweredWithAck() {
        var script = Script()
        #expect(script.send(.ping(ack: false, opaque: 77)) == [.send(.ping(ack: true, opaque: 77))])
        #expect(script.send(.ping(ack: true, opaque: 5)).isEmpty)
    }

    @Test func pushPromiseFromAClientIsAConnectionError() {
        var script = Script()
        let actions = script.send(.pushPromise(stream: 1, promised: 2, fragment: [0x82], endHeaders: true))
        #expect(errors(actions) == ["GOAWAY 0 PROTOCOL_ERROR"])
        #expect(isClose(actions.last))
    }

    @Test func oversizedFrameIsAFrameSizeError() {
        var script = Script()
        _ = script.headers(1, Script.post(), endStream: false)
        let actions = script.send(.data(stream: 1, payload: [UInt8](repeating: 1, count: 16_385), endStream: false))
        #expect(errors(actions) == ["GOAWAY 1 FRAME_SIZE_ERROR"])
    }

    @Test func unknownFrameTypesAreIgnored() {
        var script = Script()
        #expect(script.send(.unknown(type: 0x42, flags: 0, stream: 0, payload: [1, 2])).isEmpty)
        #expect(script.send(.unknown(type: 0x42, flags: 0, stream: 7, payload: [])).isEmpty)
    }

    @Test func clientGoAwayIsReported() {
        var script = Script()
        #expect(script.send(.goaway(lastStream: 0, .noError, debug: [])) == [.peerWentAway(lastStream: 0, .noError)])
    }
}

@Suite struct StreamTests {
    @Test func requestAndResponseCloseTheStream() throws {
        var script = Script()
        #expect(script.headers(1, Script.get) == [.request(stream: 1, Script.get, endStream: true)])
        let head = script.connection.sendHeaders(stream: 1, [HeaderField(":status", "200")], endStream: false)
        #expect(head.count == 1)
        guard case .send(.headers(1, let fragment, false, true, nil, nil))? = head.first else {
            Issue.record("\(head)")
            return
        }
        var decoder = HPACKDecoder()
        #expect(try decoder.decode(fragment) == [HeaderField(":status", "200")])
        #expect(script.connection.sendData(stream: 1, Array("hi".utf8), endStream: true) == [
            .send(.data(stream: 1, payload: Array("hi".utf8), endStream: true)), .streamClosed(stream: 1),
        ])
        #expect(script.connection.activeStreamCount == 0)
        // Nothing more goes out on a closed stream.
        #expect(script.connection.sendData(stream: 1, [1], endStream: true).isEmpty)
    }

    @Test func requestBodyIsDelivered() {
        var script = Script()
        #expect(script.headers(1, Script.post(length: 3), endStream: false) == [.request(stream: 1, Script.post(length: 3), endStream: false)])
        #expect(script.send(.data(stream: 1, payload: [1, 2], endStream: false)) == [.data(stream: 1, [1, 2], endStream: false)])
        #expect(script.send(.data(stream: 1, payload: [3], endStream: true)) == [.data(stream: 1, [3], endStream: true)])
    }

    @Test func evenStreamIdIsAProtocolError() {
        var script = Script()
        #expect(errors(script.headers(2, Script.get)) == ["GOAWAY 0 PROTOCOL_ERROR"])
    }

    @Test func lowerStreamIdIsAProtocolError() {
        var script = Script()
        _ = script.headers(5, Script.get)
        #expect(errors(script.headers(3, Script.get)) == ["GOAWAY 5 PROTOCOL_ERROR"])
    }

    @Test func reusedStreamIdIsAnError() {
        var script = Script()
        _ = script.headers(1, Script.get)
        _ = script.connection.sendHeaders(stream: 1, [HeaderField(":status", "204")], endStream: true)
        #expect(errors(script.headers(1, Script.get)) == ["GOAWAY 1 STREAM_CLOSED"])
    }

    @Test func dataOnAClosedStreamIsStreamClosedAndCountsForTheConnection() {
        var script = Script()
        _ = script.headers(1, Script.get)
        _ = script.connection.sendHeaders(stream: 1, [HeaderField(":status", "204")], endStream: true)
        let before = script.connection.connectionReceiveWindow
        #expect(errors(script.send(.data(stream: 1, payload: [1, 2, 3], endStream: false))) == ["RST 1 STREAM_CLOSED"])
        #expect(script.connection.connectionReceiveWindow == before - 3)
    }

    @Test func dataOnAStreamWeResetIsIgnoredButCounted() {
        var script = Script()
        _ = script.headers(1, Script.post(), endStream: false)
        #expect(script.connection.resetStream(1, code: .cancel) == [.send(.rstStream(stream: 1, .cancel))])
        let before = script.connection.connectionReceiveWindow
        #expect(script.send(.data(stream: 1, payload: [1, 2, 3, 4], endStream: false, padLength: 5)).isEmpty)
        #expect(script.connection.connectionReceiveWindow == before - 10)
        // HEADERS (trailers) on it are decoded and ignored too.
        #expect(script.headers(1, [HeaderField("x-trailer", "1")]).isEmpty)
    }

    @Test func dataOnAnIdleStreamIsAProtocolError() {
        var script = Script()
        #expect(errors(script.send(.data(stream: 3, payload: [1], endStream: false))) == ["GOAWAY 0 PROTOCOL_ERROR"])
    }

    @Test func dataOnAHalfClosedRemoteStreamIsStreamClosed() {
        var script = Script()
        _ = script.headers(1, Script.get)
        let actions = script.send(.data(stream: 1, payload: [1], endStream: false))
        #expect(errors(actions) == ["RST 1 STREAM_CLOSED"])
        #expect(actions.contains(.streamReset(stream: 1, .streamClosed, byPeer: false)))
        // The connection goes on.
        #expect(script.headers(3, Script.get) == [.request(stream: 3, Script.get, endStream: true)])
    }

    @Test func headersOnAHalfClosedRemoteStreamIsStreamClosed() {
        var script = Script()
        _ = script.headers(1, Script.get)
        #expect(errors(script.headers(1, [HeaderField("x", "y")])) == ["RST 1 STREAM_CLOSED"])
    }

    @Test func resetAndWindowUpdateOnIdleStreamsAreProtocolErrors() {
        var a = Script()
        #expect(errors(a.send(.rstStream(stream: 1, .cancel))) == ["GOAWAY 0 PROTOCOL_ERROR"])
        var b = Script()
        #expect(errors(b.send(.windowUpdate(stream: 1, increment: 1))) == ["GOAWAY 0 PROTOCOL_ERROR"])
    }

    @Test func framesOnClosedStreamsThatAreHarmlessAreIgnored() {
        var script = Script()
        _ = script.headers(1, Script.get)
        _ = script.send(.rstStream(stream: 1, .cancel))
        #expect(script.send(.rstStream(stream: 1, .cancel)).isEmpty)
        #expect(script.send(.windowUpdate(stream: 1, increment: 10)).isEmpty)
        #expect(script.send(.priority(stream: 1, PriorityFields(dependency: 0))).isEmpty)
    }

    @Test func peerResetIsReported() {
        var script = Script()
        _ = script.headers(1, Script.get)
        #expect(script.send(.rstStream(stream: 1, .cancel)) == [.streamReset(stream: 1, .cancel, byPeer: true)])
        #expect(script.connection.sendHeaders(stream: 1, [HeaderField(":status", "200")], endStream: true).isEmpty)
    }

    @Test func streamsBeyondTheLimitAreRefusedAndTheirHeadersStillDecoded() {
        var config = H2Configuration()
        config.maxConcurrentStreams = 1
        var script = Script(config)
        let custom = Script.get + [HeaderField("x-custom", "a-value-for-the-dynamic-table")]
        #expect(script.headers(1, custom) == [.request(stream: 1, custom, endStream: true)])
        // Stream 3's block adds a field to the client's dynamic table; stream 5's refers to it by
        // index, so it decodes only if the refused block was decoded too.
        #expect(errors(script.headers(3, custom + [HeaderField("x-refused", "r")])) == ["RST 3 REFUSED_STREAM"])
        _ = script.connection.sendHeaders(stream: 1, [HeaderField(":status", "204")], endStream: true)
        let more = custom + [HeaderField("x-refused", "r")]
        #expect(script.headers(5, more) == [.request(stream: 5, more, endStream: true)])
    }

    @Test func priorityIsParsedAndIgnoredButSelfDependencyIsAnError() {
        var script = Script()
        #expect(script.send(.priority(stream: 3, PriorityFields(dependency: 1))).isEmpty)
        #expect(errors(script.send(.priority(stream: 5, PriorityFields(dependency: 5)))) == ["RST 5 PROTOCOL_ERROR"])
        let block = script.block(Script.get)
        #expect(errors(script.send(.headers(stream: 7, fragment: block, endStream: true, endHeaders: true,
                                            priority: PriorityFields(dependency: 7)))) == ["RST 7 PROTOCOL_ERROR"])
        let next = script.block(Script.get)
        #expect(script.send(.headers(stream: 9, fragment: next, endStream: true, endHeaders: true,
                                     priority: PriorityFields(dependency: 3), padLength: 4)) == [.request(stream: 9, Script.get, endStream: true)])
    }

    @Test func badHPACKIsACompressionError() {
        var script = Script()
        #expect(errors(script.send(.headers(stream: 1, fragment: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], endStream: true, endHeaders: true))) == ["GOAWAY 0 COMPRESSION_ERROR"])
    }

    @Test func headerListTooLargeResetsTheStreamAndKeepsTheContext() {
        var config = H2Configuration()
        config.maxHeaderListSize = 200
        var script = Script(config)
        let big = Script.get + [HeaderField("x-big", String(repeating: "v", count: 150))]
        #expect(errors(script.headers(1, big)) == ["RST 1 ENHANCE_YOUR_CALM"])
        #expect(script.headers(3, Script.get) == [.request(stream: 3, Script.get, endStream: true)])
    }
}

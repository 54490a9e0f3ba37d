import Testing
import HPACK
@testable import HTTP2

@Suite struct HeaderBlockTests {
    @Test func continuationJoinsTheBlock() {
        var script = Script()
        let block = script.block(Script.get)
        let actions = script.send(.headers(stream: 1, fragment: Array(block[..<2]), endStream: true, endHeaders: false),
                                  .continuation(stream: 1, fragment: Array(block[2..<3]), endHeaders: false),
                                  .continuation(stream: 1, fragment: Array(block[3...]), endHeaders: true))
        #expect(actions == [.request(stream: 1, Script.get, endStream: true)])
    }

    @Test func headersWithoutEndHeadersThenAnotherFrameIsAProtocolError() {
        for other in [Frame.ping(ack: false, opaque: 1), .data(stream: 1, payload: [1], endStream: false),
                      .headers(stream: 3, fragment: [0x82], endStream: true, endHeaders: true),
                      .continuation(stream: 3, fragment: [0x82], endHeaders: true),
                      .unknown(type: 0x33, flags: 0, stream: 0, payload: []),
                      .windowUpdate(stream: 0, increment: 1), .settings(ack: true, [])] {
            var script = Script()
            let block = script.block(Script.get)
            let actions = script.send(.headers(stream: 1, fragment: block, endStream: true, endHeaders: false), other)
            #expect(errors(actions) == ["GOAWAY 0 PROTOCOL_ERROR"], "\(other)")
            #expect(isClose(actions.last))
        }
    }

    @Test func continuationWithoutHeadersIsAProtocolError() {
        var script = Script()
        _ = script.headers(1, Script.get)
        #expect(errors(script.send(.continuation(stream: 1, fragment: [], endHeaders: true))) == ["GOAWAY 1 PROTOCOL_ERROR"])
    }

    @Test func continuationFloodByCountIsCapped() {
        var config = H2Configuration()
        config.maxContinuationFrames = 10
        var script = Script(config)
        var actions = script.send(.headers(stream: 1, fragment: [0x82], endStream: true, endHeaders: false))
        for _ in 0..<10 { actions += script.send(.continuation(stream: 1, fragment: [], endHeaders: false)) }
        #expect(actions.isEmpty)
        actions = script.send(.continuation(stream: 1, fragment: [], endHeaders: false))
        #expect(errors(actions) == ["GOAWAY 0 ENHANCE_YOUR_CALM"])
    }

    @Test func continuationFloodBySizeIsCapped() {
        var config = H2Configuration()
        config.maxHeaderBlockSize = 1000
        var script = Script(config)
        let filler = [UInt8](repeating: 0x82, count: 400)
        var actions = script.send(.headers(stream: 1, fragment: filler, endStream: true, endHeaders: false))
        actions += script.send(.continuation(stream: 1, fragment: filler, endHeaders: false))
        #expect(actions.isEmpty)
        actions = script.send(.continuation(stream: 1, fragment: filler, endHeaders: false))
        #expect(errors(actions) == ["GOAWAY 0 ENHANCE_YOUR_CALM"])
    }

    @Test func everyBlockIsDecodedEvenForStreamsThatAreReset() {
        // A malformed request (reset) and one after GOAWAY (ignored) still change the table.
        var script = Script()
        let bad = Script.get + [HeaderField("connection", "close"), HeaderField("x-one", "1")]
        #expect(errors(script.headers(1, bad)) == ["RST 1 PROTOCOL_ERROR"])
        let next = Script.get + [HeaderField("x-one", "1")]
        #expect(script.headers(3, next) == [.request(stream: 3, next, endStream: true)])
    }

    @Test func trailersAreDelivered() {
        var script = Script()
        _ = script.headers(1, Script.post(), endStream: false)
        _ = script.send(.data(stream: 1, payload: [1], endStream: false))
        let trailers = [HeaderField("x-checksum", "abc")]
        #expect(script.headers(1, trailers, endStream: true) == [.trailers(stream: 1, trailers)])
    }

    @Test func trailersWithoutEndStreamOrWithPseudoHeadersAreStreamErrors() {
        var script = Script()
        _ = script.headers(1, Script.post(), endStream: false)
        #expect(errors(script.headers(1, [HeaderField("x-a", "1")], endStream: false)) == ["RST 1 PROTOCOL_ERROR"])
        _ = script.headers(3, Script.post(), endStream: false)
        #expect(errors(script.headers(3, [HeaderField(":path", "/x")], endStream: true)) == ["RST 3 PROTOCOL_ERROR"])
    }
}

@Suite struct RequestValidationTests {
    static let base = Script.get

    /// Each malformed request, and a sentence the error's detail must contain.
    static let malformed: [([HeaderField], String)] = [
        (base + [HeaderField("Host", "x")], "uppercase"),
        (base + [HeaderField("connection", "keep-alive")], "connection-specific"),
        (base + [HeaderField("keep-alive", "timeout=5")], "connection-specific"),
        (base + [HeaderField("proxy-connection", "keep-alive")], "connection-specific"),
        (base + [HeaderField("transfer-encoding", "chunked")], "connection-specific"),
        (base + [HeaderField("upgrade", "h2c")], "connection-specific"),
        (base + [HeaderField("te", "gzip")], "te"),
        (Array(base.dropFirst()), ":method"),
        (base.filter { $0.nameString != ":scheme" }, ":scheme"),
        (base.filter { $0.nameString != ":path" }, ":path"),
        (base + [HeaderField(":foo", "bar")], "not a request pseudo-header"),
        (base + [HeaderField(":status", "200")], "not a request pseudo-header"),
        ([base[0], base[1], HeaderField("accept", "*/*"), base[2]], "after a regular field"),
        (base + [HeaderField(":path", "/again")], "twice"),
        (base.map { $0.nameString == ":path" ? HeaderField(":path", "") : $0 }, "empty :path"),
        (base + [HeaderField("x-bad", "a\r\nb")], "octet"),
        (base + [HeaderField("x bad", "a")], "octet"),
        (base + [HeaderField("content-length", "abc")], "not a number"),
        (Script.post(length: 5), "no DATA"),
    ]

    @Test(arguments: 0..<RequestValidationTests.malformed.count)
    func malformedRequestIsAStreamError(index: Int) {
        let (fields, expected) = RequestValidationTests.malformed[index]
        var script = Script()
        let actions = script.headers(1, fields)
        #expect(errors(actions) == ["RST 1 PROTOCOL_ERROR"], "\(fields)")
        // The reason, through the validator directly.
        do {
            _ = try RequestValidation.validateRequest(fields, stream: 1)
            if expected != "no DATA" { Issue.record("accepted \(fields)") }
        } catch {
            #expect(error.detail.contains(expected), "\(error.detail)")
            #expect(error.stream == 1 && error.code == .protocolError)
        }
        // The connection goes on.
        #expect(script.headers(3, Script.get) == [.request(stream: 3, Script.get, endStream: true)])
    }

    @Test func teTrailersIsAllowed() {
        var script = Script()
        let fields = Script.get + [HeaderField("te", "trailers")]
        #expect(script.headers(1, fields) == [.request(stream: 1, fields, endStream: true)])
    }

    @Test func contentLengthBelowTheDataIsAStreamError() {
        var script = Script()
        _ = script.headers(1, Script.post(length: 2), endStream: false)
        #expect(errors(script.send(.data(stream: 1, payload: [1, 2, 3], endStream: false))) == ["RST 1 PROTOCOL_ERROR"])
    }

    @Test func contentLengthAboveTheDataIsAStreamError() {
        var script = Script()
        _ = script.headers(1, Script.post(length: 4), endStream: false)
        _ = script.send(.data(stream: 1, payload: [1, 2], endStream: false))
        #expect(errors(script.send(.data(stream: 1, payload: [3], endStream: true))) == ["RST 1 PROTOCOL_ERROR"])
        _ = script.headers(3, Script.post(length: 4), endStream: false)
        _ = script.send(.data(stream: 3, payload: [1, 2], endStream: false))
        #expect(errors(script.headers(3, [HeaderField("x-t", "1")], endStream: true)) == ["RST 3 PROTOCOL_ERROR"])
    }

    @Test func contentLengthMatchingTheDataIsAccepted() {
        var script = Script()
        _ = script.headers(1, Script.post(length: 3), endStream: false)
        let actions = script.send(.data(stream: 1, payload: [1, 2], endStream: false, padLength: 9),
                                  .data(stream: 1, payload: [3], endStream: true))
        #expect(errors(actions).isEmpty)
    }
}

@Suite struct GoAwayTests {
    @Test func gracefulShutdownIsTwoStepAndLetsStreamsFinish() {
        var script = Script()
        _ = script.headers(1, Script.get)
        let announce = script.connection.startGracefulShutdown()
        #expect(announce == [.send(.goaway(lastStream: maxStreamID, .noError, debug: [])),
                             .send(.ping(ack: false, opaque: H2Connection.shutdownPingPayload))])
        // A stream the client opened before it saw the GOAWAY is still served.
        #expect(script.headers(3, Script.get) == [.request(stream: 3, Script.get, endStream: true)])
        #expect(script.send(.ping(ack: true, opaque: H2Connection.shutdownPingPayload)) == [.send(.goaway(lastStream: 3, .noError, debug: []))])
        // One opened after the real GOAWAY is ignored (its block still decoded).
        #expect(script.headers(5, Script.get).isEmpty)
        _ = script.connection.sendHeaders(stream: 1, [HeaderField(":status", "204")], endStream: true)
        #expect(script.connection.sendHeaders(stream: 3, [HeaderField(":status", "204")], endStream: true).suffix(2)
                == [.streamClosed(stream: 3), .close(nil)])
        #expect(script.connection.isClosed)
    }

    @Test func lastStreamIdNeverRises() {
        var script = Script()
        _ = script.headers(1, Script.get)
        _ = script.connection.startGracefulShutdown()
        #expect(script.connection.finishGracefulShutdown() == [.send(.goaway(lastStream: 1, .noError, debug: []))])
        // Stream 3 arrives after the GOAWAY and is ignored; a later connection error says 1, not 3.
        #expect(script.headers(3, Script.get).isEmpty)
        let actions = script.send(.pushPromise(stream: 1, promised: 2, fragment: [], endHeaders: true))
        #expect(errors(actions) == ["GOAWAY 1 PROTOCOL_ERROR"])
        #expect(script.connection.lastGoAwayStream == 1)
    }

    @Test func shutdownWithNoStreamsClosesAtOnce() {
        var script = Script()
        _ = script.connection.startGracefulShutdown()
        #expect(script.connection.finishGracefulShutdown() == [.send(.goaway(lastStream: 0, .noError, debug: [])), .close(nil)])
    }

    @Test func rapidResetIsBounded() {
        var config = H2Configuration()
        config.maxResetsPerWindow = 5
        var script = Script(config)
        var id: StreamID = 1
        for _ in 0..<5 {
            _ = script.headers(id, Script.get)
            #expect(script.send(.rstStream(stream: id, .cancel)) == [.streamReset(stream: id, .cancel, byPeer: true)])
            id += 2
        }
        // The window ends: the count starts again.
        script.connection.resetWindowElapsed()
        for _ in 0..<5 {
            _ = script.headers(id, Script.get)
            _ = script.send(.rstStream(stream: id, .cancel))
            id += 2
        }
        _ = script.headers(id, Script.get)
        let actions = script.send(.rstStream(stream: id, .cancel))
        #expect(errors(actions) == ["GOAWAY \(id) ENHANCE_YOUR_CALM"])
        #expect(isClose(actions.last))
    }

    @Test func provokedResetsCountToo() {
        var config = H2Configuration()
        config.maxResetsPerWindow = 2
        var script = Script(config)
        let bad = Script.get + [HeaderField("upgrade", "x")]
        _ = script.headers(1, bad)
        _ = script.headers(3, bad)
        #expect(errors(script.headers(5, bad)) == ["RST 5 PROTOCOL_ERROR", "GOAWAY 5 ENHANCE_YOUR_CALM"])
    }
}

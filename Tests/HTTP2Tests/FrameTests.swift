import Testing
@testable import HTTP2

/// Parses `bytes` fed in the given pieces: the frames, then the first error (which stops it only
/// when it is a connection error; a stream error is recorded and parsing goes on).
func parseAll(_ pieces: [[UInt8]], maxFrameSize: Int = 16_384) -> (frames: [Frame], errors: [H2Error]) {
    var parser = FrameParser(maxFrameSize: maxFrameSize)
    var frames: [Frame] = []
    var errors: [H2Error] = []
    outer: for piece in pieces {
        parser.append(piece)
        while true {
            do {
                guard let frame = try parser.nextFrame() else { break }
                frames.append(frame)
            } catch {
                errors.append(error)
                if error.isConnectionError { break outer }
            }
        }
    }
    return (frames, errors)
}

/// A raw frame: header fields and payload as given, no checks.
func rawFrame(type: UInt8, flags: UInt8 = 0, stream: UInt32, _ payload: [UInt8]) -> [UInt8] {
    let n = payload.count
    return [UInt8(n >> 16), UInt8(n >> 8 & 0xff), UInt8(n & 0xff), type, flags,
            UInt8(stream >> 24), UInt8(stream >> 16 & 0xff), UInt8(stream >> 8 & 0xff), UInt8(stream & 0xff)] + payload
}

@Suite struct FrameTests {
    static let sample: [Frame] = [
        .settings(ack: false, [Setting(.maxConcurrentStreams, 100), Setting(.initialWindowSize, 1 << 20), Setting(SettingID(rawValue: 0x99), 7)]),
        .settings(ack: true, []),
        .headers(stream: 1, fragment: [0x82, 0x86, 0x84], endStream: false, endHeaders: false,
                 priority: PriorityFields(isExclusive: true, dependency: 0, weight: 200), padLength: 3),
        .continuation(stream: 1, fragment: [0x41, 0x00], endHeaders: true),
        .data(stream: 1, payload: Array("hello".utf8), endStream: false, padLength: 4),
        .data(stream: 1, payload: [], endStream: true),
        .priority(stream: 3, PriorityFields(isExclusive: false, dependency: 1, weight: 0)),
        .rstStream(stream: 3, .cancel),
        .ping(ack: false, opaque: 0x0102_0304_0506_0708),
        .ping(ack: true, opaque: 42),
        .goaway(lastStream: 7, .enhanceYourCalm, debug: Array("calm".utf8)),
        .goaway(lastStream: 9, ErrorCode(rawValue: 0x77), debug: []),
        .windowUpdate(stream: 0, increment: 1000),
        .windowUpdate(stream: 5, increment: 0x7fff_ffff),
        .pushPromise(stream: 1, promised: 2, fragment: [0x82], endHeaders: true, padLength: nil),
        .unknown(type: 0xfa, flags: 0x3, stream: 9, payload: [1, 2, 3]),
    ]

    @Test func everyFrameRoundTrips() throws {
        for frame in FrameTests.sample {
            let result = parseAll([frame.encoded])
            #expect(result.errors.isEmpty, "\(frame)")
            #expect(result.frames == [frame], "\(frame)")
        }
    }

    @Test func headerLayoutIsTheRFCs() {
        // §4.1: length 24 bits, type, flags, R + 31-bit stream id.
        let bytes = Frame.windowUpdate(stream: 3, increment: 1).encoded
        #expect(bytes == [0, 0, 4, 0x8, 0, 0, 0, 0, 3, 0, 0, 0, 1])
        let headers = Frame.headers(stream: 1, fragment: [0x82], endStream: true, endHeaders: true).encoded
        #expect(headers == [0, 0, 1, 0x1, 0x5, 0, 0, 0, 1, 0x82])
    }

    @Test func everySplitGivesTheSameFrames() {
        var bytes: [UInt8] = []
        for frame in FrameTests.sample { frame.encode(into: &bytes) }
        let whole = parseAll([bytes])
        #expect(whole.frames == FrameTests.sample)
        for cut in 0...bytes.count {
            let two = parseAll([Array(bytes[..<cut]), Array(bytes[cut...])])
            #expect(two.frames == whole.frames, "cut at \(cut)")
            #expect(two.errors.isEmpty, "cut at \(cut)")
        }
        // Byte by byte, and every pair of cuts over a shorter prefix.
        #expect(parseAll(bytes.map { [$0] }).frames == whole.frames)
        let prefix = Array(bytes.prefix(80))
        let prefixFrames = parseAll([prefix]).frames
        for a in 0...prefix.count {
            for b in a...prefix.count {
                let three = parseAll([Array(prefix[..<a]), Array(prefix[a..<b]), Array(prefix[b...])])
                #expect(three.frames == prefixFrames, "cuts at \(a), \(b)")
            }
        }
    }

    @Test func everySplitGivesTheSameErrors() {
        // A stream error (PRIORITY of 4 bytes) then a frame, then a connection error (PING of 7).
        let bytes = rawFrame(type: 0x2, stream: 1, [0, 0, 0, 0]) + Frame.ping(ack: false, opaque: 1).encoded
            + rawFrame(type: 0x6, stream: 0, [0, 0, 0, 0, 0, 0, 0]) + Frame.ping(ack: false, opaque: 2).encoded
        let whole = parseAll([bytes])
        #expect(whole.frames == [.ping(ack: false, opaque: 1)])
        #expect(whole.errors.map(\.code) == [.frameSizeError, .frameSizeError])
        #expect(whole.errors.map(\.stream) == [1, nil])
        for cut in 0...bytes.count {
            let two = parseAll([Array(bytes[..<cut]), Array(bytes[cut...])])
            #expect(two.frames == whole.frames && two.errors == whole.errors, "cut at \(cut)")
        }
    }

    @Test func oversizedFrameIsAFrameSizeError() {
        let big = Frame.data(stream: 1, payload: [UInt8](repeating: 7, count: 16_385), endStream: false).encoded
        let result = parseAll([Array(big.prefix(9))])   // refused from the header alone
        #expect(result.errors.first?.code == .frameSizeError)
        #expect(result.errors.first?.isConnectionError == true)
        #expect(parseAll([big], maxFrameSize: 16_385).frames.count == 1)
    }

    @Test func connectionErrorSticks() {
        var parser = FrameParser()
        parser.append(rawFrame(type: 0x4, stream: 1, []))   // SETTINGS on a stream
        #expect(throws: H2Error.self) { try parser.nextFrame() }
        parser.append(Frame.ping(ack: false, opaque: 1).encoded)
        #expect(throws: H2Error.self) { try parser.nextFrame() }
    }

    /// One malformed frame and the error it must give: code, and whether it is the stream's alone.
    @Test(arguments: [
        (rawFrame(type: 0x0, stream: 0, [1]), ErrorCode.protocolError, false),                 // DATA on stream 0
        (rawFrame(type: 0x0, flags: 0x8, stream: 1, [5, 1, 2]), .protocolError, false),         // padding past the payload
        (rawFrame(type: 0x0, flags: 0x8, stream: 1, []), .frameSizeError, false),               // no Pad Length octet
        (rawFrame(type: 0x1, stream: 0, [0x82]), .protocolError, false),                        // HEADERS on stream 0
        (rawFrame(type: 0x1, flags: 0x20, stream: 1, [0, 0, 0]), .frameSizeError, false),       // priority fields cut
        (rawFrame(type: 0x1, flags: 0x28, stream: 1, [2, 0, 0, 0, 0, 9, 0x82]), .protocolError, false), // pad + priority too long
        (rawFrame(type: 0x2, stream: 0, [0, 0, 0, 1, 1]), .protocolError, false),               // PRIORITY on stream 0
        (rawFrame(type: 0x2, stream: 1, [0, 0, 0, 1, 1, 1]), .frameSizeError, true),            // PRIORITY of 6
        (rawFrame(type: 0x3, stream: 0, [0, 0, 0, 8]), .protocolError, false),                  // RST_STREAM on 0
        (rawFrame(type: 0x3, stream: 1, [0, 0, 8]), .frameSizeError, false),                    // RST_STREAM of 3
        (rawFrame(type: 0x4, stream: 1, []), .protocolError, false),                            // SETTINGS on a stream
        (rawFrame(type: 0x4, stream: 0, [0, 3, 0, 0]), .frameSizeError, false),                 // SETTINGS of 4 bytes
        (rawFrame(type: 0x4, flags: 0x1, stream: 0, [0, 3, 0, 0, 0, 1]), .frameSizeError, false), // ACK with payload
        (rawFrame(type: 0x4, stream: 0, [0, 2, 0, 0, 0, 2]), .protocolError, false),            // ENABLE_PUSH 2
        (rawFrame(type: 0x4, stream: 0, [0, 4, 0x80, 0, 0, 0]), .flowControlError, false),      // INITIAL_WINDOW_SIZE 2^31
        (rawFrame(type: 0x4, stream: 0, [0, 5, 0, 0, 0x3f, 0xff]), .protocolError, false),      // MAX_FRAME_SIZE 16383
        (rawFrame(type: 0x4, stream: 0, [0, 5, 1, 0, 0, 0]), .protocolError, false),            // MAX_FRAME_SIZE 2^24
        (rawFrame(type: 0x6, stream: 1, [0, 0, 0, 0, 0, 0, 0, 0]), .protocolError, false),      // PING on a stream
        (rawFrame(type: 0x6, stream: 0, [0, 0, 0, 0, 0, 0, 0, 0, 0]), .frameSizeError, false),  // PING of 9
        (rawFrame(type: 0x7, stream: 1, [0, 0, 0, 0, 0, 0, 0, 0]), .protocolError, false),      // GOAWAY on a stream
        (rawFrame(type: 0x7, stream: 0, [0, 0, 0, 0, 0, 0, 0]), .frameSizeError, false),        // GOAWAY of 7
        (rawFrame(type: 0x8, stream: 0, [0, 0, 0, 0]), .protocolError, false),                  // WINDOW_UPDATE 0 on the connection
        (rawFrame(type: 0x8, stream: 1, [0, 0, 0, 0]), .protocolError, true),                   // WINDOW_UPDATE 0 on a stream
        (rawFrame(type: 0x8, stream: 1, [0, 0, 1]), .frameSizeError, false),                    // WINDOW_UPDATE of 3
        (rawFrame(type: 0x9, stream: 0, []), .protocolError, false),                            // CONTINUATION on 0
    ] as [([UInt8], ErrorCode, Bool)])
    func malformedFrame(bytes: [UInt8], code: ErrorCode, isStreamError: Bool) {
        let result = parseAll([bytes])
        #expect(result.frames.isEmpty)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.code == code, "\(result.errors)")
        #expect(result.errors.first?.isConnectionError == !isStreamError)
    }

    @Test func unknownTypeAndReservedBitAreIgnored() {
        let bytes = rawFrame(type: 0x20, flags: 0xff, stream: 0x8000_0001, [9]) + rawFrame(type: 0x8, stream: 0x8000_0003, [0x80, 0, 0, 1])
        let result = parseAll([bytes])
        #expect(result.frames == [.unknown(type: 0x20, flags: 0xff, stream: 1, payload: [9]), .windowUpdate(stream: 3, increment: 1)])
    }

    @Test func unknownSettingIsKept() {
        let result = parseAll([rawFrame(type: 0x4, stream: 0, [0x12, 0x34, 0, 0, 0, 9])])
        #expect(result.frames == [.settings(ack: false, [Setting(SettingID(rawValue: 0x1234), 9)])])
    }
}

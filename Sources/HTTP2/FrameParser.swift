// RFC 9113 §4.1, §4.2, §6: reading frames from a byte stream, incrementally. The bytes may arrive in
// any split; the frames and errors that come out do not depend on it.

/// FrameParser turns the bytes of a connection (after the preface) into frames. Feed it with
/// `append`, then call `nextFrame()` until it returns nil (it needs more bytes).
///
/// Checks made here, per frame, without connection state: the length against `maxFrameSize`, the
/// stream id each type requires (zero or not), fixed payload lengths, padding inside the payload,
/// SETTINGS values (§6.5.2), a zero WINDOW_UPDATE increment. A stream error (`H2Error.stream` set)
/// consumes its frame and the parser goes on; a connection error stops it for good: every later
/// call throws the same error.
public struct FrameParser: Sendable {
    /// The largest payload accepted: our SETTINGS_MAX_FRAME_SIZE (16,384 until we announce more).
    public var maxFrameSize: Int
    private var buffer: [UInt8] = []
    private var start = 0
    public private(set) var failure: H2Error?

    public init(maxFrameSize: Int = 16_384) {
        self.maxFrameSize = maxFrameSize
    }

    /// Bytes received but not yet consumed as frames.
    public var bufferedCount: Int { buffer.count - start }

    /// Bytes as an array: taken as they are when nothing is buffered (no copy), appended otherwise.
    public mutating func append(_ bytes: [UInt8]) {
        if start == buffer.count {
            buffer = bytes
            start = 0
            return
        }
        append(bytes[...])
    }

    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole frame, or nil when more bytes are needed.
    public mutating func nextFrame() throws(H2Error) -> Frame? {
        if let failure { throw failure }
        guard buffer.count - start >= 9 else { return nil }
        let length = Int(buffer[start]) << 16 | Int(buffer[start + 1]) << 8 | Int(buffer[start + 2])
        let type = buffer[start + 3]
        let flags = buffer[start + 4]
        let stream = readUInt32(at: start + 5) & maxStreamID
        if length > maxFrameSize {
            let error = H2Error.connection(.frameSizeError, "frame of type 0x\(String(type, radix: 16)) on stream \(stream) is \(length) bytes, above the maximum frame size \(maxFrameSize)")
            failure = error
            throw error
        }
        guard buffer.count - start >= 9 + length else { return nil }
        let payload = Array(buffer[(start + 9)..<(start + 9 + length)])
        start += 9 + length
        if start == buffer.count {
            // Everything is consumed: let the storage go (an idle connection keeps none; the next
            // read's array is taken as it is, see `append`).
            buffer = []
            start = 0
        }
        do {
            return try FrameParser.parse(type: type, flags: flags, stream: stream, payload: payload)
        } catch {
            if error.isConnectionError { failure = error }
            throw error
        }
    }

    private func readUInt32(at i: Int) -> UInt32 {
        UInt32(buffer[i]) << 24 | UInt32(buffer[i + 1]) << 16 | UInt32(buffer[i + 2]) << 8 | UInt32(buffer[i + 3])
    }

    private static func uint32(_ p: [UInt8], _ i: Int) -> UInt32 {
        UInt32(p[i]) << 24 | UInt32(p[i + 1]) << 16 | UInt32(p[i + 2]) << 8 | UInt32(p[i + 3])
    }

    /// One frame from its header fields and payload (§6).
    static func parse(type rawType: UInt8, flags: UInt8, stream: StreamID, payload: [UInt8]) throws(H2Error) -> Frame {
        guard let type = FrameType(rawValue: rawType) else {
            return .unknown(type: rawType, flags: flags, stream: stream, payload: payload)
        }
        func requireStream() throws(H2Error) {
            if stream == 0 { throw .connection(.protocolError, "\(type) frame on stream 0") }
        }
        func requireConnection() throws(H2Error) {
            if stream != 0 { throw .connection(.protocolError, "\(type) frame on stream \(stream), not 0") }
        }
        switch type {
        case .data:
            try requireStream()
            let (body, pad) = try unpad(payload, flags: flags, type: type, stream: stream, skip: 0)
            return .data(stream: stream, payload: body, endStream: flags & FrameFlag.endStream != 0, padLength: pad)
        case .headers:
            try requireStream()
            let hasPriority = flags & FrameFlag.priority != 0
            let (body, pad) = try unpad(payload, flags: flags, type: type, stream: stream, skip: hasPriority ? 5 : 0)
            var priority: PriorityFields?
            var fragment = body
            if hasPriority {
                priority = priorityFields(body, 0)
                fragment = Array(body.dropFirst(5))
            }
            return .headers(stream: stream, fragment: fragment, endStream: flags & FrameFlag.endStream != 0,
                            endHeaders: flags & FrameFlag.endHeaders != 0, priority: priority, padLength: pad)
        case .priority:
            try requireStream()
            guard payload.count == 5 else {
                throw .stream(stream, .frameSizeError, "PRIORITY frame of \(payload.count) bytes, not 5")
            }
            return .priority(stream: stream, priorityFields(payload, 0))
        case .rstStream:
            try requireStream()
            guard payload.count == 4 else {
                throw .connection(.frameSizeError, "RST_STREAM frame on stream \(stream) of \(payload.count) bytes, not 4")
            }
            return .rstStream(stream: stream, ErrorCode(rawValue: uint32(payload, 0)))
        case .settings:
            try requireConnection()
            let isAck = flags & FrameFlag.ack != 0
            if isAck {
                guard payload.isEmpty else { throw .connection(.frameSizeError, "SETTINGS ACK with a payload of \(payload.count) bytes") }
                return .settings(ack: true, [])
            }
            guard payload.count % 6 == 0 else {
                throw .connection(.frameSizeError, "SETTINGS payload of \(payload.count) bytes, not a multiple of 6")
            }
            var list: [Setting] = []
            for i in stride(from: 0, to: payload.count, by: 6) {
                let setting = Setting(SettingID(rawValue: UInt16(payload[i]) << 8 | UInt16(payload[i + 1])), uint32(payload, i + 2))
                try validate(setting)
                list.append(setting)
            }
            return .settings(ack: false, list)
        case .pushPromise:
            try requireStream()
            let (body, pad) = try unpad(payload, flags: flags, type: type, stream: stream, skip: 4)
            return .pushPromise(stream: stream, promised: uint32(body, 0) & maxStreamID, fragment: Array(body.dropFirst(4)),
                                endHeaders: flags & FrameFlag.endHeaders != 0, padLength: pad)
        case .ping:
            try requireConnection()
            guard payload.count == 8 else { throw .connection(.frameSizeError, "PING frame of \(payload.count) bytes, not 8") }
            return .ping(ack: flags & FrameFlag.ack != 0, opaque: UInt64(uint32(payload, 0)) << 32 | UInt64(uint32(payload, 4)))
        case .goaway:
            try requireConnection()
            guard payload.count >= 8 else { throw .connection(.frameSizeError, "GOAWAY frame of \(payload.count) bytes, under 8") }
            return .goaway(lastStream: uint32(payload, 0) & maxStreamID, ErrorCode(rawValue: uint32(payload, 4)),
                           debug: Array(payload.dropFirst(8)))
        case .windowUpdate:
            guard payload.count == 4 else {
                throw .connection(.frameSizeError, "WINDOW_UPDATE frame on stream \(stream) of \(payload.count) bytes, not 4")
            }
            let increment = uint32(payload, 0) & 0x7fff_ffff
            if increment == 0 {
                throw stream == 0
                    ? .connection(.protocolError, "WINDOW_UPDATE with an increment of 0 on the connection")
                    : .stream(stream, .protocolError, "WINDOW_UPDATE with an increment of 0")
            }
            return .windowUpdate(stream: stream, increment: increment)
        case .continuation:
            try requireStream()
            return .continuation(stream: stream, fragment: payload, endHeaders: flags & FrameFlag.endHeaders != 0)
        }
    }

    /// The payload without its Pad Length octet and padding (§6.1, §6.2), and the padding's length.
    /// `skip` is how many octets of fixed fields follow the Pad Length and must fit too.
    private static func unpad(_ payload: [UInt8], flags: UInt8, type: FrameType, stream: StreamID, skip: Int) throws(H2Error) -> ([UInt8], Int?) {
        guard flags & FrameFlag.padded != 0 else {
            guard payload.count >= skip else {
                throw .connection(.frameSizeError, "\(type) frame on stream \(stream) of \(payload.count) bytes, too short for its fields")
            }
            return (payload, nil)
        }
        guard let first = payload.first else {
            throw .connection(.frameSizeError, "PADDED \(type) frame on stream \(stream) with no Pad Length octet")
        }
        let pad = Int(first)
        guard 1 + skip + pad <= payload.count else {
            throw .connection(.protocolError, "\(type) frame on stream \(stream): padding of \(pad) bytes in a payload of \(payload.count)")
        }
        return (Array(payload[1..<(payload.count - pad)]), pad)
    }

    private static func priorityFields(_ p: [UInt8], _ i: Int) -> PriorityFields {
        let word = uint32(p, i)
        return PriorityFields(isExclusive: word & 0x8000_0000 != 0, dependency: word & maxStreamID, weight: p[i + 4])
    }

    /// §6.5.2: the values a parameter may take. Unknown parameters are accepted (and ignored later).
    static func validate(_ setting: Setting) throws(H2Error) {
        switch setting.id {
        case .enablePush where setting.value > 1:
            throw .connection(.protocolError, "SETTINGS_ENABLE_PUSH of \(setting.value), not 0 or 1")
        case .initialWindowSize where setting.value > UInt32(maxWindowSize):
            throw .connection(.flowControlError, "SETTINGS_INITIAL_WINDOW_SIZE of \(setting.value), above 2^31-1")
        case .maxFrameSize where setting.value < 16_384 || setting.value > 16_777_215:
            throw .connection(.protocolError, "SETTINGS_MAX_FRAME_SIZE of \(setting.value), outside 16384...16777215")
        default:
            return
        }
    }
}

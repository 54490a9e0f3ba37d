// RFC 9113 §4.1, §6: frames to bytes.

extension Frame {
    /// Appends the frame, its 9-byte header first, to `out`. Padding octets are zeros (§6.1).
    /// Sizes are the caller's to keep under the peer's SETTINGS_MAX_FRAME_SIZE; the connection
    /// machine splits DATA and header blocks so they are.
    public func encode(into out: inout [UInt8]) {
        // The frames of every response, written straight into `out` (no payload array, no
        // concatenations): DATA and HEADERS without padding or priority, and WINDOW_UPDATE.
        switch self {
        case .data(let stream, let body, let end, nil):
            Frame.appendHeader(length: body.count, type: FrameType.data.rawValue, flags: end ? FrameFlag.endStream : 0, stream: stream, into: &out)
            out.append(contentsOf: body)
            return
        case .headers(let stream, let fragment, let end, let endHeaders, nil, nil):
            let flags = (end ? FrameFlag.endStream : 0) | (endHeaders ? FrameFlag.endHeaders : 0)
            Frame.appendHeader(length: fragment.count, type: FrameType.headers.rawValue, flags: flags, stream: stream, into: &out)
            out.append(contentsOf: fragment)
            return
        case .windowUpdate(let stream, let increment):
            Frame.appendHeader(length: 4, type: FrameType.windowUpdate.rawValue, flags: 0, stream: stream, into: &out)
            Frame.appendWord(increment & 0x7fff_ffff, into: &out)
            return
        default:
            break
        }
        var payload: [UInt8] = []
        var flags: UInt8 = 0
        let type: UInt8
        func padded(_ pad: Int?, _ body: [UInt8]) -> [UInt8] {
            guard let pad else { return body }
            flags |= FrameFlag.padded
            return [UInt8(min(pad, 255))] + body + [UInt8](repeating: 0, count: min(pad, 255))
        }
        func word(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
        func priorityBytes(_ p: PriorityFields) -> [UInt8] {
            word(p.dependency & maxStreamID | (p.isExclusive ? 0x8000_0000 : 0)) + [p.weight]
        }
        switch self {
        case .data(_, let body, let end, let pad):
            type = FrameType.data.rawValue
            if end { flags |= FrameFlag.endStream }
            payload = padded(pad, body)
        case .headers(_, let fragment, let end, let endHeaders, let priority, let pad):
            type = FrameType.headers.rawValue
            if end { flags |= FrameFlag.endStream }
            if endHeaders { flags |= FrameFlag.endHeaders }
            var body = fragment
            if let priority {
                flags |= FrameFlag.priority
                body = priorityBytes(priority) + fragment
            }
            payload = padded(pad, body)
        case .priority(_, let p):
            type = FrameType.priority.rawValue
            payload = priorityBytes(p)
        case .rstStream(_, let code):
            type = FrameType.rstStream.rawValue
            payload = word(code.rawValue)
        case .settings(let ack, let list):
            type = FrameType.settings.rawValue
            if ack { flags |= FrameFlag.ack }
            for s in list { payload += [UInt8(s.id.rawValue >> 8), UInt8(s.id.rawValue & 0xff)] + word(s.value) }
        case .pushPromise(_, let promised, let fragment, let endHeaders, let pad):
            type = FrameType.pushPromise.rawValue
            if endHeaders { flags |= FrameFlag.endHeaders }
            payload = padded(pad, word(promised & maxStreamID) + fragment)
        case .ping(let ack, let opaque):
            type = FrameType.ping.rawValue
            if ack { flags |= FrameFlag.ack }
            payload = word(UInt32(opaque >> 32)) + word(UInt32(opaque & 0xffff_ffff))
        case .goaway(let last, let code, let debug):
            type = FrameType.goaway.rawValue
            payload = word(last & maxStreamID) + word(code.rawValue) + debug
        case .windowUpdate(_, let increment):
            type = FrameType.windowUpdate.rawValue
            payload = word(increment & 0x7fff_ffff)
        case .continuation(_, let fragment, let endHeaders):
            type = FrameType.continuation.rawValue
            if endHeaders { flags |= FrameFlag.endHeaders }
            payload = fragment
        case .unknown(let t, let f, _, let body):
            type = t
            flags = f
            payload = body
        }
        let length = payload.count
        out.append(contentsOf: [UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type, flags])
        out.append(contentsOf: word(streamID & maxStreamID))
        out.append(contentsOf: payload)
    }

    /// Appends a frame header (§4.1): length, type, flags, stream id.
    @inline(__always)
    static func appendHeader(length: Int, type: UInt8, flags: UInt8, stream: StreamID, into out: inout [UInt8]) {
        out.append(UInt8(length >> 16 & 0xff))
        out.append(UInt8(length >> 8 & 0xff))
        out.append(UInt8(length & 0xff))
        out.append(type)
        out.append(flags)
        appendWord(stream & maxStreamID, into: &out)
    }

    @inline(__always)
    static func appendWord(_ v: UInt32, into out: inout [UInt8]) {
        out.append(UInt8(v >> 24))
        out.append(UInt8(v >> 16 & 0xff))
        out.append(UInt8(v >> 8 & 0xff))
        out.append(UInt8(v & 0xff))
    }

    /// The frame as bytes.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }
}

import HPACK
import HTTP2
import Wire

// The probe's h2c check (RFC 9113 §3.3, prior knowledge): the client preface and our SETTINGS, the
// server's SETTINGS (which must come first, §3.4), our ACK, one GET on stream 1, then N GETs opened
// at once on the same connection, then the connection left idle to see whether the server ends it
// with GOAWAY. A deliberately small client: the frames and HPACK of Sources/HTTP2 and Sources/HPACK
// driven by hand, not a general connection machine (the agent has that).

/// One response stream as the probe saw it.
struct H2ProbeStream {
    var status: Int?
    /// DATA payload octets received (the bodies themselves are not kept).
    var bodyBytes = 0
    var ended = false
    /// The server reset the stream, with this code.
    var reset: ErrorCode?
    var endedAt: Int64?
    var isDone: Bool { ended || reset != nil }
}

/// H2ProbeConnection: one TCP connection that speaks just enough HTTP/2 for the probe. Frames are
/// handled as they arrive (SETTINGS acknowledged, PING answered, header blocks decoded in order so
/// the HPACK context stays in step); the caller waits on the loop for the condition it means.
final class H2ProbeConnection {
    let loop: EventLoop
    let origin: HTTPOrigin
    private let raw: RawConnection
    private var parser = FrameParser()
    private var encoder = HPACKEncoder()
    private var decoder = HPACKDecoder()
    /// Octets received before the first frame was judged (kept to say what a non-HTTP/2 server sent).
    private var leading: [UInt8] = []
    private var judged = false
    /// The header block being gathered (HEADERS without END_HEADERS, then CONTINUATION).
    private var block: (stream: StreamID, fragment: [UInt8], endStream: Bool, isPush: Bool)?

    /// The first frame was the server's SETTINGS: it speaks h2c.
    private(set) var serverSettings: [Setting]?
    /// What came instead of a SETTINGS frame, as a sentence; nil while nothing did.
    private(set) var notHTTP2: String?
    /// The server acknowledged our SETTINGS.
    private(set) var settingsAcked = false
    private(set) var streams: [StreamID: H2ProbeStream] = [:]
    private(set) var goaway: (lastStream: StreamID, code: ErrorCode, debug: String, at: Int64)?
    /// A frame or header block the probe could not read, as a sentence.
    private(set) var malformed: String?
    private(set) var endedAt: Int64?
    private(set) var pushPromises = 0
    /// The sum of the server's WINDOW_UPDATE increments on stream 0 so far: the connection window
    /// it grants the probe is 65,535 plus this (RFC 9113 §6.9.2).
    private(set) var connectionWindowIncrements = 0
    private var nextStream: StreamID = 1

    private init(loop: EventLoop, origin: HTTPOrigin) {
        self.loop = loop
        self.origin = origin
        raw = RawConnection(loop: loop)
        raw.onChange = { [weak self] in self?.changed() }
    }

    deinit { raw.close() }

    /// Connects and sends the preface, our SETTINGS (no push; the largest windows, so the probe
    /// never has to give flow-control credit back) and a connection WINDOW_UPDATE to match.
    static func open(loop: EventLoop, origin: HTTPOrigin, timeoutMs: Int) throws(ProbeFailure) -> H2ProbeConnection {
        let connection = H2ProbeConnection(loop: loop, origin: origin)
        let address = "\(origin.host):\(origin.port)"
        connection.raw.connect(host: origin.host, port: origin.port)
        loop.run(until: { connection.raw.state != .connecting }, timeoutNanos: Int64(timeoutMs) * 1_000_000)
        switch connection.raw.state {
        case .open, .peerClosed:
            break
        case .connecting:
            connection.raw.abort()
            throw .connectTimedOut(address)
        case .failed(let error):
            throw error.isConnectionRefused ? .refused(address) : .connectFailed(address, error)
        case .closed:
            throw .connectFailed(address, SystemError("connect", code: 0))
        }
        var bytes = H2Connection.clientPreface
        Frame.settings(ack: false, [Setting(.enablePush, 0), Setting(.initialWindowSize, UInt32(maxWindowSize))]).encode(into: &bytes)
        Frame.windowUpdate(stream: 0, increment: UInt32(maxWindowSize - 65_535)).encode(into: &bytes)
        connection.raw.send(bytes)
        return connection
    }

    /// No more frames will come: the server closed or reset, or sent what the probe cannot read.
    var isEnded: Bool { endedAt != nil || malformed != nil || notHTTP2 != nil }

    /// Waits until the server's first frame has been judged (SETTINGS or not), the connection ended,
    /// or `timeoutMs` passed.
    func waitForServerPreface(timeoutMs: Int) {
        loop.run(until: { self.serverSettings != nil || self.isEnded }, timeoutNanos: Int64(timeoutMs) * 1_000_000)
    }

    /// Opens `count` streams at once, each a GET of `target`, in one write. Returns their ids.
    @discardableResult
    func get(_ target: String, count: Int) -> [StreamID] {
        var bytes: [UInt8] = []
        var ids: [StreamID] = []
        for _ in 0..<count {
            let id = nextStream
            nextStream += 2
            let fields = [HeaderField(":method", "GET"), HeaderField(":scheme", "http"),
                          HeaderField(":authority", origin.hostHeader), HeaderField(":path", target),
                          HeaderField("user-agent", "wirelab-probe/\(wireLabVersion)"), HeaderField("accept", "*/*")]
            Frame.headers(stream: id, fragment: encoder.encode(fields), endStream: true, endHeaders: true).encode(into: &bytes)
            streams[id] = H2ProbeStream()
            ids.append(id)
        }
        raw.send(bytes)
        return ids
    }

    /// Waits until every stream of `ids` is answered or reset, the connection ended, GOAWAY came, or
    /// `timeoutMs` passed.
    func waitFor(_ ids: [StreamID], timeoutMs: Int) {
        loop.run(until: { self.isEnded || self.goaway != nil || ids.allSatisfy { self.streams[$0]?.isDone == true } },
                 timeoutNanos: Int64(timeoutMs) * 1_000_000)
    }

    /// Waits for GOAWAY or the end of the connection, at most `timeoutMs`.
    func waitForGoawayOrEnd(timeoutMs: Int) {
        guard timeoutMs > 0 else { return }
        loop.run(until: { self.goaway != nil || self.isEnded }, timeoutNanos: Int64(timeoutMs) * 1_000_000)
    }

    /// Waits for the end of the connection, at most `timeoutMs`.
    func waitForEnd(timeoutMs: Int) {
        loop.run(until: { self.isEnded }, timeoutNanos: Int64(timeoutMs) * 1_000_000)
    }

    func close() {
        raw.onChange = nil
        raw.close()
    }

    // MARK: Bytes in

    private func changed() {
        let bytes = raw.take()
        if !bytes.isEmpty { received(bytes) }
        switch raw.state {
        case .peerClosed, .failed:
            if endedAt == nil { endedAt = loop.now }
            if !judged && notHTTP2 == nil { notHTTP2 = describeLeading(closed: true) }
        case .connecting, .open, .closed:
            break
        }
    }

    private func received(_ bytes: [UInt8]) {
        guard malformed == nil, notHTTP2 == nil else { return }
        if !judged {
            leading += bytes
            guard leading.count >= 9 else { return }
            // §3.4: the server's connection preface is a SETTINGS frame (type 4, stream 0, no ACK).
            let isSettings = leading[3] == FrameType.settings.rawValue && leading[4] & FrameFlag.ack == 0
                && leading[5] & 0x7f == 0 && leading[6] == 0 && leading[7] == 0 && leading[8] == 0
            guard isSettings else {
                notHTTP2 = describeLeading(closed: false)
                return
            }
            judged = true
            parser.append(leading)
            leading = []
        } else {
            parser.append(bytes)
        }
        do {
            while let frame = try parser.nextFrame() { handle(frame) }
        } catch {
            malformed = "the server sent a frame the probe could not read (\(error.code): \(error.detail))"
        }
    }

    /// What a server that does not speak h2c sent instead of SETTINGS, in words.
    private func describeLeading(closed: Bool) -> String {
        if leading.isEmpty {
            if case .failed(let error) = raw.state { return "it reset the connection without a byte (\(error))" }
            return "it closed the connection without a byte"
        }
        let text = String(decoding: leading.prefix(200), as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            let line = text.split(separator: "\r\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? text
            return "it answered with HTTP/1: \(line.prefix(80))"
        }
        let head = leading.prefix(16)
        if head.allSatisfy({ (32...126).contains($0) || $0 == 9 || $0 == 10 || $0 == 13 }) {
            // Text but no status line: an HTTP/0.9-style error page (Python's http.server does this).
            let line = text.split(whereSeparator: { $0 == "\r" || $0 == "\n" }).first.map(String.init) ?? text
            return "it answered with text, not HTTP/2: \(line.prefix(60))"
        }
        if leading.count >= 9, FrameType(rawValue: leading[3]) != nil {
            let type = FrameType(rawValue: leading[3]).map { "\($0)".uppercased() } ?? "type 0x\(String(leading[3], radix: 16))"
            if leading[3] == FrameType.goaway.rawValue { return "its first frame was GOAWAY, not SETTINGS" }
            return "its first frame was \(type), not SETTINGS"
        }
        let hex = leading.prefix(16).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
        return "it sent \(leading.count) byte\(leading.count == 1 ? "" : "s") that are not an HTTP/2 frame (\(hex))" + (closed ? ", then closed" : "")
    }

    private func handle(_ frame: Frame) {
        switch frame {
        case .settings(let ack, let list):
            if ack {
                settingsAcked = true
            } else {
                if serverSettings == nil { serverSettings = list } else { serverSettings! += list }
                // Our encoder's table may be no larger than the decoder at the other end allows.
                if let size = list.last(where: { $0.id == .headerTableSize })?.value { encoder.setMaxTableSizeLimit(Int(size)) }
                send(.settings(ack: true, []))
            }
        case .ping(let ack, let opaque):
            if !ack { send(.ping(ack: true, opaque: opaque)) }
        case .headers(let stream, let fragment, let endStream, let endHeaders, _, _):
            block = (stream, fragment, endStream, false)
            if endHeaders { finishBlock() }
        case .pushPromise(_, _, let fragment, let endHeaders, _):
            // We said ENABLE_PUSH=0; the block is still decoded so the HPACK context stays in step.
            pushPromises += 1
            block = (0, fragment, false, true)
            if endHeaders { finishBlock() }
        case .continuation(_, let fragment, let endHeaders):
            block?.fragment += fragment
            if endHeaders { finishBlock() }
        case .data(let stream, let payload, let endStream, _):
            streams[stream]?.bodyBytes += payload.count
            if endStream { end(stream) }
        case .rstStream(let stream, let code):
            if streams[stream] != nil {
                streams[stream]?.reset = code
                streams[stream]?.endedAt = loop.now
            }
        case .goaway(let last, let code, let debug):
            if goaway == nil { goaway = (last, code, String(decoding: debug.prefix(200), as: UTF8.self), loop.now) }
        case .windowUpdate(let stream, let increment):
            if stream == 0 { connectionWindowIncrements += Int(increment) }
        case .priority, .unknown:
            break
        }
    }

    private func finishBlock() {
        guard let done = block else { return }
        block = nil
        let fields: [HeaderField]
        do {
            fields = try decoder.decode(done.fragment)
        } catch {
            malformed = "a header block the probe could not decode: \(error)"
            return
        }
        guard !done.isPush, streams[done.stream] != nil else { return }
        // A 1xx answer (§8.1) is followed by the final one.
        if streams[done.stream]?.status.map({ $0 < 200 }) ?? true,
           let status = fields.first(where: { $0.nameString == ":status" }).flatMap({ Int($0.valueString) }) {
            streams[done.stream]?.status = status
        }
        if done.endStream { end(done.stream) }
    }

    private func end(_ stream: StreamID) {
        guard streams[stream] != nil else { return }
        streams[stream]?.ended = true
        streams[stream]?.endedAt = loop.now
    }

    private func send(_ frame: Frame) {
        var bytes: [UInt8] = []
        frame.encode(into: &bytes)
        raw.send(bytes)
    }
}

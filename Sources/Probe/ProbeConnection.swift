import HTTP1
import Wire

/// One request the probe puts on the wire, spelled out: the probe wants exact control of the
/// version and the Connection header, which is why it does not go through the pooled `Agent`.
struct ProbeRequest {
    var target: String
    var version: HTTPVersion = .http1_1
    /// The Connection header to send, or nil to send none (HTTP/1.1's default is to persist).
    var connection: String? = nil

    func encoded(host: String) -> [UInt8] {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "User-Agent", value: "wirelab-probe/\(wireLabVersion)")
        headers.add(name: "Accept", value: "*/*")
        if let connection { headers.add(name: "Connection", value: connection) }
        var bytes: [UInt8] = []
        HTTPEncoder.writeRequest(HTTPRequestHead(method: "GET", target: target, version: version, headers: headers), body: [UInt8](), into: &bytes)
        return bytes
    }
}

/// One complete response as the probe saw it.
struct ProbeResponse {
    var head: HTTPResponseHead
    var body: [UInt8]
    /// When its last byte arrived (loop clock, ns).
    var completedAt: Int64
    /// The body ended because the server closed (no Content-Length, not chunked).
    var isCloseDelimited: Bool

    /// Whether this response lets the connection persist (RFC 9112 §9.3): no "close", and for an
    /// HTTP/1.0 response an explicit "keep-alive"; a body delimited by closing ends it too.
    var allowsReuse: Bool { !isCloseDelimited && isKeepAlive(version: head.version, headers: head.headers) }
    var saysClose: Bool { head.headers.containsToken("close", in: "Connection") }
}

/// Why the probe could not talk to the server at all.
enum ProbeFailure: Error, Equatable {
    case refused(String)
    case connectTimedOut(String)
    case connectFailed(String, SystemError)

    var message: String {
        switch self {
        case .refused(let address): return "nothing is listening on \(address) (connection refused)"
        case .connectTimedOut(let address): return "connecting to \(address) timed out"
        case .connectFailed(let address, let error): return "cannot connect to \(address): \(error)"
        }
    }
}

/// ProbeConnection: one TCP connection driven step by step on an `EventLoop`, with a response parser
/// on top. Every wait runs the loop until a named condition holds or a bound passes; nothing sleeps.
///
/// It keeps running while other probe connections wait: the loop serves every socket on each turn,
/// so a connection left idle records the moment the server's FIN arrives even while another one is
/// busy. It does not retry, reconnect or interpret persistence: the caller decides what a close means.
final class ProbeConnection {
    let loop: EventLoop
    let origin: HTTPOrigin
    private let raw: RawConnection
    private var parser = ResponseParser()
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    /// Complete responses in arrival order (callers may remove them with `takeResponses()`).
    private(set) var responses: [ProbeResponse] = []
    /// The response bytes made no sense; the text says why.
    private(set) var malformed: String?
    /// When the server's FIN (or reset) arrived, loop clock ns.
    private(set) var endedAt: Int64?
    /// When the TCP connection was established.
    var connectedAt: Int64? { raw.connectedAt }

    private init(loop: EventLoop, origin: HTTPOrigin) {
        self.loop = loop
        self.origin = origin
        raw = RawConnection(loop: loop)
        raw.onChange = { [weak self] in self?.changed() }
    }

    deinit { raw.close() }

    /// Opens a connection and waits (at most `timeoutMs`) for the handshake to finish.
    static func open(loop: EventLoop, origin: HTTPOrigin, timeoutMs: Int) throws(ProbeFailure) -> ProbeConnection {
        let connection = ProbeConnection(loop: loop, origin: origin)
        let address = "\(origin.host):\(origin.port)"
        connection.raw.connect(host: origin.host, port: origin.port)
        loop.run(until: { connection.raw.state != .connecting }, timeoutNanos: Int64(timeoutMs) * 1_000_000)
        switch connection.raw.state {
        case .open, .peerClosed:
            return connection
        case .connecting:
            connection.raw.abort()
            throw .connectTimedOut(address)
        case .failed(let error):
            throw error.isConnectionRefused ? .refused(address) : .connectFailed(address, error)
        case .closed:
            throw .connectFailed(address, SystemError("connect", code: 0))
        }
    }

    /// The server closed its side, reset the connection, or the bytes it sent could not be parsed:
    /// no further response will come.
    var isEnded: Bool { endedAt != nil || malformed != nil }

    /// Writes `requests` in a single write (so three of them are pipelined), GET each.
    func send(_ requests: [ProbeRequest]) {
        var bytes: [UInt8] = []
        for request in requests {
            bytes += request.encoded(host: origin.hostHeader)
            parser.expectResponse(toMethod: "GET")
        }
        raw.send(bytes)
    }

    /// Runs the loop until `count` responses have arrived in total, the connection ended, or
    /// `timeoutMs` passed. Returns whether the responses arrived.
    @discardableResult
    func waitForResponses(_ count: Int, timeoutMs: Int) -> Bool {
        loop.run(until: { self.responses.count >= count || self.isEnded }, timeoutNanos: Int64(timeoutMs) * 1_000_000)
        return responses.count >= count
    }

    /// Runs the loop until the server closes the connection or `timeoutMs` passes.
    @discardableResult
    func waitForEnd(timeoutMs: Int) -> Bool {
        loop.run(until: { self.isEnded }, timeoutNanos: Int64(timeoutMs) * 1_000_000)
        return isEnded
    }

    /// Sends one request and waits for its response; nil when the connection ended (or the bound
    /// passed) first.
    func exchange(_ request: ProbeRequest, timeoutMs: Int) -> ProbeResponse? {
        let before = responses.count
        send([request])
        return waitForResponses(before + 1, timeoutMs: timeoutMs) ? responses[before] : nil
    }

    /// Forgets the responses received so far (long runs would otherwise keep every body).
    func discardResponses() { responses.removeAll(keepingCapacity: true) }

    /// Closes our side (FIN). It does not wait for anything.
    func close() {
        raw.onChange = nil
        raw.close()
    }

    // MARK: Bytes in

    private func changed() {
        let bytes = raw.take()
        if !bytes.isEmpty { parser.append(bytes) }
        drainParser()
        switch raw.state {
        case .peerClosed, .failed:
            guard endedAt == nil else { return }
            endedAt = loop.now
            // A body that runs until close ends here.
            if malformed == nil, let part = try? parser.inputEnded() { take(part); drainParser() }
        case .connecting, .open, .closed:
            break
        }
    }

    private func drainParser() {
        guard malformed == nil else { return }
        do {
            while let part = try parser.next() { take(part) }
        } catch {
            malformed = error.description
        }
    }

    private func take(_ part: ResponsePart) {
        switch part {
        case .head(let h, _):
            head = h
            body = []
        case .body(let bytes):
            body += bytes
        case .end(let closeDelimited):
            guard let head else { return }
            responses.append(ProbeResponse(head: head, body: body, completedAt: loop.now, isCloseDelimited: closeDelimited))
            self.head = nil
            body = []
        }
    }
}

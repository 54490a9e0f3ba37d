// RFC 9113, client role: one HTTP/2 connection a client opened, as a pure state machine. It
// drives the shared `H2Connection` (role `.client`) and adds what only a client decides: which
// request gets the next stream id, how many streams are open at once (never more than the
// server's SETTINGS_MAX_CONCURRENT_STREAMS; the rest queue), and what became of a request that
// did not complete (§8.7: not processed, so safe to send again on a new connection, or maybe
// processed). Requests are named by a tag the caller chooses: a queued one has no stream yet.
import HPACK

/// One request for `H2ClientConnection`.
public struct H2Request: Sendable, Hashable {
    public var method: String
    public var scheme: String
    public var authority: String
    public var path: String
    /// Regular fields, names in lowercase, no connection-specific field (§8.2.2).
    public var headers: [HeaderField]
    public var body: [UInt8]

    public init(method: String = "GET", scheme: String = "http", authority: String, path: String = "/",
                headers: [HeaderField] = [], body: [UInt8] = []) {
        self.method = method
        self.scheme = scheme
        self.authority = authority
        self.path = path
        self.headers = headers
        self.body = body
    }

    var headerList: [HeaderField] {
        var list: [HeaderField] = []
        list.reserveCapacity(4 + headers.count)
        list.append(HeaderField(name: H2Request.methodName, value: Array(method.utf8)))
        list.append(HeaderField(name: H2Request.schemeName, value: Array(scheme.utf8)))
        list.append(HeaderField(name: H2Request.authorityName, value: Array(authority.utf8)))
        list.append(HeaderField(name: H2Request.pathName, value: Array(path.utf8)))
        list.append(contentsOf: headers)
        return list
    }

    /// Whether `other` has the same head (all but the body): then its header list is this one's.
    func hasSameHead(as other: H2Request) -> Bool {
        method == other.method && path == other.path && authority == other.authority && scheme == other.scheme
            && headers == other.headers
    }

    private static let methodName = Array(":method".utf8)
    private static let schemeName = Array(":scheme".utf8)
    private static let authorityName = Array(":authority".utf8)
    private static let pathName = Array(":path".utf8)
}

/// Why a request did not complete, as §8.7 sorts it.
public enum H2RequestFailure: Hashable, Sendable, CustomStringConvertible {
    /// The server did not process it (REFUSED_STREAM; above a GOAWAY's last-stream-id; never sent):
    /// it may be sent again on another connection, whatever its method.
    case notProcessed(String)
    /// The server may have acted on it (any other reset, or the connection ended under it): only
    /// the caller can know whether sending it again is safe.
    case mayHaveBeenProcessed(String)

    public var isRetryable: Bool { if case .notProcessed = self { true } else { false } }
    public var reason: String {
        switch self { case .notProcessed(let r), .mayHaveBeenProcessed(let r): r }
    }
    public var description: String {
        switch self {
        case .notProcessed(let r): "not processed (\(r))"
        case .mayHaveBeenProcessed(let r): "may have been processed (\(r))"
        }
    }
}

/// What the client machine asks its IO layer to do, in order.
public enum H2ClientAction: Hashable, Sendable, CustomStringConvertible {
    /// Write the 24-octet client preface (`H2Connection.clientPreface`); always the first action.
    case sendPreface
    case send(Frame)
    /// The request `tag` went out on `stream` (it may have waited in the queue).
    case started(tag: Int, stream: StreamID)
    /// The final response head (1xx heads are dropped); `status` is its `:status`.
    case response(tag: Int, stream: StreamID, status: Int, [HeaderField], endStream: Bool)
    case data(tag: Int, stream: StreamID, [UInt8], endStream: Bool)
    case trailers(tag: Int, stream: StreamID, [HeaderField])
    /// The response is complete and the stream closed.
    case finished(tag: Int, stream: StreamID)
    /// The request will not complete here. `stream` is nil when it never got one.
    case failed(tag: Int, stream: StreamID?, H2RequestFailure)
    /// The server sent GOAWAY: no new request goes on this connection.
    case wentAway(lastStream: StreamID, ErrorCode)
    /// Close the socket once the frames before are written; `error` nil for a clean end.
    case close(H2Error?)

    public var description: String {
        switch self {
        case .sendPreface: "send preface"
        case .send(let frame): "send \(frame)"
        case .started(let tag, let s): "started #\(tag) stream=\(s)"
        case .response(let tag, let s, let status, _, let end): "response #\(tag) stream=\(s) \(status)\(end ? " END_STREAM" : "")"
        case .data(let tag, let s, let bytes, let end): "data #\(tag) stream=\(s) (\(bytes.count) bytes)\(end ? " END_STREAM" : "")"
        case .trailers(let tag, let s, _): "trailers #\(tag) stream=\(s)"
        case .finished(let tag, let s): "finished #\(tag) stream=\(s)"
        case .failed(let tag, let s, let why): "failed #\(tag) stream=\(s.map(String.init) ?? "none") \(why)"
        case .wentAway(let last, let code): "GOAWAY last=\(last) \(code)"
        case .close(let error): "close" + (error.map { ": \($0)" } ?? "")
        }
    }
}

public struct H2ClientConnection: Sendable {
    /// Streams we open before the server's SETTINGS say how many it allows (default 1). §6.5.2's
    /// initial value is "unlimited", but a server with a lower limit would refuse the rest; the
    /// SETTINGS come in the server's first flight, so the wait costs the second and later requests
    /// of a new connection one round trip at most. nghttp2 assumes 100 instead.
    public let streamsBeforeSettings: Int

    public private(set) var connection: H2Connection
    /// Requests waiting for a stream, oldest first (`queueStart` is the first unread one).
    private var queue: [(tag: Int, request: H2Request)] = []
    private var queueStart = 0
    /// The tag of each open stream's request.
    private var tags: [StreamID: Int] = [:]
    /// The last request's head and header list: a client repeating a request builds its list once,
    /// and the encoder, handed the same list, its block once (`HPACKEncoder.encode`).
    private var lastHead: (request: H2Request, list: [HeaderField])?
    /// The server's GOAWAY, once it came.
    public private(set) var goAway: (lastStream: StreamID, code: ErrorCode)?
    private var isStarted = false
    public private(set) var isClosed = false
    /// Streams open at once, at most (for tests and stats).
    public private(set) var peakOpenStreams = 0

    public init(configuration: H2Configuration = H2Configuration(), streamsBeforeSettings: Int = 1) {
        connection = H2Connection(role: .client, configuration: configuration)
        self.streamsBeforeSettings = max(1, streamsBeforeSettings)
    }

    /// Requests waiting for a stream.
    public var queuedCount: Int { queue.count - queueStart }
    /// Streams open now (requests in flight).
    public var openStreamCount: Int { connection.activeStreamCount }
    /// Streams opened so far.
    public var streamsOpened: Int { connection.streamsOpened }
    /// How many streams may be open at once now.
    public var streamLimit: Int {
        connection.isPeerSettingsReceived ? (connection.peerMaxConcurrentStreams ?? Int.max) : streamsBeforeSettings
    }
    /// Whether a new request sent here now would be carried (no GOAWAY, not closed, ids left).
    public var acceptsRequests: Bool { !isClosed && goAway == nil && connection.highestLocalStream < maxStreamID - 1 }

    /// The preface, our SETTINGS (ENABLE_PUSH 0) and any connection WINDOW_UPDATE.
    public mutating func start() -> [H2ClientAction] {
        guard !isStarted else { return [] }
        isStarted = true
        var out: [H2ClientAction] = [.sendPreface]
        translate(connection.start(), into: &out)
        pump(into: &out)
        return out
    }

    /// Sends a request, or queues it until a stream is free.
    public mutating func send(_ request: H2Request, tag: Int) -> [H2ClientAction] {
        var out: [H2ClientAction] = []
        guard acceptsRequests else {
            out.append(.failed(tag: tag, stream: nil, .notProcessed(isClosed ? "the connection is closed" : goAway != nil ? "the server sent GOAWAY" : "stream ids used up")))
            return out
        }
        queue.append((tag, request))
        pump(into: &out)
        return out
    }

    /// Bytes from the socket, in any split.
    public mutating func receivedBytes(_ bytes: [UInt8]) -> [H2ClientAction] {
        guard !isClosed else { return [] }
        var out: [H2ClientAction] = []
        translate(connection.receivedBytes(bytes), into: &out)
        pump(into: &out)
        return out
    }

    /// The socket ended (EOF, reset, error) without a close of ours: every request still here
    /// fails. Those in flight may have been processed; queued ones were never sent.
    public mutating func connectionLost(_ reason: String) -> [H2ClientAction] {
        guard !isClosed else { return [] }
        var out: [H2ClientAction] = []
        failEverything(inFlight: .mayHaveBeenProcessed(reason), queued: .notProcessed("never sent: \(reason)"), into: &out)
        isClosed = true
        return out
    }

    /// Gives up on a request (queued or in flight): RST_STREAM CANCEL when it has a stream.
    public mutating func cancel(tag: Int) -> [H2ClientAction] {
        var out: [H2ClientAction] = []
        if let index = queue[queueStart...].firstIndex(where: { $0.tag == tag }) {
            queue.remove(at: index)
            return out
        }
        guard let stream = tags.first(where: { $0.value == tag })?.key else { return out }
        tags[stream] = nil
        translate(connection.resetStream(stream, code: .cancel), into: &out)
        pump(into: &out)
        return out
    }

    /// Closes the connection from our side: GOAWAY, then close; requests still here fail.
    public mutating func close() -> [H2ClientAction] {
        guard !isClosed else { return [] }
        var out: [H2ClientAction] = []
        failEverything(inFlight: .mayHaveBeenProcessed("the agent closed the connection"), queued: .notProcessed("never sent: the agent closed the connection"), into: &out)
        var actions: [H2Action] = []
        connection.closeFromClient(into: &actions)
        translate(actions, into: &out)
        isClosed = true
        return out
    }

    /// The application took `count` bytes of `stream`'s response body: with
    /// `automaticWindowUpdates` off, only this gives them back to the server's windows (a slow
    /// reader holds the connection window for every stream).
    public mutating func dataConsumed(stream: StreamID, count: Int) -> [H2ClientAction] {
        guard !isClosed else { return [] }
        var out: [H2ClientAction] = []
        translate(connection.dataConsumed(stream: stream, count: count), into: &out)
        pump(into: &out)
        return out
    }

    /// Window bookkeeping passthroughs for tests and stats.
    public func sendWindow(stream: StreamID) -> Int? { connection.sendWindow(stream: stream) }
    public func receiveWindow(stream: StreamID) -> Int? { connection.receiveWindow(stream: stream) }

    // MARK: inside

    /// Opens streams for queued requests while the server's limit allows.
    private mutating func pump(into out: inout [H2ClientAction]) {
        while queuedCount > 0, !isClosed, isStarted {
            guard goAway == nil, !connection.isClosed else { break }
            guard connection.activeStreamCount < streamLimit else { break }
            let (tag, request) = queue[queueStart]
            queueStart += 1
            let hasBody = !request.body.isEmpty
            let list: [HeaderField]
            if let last = lastHead, last.request.hasSameHead(as: request) {
                list = last.list
            } else {
                list = request.headerList
                var head = request
                head.body = []
                lastHead = (head, list)
            }
            guard let (stream, actions) = connection.openStream(list, endStream: !hasBody, bodyless: request.method == "HEAD") else {
                out.append(.failed(tag: tag, stream: nil, .notProcessed("stream ids used up")))
                continue
            }
            tags[stream] = tag
            out.append(.started(tag: tag, stream: stream))
            translate(actions, into: &out)
            if hasBody { translate(connection.sendData(stream: stream, request.body, endStream: true), into: &out) }
            peakOpenStreams = max(peakOpenStreams, connection.activeStreamCount)
        }
        if queueStart > 64 && queueStart * 2 > queue.count {
            queue.removeFirst(queueStart)
            queueStart = 0
        }
        closeIfDone(into: &out)
    }

    /// After the server's GOAWAY, the connection ends once its last stream does.
    private mutating func closeIfDone(into out: inout [H2ClientAction]) {
        guard goAway != nil, !isClosed, connection.activeStreamCount == 0, queuedCount == 0 else { return }
        var actions: [H2Action] = []
        connection.closeFromClient(into: &actions)
        translate(actions, into: &out)
        isClosed = true
    }

    private mutating func failEverything(inFlight: H2RequestFailure, queued: H2RequestFailure, into out: inout [H2ClientAction]) {
        for (stream, tag) in tags.sorted(by: { $0.key < $1.key }) {
            out.append(.failed(tag: tag, stream: stream, inFlight))
        }
        tags = [:]
        for entry in queue[queueStart...] { out.append(.failed(tag: entry.tag, stream: nil, queued)) }
        queue = []
        queueStart = 0
    }

    private mutating func translate(_ actions: [H2Action], into out: inout [H2ClientAction]) {
        for action in actions {
            switch action {
            case .send(let frame):
                out.append(.send(frame))
            case .request(let stream, let fields, let endStream):
                guard let tag = tags[stream] else { continue }
                let status = fields.first { $0.name == H2ClientConnection.statusName }.flatMap { Int($0.valueString) } ?? 0
                out.append(.response(tag: tag, stream: stream, status: status, fields, endStream: endStream))
            case .data(let stream, let bytes, let endStream):
                guard let tag = tags[stream] else { continue }
                out.append(.data(tag: tag, stream: stream, bytes, endStream: endStream))
            case .trailers(let stream, let fields):
                guard let tag = tags[stream] else { continue }
                out.append(.trailers(tag: tag, stream: stream, fields))
            case .streamClosed(let stream):
                guard let tag = tags.removeValue(forKey: stream) else { continue }
                out.append(.finished(tag: tag, stream: stream))
            case .streamReset(let stream, let code, let byPeer):
                guard let tag = tags.removeValue(forKey: stream) else { continue }
                let failure: H2RequestFailure
                if byPeer {
                    // §8.7: REFUSED_STREAM says the server did nothing with it.
                    failure = code == .refusedStream ? .notProcessed("RST_STREAM REFUSED_STREAM") : .mayHaveBeenProcessed("RST_STREAM \(code)")
                } else {
                    let detail = connection.localResetDetails.removeValue(forKey: stream)
                    failure = .mayHaveBeenProcessed("we reset the stream, \(code)" + (detail.map { ": \($0)" } ?? ""))
                }
                out.append(.failed(tag: tag, stream: stream, failure))
            case .peerWentAway(let last, let code):
                goAway = (min(last, goAway?.lastStream ?? last), code)
                out.append(.wentAway(lastStream: last, code))
                // §6.8, §8.7: streams above the last id were not processed.
                for (stream, tag) in tags.sorted(by: { $0.key < $1.key }) where stream > last {
                    tags[stream] = nil
                    connection.abandonStream(stream)
                    out.append(.failed(tag: tag, stream: stream, .notProcessed("above GOAWAY last-stream-id \(last)")))
                }
                for entry in queue[queueStart...] {
                    out.append(.failed(tag: entry.tag, stream: nil, .notProcessed("queued when the server sent GOAWAY")))
                }
                queue = []
                queueStart = 0
            case .close(let error):
                let reason = error.map { "\($0)" } ?? "connection closed"
                let lastProcessed = goAway?.lastStream ?? maxStreamID
                for (stream, tag) in tags.sorted(by: { $0.key < $1.key }) {
                    out.append(.failed(tag: tag, stream: stream, stream > lastProcessed ? .notProcessed(reason) : .mayHaveBeenProcessed(reason)))
                }
                tags = [:]
                for entry in queue[queueStart...] { out.append(.failed(tag: entry.tag, stream: nil, .notProcessed("never sent: \(reason)"))) }
                queue = []
                queueStart = 0
                isClosed = true
                out.append(.close(error))
            }
        }
    }

    private static let statusName = Array(":status".utf8)
}

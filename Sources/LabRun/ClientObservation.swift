import Wire

/// ClientObservation: what the lab server saw of one client (`wirelab observe`): its connections,
/// the requests on each, and when each opened, answered and closed. Pure: built from the server's
/// events by `ClientObserver`, with times the caller measured, so it is tested without sockets.
///
/// Times are milliseconds since observation began (`openedAtMs`, `arrivedAtMs`...); `startedEpochMs`
/// is the wall clock at that moment, for HAR's `startedDateTime`.
public struct ClientObservation: Sendable {
    public var startedEpochMs: Double
    public var connections: [ObservedConnection] = []
    public var requests: [ObservedRequest] = []
    /// When observation ended (the server shut down), in ms since it began.
    public var endedAtMs: Double = 0
    /// The server's misbehaviour while observing (`ServerConfiguration`): close each connection
    /// after this many responses without saying so (0: never), and drop this many requests that
    /// arrive on a reused connection (0: none; `Int.max`: all). The report names them.
    public var closeSilentlyAfter = 0
    public var dropReusedRequests = 0

    public init(startedEpochMs: Double) {
        self.startedEpochMs = startedEpochMs
    }

    /// Requests that arrived on a connection that had already carried one.
    public var reusedRequests: Int { requests.filter { $0.indexOnConnection > 1 }.count }

    /// Connections that carried at least one request.
    public var usedConnections: Int { connections.filter { $0.requests > 0 }.count }

    /// The most connections open at the same moment (a close at the instant of an open counts first).
    public var maxOpenConnections: Int {
        var changes: [(ms: Double, delta: Int)] = []
        for connection in connections {
            changes.append((connection.openedAtMs, 1))
            if let closed = connection.closedAtMs { changes.append((closed, -1)) }
        }
        changes.sort { $0.ms != $1.ms ? $0.ms < $1.ms : $0.delta < $1.delta }
        var open = 0, most = 0
        for change in changes {
            open += change.delta
            most = max(most, open)
        }
        return most
    }

    /// The most requests in flight at the same moment (head arrived, response not yet written;
    /// a request never answered counts until its connection closed, or observation ended).
    public var maxRequestsInFlight: Int {
        var changes: [(ms: Double, delta: Int)] = []
        var closedAt: [Int: Double] = [:]
        for connection in connections { closedAt[connection.id] = connection.closedAtMs }
        for request in requests {
            changes.append((request.arrivedAtMs, 1))
            let end = request.respondedAtMs ?? closedAt[request.connection] ?? endedAtMs
            changes.append((max(end, request.arrivedAtMs), -1))
        }
        changes.sort { $0.ms != $1.ms ? $0.ms < $1.ms : $0.delta < $1.delta }
        var inFlight = 0, most = 0
        for change in changes {
            inFlight += change.delta
            most = max(most, inFlight)
        }
        return most
    }

    /// The most requests in flight at once on one connection: over HTTP/1.1 one (two when
    /// pipelined); over HTTP/2 as many streams as the client multiplexed.
    public var maxRequestsInFlightOnOneConnection: Int {
        Dictionary(grouping: requests, by: \.connection).values.map { Self.mostAtOnce($0, endedAtMs: endedAtMs) }.max() ?? 0
    }

    /// Requests carried as HTTP/2 streams.
    public var http2Requests: Int { requests.filter { $0.stream != nil }.count }

    /// The most streams in flight at once on one HTTP/2 connection (0 without HTTP/2).
    public var maxStreamsInFlight: Int {
        Dictionary(grouping: requests.filter { $0.stream != nil }, by: \.connection).values.map { Self.mostAtOnce($0, endedAtMs: endedAtMs) }.max() ?? 0
    }

    /// Connections whose first request was HTTP/2.
    public var http2Connections: Int { connections.filter { $0.protocolVersion == "HTTP/2" }.count }

    /// Requests the server read and never answered because `dropReusedRequests` dropped them (each
    /// closed its connection: close reason `droppedRequest`).
    public var droppedRequests: [ObservedRequest] {
        let dropping = Set(connections.filter { $0.closeReason == "droppedRequest" }.map(\.id))
        return requests.filter { dropping.contains($0.connection) && $0.status == nil }
    }

    /// How many dropped requests were followed by the same method and target on another
    /// connection (each later request stands for one dropped request at most): a resend, as far
    /// as the server can tell (a client that sends the same request again anyway looks the same).
    public var resentDroppedRequests: Int {
        var taken = Set<Int>()
        var resent = 0
        for dropped in droppedRequests {
            if let again = requests.first(where: { r in
                r.number > dropped.number && r.connection != dropped.connection && !taken.contains(r.number)
                    && r.method == dropped.method && r.target == dropped.target
            }) {
                taken.insert(again.number)
                resent += 1
            }
        }
        return resent
    }

    /// Connections the server closed after a response that said keep-alive (`closeSilentlyAfter`).
    public var silentlyClosedConnections: [ObservedConnection] { connections.filter { $0.closeReason == "closedSilently" } }

    /// Of the requests written on a connection after the server closed it (its first one there),
    /// how many came again (the same method and target) on another connection afterwards.
    public var resentLateRequests: Int {
        var taken = Set<Int>()
        var resent = 0
        for c in connections {
            guard let late = c.lateRequest, let at = c.lateAtMs else { continue }
            if let again = requests.first(where: { r in
                r.connection != c.id && r.arrivedAtMs >= at && !taken.contains(r.number) && r.method == late.method && r.target == late.target
            }) {
                taken.insert(again.number)
                resent += 1
            }
        }
        return resent
    }

    /// Requests the client wrote on connections after the server had closed them (read and
    /// discarded during the server's staged close), over all connections.
    public var requestsOnClosedConnections: Int { connections.map(\.lateRequests).reduce(0, +) }

    static func mostAtOnce(_ requests: [ObservedRequest], endedAtMs: Double) -> Int {
        var changes: [(ms: Double, delta: Int)] = []
        for request in requests {
            changes.append((request.arrivedAtMs, 1))
            changes.append((request.respondedAtMs ?? max(endedAtMs, request.arrivedAtMs), -1))
        }
        changes.sort { $0.ms != $1.ms ? $0.ms < $1.ms : $0.delta < $1.delta }
        var inFlight = 0, most = 0
        for change in changes {
            inFlight += change.delta
            most = max(most, inFlight)
        }
        return most
    }

    /// Requests whose head arrived on a connection after the server had answered on it with
    /// `Connection: close` (a client pipelining past a close, or ignoring it).
    public var requestsAfterClose: Int { requests.filter(\.sentAfterClose).count }

    /// Each HTTP version seen, with how many requests used it, most used first.
    public var versions: [(String, Int)] { Self.tally(requests.map(\.version)) }

    /// Each `User-Agent` seen (`(none)` for requests without one), with its count, most used first.
    public var userAgents: [(String, Int)] { Self.tally(requests.map { $0.userAgent ?? "(none)" }) }

    /// The connection with `id`, if it was seen.
    public func connection(_ id: Int) -> ObservedConnection? { connections.first { $0.id == id } }

    static func tally(_ values: [String]) -> [(String, Int)] {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for value in values {
            if counts[value] == nil { order.append(value) }
            counts[value, default: 0] += 1
        }
        return order.enumerated().sorted { a, b in
            counts[a.element]! != counts[b.element]! ? counts[a.element]! > counts[b.element]! : a.offset < b.offset
        }.map { ($0.element, counts[$0.element]!) }
    }
}

/// One connection the server accepted.
public struct ObservedConnection: Sendable, Equatable {
    public var id: Int
    public var openedAtMs: Double
    public var closedAtMs: Double?
    /// Who closed it: `client` (it closed or reset its side), `server` (a timeout, a limit, a
    /// `Connection: close` either side asked for), `shutdown` (observation ended with it open), or
    /// nil while it is open.
    public var closedBy: String?
    /// The server's close reason (`ServerCloseReason.key`), nil while open.
    public var closeReason: String?
    /// The requests it carried (over HTTP/2: its streams).
    public var requests: Int = 0
    /// The HTTP version of its first request (`HTTP/1.1`; `HTTP/2` for a connection that began
    /// with the h2c preface), or nil if it carried none.
    public var protocolVersion: String?
    /// When the server answered on it with `Connection: close`, if it did.
    public var announcedCloseAtMs: Double?
    /// Bytes the client wrote on it after the server began closing it (the server reads and
    /// discards them until the client's FIN), and the request heads among them: each head's end
    /// (an empty line), or 1 for bytes with no complete head.
    public var lateBytes = 0
    public var lateHeadEnds = 0
    /// The last bytes seen after the close, to find a head's end split across reads.
    var lateTail: [UInt8] = []
    /// The first line the client wrote after the close (at most 256 bytes), and when it arrived.
    public var lateFirstLine: [UInt8] = []
    public var lateAtMs: Double?
    /// The method and target of the first request written after the close, if its line was whole.
    public var lateRequest: (method: String, target: String)? {
        guard let end = lateFirstLine.firstIndex(of: 13) else { return nil }
        let parts = String(decoding: lateFirstLine[..<end], as: UTF8.self).split(separator: " ")
        return parts.count == 3 ? (String(parts[0]), String(parts[1])) : nil
    }
    public var lateRequests: Int { lateBytes == 0 ? 0 : max(1, lateHeadEnds) }

    public init(id: Int, openedAtMs: Double) {
        self.id = id
        self.openedAtMs = openedAtMs
    }
}

/// One request the server parsed.
public struct ObservedRequest: Sendable, Equatable {
    /// Its number among all requests, from 1.
    public var number: Int
    public var connection: Int
    /// Its number on its connection (1: the connection's first).
    public var indexOnConnection: Int
    public var method: String
    public var target: String
    /// `HTTP/1.1`, `HTTP/1.0`, or `HTTP/2`.
    public var version: String
    /// The HTTP/2 stream that carried it (nil over HTTP/1.1).
    public var stream: Int?
    /// Every header in arrival order, with its original spelling.
    public var headers: [ObservedHeader]
    public var arrivedAtMs: Double
    /// When its response was written completely, and what it said.
    public var respondedAtMs: Double?
    public var status: Int?
    /// The response said `Connection: close`.
    public var responseClosed = false
    /// It arrived after the server had announced `Connection: close` on its connection.
    public var sentAfterClose = false
    /// The size of its head as it arrived (request line through the empty line), when the server
    /// reported it (HTTP/1.1).
    public var headSize: Int?
    /// Its response's head as the server wrote it: every field line, in order, and the head's size;
    /// nil when not reported (HTTP/2, or no response).
    public var responseHeaders: [ObservedHeader]?
    public var responseHeadSize: Int?
    /// Its response body's bytes as written (with chunk framing) and of content (without it), summed
    /// over its pieces; nil when not reported.
    public var responseBodyBytes: Int?
    public var responseContentBytes: Int?

    public var userAgent: String? { header("User-Agent") }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

public struct ObservedHeader: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// ClientObserver: turns the server's events, each with the time it was seen, into a
/// `ClientObservation`. Feed it in the order the server emitted them.
public struct ClientObserver: Sendable {
    public private(set) var observation: ClientObservation

    public init(startedEpochMs: Double) {
        observation = ClientObservation(startedEpochMs: startedEpochMs)
    }

    public mutating func opened(connection id: Int, atMs ms: Double) {
        observation.connections.append(ObservedConnection(id: id, openedAtMs: ms))
    }

    /// A request head arrived: `index` is its number on the connection.
    public mutating func request(connection id: Int, index: Int, method: String, target: String, version: String,
                                 headers: [ObservedHeader], atMs ms: Double) {
        let slot = connectionSlot(id, atMs: ms)
        observation.connections[slot].requests = max(observation.connections[slot].requests, index)
        if observation.connections[slot].protocolVersion == nil { observation.connections[slot].protocolVersion = version }
        var request = ObservedRequest(number: observation.requests.count + 1, connection: id, indexOnConnection: index,
                                      method: method, target: target, version: version, headers: headers, arrivedAtMs: ms)
        request.sentAfterClose = observation.connections[slot].announcedCloseAtMs != nil
        observation.requests.append(request)
    }

    /// The request `index` on `connection` came on HTTP/2 `stream` (the server's `.request` event,
    /// which follows the head `request` recorded).
    public mutating func streamOpened(connection id: Int, index: Int, stream: Int) {
        if let slot = observation.requests.lastIndex(where: { $0.connection == id && $0.indexOnConnection == index }) {
            observation.requests[slot].stream = stream
        }
    }

    /// A response was written completely on `connection`: over HTTP/2 it answers the request of its
    /// `stream`; over HTTP/1.1, the oldest request there without one (responses go out in request
    /// order, pipelined or not).
    public mutating func response(connection id: Int, status: Int, willClose: Bool, stream: Int? = nil, atMs ms: Double) {
        let answered = stream.map { s in observation.requests.lastIndex { $0.connection == id && $0.stream == s && $0.respondedAtMs == nil } }
            ?? observation.requests.firstIndex { $0.connection == id && $0.respondedAtMs == nil }
        if let index = answered {
            observation.requests[index].respondedAtMs = ms
            observation.requests[index].status = status
            observation.requests[index].responseClosed = willClose
        }
        if willClose {
            let slot = connectionSlot(id, atMs: ms)
            if observation.connections[slot].announcedCloseAtMs == nil { observation.connections[slot].announcedCloseAtMs = ms }
        }
    }

    /// The size of the request head that just arrived on `connection` (its latest request).
    public mutating func requestHeadSize(connection id: Int, bytes: Int) {
        if let index = observation.requests.lastIndex(where: { $0.connection == id }) { observation.requests[index].headSize = bytes }
    }

    /// The request a response being written on `connection` belongs to: over HTTP/2 the one on
    /// `stream`; over HTTP/1.1 the oldest there still without a written response, as `response` does.
    private func respondingRequest(connection id: Int, stream: Int?) -> Int? {
        if let stream {
            return observation.requests.lastIndex { $0.connection == id && $0.stream == stream }
        }
        return observation.requests.firstIndex { $0.connection == id && $0.respondedAtMs == nil }
    }

    /// The head of the response being written on `connection` (and `stream`, over HTTP/2).
    public mutating func responseHead(connection id: Int, stream: Int? = nil, headers: [ObservedHeader], bytes: Int) {
        guard let index = respondingRequest(connection: id, stream: stream) else { return }
        observation.requests[index].responseHeaders = headers
        observation.requests[index].responseHeadSize = bytes
        observation.requests[index].responseBodyBytes = 0
        observation.requests[index].responseContentBytes = 0
    }

    /// Body bytes of the response being written on `connection`.
    public mutating func responseBody(connection id: Int, stream: Int? = nil, wire: Int, content: Int) {
        guard let index = respondingRequest(connection: id, stream: stream) else { return }
        observation.requests[index].responseBodyBytes = (observation.requests[index].responseBodyBytes ?? 0) + wire
        observation.requests[index].responseContentBytes = (observation.requests[index].responseContentBytes ?? 0) + content
    }

    /// The server's misbehaviour knobs, for the report to name.
    public mutating func misbehaviour(closeSilentlyAfter: Int, dropReusedRequests: Int) {
        observation.closeSilentlyAfter = closeSilentlyAfter
        observation.dropReusedRequests = dropReusedRequests
    }

    /// Bytes arrived on `connection` after the server began closing it (`lateInputTap`).
    public mutating func lateInput(connection id: Int, bytes: some Collection<UInt8>, atMs ms: Double) {
        let slot = connectionSlot(id, atMs: ms)
        var connection = observation.connections[slot]
        if connection.lateAtMs == nil { connection.lateAtMs = ms }
        if !connection.lateFirstLine.contains(13) && connection.lateFirstLine.count < 256 {
            connection.lateFirstLine += bytes.prefix(256 - connection.lateFirstLine.count)
        }
        connection.lateBytes += bytes.count
        // Count each CR LF CR LF, also one that straddles two reads.
        var window = connection.lateTail
        for byte in bytes {
            window.append(byte)
            if window.count > 4 { window.removeFirst(window.count - 4) }
            if window == [13, 10, 13, 10] {
                connection.lateHeadEnds += 1
                window = []
            }
        }
        connection.lateTail = Array(window.suffix(3))
        observation.connections[slot] = connection
    }

    public mutating func closed(connection id: Int, reason: ServerCloseReason, atMs ms: Double) {
        let slot = connectionSlot(id, atMs: ms)
        observation.connections[slot].closedAtMs = ms
        observation.connections[slot].closeReason = reason.key
        observation.connections[slot].closedBy = Self.closer(reason)
    }

    /// Observation ended at `ms`: connections still open are marked closed by `shutdown` then.
    public mutating func finish(atMs ms: Double) {
        observation.endedAtMs = ms
        for slot in observation.connections.indices where observation.connections[slot].closedAtMs == nil {
            observation.connections[slot].closedAtMs = ms
            observation.connections[slot].closedBy = "shutdown"
            observation.connections[slot].closeReason = ServerCloseReason.shutdown.key
        }
    }

    /// Who a close reason says closed the connection.
    public static func closer(_ reason: ServerCloseReason) -> String {
        switch reason {
        case .clientClosed, .reset: return "client"
        case .shutdown, .shutdownForced: return "shutdown"
        default: return "server"
        }
    }

    /// The index of connection `id`, adding it (opened now) if its open was not seen.
    private mutating func connectionSlot(_ id: Int, atMs ms: Double) -> Int {
        if let slot = observation.connections.firstIndex(where: { $0.id == id }) { return slot }
        observation.connections.append(ObservedConnection(id: id, openedAtMs: ms))
        return observation.connections.count - 1
    }
}

import HPACK
import HTTP1
import HTTP2

/// H2ServerConnection: one server connection that began with the HTTP/2 client preface (RFC 9113
/// §3.4), taken over from `ServerConnection` by `LoopbackServer.handOver`. The rules live in the
/// pure `H2Connection` (frames, streams, flow control, GOAWAY); this type carries out its actions
/// on the socket and drives one `Responder` per request stream through `H2ResponseStream`, so every
/// route answers over HTTP/2 as over HTTP/1.1, by construction.
///
/// Idle (no stream open) for `keepAliveTimeoutMs` (0: never): GOAWAY, then close. Graceful shutdown: the
/// two-step GOAWAY (2^31-1 with a PING, then the real last stream id on the PING's ACK or after a
/// second); streams in flight finish, then the connection closes. A response that must close the
/// connection (`/close`: HTTP/1.1's `Connection: close`) is sent whole, then GOAWAY with the last
/// stream id: the streams up to it finish, later ones are refused by the GOAWAY, and the
/// connection closes when none is left (`response said close`).
final class H2ServerConnection: ServerConnectionHandler {
    let fd: Int32
    let id: Int
    let server: LoopbackServer
    private var machine: H2Connection
    /// The bytes read before the hand-over (the preface and maybe the first frames).
    private var initialBytes: [UInt8]
    /// Encoded frames not yet written, from `outboxStart`.
    private var outbox: [UInt8] = []
    private var outboxStart = 0
    private var streams: [StreamID: H2ResponseStream] = [:]
    private var closed = false
    private var closeWhenFlushed: ServerCloseReason?
    private var watchingWritable = false
    private var idleTimer: LoopTimer?
    private var shutdownTimer: LoopTimer?
    private var settingsTimer: LoopTimer?
    /// How long the client has to acknowledge our SETTINGS (§6.5.3) before SETTINGS_TIMEOUT.
    static let settingsTimeoutNanos: Int64 = 10_000_000_000
    private var isShuttingDown = false
    /// Set once a response asked for the connection to close and its GOAWAY went out.
    private var isClosingAfterResponse = false
    /// Requests (streams) this connection has carried.
    private(set) var requestCount = 0
    /// When the machine's rapid-reset and control-frame window last started.
    private var windowStart: Int64
    private var notifying = false
    /// Streams whose request is complete, to be answered after the current batch of actions.
    private var readyToRespond: [H2ResponseStream] = []

    init(_ handoff: ServerHandoff) {
        fd = handoff.fd
        id = handoff.id
        server = handoff.server
        initialBytes = handoff.bytesRead
        machine = H2Connection(configuration: handoff.server.configuration.http2)
        windowStart = handoff.server.loop.now
    }

    var isIdle: Bool { streams.isEmpty }
    /// The socket is full: the connection waits to write and reads nothing until it drains.
    var isWaitingForWritable: Bool { watchingWritable }
    /// The bytes encoded and not yet written (for tests of the above).
    var unwrittenCount: Int { outbox.count - outboxStart }
    var openStreamCount: Int { streams.count }

    func start() {
        perform(machine.start())
        let bytes = initialBytes
        initialBytes = []
        received(bytes)
        guard !closed else { return }
        armIdleTimer()
        settingsTimer = server.loop.schedule(afterNanos: Self.settingsTimeoutNanos) { [weak self] in
            guard let self, !self.closed else { return }
            self.perform(self.machine.settingsTimeoutFired())
        }
    }

    // MARK: Socket readiness

    func handleReadiness(readable: Bool, writable: Bool, hangup: Bool) {
        if writable && !closed { flush() }
        guard (readable || hangup) && !watchingWritable else { return }
        let buffer = server.loop.readBuffer
        while !closed {
            switch Platform.read(fd, into: buffer) {
            case .bytes(let n):
                received(Array(UnsafeRawBufferPointer(rebasing: buffer[0..<n])))
            case .wouldBlock:
                return
            case .endOfFile:
                close(.clientClosed)
            case .failed:
                close(.reset)
            }
        }
    }

    private func received(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, !closed else { return }
        let now = server.loop.now
        if now - windowStart >= 1_000_000_000 {
            windowStart = now
            machine.resetWindowElapsed()
        }
        perform(machine.receivedBytes(bytes))
    }

    // MARK: Carrying out the machine's actions

    /// How many `perform` calls are running (a responder answering inside a batch performs again).
    private var performDepth = 0

    /// Carries out the machine's actions; when the outermost batch is done, writes what it and
    /// everything it led to (the responses its streams sent from inside it) encoded: one write
    /// per read, not one per response (strace, h2load -m 10: 1.1 writes a request before).
    func perform(_ actions: [H2Action]) {
        performDepth += 1
        carryOut(actions)
        performDepth -= 1
        if performDepth == 0 { flush() }
    }

    private func carryOut(_ actions: [H2Action]) {
        for action in actions {
            if closed { return }
            switch action {
            case .send(let frame):
                // The loop's scratch buffer while nothing waits to be written: an idle connection
                // keeps no output storage of its own (`flush` gives it back).
                if outbox.capacity == 0 { outbox = server.takeScratch() }
                if server.responseWriteTap == nil {
                    frame.encode(into: &outbox)
                } else {
                    let start = outbox.count
                    frame.encode(into: &outbox)
                    reportWritten(frame, bytes: outbox.count - start)
                }
                if case .rstStream(let streamID, let code) = frame {
                    server.h2StreamReset(connection: id, stream: Int(streamID), code: code.description)
                }
            case .request(let streamID, let fields, let endStream):
                openStream(streamID, fields, endStream: endStream)
            case .data(let streamID, let bytes, let endStream):
                guard let stream = streams[streamID] else { continue }
                if server.requestHandler != nil { stream.body += bytes }
                if endStream { begin(stream) }
            case .trailers(let streamID, _):
                if let stream = streams[streamID] { begin(stream) }
            case .streamReset(let streamID, _, _):
                if let stream = streams.removeValue(forKey: streamID) { stream.drop() }
                streamsChanged()
            case .streamClosed(let streamID):
                if let stream = streams.removeValue(forKey: streamID) {
                    if let status = stream.sentStatus {
                        server.h2ResponseWritten(connection: id, stream: Int(streamID), status: status, willClose: stream.askedToClose)
                    }
                    stream.drop()
                }
                streamsChanged()
            case .peerWentAway:
                continue
            case .close(let error):
                let reason: ServerCloseReason = error != nil ? .badRequest
                    : isShuttingDown ? .shutdown : isClosingAfterResponse ? .responseClose : .keepAliveTimeout
                closeWhenFlushed = reason
            }
        }
        while !readyToRespond.isEmpty && !closed {
            let stream = readyToRespond.removeFirst()
            if streams[stream.id] === stream { stream.responder.respond(on: stream, handler: server.requestHandler) }
        }
        if settingsTimer != nil && machine.isSettingsAcknowledged {
            settingsTimer?.release()   // acknowledged: the timer's closure need not wait 10 s
            settingsTimer = nil
        }
    }

    /// Tells the server's `responseWriteTap` what a response frame carried, as over HTTP/1.1: the
    /// head once its HEADERS (and CONTINUATIONs) are encoded, its size being theirs, frame headers
    /// included; each DATA frame as a body piece, `wire` with its frame header, `content` its
    /// payload. Out of line: it runs only while someone observes.
    @inline(never)
    private func reportWritten(_ frame: Frame, bytes: Int) {
        guard let tap = server.responseWriteTap else { return }
        switch frame {
        case .headers(let streamID, _, _, let endHeaders, _, _), .continuation(let streamID, _, let endHeaders):
            guard let stream = streams[streamID], let fields = stream.headToReport else { return }
            stream.headBytesWritten += bytes
            if endHeaders {
                stream.headToReport = nil
                tap(id, Int(streamID), .head(status: stream.sentStatus ?? 0, fields: fields, bytes: stream.headBytesWritten))
            }
        case .data(let streamID, let payload, _, _):
            guard streams[streamID] != nil else { return }
            tap(id, Int(streamID), .body(wire: bytes, content: payload.count))
        default:
            return
        }
    }

    private func openStream(_ streamID: StreamID, _ fields: [HeaderField], endStream: Bool) {
        // The method and path now (the responder starts from them); the head with its headers only
        // when something asks for it (`H2ResponseStream.requestHead`): the benchmark's route, with no
        // observer, never does. The usual method and path are the literals, not new Strings.
        var method = "GET", path = "/"
        for field in fields where field.name.first == UInt8(ascii: ":") {
            switch Self.pseudo(field.name) {
            case .method: method = Self.isGET(field.value) ? "GET" : field.valueString
            case .path: path = field.value.count == 1 && field.value[0] == UInt8(ascii: "/") ? "/" : field.valueString
            case .authority, .other: continue
            }
        }
        requestCount += 1
        let stream = H2ResponseStream(id: streamID, connection: self, method: method, target: path, fields: fields, index: requestCount)
        streams[streamID] = stream
        server.h2RequestArrived(connection: id, index: requestCount, stream: Int(streamID), head: stream.requestHead)
        if endStream { begin(stream) }
    }

    /// The request head of a stream's header list: `:authority` becomes `host`, the other
    /// pseudo-headers are left out (`:method` and `:path` are the head's own).
    static func requestHead(method: String, target: String, _ fields: [HeaderField]) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.reserveCapacity(fields.count)
        for field in fields {
            if field.name.first == UInt8(ascii: ":") {
                if pseudo(field.name) == .authority { headers.add(name: "host", value: field.valueString) }
                continue
            }
            headers.add(name: field.nameString, value: field.valueString)
        }
        return HTTPRequestHead(method: method, target: target, version: HTTPVersion(major: 2, minor: 0), headers: headers)
    }

    private enum Pseudo { case method, path, authority, other }

    private static func pseudo(_ name: [UInt8]) -> Pseudo {
        switch name.count {
        case 5 where name == pathName: return .path
        case 7 where name == methodName: return .method
        case 10 where name == authorityName: return .authority
        default: return .other
        }
    }
    private static let pathName = Array(":path".utf8), methodName = Array(":method".utf8), authorityName = Array(":authority".utf8)

    private static func isGET(_ value: [UInt8]) -> Bool {
        value.count == 3 && value[0] == UInt8(ascii: "G") && value[1] == UInt8(ascii: "E") && value[2] == UInt8(ascii: "T")
    }

    /// Marks `stream`'s request complete; its responder starts once this batch of actions is
    /// carried out, so the frames it sends come after the ones the machine asked for first.
    private func begin(_ stream: H2ResponseStream) {
        guard !stream.started else { return }
        stream.started = true
        readyToRespond.append(stream)
    }

    private func streamsChanged() {
        if streams.isEmpty && !closed && !isShuttingDown && !isClosingAfterResponse { armIdleTimer() }
    }

    // MARK: The response side, for streams

    func send(headers fields: [HeaderField], on streamID: StreamID, endStream: Bool) {
        perform(machine.sendHeaders(stream: streamID, fields, endStream: endStream))
    }

    func send(data bytes: [UInt8], on streamID: StreamID, endStream: Bool) {
        perform(machine.sendData(stream: streamID, bytes, endStream: endStream))
    }

    func pendingCount(_ streamID: StreamID) -> Int { machine.pendingSendCount(stream: streamID) }

    /// A response asked for the connection to close (`/close`; HTTP/1.1 would say `Connection:
    /// close`). HTTP/2 has no such field (§8.2.2): the honest equivalent is GOAWAY with the last
    /// stream id, after the response's frames. Streams up to that id still finish; the client
    /// opens its next ones on a new connection; the connection closes once none is left.
    func closeAfterResponse() {
        guard !closed, !isShuttingDown, !isClosingAfterResponse else { return }
        isClosingAfterResponse = true
        idleTimer?.cancel()
        idleTimer = nil
        perform(machine.finishGracefulShutdown())
    }

    // MARK: Writing

    private func flush() {
        while outboxStart < outbox.count && !closed {
            let outcome = outbox.withUnsafeBytes { raw in Platform.write(fd, UnsafeRawBufferPointer(rebasing: raw[outboxStart...])) }
            switch outcome {
            case .wrote(let n):
                outboxStart += n
            case .wouldBlock:
                if !watchingWritable {
                    // Stop reading until the client takes what it was sent: a client that asks and
                    // never reads cannot make the buffer grow past what its open streams owe.
                    watchingWritable = true
                    server.loop.setInterest(fd, .writable)
                }
                return
            case .failed:
                close(.reset)
                return
            }
        }
        if closed { return }
        if outbox.capacity > 0 {
            server.returnScratch(outbox)
            outbox = []
        }
        outboxStart = 0
        if watchingWritable {
            watchingWritable = false
            server.loop.setInterest(fd, .readable)
        }
        if let reason = closeWhenFlushed {
            close(reason)
            return
        }
        notifyPiecesSent()
    }

    /// Tells each responder waiting for its last piece to go out that it has (every byte handed to
    /// the machine is written, none held back by flow control). One pass at a time: a responder
    /// that sends its next piece at once comes back through `flush`, and the loop here picks it up.
    private func notifyPiecesSent() {
        guard !notifying else { return }
        notifying = true
        defer { notifying = false }
        var progressed = true
        while progressed && !closed {
            progressed = false
            for stream in streams.values where stream.awaitingPieceSent && pendingCount(stream.id) == 0 && outboxStart == outbox.count {
                stream.awaitingPieceSent = false
                stream.responder.pieceSent(on: stream)
                progressed = true
            }
        }
    }

    // MARK: Timers, shutdown, close

    /// When the connection last became idle (no stream open).
    private var idleSince: Int64 = 0
    /// Whether the storage kept for streams was let go during this idle period.
    private var isCompacted = false
    /// How long a connection stays idle before it lets go of its stream storage.
    static let compactAfterNanos: Int64 = 250_000_000

    /// The connection is idle from now. One timer at a time, for two deadlines: after
    /// `compactAfterNanos` the stream tables and lists give their storage back (an idle connection
    /// keeps none; at every stream's end it cost regrowth), after `keepAliveTimeoutMs` GOAWAY and
    /// close. A timer already armed checks, when it fires, how long the connection has stayed idle
    /// and re-arms for the rest (a timer scheduled and cancelled per stream cost ~1,200
    /// instructions a request, callgrind).
    private func armIdleTimer() {
        idleSince = server.loop.now
        isCompacted = false
        // After its first request a connection often stays idle (a browser's spare connection, a
        // client that asked once): it gives its storage back at once, while it is the newest
        // allocation; later idle periods wait `compactAfterNanos` (regrowing at every stream's end
        // cost ~2,000 instructions a request).
        if requestCount <= 1 && streams.isEmpty { compact() }
        let next = nextIdleDeadline()
        if idleTimer == nil && next != Int64.max { scheduleIdleCheck(afterNanos: next - idleSince) }
    }

    /// Lets go of the storage kept for streams while none is open.
    private func compact() {
        isCompacted = true
        streams = [:]
        readyToRespond = []
        machine.releaseIdleStorage()
    }

    /// The next idle deadline, absolute: compaction unless done, then the keep-alive timeout.
    private func nextIdleDeadline() -> Int64 {
        let ms = server.configuration.keepAliveTimeoutMs
        let timeout = ms > 0 ? idleSince + Int64(ms) * 1_000_000 : Int64.max    // 0: no idle timeout, as over HTTP/1.1
        return isCompacted ? timeout : min(timeout, idleSince + Self.compactAfterNanos)
    }

    private func scheduleIdleCheck(afterNanos nanos: Int64) {
        idleTimer = server.loop.schedule(afterNanos: max(nanos, 0)) { [weak self] in
            guard let self else { return }
            self.idleTimer = nil
            guard !self.closed, self.streams.isEmpty, !self.isShuttingDown, !self.isClosingAfterResponse else { return }
            let now = self.server.loop.now
            if !self.isCompacted && now - self.idleSince >= Self.compactAfterNanos { self.compact() }
            let ms = self.server.configuration.keepAliveTimeoutMs
            if ms > 0 && now - self.idleSince >= Int64(ms) * 1_000_000 {
                // GOAWAY with the last stream id, then close (the machine closes at once: nothing open).
                self.perform(self.machine.finishGracefulShutdown())
                return
            }
            let next = self.nextIdleDeadline()
            if next != Int64.max { self.scheduleIdleCheck(afterNanos: next - now) }
        }
    }

    func schedule(afterNanos nanos: Int64, _ body: @escaping () -> Void) -> LoopTimer {
        server.loop.schedule(afterNanos: nanos, body)
    }

    func shutdownRequested() {
        guard !closed, !isShuttingDown else { return }
        isShuttingDown = true
        idleTimer?.cancel()
        idleTimer = nil
        perform(machine.startGracefulShutdown())
        // The second GOAWAY follows the PING's ACK; a client that never answers gets it after a second.
        shutdownTimer = server.loop.schedule(afterNanos: 1_000_000_000) { [weak self] in
            guard let self, !self.closed else { return }
            self.perform(self.machine.finishGracefulShutdown())
        }
    }

    func shutdownDeadlinePassed() {
        close(.shutdownForced)
    }

    private func close(_ reason: ServerCloseReason) {
        guard !closed else { return }
        closed = true
        idleTimer?.cancel()
        shutdownTimer?.cancel()
        settingsTimer?.cancel()
        for stream in streams.values { stream.drop() }
        streams.removeAll()
        server.loop.unregister(fd)
        Platform.close(fd)
        server.connectionClosed(self, reason: reason, requests: requestCount)
    }
}

/// One HTTP/2 request stream as its `Responder` sees it: the head goes out as HEADERS (`:status`
/// and the fields, lowercase, without HTTP/1.1's connection-specific ones, §8.2.2), the body as DATA
/// through the machine's flow control, END_STREAM at the end.
final class H2ResponseStream: ResponseStream {
    let id: StreamID
    unowned let connection: H2ServerConnection
    let method: String
    let target: String
    /// The request's header list, until `requestHead` is built from it.
    private var requestFields: [HeaderField]
    /// Built on first use (routes other than the root, observers, request handlers).
    lazy var requestHead: HTTPRequestHead = {
        defer { requestFields = [] }
        return H2ServerConnection.requestHead(method: method, target: target, requestFields)
    }()
    let requestIndex: Int
    let responder = Responder()
    var body: [UInt8] = []
    var started = false
    var awaitingPieceSent = false
    /// The status of the response handed over, once it is.
    private(set) var sentStatus: Int?
    /// Its response asked for the connection to close (`mustClose`).
    private(set) var askedToClose = false
    /// The response head's fields (no pseudo-headers) while its frames are being encoded, when the
    /// server's `responseWriteTap` is set; and the bytes of its frames so far.
    var headToReport: [ResponseField]?
    var headBytesWritten = 0
    private var timer: LoopTimer?
    private var dropped = false

    init(id: StreamID, connection: H2ServerConnection, method: String, target: String, fields: [HeaderField], index: Int) {
        self.id = id
        self.connection = connection
        self.method = method
        self.target = target
        self.requestFields = fields
        self.requestIndex = index
    }

    var requestIsRootGET: Bool { method == "GET" && target == "/" }
    var requestConnection: Int { connection.id }
    var isAwaitingResponse: Bool { !dropped && sentStatus == nil }
    private var isHEAD: Bool { method == "HEAD" }

    func takeRequestBody() -> [UInt8] {
        let taken = body
        body = []
        return taken
    }

    /// HTTP/1.1 fields that mean nothing (or something wrong) in HTTP/2 (RFC 9113 §8.2.2).
    private static let connectionSpecific: Set<String> = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]

    private func fields(status: Int, _ headers: HTTPHeaders, contentLength: Int?) -> [HeaderField] {
        var out: [HeaderField] = [HeaderField(":status", String(status))]
        out.reserveCapacity(headers.count + 3)
        for field in headers {
            let name = field.name.lowercased()
            if Self.connectionSpecific.contains(name) || name == "content-length" || name == "date" { continue }
            out.append(HeaderField(name, field.value))
        }
        out.append(HeaderField("date", connection.server.dateHeader()))
        if let contentLength { out.append(HeaderField("content-length", String(contentLength))) }
        return out
    }

    /// Keeps the head's fields for `responseWriteTap` (nothing when no one observes).
    private func noteHead(_ list: [HeaderField]) {
        guard connection.server.responseWriteTap != nil else { return }
        headBytesWritten = 0
        headToReport = list.filter { $0.name.first != UInt8(ascii: ":") }.map { ResponseField(name: $0.nameString, value: $0.valueString) }
    }

    func sendResponse(status: Int, headers: HTTPHeaders, body: [UInt8], mustClose: Bool) {
        guard isAwaitingResponse else { return }
        sentStatus = status
        askedToClose = mustClose   // before the frames: END_STREAM may close the stream at once
        let noBody = body.isEmpty || isHEAD
        let list = fields(status: status, headers, contentLength: body.count)
        noteHead(list)
        connection.send(headers: list, on: id, endStream: noBody)
        if !noBody { connection.send(data: body, on: id, endStream: true) }
        if mustClose { connection.closeAfterResponse() }
    }

    /// The benchmark's route. Its header list is the same for every stream but for `date`: the
    /// server keeps it for each `Date` (`LoopbackServer.cachedH2RootFields`), and the encoder, finding
    /// the same list with its table unchanged, reuses the block it made (callgrind: building and
    /// encoding the list were a sixth of an h2 request).
    func sendRootResponse() {
        guard case .complete(let status, let headers, let body, let mustClose) = ServerRoutes.rootResponse else { return }
        guard isAwaitingResponse, !isHEAD, !body.isEmpty else {
            sendResponse(status: status, headers: headers, body: body, mustClose: mustClose)
            return
        }
        sentStatus = status
        askedToClose = mustClose
        let server = connection.server
        let date = server.dateHeader()
        let fields: [HeaderField]
        if let cached = server.cachedH2RootFields, cached.date == date {
            fields = cached.fields
        } else {
            fields = self.fields(status: status, headers, contentLength: body.count)
            server.cachedH2RootFields = (date, fields)
        }
        noteHead(fields)
        connection.send(headers: fields, on: id, endStream: false)
        connection.send(data: body, on: id, endStream: true)
        if mustClose { connection.closeAfterResponse() }
    }

    func sendHead(status: Int, headers: HTTPHeaders) {
        guard isAwaitingResponse else { return }
        sentStatus = status
        awaitingPieceSent = true
        let list = fields(status: status, headers, contentLength: nil)
        noteHead(list)
        connection.send(headers: list, on: id, endStream: isHEAD)
    }

    func sendBodyPiece(_ bytes: [UInt8]) {
        guard !dropped else { return }
        awaitingPieceSent = true
        if !isHEAD { connection.send(data: bytes, on: id, endStream: false) }
    }

    func sendEnd() {
        guard !dropped else { return }
        awaitingPieceSent = false
        if !isHEAD { connection.send(data: [], on: id, endStream: true) }
    }

    func wakeResponder(afterNanos nanos: Int64) {
        timer?.cancel()
        timer = connection.schedule(afterNanos: nanos) { [weak self] in
            guard let self, !self.dropped else { return }
            self.responder.wake(on: self)
        }
    }

    /// The stream is gone (closed or reset): no more timers or pieces.
    func drop() {
        dropped = true
        awaitingPieceSent = false
        timer?.cancel()
        timer = nil
        responder.reset()
    }
}

import HTTP1

/// ResponseStream: the protocol side of one request and its response, as a `Responder` sees it.
/// An HTTP/1.1 connection is one (one request at a time); an HTTP/2 stream will be another. It hands
/// the responder the request, frames what the responder hands it (HTTP/1.1: Content-Length or
/// chunked; HTTP/2: HEADERS and DATA frames), and runs the responder's one timer.
///
/// It does not choose content, status, pacing or delays: those are the responder's, so every route
/// answers the same over every protocol by construction.
protocol ResponseStream: AnyObject {
    /// The request being answered. Asked only off the `GET /` fast path.
    var requestHead: HTTPRequestHead { get }
    /// Whether the request is `GET /` (decided once, when its head arrived).
    var requestIsRootGET: Bool { get }
    /// Which connection carried the request, and its number there (1 = the first).
    var requestConnection: Int { get }
    var requestIndex: Int { get }
    /// The request's body, handed over once (kept only when a request handler is set).
    func takeRequestBody() -> [UInt8]
    /// Whether this stream still wants an answer: a request handler may answer long after the peer
    /// has gone, or after the stream was refused.
    var isAwaitingResponse: Bool { get }

    /// A whole response, now. `mustClose` asks for the connection to close after it (HTTP/1.1:
    /// `Connection: close`; HTTP/2 will ignore it for a stream).
    func sendResponse(status: Int, headers: HTTPHeaders, body: [UInt8], mustClose: Bool)
    /// The response to `GET /`, which is always `ServerRoutes.rootResponse`: a stream may keep it
    /// encoded (the route every lesson and benchmark hits most).
    func sendRootResponse()
    /// A head whose body follows in pieces of unknown total length.
    func sendHead(status: Int, headers: HTTPHeaders)
    /// One piece of the body after `sendHead`. When it has gone out, the stream calls
    /// `Responder.pieceSent(on:)`: the next piece waits for the previous one.
    func sendBodyPiece(_ bytes: [UInt8])
    /// The end of a body sent in pieces.
    func sendEnd()
    /// Calls `Responder.wake(on:)` after `nanos`. At most one wake is pending; arming again moves it.
    func wakeResponder(afterNanos nanos: Int64)
}

/// Responder: what WireLab's server answers, and when, whatever the protocol carrying it. It runs
/// the request handler (the reverse proxy) or the built-in routes (`ServerRoutes`), then carries out
/// the route's plan (`RouteResponse`): a response at once, one after a delay, or a body in pieces
/// with pauses between them. The stream it is given only frames.
///
/// One responder serves one request at a time; it is reused for the next (HTTP/1.1 keeps one per
/// `Exchange`, so a keep-alive request allocates nothing here). It holds no socket and no clock: the
/// stream's timer calls back (`wake(on:)`), and so does the end of each written piece
/// (`pieceSent(on:)`).
final class Responder {
    /// What the responder is waiting for, between calls.
    private enum Plan {
        /// Nothing owed, or a complete response already handed over.
        case none
        /// A `/delay/<ms>` response, sent when the stream wakes the responder.
        case delayed(status: Int, headers: HTTPHeaders, body: [UInt8])
        /// A body in pieces: `sent` of `count` pieces are out, `intervalNanos` between them.
        case pieces(sent: Int, count: Int, intervalNanos: Int64)
    }

    private var plan = Plan.none

    /// Starts answering the request `stream` carries: through `handler` when the server has one,
    /// else by the built-in routes.
    func respond<Stream: ResponseStream>(on stream: Stream, handler: RequestHandler?) {
        if let handler {
            forward(on: stream, to: handler)
            return
        }
        if stream.requestIsRootGET {
            // The benchmark's route: no route lookup, and the stream may send it pre-encoded.
            stream.sendRootResponse()
            return
        }
        let head = stream.requestHead
        carryOut(ServerRoutes.respond(to: head, connection: stream.requestConnection, requestIndex: stream.requestIndex), on: stream)
    }

    /// Carries out a route's plan.
    func carryOut<Stream: ResponseStream>(_ response: RouteResponse, on stream: Stream) {
        switch response {
        case .complete(let status, let headers, let body, let mustClose):
            plan = .none
            stream.sendResponse(status: status, headers: headers, body: body, mustClose: mustClose)
        case .delayed(let ms, let status, let headers, let body):
            plan = .delayed(status: status, headers: headers, body: body)
            stream.wakeResponder(afterNanos: Int64(ms) * 1_000_000)
        case .stream(let chunks, let intervalMs):
            plan = .pieces(sent: 0, count: chunks, intervalNanos: Int64(intervalMs) * 1_000_000)
            stream.sendHead(status: 200, headers: ["Content-Type": "text/plain"])
        }
    }

    /// The stream's timer for this responder fired: the delay is over, or the pause between pieces.
    func wake<Stream: ResponseStream>(on stream: Stream) {
        switch plan {
        case .none:
            return
        case .delayed(let status, let headers, let body):
            plan = .none
            stream.sendResponse(status: status, headers: headers, body: body, mustClose: false)
        case .pieces:
            sendNextPiece(on: stream)
        }
    }

    /// The head or the last piece handed over has gone out: pause, or send the next piece (or the
    /// end) at once. The first piece waits an interval too, after the head.
    func pieceSent<Stream: ResponseStream>(on stream: Stream) {
        guard case .pieces(let sent, let count, let interval) = plan else { return }
        if interval > 0 && sent < count {
            stream.wakeResponder(afterNanos: interval)
        } else {
            sendNextPiece(on: stream)
        }
    }

    /// Forgets the request in progress (the stream closed, or is reused for another request).
    func reset() {
        if case .none = plan { return }
        plan = .none
    }

    /// Whether a delayed response or a body in pieces is still owed.
    var isMidResponse: Bool {
        if case .none = plan { return false }
        return true
    }

    // MARK: Inside

    private func sendNextPiece<Stream: ResponseStream>(on stream: Stream) {
        guard case .pieces(let sent, let count, let interval) = plan else { return }
        if sent < count {
            plan = .pieces(sent: sent + 1, count: count, intervalNanos: interval)
            stream.sendBodyPiece(ServerRoutes.streamChunk(sent + 1))
        } else {
            plan = .none
            stream.sendEnd()
        }
    }

    /// The request handler's path: the whole request goes to it, and its answer, whenever it comes,
    /// goes to the stream if the stream still wants one.
    private func forward<Stream: ResponseStream>(on stream: Stream, to handler: RequestHandler) {
        plan = .none
        let request = ServerRequest(head: stream.requestHead, body: stream.takeRequestBody(),
                                    connection: stream.requestConnection, index: stream.requestIndex)
        handler(request) { [weak stream] response in
            // The answer may come much later; the client may be gone by then.
            guard let stream, stream.isAwaitingResponse else { return }
            stream.sendResponse(status: response.status, headers: response.headers, body: response.body, mustClose: response.mustClose)
        }
    }
}

/// What `LoopbackServer.requestHandler` is: a complete request in, an answer through the callback,
/// now or later.
typealias RequestHandler = (ServerRequest, @escaping (ServerResponse) -> Void) -> Void

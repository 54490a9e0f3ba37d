import HTTP1

/// What to do once the bytes of a write have all gone out. `responsePiece`: a head or a piece of a
/// body sent in pieces; the responder decides what comes next.
enum WriteCompletion { case nothing, responseDone(status: Int), responsePiece, closeAfter }

/// Exchange: the state of one connection's request in progress, borrowed from the server's spares
/// while a request is under way and given back when the connection is idle (see ServerConnection).
/// Its buffers keep their storage across requests, so a keep-alive request allocates nothing here.
final class Exchange {
    var parser: RequestParser
    /// The body limit `parser` enforces, kept here so checking a spare against the configuration
    /// does not read the parser (see `isUnused`).
    let maxBodyBytes: Int
    /// The head of the request in progress, valid while `hasHead`. Not an optional: destroying or
    /// testing an `HTTPRequestHead?` went through the generic Optional witness (~130 instructions,
    /// 4 to 6 times a request); a plain head with a flag costs a store.
    private(set) var head = HTTPRequestHead(method: "", target: "")
    private(set) var hasHead = false
    /// Whether the request is `GET /`, the route every benchmark hits (decided once, from the head).
    private(set) var isRootGET = false
    /// The body of the request, kept only for a request handler (the reverse proxy).
    var requestBody: [UInt8] = []
    /// Output the socket would not take yet, from `pendingOffset` on.
    var pending: [UInt8] = []
    var pendingOffset = 0
    var afterWrite: WriteCompletion = .nothing
    var headersDeadline: Int64 = 0
    var requestDeadline: Int64 = 0
    /// What to answer and when: the routes, their delays and paces (protocol-neutral, reused).
    let responder = Responder()
    /// How the body in pieces of the response being written is framed: chunked, or (HTTP/1.0)
    /// delimited by closing. And the status it is counted under when it ends.
    var streamIsChunked = true
    var streamStatus = 200

    init(limits: ParserLimits) {
        parser = RequestParser(limits: limits)
        maxBodyBytes = limits.maxBodyBytes
    }

    var hasPendingOutput: Bool { pendingOffset < pending.count }

    /// The method a response is framed for (a HEAD response has no body): the request's, or GET
    /// when no head arrived (an error response to a request that never got that far).
    var methodForFraming: String { hasHead ? head.method : "GET" }

    /// Keeps the head of the request that just arrived (moved in: no copy).
    func takeHead(_ head: consuming HTTPRequestHead, isRootGET: Bool) {
        self.isRootGET = isRootGET
        self.head = head
        hasHead = true
    }

    /// True when nothing of a request is here: no head, no buffered input, no output owed.
    /// The parser is asked last: reading a property of a struct kept in a class copies the struct
    /// first (the parser: a 296-byte memcpy, ~80 instructions a question).
    var isUnused: Bool { !hasHead && !hasPendingOutput && parser.isBetweenMessages }

    /// The response to the head is written: let go of its header list, so the parser, which shares
    /// that storage, fills it in place for the next head instead of copying it.
    func finishRequest() {
        if hasHead {
            hasHead = false
            head.headers = HTTPHeaders()
        }
    }

    /// Back to new for the next request (or another connection), keeping storage. A parser in the
    /// middle of a request (the connection closed then) is replaced. What a plain keep-alive request
    /// leaves behind is already clean, so the buffers are emptied only when they hold something
    /// (`removeAll(keepingCapacity:)` on an empty array still costs ~130 instructions).
    func clear(parserIsBetweenMessages: Bool) {
        finishRequest()
        if parserIsBetweenMessages {
            parser.reset()
        } else {
            parser = RequestParser(limits: ParserLimits(maxHeaderBytes: 16 * 1024, maxBodyBytes: maxBodyBytes))
        }
        if !requestBody.isEmpty { requestBody = [] }
        if !pending.isEmpty { pending.removeAll(keepingCapacity: pending.capacity <= 16 * 1024) }
        pendingOffset = 0
        afterWrite = .nothing
        responder.reset()
        streamIsChunked = true
        streamStatus = 200
    }
}

import HTTP1

/// What a route answers. Routes decide content; the connection decides framing and persistence.
enum RouteResponse {
    /// A complete response, written at once. `mustClose` asks for `Connection: close`.
    case complete(status: Int, headers: HTTPHeaders, body: [UInt8], mustClose: Bool)
    /// The same, after waiting `ms` milliseconds on the loop (no thread sleeps).
    case delayed(ms: Int, status: Int, headers: HTTPHeaders, body: [UInt8])
    /// A body of `chunks` pieces of unknown total length, one every `intervalMs`: chunked on
    /// HTTP/1.1, delimited by closing on HTTP/1.0 (RFC 9112 §6.3).
    case stream(chunks: Int, intervalMs: Int)
}

/// ServerRoutes: the built-in routes a lesson can call.
///
///     /               a small JSON body (and a newline)
///     /echo           the request head exactly as the server parsed it, as JSON
///     /delay/<ms>     answer after <ms> milliseconds (at most 60000)
///     /bytes/<n>      <n> bytes of body (at most 64 MiB)
///     /status/<code>  answer with that status (200-599)
///     /stream/<n>     <n> chunks, chunked encoding; `?interval=<ms>` between chunks
///     /close          answer with `Connection: close`
///     /page/<n>       an HTML page loading <n> images, `/page/<n>/<i>`; `?delay=200ms` delays each
///                     image (see ServerRoutes+Page.swift)
///
/// Anything else is 404. The query string is ignored by matching.
///
/// Methods (RFC 9110 §9): `/echo` answers every method it can show back; the other routes serve GET,
/// HEAD and POST (POST so a lesson can send a request that must never be retried; its body is read
/// and ignored). OPTIONS on any route, or `OPTIONS *`, is answered 204 with `Allow`; any other method a
/// route does not serve gets 405 with `Allow` (RFC 9110 §15.5.6). Methods the server does not know at
/// all never get here: the parser refuses them with 501.
enum ServerRoutes {
    /// Ends with a newline, so `curl` leaves the shell prompt on a line of its own.
    static let rootBody: [UInt8] = Array(#"{"hello":"wirelab"}"#.utf8) + [UInt8(ascii: "\n")]
    static let rootResponse = json(200, rootBody)
    static let allowForRoutes = "GET, HEAD, POST, OPTIONS"
    /// CONNECT is the one known method /echo does not serve: it asks for a tunnel, not a response.
    static let allowForEcho = "GET, HEAD, POST, PUT, DELETE, PATCH, TRACE, OPTIONS"

    static func respond(to head: HTTPRequestHead, connection: Int, requestIndex: Int) -> RouteResponse {
        if head.target == "/" && head.method == "GET" { return rootResponse }   // the benchmark's route: no splitting
        if head.target == "*" { return allowed(allowForEcho) }   // OPTIONS * asks about the server
        let path = head.path
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let name = parts.first.map(String.init)
        guard let allow = methodsServed(name, parts.count) else { return problem(404, "no route for \(path)") }
        if head.method == "OPTIONS" { return allowed(allow) }
        if !serves(head.method, allow: allow) {
            var headers = jsonType
            headers.add(name: "Allow", value: allow)
            let body = JSONValue.object([("error", .string("\(head.method) is not served by \(path)")), ("allow", .string(allow))]).text()
            return .complete(status: 405, headers: headers, body: Array(body.utf8), mustClose: false)
        }
        switch (name, parts.count) {
        case (nil, 0):
            return json(200, rootBody)
        case ("echo", 1):
            return json(200, Array(echoJSON(head, connection: connection, requestIndex: requestIndex).utf8))
        case ("close", 1):
            return .complete(status: 200, headers: jsonType, body: Array(#"{"close":true}"#.utf8), mustClose: true)
        case ("delay", 2):
            guard let ms = Int(parts[1]), ms >= 0, ms <= 60_000 else { return problem(400, "delay must be 0...60000 ms") }
            return .delayed(ms: ms, status: 200, headers: jsonType, body: Array(#"{"delayed_ms":\#(ms)}"#.utf8))
        case ("bytes", 2):
            guard let n = Int(parts[1]), n >= 0, n <= 64 << 20 else { return problem(400, "bytes must be 0...67108864") }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/octet-stream")
            return .complete(status: 200, headers: headers, body: [UInt8](repeating: UInt8(ascii: "x"), count: n), mustClose: false)
        case ("status", 2):
            guard let code = Int(parts[1]), (200...599).contains(code) else { return problem(400, "status must be 200...599") }
            if code == 204 || code == 304 {
                return .complete(status: code, headers: HTTPHeaders(), body: [], mustClose: false)
            }
            return json(code, Array(#"{"status":\#(code)}"#.utf8))
        case ("page", 2), ("page", 3):
            return page(parts, target: head.target)
        case ("stream", 2):
            guard let n = Int(parts[1]), n >= 0, n <= 10_000 else { return problem(400, "chunks must be 0...10000") }
            let interval = queryInt(head.target, "interval") ?? 0
            return .stream(chunks: n, intervalMs: max(0, min(interval, 10_000)))
        default:
            return problem(404, "no route for \(path)")
        }
    }

    static let jsonType: HTTPHeaders = ["Content-Type": "application/json"]

    /// The `Allow` value of the route named by a path's first segment and its segment count, or nil
    /// when there is no such route (404).
    static func methodsServed(_ name: String?, _ count: Int) -> String? {
        switch (name, count) {
        case (nil, 0), ("close", 1), ("delay", 2), ("bytes", 2), ("status", 2), ("stream", 2), ("page", 2), ("page", 3):
            return allowForRoutes
        case ("echo", 1): return allowForEcho
        default: return nil
        }
    }

    /// Whether `method` is in the `Allow` value `allow` (one of the two above).
    static func serves(_ method: String, allow: String) -> Bool {
        switch method {
        case "GET", "HEAD", "POST": return true
        case "PUT", "DELETE", "PATCH", "TRACE": return allow == allowForEcho
        default: return false
        }
    }

    /// 204 with `Allow`: the answer to OPTIONS (RFC 9110 §9.3.7).
    static func allowed(_ allow: String) -> RouteResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Allow", value: allow)
        return .complete(status: 204, headers: headers, body: [], mustClose: false)
    }

    static func json(_ status: Int, _ body: [UInt8]) -> RouteResponse {
        .complete(status: status, headers: jsonType, body: body, mustClose: false)
    }

    static func problem(_ status: Int, _ message: String) -> RouteResponse {
        json(status, Array(JSONValue.object([("error", .string(message))]).text().utf8))
    }

    /// The request head as JSON: method, target, version and every header in arrival order with its
    /// original spelling, plus which connection carried it and its number on that connection.
    static func echoJSON(_ head: HTTPRequestHead, connection: Int, requestIndex: Int) -> String {
        JSONValue.object([
            ("method", .string(head.method)),
            ("target", .string(head.target)),
            ("version", .string(head.version.description)),
            ("headers", .array(head.headers.fields.map { .array([.string($0.name), .string($0.value)]) })),
            ("connection", .integer(connection)),
            ("request_on_connection", .integer(requestIndex)),
        ]).text()
    }

    static func queryInt(_ target: String, _ name: String) -> Int? {
        guard let q = target.firstIndex(of: "?") else { return nil }
        for pair in target[target.index(after: q)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0] == name { return Int(kv[1]) }
        }
        return nil
    }

    /// The body of a chunk streamed by `/stream/<n>`.
    static func streamChunk(_ index: Int) -> [UInt8] { Array("chunk \(index)\n".utf8) }
}

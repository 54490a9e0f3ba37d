import HTTP1

/// ReverseProxy: an in-process HTTP/1.1 reverse proxy, like nginx in front of an app. It listens on
/// its own 127.0.0.1 port (a `LoopbackServer` with a request handler) and forwards every request
/// through its own upstream `Agent` — so there are two pools of connections to watch: clients → proxy
/// (the proxy's server side) and proxy → upstream (the agent's pool).
///
/// Forwarding follows RFC 9110 §7.6: hop-by-hop fields (`Connection`, the fields it names,
/// `Keep-Alive`, `Proxy-Connection`, `TE`, `Trailer`, `Transfer-Encoding`, `Upgrade`) describe one
/// connection and are not forwarded in either direction; a `Via` field is added. Whether the
/// upstream connection persists is the upstream agent's business, not the client's.
public final class ReverseProxy {
    public let server: LoopbackServer
    public let upstream: Agent
    public let upstreamOrigin: HTTPOrigin
    /// Send `Connection: close` upstream on every request, as nginx does unless told
    /// `proxy_http_version 1.1; proxy_set_header Connection "";` — so every request opens a new
    /// upstream connection.
    public var closesUpstream: Bool
    /// Requests forwarded, and how many came back as 502/504 because the upstream failed.
    public private(set) var forwarded = 0
    public private(set) var upstreamFailures = 0
    /// Hears each upstream request's result as the upstream agent reports it (the lab's waterfall
    /// draws the proxy's upstream connections from these).
    public var onUpstreamResult: ((AgentResult) -> Void)?

    public init(loop: EventLoop, upstream: Agent, upstreamOrigin: HTTPOrigin, closesUpstream: Bool = false,
                configuration: ServerConfiguration = ServerConfiguration()) throws(SystemError) {
        server = LoopbackServer(loop: loop, configuration: configuration)
        self.upstream = upstream
        self.upstreamOrigin = upstreamOrigin
        self.closesUpstream = closesUpstream
        server.requestHandler = { [weak self] request, respond in
            guard let self else { return respond(ServerResponse(status: 503)) }
            self.forward(request, respond: respond)
        }
        try server.start()
    }

    public var port: UInt16 { server.port }

    /// The hop-by-hop fields of a message: the fixed list plus whatever its `Connection` names.
    static func hopByHop(_ headers: HTTPHeaders) -> Set<String> {
        var names: Set<String> = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]
        for token in headers.listElements("Connection") { names.insert(token.lowercased()) }
        return names
    }

    static func endToEnd(_ headers: HTTPHeaders) -> HTTPHeaders {
        let drop = hopByHop(headers)
        return HTTPHeaders(headers.fields.filter { !drop.contains($0.name.lowercased()) }.map { ($0.name, $0.value) })
    }

    private func forward(_ request: ServerRequest, respond: @escaping (ServerResponse) -> Void) {
        forwarded += 1
        var headers = Self.endToEnd(request.head.headers)
        headers.add(name: "Via", value: "1.1 wirelab-proxy")
        if closesUpstream { headers.add(name: "Connection", value: "close") }
        let outgoing = AgentRequest(method: request.head.method, origin: upstreamOrigin, target: request.head.target,
                                    headers: headers, body: request.body)
        upstream.send(outgoing) { [weak self] result in
            guard let self else { return }
            self.onUpstreamResult?(result)
            if let head = result.head, result.error == nil {
                var headers = Self.endToEnd(head.headers)
                // The proxy frames its own response (a HEAD answer keeps the length a GET would get).
                if request.head.method != "HEAD" { headers.remove(name: "Content-Length") }
                headers.remove(name: "Date")              // and dates it
                headers.add(name: "Via", value: "1.1 wirelab-proxy")
                respond(ServerResponse(status: head.status, headers: headers, body: result.body))
            } else {
                self.upstreamFailures += 1
                let error = result.error ?? .other("no response")
                let status = error.kind == "timeout" ? 504 : 502
                let body = JSONValue.object([("error", .string(HTTPStatus.reasonPhrase(status))), ("upstream", .string(error.description))]).text()
                respond(ServerResponse(status: status, headers: ["Content-Type": "application/json"], body: Array(body.utf8)))
            }
        }
    }

    /// Stops listening and closes client connections; the upstream agent is the caller's.
    public func close() {
        server.closeAll()
    }
}

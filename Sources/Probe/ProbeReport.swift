import Wire

/// ProbeReport: what `wirelab probe` found, one finding per question, each measured live. A value:
/// `ProbeSession` fills it in, `text()` and `json()` render it. It does no measuring itself.
struct ProbeReport {
    var url: String
    /// The Server header of the first response, if any.
    var server: String?
    var http11 = Persistence.notTried
    var http10 = Persistence.notTried
    /// The Keep-Alive and Connection headers of the answer to a plain HTTP/1.1 request, verbatim.
    var keepAliveHeader: String?
    var connectionHeader: String?
    /// The Connection header of the answer to HTTP/1.0 + `Connection: keep-alive`.
    var connectionHeader10: String?
    var idleTimeout = IdleTimeout.notMeasured("not measured")
    var maxRequests = MaxRequests(count: 0, ending: .noResponse, bound: 0)
    var pipelining = Pipelining.notTried
    var reuse: Reuse?
    var reuseProblem: String?
    var requestsSent = 0
    var h2 = H2Report()
    /// The HTTP/1.x measurements ran (`--protocol h2` leaves them out).
    var checkedHTTP1 = true
    /// Why the HTTP/1.x checks stopped after one request (a port that speaks only h2c), or nil.
    var http1Unanswered: String?

    /// Did a second request get answered on the connection that carried the first?
    enum Persistence: Equatable {
        case notTried
        /// Request 2 was answered on the same socket.
        case reused
        /// Response 1 said `Connection: close` (so request 2 was not sent).
        case saidClose
        /// Response 1 did not say close, but the server closed (or reset) the connection after it.
        /// `http10` notes that the response was HTTP/1.0 without keep-alive, which means close.
        case closedAfterFirst(http10: Bool)
        /// A request got no complete response in time.
        case noResponse(request: Int)

        var isKeepAlive: Bool { self == .reused }

        /// One word for a key to compare: "kept", "said close", "closed", "no response", "not tried".
        var word: String {
            switch self {
            case .notTried: return "not tried"
            case .reused: return "kept"
            case .saidClose: return "said close"
            case .closedAfterFirst: return "closed"
            case .noResponse: return "no response"
            }
        }

        var detail: String {
            switch self {
            case .notTried: return "not tried"
            case .reused: return "request 2 was answered on the same connection"
            case .saidClose: return "response 1 said Connection: close"
            case .closedAfterFirst(true): return "HTTP/1.0 response without keep-alive; the server closed after it"
            case .closedAfterFirst(false): return "the server closed the connection after response 1"
            case .noResponse(let n): return "request \(n) got no complete response"
            }
        }
    }

    enum IdleTimeout {
        /// The server's FIN arrived this many seconds after the response ended.
        case measured(seconds: Double)
        /// Still open when `--max-wait` ran out.
        case longerThan(seconds: Double)
        /// Nothing to wait for, and why (the server closes after every response, ...).
        case notMeasured(String)
    }

    struct MaxRequests {
        /// Responses served before the limit (a refusal past it is not counted).
        var count: Int
        var ending: Ending
        var bound: Int
        /// The status of the refusal, when `ending` is `.refused`.
        var refusedStatus: Int? = nil
        /// After a response that said `Connection: close`: whether the server then closed the
        /// connection within the bound (nil when not waited for).
        var closedAfterSaying: Bool? = nil

        enum Ending: String {
            /// Response `count` said `Connection: close`.
            case saidClose = "said close"
            /// The server closed the connection after `count` responses without saying so.
            case closed = "closed"
            /// Request `count + 1` was answered with an error status (5xx), as Node answers 503
            /// past its `maxRequestsPerSocket`: a refusal, not a request served.
            case refused = "refused"
            /// `--max-requests` answers came back and the connection stayed open.
            case boundReached = "no limit found"
            /// Response `count + 1` did not arrive in time.
            case noResponse = "no response"
        }

        var isLimitFound: Bool { ending == .saidClose || ending == .closed || ending == .refused }

        var summary: String {
            switch ending {
            case .saidClose:
                let then = closedAfterSaying.map { $0 ? ", then the server closed it" : ", but the server kept the connection open" } ?? ""
                return "\(count)  (response \(count) said Connection: close\(then))"
            case .refused: return "\(count)  (request \(count + 1) was refused with status \(refusedStatus ?? 0))"
            case .closed: return "\(count)  (then the server closed the connection)"
            case .boundReached: return "at least \(count)  (no limit found)"
            case .noResponse: return "at least \(count)  (request \(count + 1) got no response in time)"
            }
        }
    }

    enum Pipelining: Equatable {
        case notTried
        /// All three answers arrived complete, and every answer that names its request names its own.
        /// `echoed` counts the answers that named one (servers that echo the target).
        case inOrder(echoed: Int)
        /// An answer named another request's marker.
        case notInOrder(String)
        /// The server closed the connection before all three answers came.
        case serverClosed(answered: Int)
        /// Fewer than three answers arrived before the bound, the connection still open.
        case incomplete(answered: Int)

        var verdict: String {
            switch self {
            case .notTried: return "not tried"
            case .inOrder: return "in order"
            case .notInOrder: return "not in order"
            case .serverClosed: return "server closed instead"
            case .incomplete: return "incomplete"
            }
        }

        var detail: String {
            switch self {
            case .notTried: return ""
            case .inOrder(let echoed):
                return "3 of 3 responses complete" + (echoed == 3 ? ", each echoed its own target" : echoed > 0 ? ", \(echoed) echoed their own target" : "; order judged by position: the responses do not echo the target")
            case .notInOrder(let what): return what
            case .serverClosed(let n): return "\(n) of 3 responses before the server closed"
            case .incomplete(let n): return "\(n) of 3 responses in time"
            }
        }
    }

    /// The same N requests timed two ways.
    struct Reuse {
        var requests: Int
        /// Sequential requests on a kept-alive connection (reopened only if the server closed it).
        var keepAliveNanos: Int64
        var keepAliveConnections: Int
        /// Each request on a new connection, with `Connection: close`.
        var newConnectionNanos: Int64

        var keepAliveMs: Double { Double(keepAliveNanos) / 1e6 }
        var newConnectionMs: Double { Double(newConnectionNanos) / 1e6 }
        var speedup: Double { Double(newConnectionNanos) / Double(max(1, keepAliveNanos)) }
    }

    // MARK: Rendering

    /// The report for people: a heading, then one aligned line per finding.
    func text() -> String {
        var rows: [(String, String)] = []
        if checkedHTTP1 { http1Rows(&rows) }
        if let http1Unanswered { rows.append(("HTTP/1.1", http1Unanswered)) }
        rows += h2.rows()
        if h2.requestsSent > 0 { rows.append(("h2 requests sent", String(h2.requestsSent))) }
        let width = rows.map(\.0.count).max() ?? 0
        var out = "WireLab probe of \(url)" + (server.map { "  (Server: \($0))" } ?? "") + "\n"
        for (label, value) in rows { out += "  " + label.rightPadded(to: width + 2) + value + "\n" }
        return out
    }

    private func http1Rows(_ rows: inout [(String, String)]) {
        rows.append(("keep-alive, HTTP/1.1", yesNo(http11) + "  " + http11.detail))
        rows.append(("keep-alive, HTTP/1.0 + keep-alive", yesNo(http10) + "  " + http10.detail))
        rows.append(("Keep-Alive header", keepAliveHeader ?? "none"))
        rows.append(("Connection header", "\(connectionHeader ?? "none") (to HTTP/1.1), \(connectionHeader10 ?? "none") (to HTTP/1.0 + keep-alive)"))
        switch idleTimeout {
        case .measured(let s): rows.append(("idle timeout (measured)", Format.fixed(s, 2) + " s  (response end → server's FIN)"))
        case .longerThan(let s): rows.append(("idle timeout (measured)", "longer than \(Format.fixed(s, s == s.rounded() ? 0 : 2)) s  (still open when --max-wait ran out)"))
        case .notMeasured(let why): rows.append(("idle timeout (measured)", "not measured: \(why)"))
        }
        rows.append(("max requests per connection", maxRequests.summary))
        rows.append(("pipelining (3 in one write)", pipelining.verdict + "  (" + pipelining.detail + ")"))
        if let r = reuse {
            let n = Double(r.requests)
            rows.append(("\(r.requests) requests, kept alive", Format.fixed(r.keepAliveMs, 1) + " ms total, " + Format.fixed(r.keepAliveMs / n, 3) + " ms/request"
                + (r.keepAliveConnections > 1 ? "  (\(r.keepAliveConnections) connections: the server did not keep one for all \(r.requests))" : "  (1 connection)")))
            rows.append(("\(r.requests) requests, new connection each", Format.fixed(r.newConnectionMs, 1) + " ms total, " + Format.fixed(r.newConnectionMs / n, 3) + " ms/request"))
            rows.append(("speedup of reuse", Format.fixed(r.speedup, 2) + "×"
                + (r.keepAliveConnections >= r.requests ? "  (no reuse happened: both runs opened a connection per request)" : "")))
        } else {
            rows.append(("speedup of reuse", "not measured: \(reuseProblem ?? "no requests")"))
        }
        rows.append(("requests sent", String(requestsSent)))
    }

    private func yesNo(_ p: Persistence) -> String { p.isKeepAlive ? "yes" : "no " }

    /// The report for machines: one JSON object, keys in a stable order.
    func json() -> JSONValue {
        func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        func persistence(_ p: Persistence) -> JSONValue {
            .object([("persistent", .bool(p.isKeepAlive)), ("detail", .string(p.detail))])
        }
        let idle: JSONValue
        switch idleTimeout {
        case .measured(let s): idle = .object([("outcome", .string("closed")), ("seconds", .number(Format.rounded(s, 3)))])
        case .longerThan(let s): idle = .object([("outcome", .string("open past max wait")), ("seconds", .null), ("max_wait_seconds", .number(Format.rounded(s, 3)))])
        case .notMeasured(let why): idle = .object([("outcome", .string("not measured")), ("seconds", .null), ("reason", .string(why))])
        }
        var reuseJSON: JSONValue = .null
        if let r = reuse {
            let n = Double(r.requests)
            reuseJSON = .object([
                ("requests", .integer(r.requests)),
                ("keep_alive_total_ms", .number(Format.rounded(r.keepAliveMs, 3))),
                ("keep_alive_mean_ms", .number(Format.rounded(r.keepAliveMs / n, 4))),
                ("keep_alive_connections", .integer(r.keepAliveConnections)),
                ("new_connection_total_ms", .number(Format.rounded(r.newConnectionMs, 3))),
                ("new_connection_mean_ms", .number(Format.rounded(r.newConnectionMs / n, 4))),
                ("speedup", .number(Format.rounded(r.speedup, 3))),
            ])
        }
        return .object([
            ("url", .string(url)),
            ("checked", .array((checkedHTTP1 ? [JSONValue.string("http1")] : []) + (h2.tried || h2.refusal != nil ? [.string("h2")] : []))),
            ("http1_unanswered", optional(http1Unanswered)),
            ("server", optional(server)),
            ("keep_alive", .object([("http1_1", persistence(http11)), ("http1_0", persistence(http10))])),
            ("keep_alive_header", optional(keepAliveHeader)),
            ("connection_header", optional(connectionHeader)),
            ("connection_header_http1_0", optional(connectionHeader10)),
            ("idle_timeout", idle),
            ("max_requests", .object([
                ("count", .integer(maxRequests.count)),
                ("limit_found", .bool(maxRequests.isLimitFound)),
                ("ending", .string(maxRequests.ending.rawValue)),
                ("bound", .integer(maxRequests.bound)),
                ("refused_status", maxRequests.refusedStatus.map { .integer($0) } ?? .null),
                ("closed_after_saying_close", maxRequests.closedAfterSaying.map { .bool($0) } ?? .null),
            ])),
            ("pipelining", .object([("verdict", .string(pipelining.verdict)), ("detail", .string(pipelining.detail))])),
            ("reuse", reuseJSON),
            ("reuse_problem", optional(reuse == nil ? reuseProblem : nil)),
            ("requests_sent", .integer(requestsSent)),
            ("h2", h2.json()),
        ])
    }
}

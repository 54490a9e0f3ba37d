import HTTP1
import Wire

/// ProbeSession: the measurements behind `wirelab probe`, in the order they run. Each one opens its
/// own connection, so one finding never depends on another's leftovers.
///
/// The idle-timeout measurement is started first and finished last: its connection sits idle on the
/// loop while the others run, and `ProbeConnection` notes the moment the server's FIN arrives. That
/// saves up to `--max-wait` seconds without changing what is measured.
///
/// Requests sent: 1 (idle) + 2 + 2 (persistence) + max(maxRequests, N) (sequential run, which also
/// times the kept-alive side) + 3 (pipelining) + N (new connection each). So with N ≤ maxRequests the
/// total is at most maxRequests + N + 8. Then the h2c check (counted apart): 1 + h2Streams GETs on
/// one connection, when the server speaks h2c. Every wait is bounded by `timeoutMs`, `maxWaitMs` or
/// `h2IdleWaitMs`; the h2c connection's idle wait overlaps the others, like the HTTP/1.1 one.
final class ProbeSession {
    struct Settings {
        var maxWaitMs = 30_000
        var maxRequests = 1_000
        var requests = 50
        /// The bound on connecting and on each response.
        var timeoutMs = 5_000
        /// GETs opened at once in the h2c check, and how long its idle connection is watched.
        var http1 = true
        var h2 = true
        var h2Streams = 10
        var h2IdleWaitMs = 30_000
    }

    let loop: EventLoop
    let origin: HTTPOrigin
    let target: String
    let settings: Settings
    var report: ProbeReport
    /// How the first HTTP/1.1 request failed, when it did.
    private var firstFailure: String?

    init(loop: EventLoop, origin: HTTPOrigin, target: String, url: String, settings: Settings) {
        self.loop = loop
        self.origin = origin
        self.target = target
        self.settings = settings
        report = ProbeReport(url: url)
    }

    /// Runs every measurement. Throws only when the first connection cannot be made at all.
    func run() throws(ProbeFailure) -> ProbeReport {
        report.checkedHTTP1 = settings.http1
        guard settings.http1 else {
            let h2Idle = try settings.h2 ? h2Check(isFirst: true) : nil
            finishH2Idle(h2Idle)
            return report
        }
        // The h2c check first: a port that speaks only h2c then needs no HTTP/1.x check but one.
        let h2Idle = settings.h2 ? try h2Check(isFirst: true) : nil
        let idle = try startIdleWait()
        if report.h2.accepted, idle == nil, report.server == nil, case .notMeasured(let why) = report.idleTimeout, why == Self.noResponse {
            report.checkedHTTP1 = false
            report.http1Unanswered = (firstFailure ?? "an HTTP/1.1 GET got no response") + "; the port speaks h2c, so the other HTTP/1.x checks were left out"
            finishH2Idle(h2Idle)
            return report
        }
        report.http11 = try persistence(version: .http1_1, connection: nil, isFirst: true)
        report.http10 = try persistence(version: .http1_0, connection: "keep-alive", isFirst: false)
        let keptAlive = try sequentialRun()
        report.pipelining = try pipelining()
        measureReuse(keptAlive: keptAlive)
        finishIdleWait(idle)
        finishH2Idle(h2Idle)
        return report
    }

    static let noResponse = "the request got no complete response"

    private func open() throws(ProbeFailure) -> ProbeConnection {
        try ProbeConnection.open(loop: loop, origin: origin, timeoutMs: settings.timeoutMs)
    }

    private func exchange(_ connection: ProbeConnection, _ request: ProbeRequest) -> ProbeResponse? {
        report.requestsSent += 1
        return connection.exchange(request, timeoutMs: settings.timeoutMs)
    }

    // MARK: (1, 2) Persistence and the headers that advertise it

    /// Two requests on one connection: was the second answered on the same socket?
    private func persistence(version: HTTPVersion, connection header: String?, isFirst: Bool) throws(ProbeFailure) -> ProbeReport.Persistence {
        let connection = try open()
        defer { connection.close() }
        let request = ProbeRequest(target: target, version: version, connection: header)
        guard let first = exchange(connection, request) else { return .noResponse(request: 1) }
        if isFirst {
            report.keepAliveHeader = first.head.headers["Keep-Alive"]
            report.connectionHeader = first.head.headers["Connection"]
        } else {
            report.connectionHeader10 = first.head.headers["Connection"]
        }
        if first.saysClose { return .saidClose }
        if first.isCloseDelimited || connection.isEnded { return .closedAfterFirst(http10: first.head.version == .http1_0) }
        guard exchange(connection, request) != nil else {
            // RFC 9112 §9.3: an HTTP/1.0 response without "keep-alive" means the server will close.
            return connection.isEnded ? .closedAfterFirst(http10: !first.allowsReuse) : .noResponse(request: 2)
        }
        return .reused
    }

    // MARK: (3) The idle timeout, by waiting for the server's FIN

    private struct IdleWait {
        var connection: ProbeConnection
        var since: Int64
    }

    /// Opens a connection, sends one request, and leaves the connection idle. Returns nil (and fills
    /// in the finding) when there is nothing to wait for.
    private func startIdleWait() throws(ProbeFailure) -> IdleWait? {
        let connection = try open()
        guard let response = exchange(connection, ProbeRequest(target: target)) else {
            if let malformed = connection.malformed {
                firstFailure = "an HTTP/1.1 GET got an answer that is not HTTP/1.x (\(malformed))"
            } else if connection.isEnded {
                firstFailure = "an HTTP/1.1 GET got no answer: the server closed the connection"
            } else {
                firstFailure = "an HTTP/1.1 GET got no response in \(Format.fixed(Double(settings.timeoutMs) / 1000, 1)) s"
            }
            connection.close()
            report.idleTimeout = .notMeasured(Self.noResponse)
            return nil
        }
        report.server = response.head.headers["Server"]
        guard response.allowsReuse else {
            connection.close()
            report.idleTimeout = .notMeasured("the server closes the connection after every response")
            return nil
        }
        return IdleWait(connection: connection, since: response.completedAt)
    }

    private func finishIdleWait(_ idle: IdleWait?) {
        guard let idle else { return }
        defer { idle.connection.close() }
        let waited = loop.now - idle.since
        let remaining = Int64(settings.maxWaitMs) * 1_000_000 - waited
        if remaining > 0 { idle.connection.waitForEnd(timeoutMs: Int((remaining + 999_999) / 1_000_000)) }
        if let ended = idle.connection.endedAt, ended - idle.since <= Int64(settings.maxWaitMs) * 1_000_000 {
            report.idleTimeout = .measured(seconds: Double(ended - idle.since) / 1e9)
        } else {
            report.idleTimeout = .longerThan(seconds: Double(settings.maxWaitMs) / 1000)
        }
    }

    // MARK: (4) Max requests per connection, and the kept-alive half of (6)

    /// Sequential requests on one connection until the server ends it or `maxRequests` answers come
    /// back. The first N of them are timed (from the connect) as the kept-alive side of the reuse
    /// comparison; if the server ends the connection before N, the timed run reopens and carries on,
    /// as a keep-alive client would. Returns the timing, or nil when a request failed.
    private func sequentialRun() throws(ProbeFailure) -> (nanos: Int64, connections: Int)? {
        let n = settings.requests
        let started = loop.now
        var connection = try open()
        var connections = 1
        var answered = 0          // on the current connection
        var total = 0             // across the timed run
        var timing: (nanos: Int64, connections: Int)?
        // Time spent waiting to see whether a server that said close then closes: a client would
        // close at once, so the kept-alive timing leaves it out.
        var excluded: Int64 = 0
        var limit: ProbeReport.MaxRequests?
        defer { connection.close() }
        while limit == nil || total < n {
            if connection.isEnded && total < n {
                connection.close()
                connection = try open()
                connections += 1
                answered = 0
            }
            let response = exchange(connection, ProbeRequest(target: target))
            connection.discardResponses()
            guard let response else {
                if limit == nil {
                    limit = .init(count: answered, ending: connection.isEnded ? .closed : .noResponse, bound: settings.maxRequests)
                }
                if !connection.isEnded { report.reuseProblem = "a request got no response in time"; break }
                if answered == 0 { report.reuseProblem = "a new connection got no response"; break }
                continue
            }
            answered += 1
            total += 1
            if total == n { timing = (loop.now - started - excluded, connections) }
            var waitedForEnd = false
            if limit == nil {
                if response.head.status >= 500 {
                    // A refusal past a limit (Node's 503) is not a request served.
                    limit = .init(count: answered - 1, ending: .refused, bound: settings.maxRequests, refusedStatus: response.head.status)
                } else if !response.allowsReuse {
                    limit = .init(count: answered, ending: response.saysClose ? .saidClose : .closed, bound: settings.maxRequests)
                    if response.saysClose {
                        // Said close: does the server then close, or leave it to the client (Node)?
                        let waitStarted = loop.now
                        connection.waitForEnd(timeoutMs: settings.timeoutMs)
                        if total < n { excluded += loop.now - waitStarted }
                        waitedForEnd = true
                        limit?.closedAfterSaying = connection.isEnded
                    }
                } else if answered >= settings.maxRequests {
                    limit = .init(count: answered, ending: .boundReached, bound: settings.maxRequests)
                }
            }
            // The server will close after a response that does not allow reuse: wait for it to, so the
            // next request starts on a new connection instead of racing the close.
            if !response.allowsReuse && total < n {
                if !waitedForEnd { connection.waitForEnd(timeoutMs: settings.timeoutMs) }
                if !connection.isEnded { connection.close(); connection = try open(); connections += 1; answered = 0 }
            }
        }
        report.maxRequests = limit ?? .init(count: answered, ending: .noResponse, bound: settings.maxRequests)
        return timing
    }

    // MARK: (5) Pipelining

    /// Three requests in one write, each with its own query marker; the answers must come back
    /// complete and in the order asked. A server that echoes the target lets the order be checked
    /// by content; otherwise position and count are all there is to compare.
    private func pipelining() throws(ProbeFailure) -> ProbeReport.Pipelining {
        let connection = try open()
        defer { connection.close() }
        let separator = target.contains("?") ? "&" : "?"
        let markers = (1...3).map { "wirelab-probe=\($0)" }
        connection.send(markers.map { ProbeRequest(target: target + separator + $0) })
        report.requestsSent += 3
        connection.waitForResponses(3, timeoutMs: settings.timeoutMs)
        let responses = connection.responses
        var echoed = 0
        for (position, response) in responses.enumerated() {
            let body = String(decoding: response.body, as: UTF8.self)
            let named = markers.indices.filter { body.contains(markers[$0]) }
            guard !named.isEmpty else { continue }
            if named != [position] {
                return .notInOrder("response \(position + 1) answered request \(named.map { String($0 + 1) }.joined(separator: ", "))")
            }
            echoed += 1
        }
        if responses.count < 3 {
            return connection.isEnded ? .serverClosed(answered: responses.count) : .incomplete(answered: responses.count)
        }
        return .inOrder(echoed: echoed)
    }

    // MARK: (6) Reuse against a new connection per request

    /// Times N requests each on a new connection with `Connection: close`, from connect to the end of
    /// the response, and pairs that with the kept-alive timing of the sequential run.
    private func measureReuse(keptAlive: (nanos: Int64, connections: Int)?) {
        guard let keptAlive else {
            if report.reuseProblem == nil { report.reuseProblem = "the kept-alive run did not finish" }
            return
        }
        let started = loop.now
        for _ in 0..<settings.requests {
            let connection: ProbeConnection
            do {
                connection = try open()
            } catch {
                report.reuseProblem = "a new connection failed: \(error.message)"
                return
            }
            let response = exchange(connection, ProbeRequest(target: target, connection: "close"))
            connection.close()
            guard response != nil else {
                report.reuseProblem = "a request on a new connection got no response in time"
                return
            }
        }
        report.reuse = ProbeReport.Reuse(requests: settings.requests, keepAliveNanos: keptAlive.nanos,
                                         keepAliveConnections: keptAlive.connections, newConnectionNanos: loop.now - started)
    }
}

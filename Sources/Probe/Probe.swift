import HTTP1
import Pooling
import Wire

/// Probe: the one public way to probe a server. `wirelab probe` prints what it returns, and a
/// your-server challenge checks its findings, so both always measure the same way.
public enum Probe {
    /// How far the probe goes; every wait is bounded by these.
    public struct Settings: Sendable {
        /// How long to wait for the server to close an idle connection.
        public var maxWaitMs = 30_000
        /// Most requests sent on one connection looking for a limit.
        public var maxRequests = 1_000
        /// Requests timed each way for the reuse speedup.
        public var requests = 50
        /// The bound on connecting and on each response.
        public var timeoutMs = 5_000
        public init() {}
    }

    /// Probes `origin` at `target`. Fails only when the first connection can't be made at all.
    public static func run(origin: HTTPOrigin, target: String, url: String, settings: Settings) -> Result<ProbeFindings, ProbeError> {
        let loop: EventLoop
        do {
            loop = try EventLoop()
        } catch {
            return .failure(ProbeError(message: "cannot start the event loop: \(error)"))
        }
        var internalSettings = ProbeSession.Settings()
        internalSettings.maxWaitMs = settings.maxWaitMs
        internalSettings.maxRequests = settings.maxRequests
        internalSettings.requests = settings.requests
        internalSettings.timeoutMs = settings.timeoutMs
        let session = ProbeSession(loop: loop, origin: origin, target: target, url: url, settings: internalSettings)
        do {
            return .success(ProbeFindings(try session.run()))
        } catch {
            return .failure(ProbeError(message: error.message))
        }
    }
}

/// Why a probe could not run.
public struct ProbeError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// ProbeFindings: what the probe measured, as plain values, plus the report rendered for people
/// and for machines.
public struct ProbeFindings: Sendable {
    /// Request 2 was answered on the connection of request 1 (plain HTTP/1.1).
    public var keepsAlive: Bool
    /// The same with HTTP/1.0 and `Connection: keep-alive`.
    public var keepsAliveHTTP10: Bool
    /// The headers of the answer to a plain HTTP/1.1 request, verbatim.
    public var keepAliveHeader: String?
    public var connectionHeader: String?
    /// `timeout=` and `max=` of that Keep-Alive header, when present.
    public var advertisedTimeoutSeconds: Int?
    public var advertisedMax: Int?
    /// Milliseconds from the end of a response to the server's FIN; nil when not measured.
    public var idleTimeoutMs: Double?
    /// True when the connection was still open when the wait ran out.
    public var idleOutlastedWait: Bool
    /// The number of responses after which the server closed, when a limit was found.
    public var maxRequests: Int?
    /// How the max-requests run ended: "said close", "closed", "no limit found", "no response".
    public var maxRequestsEnding: String
    /// "in order", "not in order", "server closed instead", "incomplete", "not tried".
    public var pipelining: String
    /// New-connection time over kept-alive time for the same N requests, when measured.
    public var reuseSpeedup: Double?
    /// The report as `wirelab probe` prints it, and as `--json` prints it.
    public var text: String
    public var json: String

    init(_ report: ProbeReport) {
        keepsAlive = report.http11.isKeepAlive
        keepsAliveHTTP10 = report.http10.isKeepAlive
        keepAliveHeader = report.keepAliveHeader
        connectionHeader = report.connectionHeader
        let hint = report.keepAliveHeader.flatMap { KeepAliveHint(headerValue: $0) }
        advertisedTimeoutSeconds = hint?.timeoutSeconds
        advertisedMax = hint?.max
        switch report.idleTimeout {
        case .measured(let seconds):
            idleTimeoutMs = seconds * 1000
            idleOutlastedWait = false
        case .longerThan:
            idleTimeoutMs = nil
            idleOutlastedWait = true
        case .notMeasured:
            idleTimeoutMs = nil
            idleOutlastedWait = false
        }
        maxRequests = report.maxRequests.isLimitFound ? report.maxRequests.count : nil
        maxRequestsEnding = report.maxRequests.ending.rawValue
        pipelining = report.pipelining.verdict
        reuseSpeedup = report.reuse?.speedup
        text = report.text()
        json = report.json().text() + "\n"
    }
}

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
        /// GETs the h2c check opens at once on one connection (fewer if the server allows fewer).
        public var h2Streams = 10
        /// Which checks run: the HTTP/1.x measurements, the h2c check, or both (the default).
        public var http1 = true
        public var h2 = true
        /// How long the h2c check watches its idle connection for GOAWAY; nil: `maxWaitMs`.
        public var h2IdleWaitMs: Int?
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
        internalSettings.h2Streams = settings.h2Streams
        internalSettings.http1 = settings.http1
        internalSettings.h2 = settings.h2
        internalSettings.h2IdleWaitMs = settings.h2IdleWaitMs ?? settings.maxWaitMs
        let session = ProbeSession(loop: loop, origin: origin, target: target, url: url, settings: internalSettings)
        do {
            return .success(ProbeFindings(try session.run(), maxWaitMs: settings.maxWaitMs))
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
    /// How the two-request test ended, HTTP/1.1 then HTTP/1.0: "kept", "said close", "closed",
    /// "no response"; and the same as a sentence ("response 1 said Connection: close").
    public var persistence: String
    public var persistenceHTTP10: String
    public var persistenceDetail: String
    public var persistenceDetailHTTP10: String
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
    /// "closed", "open past max wait" or "not measured", and a sentence saying what happened
    /// ("the server closes the connection after every response").
    public var idleOutcome: String
    public var idleDetail: String
    /// How long the probe was allowed to wait for the idle close, in seconds.
    public var maxWaitSeconds: Double
    /// The number of responses after which the server closed, when a limit was found.
    public var maxRequests: Int?
    /// How the max-requests run ended: "said close", "closed", "refused", "no limit found", "no response".
    public var maxRequestsEnding: String
    /// The same as a sentence: "3 (response 3 said Connection: close, but the server kept the
    /// connection open)".
    public var maxRequestsDetail: String
    /// After the response that said `Connection: close`, whether the server closed the connection
    /// (nil when no response said close).
    public var maxRequestsClosedAfterSaying: Bool?
    /// "in order", "not in order", "server closed instead", "incomplete", "not tried".
    public var pipelining: String
    /// What the pipelining test saw, as a sentence ("2 of 3 responses before the server closed").
    public var pipeliningDetail: String
    /// New-connection time over kept-alive time for the same N requests, when measured.
    public var reuseSpeedup: Double?
    /// What the h2c check found (RFC 9113 §3.3, prior knowledge).
    public var h2: H2Findings
    /// The report as `wirelab probe` prints it, and as `--json` prints it.
    public var text: String
    public var json: String

    init(_ report: ProbeReport, maxWaitMs: Int) {
        keepsAlive = report.http11.isKeepAlive
        keepsAliveHTTP10 = report.http10.isKeepAlive
        persistence = report.http11.word
        persistenceHTTP10 = report.http10.word
        persistenceDetail = report.http11.detail
        persistenceDetailHTTP10 = report.http10.detail
        maxWaitSeconds = Double(maxWaitMs) / 1000
        keepAliveHeader = report.keepAliveHeader
        connectionHeader = report.connectionHeader
        let hint = report.keepAliveHeader.flatMap { KeepAliveHint(headerValue: $0) }
        advertisedTimeoutSeconds = hint?.timeoutSeconds
        advertisedMax = hint?.max
        switch report.idleTimeout {
        case .measured(let seconds):
            idleTimeoutMs = seconds * 1000
            idleOutlastedWait = false
            idleOutcome = "closed"
            idleDetail = "the server closed the idle connection \(Format.fixed(seconds, 2)) s after the response"
        case .longerThan(let seconds):
            idleTimeoutMs = nil
            idleOutlastedWait = true
            idleOutcome = "open past max wait"
            idleDetail = "the server never closed it, still open when the probe's \(Format.fixed(seconds, seconds == seconds.rounded() ? 0 : 2)) s wait ran out"
        case .notMeasured(let why):
            idleTimeoutMs = nil
            idleOutlastedWait = false
            idleOutcome = "not measured"
            idleDetail = why
        }
        maxRequests = report.maxRequests.isLimitFound ? report.maxRequests.count : nil
        maxRequestsEnding = report.maxRequests.ending.rawValue
        maxRequestsDetail = report.maxRequests.summary.replacingOccurrences(of: "  (", with: " (")
        maxRequestsClosedAfterSaying = report.maxRequests.closedAfterSaying
        pipelining = report.pipelining.verdict
        pipeliningDetail = report.pipelining.detail
        reuseSpeedup = report.reuse?.speedup
        h2 = H2Findings(report.h2)
        text = report.text()
        json = report.json().text() + "\n"
    }
}

/// H2Findings: the h2c check's findings as plain values, for `probe.h2` in a your-server key.
public struct H2Findings: Sendable {
    /// The server's first frame after our preface was SETTINGS.
    public var priorKnowledge: Bool
    /// What the server answered the preface with: "its first frame was SETTINGS", or what came
    /// instead ("it answered with HTTP/1: HTTP/1.1 400 Bad Request").
    public var detail: String
    /// The settings as sent: `MAX_CONCURRENT_STREAMS=100, INITIAL_WINDOW_SIZE=65535`.
    public var settings: String
    public var settingsAcked: Bool
    /// SETTINGS_MAX_CONCURRENT_STREAMS as sent (nil: not sent, no limit), and as words.
    public var maxConcurrentStreams: Int?
    public var maxConcurrentStreamsText: String
    /// Any setting by its name (`INITIAL_WINDOW_SIZE`): the value sent, or nil.
    public var sentSettings: [String: Int]
    /// The names of the settings the probe knows (RFC 9113 §6.5.2, RFC 8441, RFC 9218).
    public static let settingNames: [String] = H2Report.known.map(\.name)
    /// The status of the GET on stream 1, and what happened to it as words.
    public var status: Int?
    public var getDetail: String
    /// The GETs opened at once: asked for, opened (within the server's limit), answered.
    public var streamsRequested: Int
    public var streamsOpened: Int
    public var streamsAnswered: Int
    public var streamsReset: Int
    public var streamsDetail: String
    /// "goaway", "closed without goaway", "open past wait", "not measured"; seconds from the last
    /// response to the GOAWAY (or the close); and the sentence.
    public var idleOutcome: String
    public var idleSeconds: Double?
    public var idleDetail: String
    /// The windows the server grants the client's DATA: each new stream's (SETTINGS_INITIAL_WINDOW_SIZE,
    /// 65,535 when not sent; nil without HTTP/2), the connection's (65,535 plus the WINDOW_UPDATE
    /// increments on stream 0 up to the first response; nil when not measured), and in words.
    public var initialWindow: Int?
    public var connectionWindow: Int?
    public var windowsDetail: String

    init(_ r: H2Report) {
        priorKnowledge = r.accepted
        detail = r.accepted ? "its first frame was SETTINGS" : (r.refusal ?? "not tried")
        settings = r.accepted ? r.sentSummary : "none (no HTTP/2)"
        settingsAcked = r.settingsAcked
        maxConcurrentStreams = r.maxConcurrentStreams.map(Int.init)
        maxConcurrentStreamsText = r.accepted ? r.maxConcurrentStreamsText : "none (no HTTP/2)"
        var named: [String: Int] = [:]
        for s in r.settings {
            let name = H2Report.known.first { $0.id == s.id.rawValue }?.name ?? "0x" + String(s.id.rawValue, radix: 16)
            named[name] = Int(s.value)
        }
        sentSettings = named
        status = r.get.status
        getDetail = r.get.detail
        streamsRequested = r.concurrency?.requested ?? 0
        streamsOpened = r.concurrency?.opened ?? 0
        streamsAnswered = r.concurrency?.answered ?? 0
        streamsReset = r.concurrency?.reset ?? 0
        streamsDetail = r.concurrency?.detail ?? r.endedAfterFirst.map { "not tried: " + $0 }
            ?? (r.accepted ? "not tried: the GET on stream 1 got \(r.get.detail)" : "not tried: no HTTP/2")
        idleOutcome = r.accepted ? r.idle.word : "not measured"
        switch r.idle {
        case .goaway(let s, _, _), .closed(let s): idleSeconds = s
        case .openPastWait, .notMeasured: idleSeconds = nil
        }
        idleDetail = r.accepted ? r.idle.detail : "not measured: no HTTP/2"
        initialWindow = r.accepted ? r.initialWindow : nil
        connectionWindow = r.accepted ? r.connectionWindow : nil
        windowsDetail = r.accepted ? r.windowsDetail : "not measured: no HTTP/2"
    }
}

import Foundation
import LabKit
import LabRun
import LabScript
import Wire

// MARK: your-client

extension ChallengeVerifier {
    /// The lab server a your-client key sets up from its header: `keep-alive-timeout`,
    /// `advertised-timeout` (what `Keep-Alive` says, when it is not the truth), `no-keep-alive-header`
    /// and `max-requests` (the Nth response says `Connection: close`, then the server closes); and
    /// misbehaviour: `close-silently-after` (the server closes after the Nth response on a connection,
    /// which said keep-alive) and `drop-reused` (a number, or `all`: requests that arrive on a reused
    /// connection are read and the connection is closed without an answer).
    public static func clientServerConfiguration(_ key: ChallengeKey) -> ServerConfiguration {
        var config = ServerConfiguration()
        if let ms = key.fields["keep-alive-timeout"].flatMap(parseKeyDuration) { config.keepAliveTimeoutMs = ms }
        if let ms = key.fields["advertised-timeout"].flatMap(parseKeyDuration) { config.advertisedKeepAliveTimeoutMs = ms }
        if key.fields["no-keep-alive-header"] == "true" { config.sendsKeepAliveHeader = false }
        if let n = key.fields["max-requests"].flatMap({ Int($0) }) { config.maxRequestsPerSocket = n }
        if let n = key.fields["close-silently-after"].flatMap({ Int($0) }) { config.closeSilentlyAfter = n }
        if let drop = key.fields["drop-reused"] { config.dropReusedRequests = drop == "all" ? .max : Int(drop) ?? 0 }
        return config
    }

    /// Runs the learner's command (or waits for them), then checks the key's conditions on what the
    /// server observed of their client (`client.*`). The feedback names the measured values and ends
    /// with observe's report.
    static func verifyClient(_ key: ChallengeKey, lesson: Lesson, input: VerificationInput, wait: ClientWait?,
                             environment: [String: String]) -> VerificationResult {
        let command = input.command ?? []
        guard !command.isEmpty || input.wait else {
            return VerificationResult(status: .wrong, kind: .yourClient,
                                      headline: "Give your client: wirelab verify \(lesson.id) <n> -- COMMAND ARGS... ({url} and WIRELAB_URL are the lab server's URL), or --wait to use a browser or a program you start yourself")
        }
        let conditions: Script
        switch self.conditions(key, lesson: lesson) {
        case .success(let script): conditions = script
        case .failure(let broken): return broken.result
        }
        let limit = limitMs(key)
        let session: ClientSession
        do {
            session = try ClientSession(configuration: clientServerConfiguration(key))
        } catch {
            return VerificationResult(status: .notRun, kind: .yourClient, headline: "Cannot start the lab server on 127.0.0.1: \(error)")
        }
        let url = session.server.url
        var details: [String] = []
        var exitStatus: LabValue = .none
        if command.isEmpty {
            let done = DoneFlag()
            let loop = session.loop
            wait?.start(url, limit) {
                done.set()
                loop.execute {}
            }
            session.wait(forMs: limit) { done.isSet }
            session.settle(atMostMs: 500)
            details.append("Observed by hand on \(url) for \(Format.fixed(session.nowMs() / 1000, 1))s" + (done.isSet ? "" : " (the challenge's limit of \(limit)ms ended it)"))
        } else {
            let run: ClientSession.CommandRun
            do {
                run = try session.run(command, url: url, environment: environment, limitMs: limit)
            } catch {
                session.shutDown()
                switch error {
                case .notFound(let name):
                    return VerificationResult(status: .notRun, kind: .yourClient, headline: "Command not found: '\(name)' (not on PATH; nothing was run or judged)")
                case .failed(let why):
                    return VerificationResult(status: .notRun, kind: .yourClient, headline: "Cannot run '\(command[0])': \(why) (nothing was judged)")
                }
            }
            if run.timedOut {
                session.shutDown()
                return VerificationResult(status: .notRun, kind: .yourClient,
                                          headline: "'\(run.argv[0])' was still running after \(limit)ms (this challenge's limit): stopped it; nothing was judged",
                                          clientObservation: session.finish())
            }
            if run.exited && !run.signalled { exitStatus = .number(Double(run.status)) }
            details.append("Your command: " + run.argv.joined(separator: " ") + " — \(run.statusText) after \(Format.fixed(run.ranMs, 1))ms")
            if run.status != 0 || run.signalled {
                let errLines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false).suffix(10).filter { !$0.isEmpty }
                if !errLines.isEmpty { details += ["  its stderr (last lines):"] + errLines.map { "    " + $0 } }
            }
        }
        session.shutDown()
        let observation = session.finish()
        var options = RunOptions()
        options.limitMs = 10_000
        let outcome = ExperimentRunner.run(source: "", expected: nil, options: options,
                                           epilogue: Epilogue(conditions: conditions, values: ["client": clientValue(observation, exitStatus: exitStatus)]))
        details.append("What the server observed of your client:")
        details += observation.report().split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        while details.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { details.removeLast() }
        guard let result = outcome.epilogue else { return broken(key, lesson: lesson, "\(key.line): the conditions did not run") }
        var verdict: VerificationResult
        if let error = result.error {
            verdict = VerificationResult(status: .wrong, kind: .yourClient,
                                         headline: "Not yet: a condition could not be checked on what the server observed: \(error.message)", details: details)
        } else {
            verdict = conditionVerdict(result, kind: .yourClient, lesson: lesson, details: details,
                                       what: "what the server observed of your client", explanation: key.explanation)
        }
        verdict.clientObservation = observation
        verdict.observed += [("requests", "\(observation.requests.count)"), ("connections", "\(observation.connections.count)"),
                             ("reusedRequests", "\(observation.reusedRequests)"), ("maxOpenConnections", "\(observation.maxOpenConnections)")]
        return verdict
    }

    /// The `client` object a your-client key's conditions read: observe's `--json` fields, as lab values.
    public static func clientValue(_ o: ClientObservation, exitStatus: LabValue = .none) -> LabValue {
        let connections: [LabValue] = o.connections.map { c in
            .object(RecordObject("a connection the server saw", [
                ("id", .number(Double(c.id))),
                ("requests", .number(Double(c.requests))),
                ("protocol", c.protocolVersion.map { .string($0) } ?? .none),
                ("closedBy", c.closedBy.map { .string($0) } ?? .none),
                ("closeReason", c.closeReason.map { .string($0) } ?? .none),
                ("announcedClose", .bool(c.announcedCloseAtMs != nil)),
            ]))
        }
        let requests: [LabValue] = o.requests.map { r in
            .object(RecordObject("a request the server saw", [
                ("method", .string(r.method)),
                ("target", .string(r.target)),
                ("version", .string(r.version)),
                ("connection", .number(Double(r.connection))),
                ("indexOnConnection", .number(Double(r.indexOnConnection))),
                ("status", r.status.map { .number(Double($0)) } ?? .none),
                ("sentAfterClose", .bool(r.sentAfterClose)),
                ("userAgent", r.userAgent.map { .string($0) } ?? .none),
            ]))
        }
        let count = { (method: String) in Double(o.requests.filter { $0.method == method }.count) }
        let answered = { (method: String) in Double(o.requests.filter { $0.method == method && $0.status != nil }.count) }
        return .object(RecordObject("what the server observed of your client", [
            ("requests", .number(Double(o.requests.count))),
            ("reusedRequests", .number(Double(o.reusedRequests))),
            ("maxOpenConnections", .number(Double(o.maxOpenConnections))),
            ("maxRequestsInFlight", .number(Double(o.maxRequestsInFlight))),
            ("requestsAfterClose", .number(Double(o.requestsAfterClose))),
            ("connectionCount", .number(Double(o.connections.count))),
            ("usedConnections", .number(Double(o.usedConnections))),
            ("maxRequestsOnAConnection", .number(Double(o.connections.map(\.requests).max() ?? 0))),
            ("gets", .number(count("GET"))),
            ("posts", .number(count("POST"))),
            ("answeredGets", .number(answered("GET"))),
            ("answeredPosts", .number(answered("POST"))),
            ("unanswered", .number(Double(o.requests.filter { $0.status == nil }.count))),
            ("connections", .list(connections)),
            ("requestList", .list(requests)),
            ("userAgents", .list(o.userAgents.map { .string($0.0) })),
            ("versions", .list(o.versions.map { .string($0.0) })),
            ("exitStatus", exitStatus),
            ("h2Connections", .number(Double(o.http2Connections))),
            ("http2Requests", .number(Double(o.http2Requests))),
            ("maxStreamsInFlight", .number(Double(o.maxStreamsInFlight))),
            ("droppedRequests", .number(Double(o.droppedRequests.count))),
            ("resentDroppedRequests", .number(Double(o.resentDroppedRequests))),
            ("silentCloses", .number(Double(o.silentlyClosedConnections.count))),
            ("requestsOnClosedConnections", .number(Double(o.requestsOnClosedConnections))),
            ("resentFromClosedConnections", .number(Double(o.resentLateRequests))),
        ]))
    }
}

/// Set once from any thread (the learner's Enter), read on the loop's thread.
final class DoneFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

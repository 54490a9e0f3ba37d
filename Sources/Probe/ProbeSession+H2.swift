import HTTP2
import Wire

extension ProbeSession {
    /// The h2c connection left idle after its last response, to see whether the server sends GOAWAY.
    struct H2IdleWait {
        var connection: H2ProbeConnection
        var since: Int64
    }

    // MARK: (7) h2c with prior knowledge

    /// Preface and SETTINGS; the server's SETTINGS; one GET on stream 1; then `h2Streams` GETs at
    /// once (no more than the server's SETTINGS_MAX_CONCURRENT_STREAMS). Leaves the connection idle
    /// for `finishH2Idle`. What the server answers is a finding; only a failed connect when this is
    /// the probe's first connection (`isFirst`) fails the probe.
    func h2Check(isFirst: Bool) throws(ProbeFailure) -> H2IdleWait? {
        report.h2.getTarget = target
        let connection: H2ProbeConnection
        do {
            connection = try H2ProbeConnection.open(loop: loop, origin: origin, timeoutMs: settings.timeoutMs)
        } catch {
            if isFirst { throw error }
            report.h2.refusal = "cannot connect: \(error.message)"
            return nil
        }
        report.h2.tried = true
        connection.waitForServerPreface(timeoutMs: settings.timeoutMs)
        guard let _ = connection.serverSettings else {
            report.h2.refusal = connection.notHTTP2 ?? connection.malformed
                ?? "it sent nothing in \(Format.fixed(Double(settings.timeoutMs) / 1000, 1)) s"
            connection.close()
            return nil
        }
        report.h2.accepted = true
        var keep = true
        defer {
            report.h2.settings = connection.serverSettings ?? []
            report.h2.settingsAcked = connection.settingsAcked
            report.h2.pushPromises = connection.pushPromises
            if !keep { connection.close() }
        }
        // Stream 1.
        let first = connection.get(target, count: 1)
        report.h2.requestsSent += 1
        connection.waitFor(first, timeoutMs: settings.timeoutMs)
        report.h2.get = getOutcome(connection, first[0])
        // The windows the server grants for what the probe sends: the stream window from its
        // SETTINGS, the connection window from its WINDOW_UPDATEs on stream 0 up to this response.
        report.h2.connectionWindow = 65_535 + connection.connectionWindowIncrements
        guard report.h2.get.status != nil else {
            keep = false
            report.h2.idle = .notMeasured("the GET on stream 1 was not answered")
            return nil
        }
        if connection.goaway != nil || connection.isEnded {
            // Answered, then the connection went: nothing more can be opened on it.
            keep = false
            let how = connection.goaway.map { "the server sent GOAWAY (\($0.code))" } ?? connection.malformed ?? "the server closed the connection"
            report.h2.endedAfterFirst = how + " after the GET on stream 1"
            report.h2.idle = .notMeasured(report.h2.endedAfterFirst!)
            return nil
        }
        // N at once, within the server's limit (more would be the client's protocol error, §5.1.2).
        let limit = connection.serverSettings.flatMap { list in list.last { $0.id == .maxConcurrentStreams }?.value }
        let wanted = max(1, settings.h2Streams)
        let count = min(wanted, limit.map(Int.init) ?? wanted)
        if count > 0 {
            let ids = connection.get(target, count: count)
            report.h2.requestsSent += count
            connection.waitFor(ids, timeoutMs: settings.timeoutMs)
            let states = ids.compactMap { connection.streams[$0] }
            let resets = states.compactMap(\.reset)
            var endedBy: String?
            if let g = connection.goaway { endedBy = "the server sent GOAWAY (\(g.code)) while they were open" }
            else if connection.isEnded { endedBy = connection.malformed ?? "the server closed the connection while they were open" }
            report.h2.concurrency = H2Report.Concurrency(
                requested: wanted, opened: count,
                answered: states.filter { $0.ended && $0.reset == nil && $0.status != nil }.count,
                reset: resets.count, resetCodes: resets, pending: states.filter { !$0.isDone }.count,
                statuses: states.compactMap(\.status), endedBy: endedBy)
        } else {
            report.h2.concurrency = H2Report.Concurrency(requested: wanted, opened: 0, answered: 0, reset: 0, resetCodes: [],
                                                         pending: 0, statuses: [], endedBy: nil)
        }
        if connection.goaway != nil || connection.isEnded {
            keep = false
            report.h2.idle = .notMeasured("the connection ended before it was idle")
            return nil
        }
        let since = connection.streams.values.compactMap(\.endedAt).max() ?? loop.now
        return H2IdleWait(connection: connection, since: since)
    }

    private func getOutcome(_ connection: H2ProbeConnection, _ id: StreamID) -> H2Report.Get {
        let stream = connection.streams[id]
        if let code = stream?.reset { return .reset(code) }
        if let stream, stream.ended, let status = stream.status { return .answered(status: status, bodyBytes: stream.bodyBytes) }
        if let g = connection.goaway { return .ended("the server sent GOAWAY (\(g.code)) instead" + (g.debug.isEmpty ? "" : ": \(g.debug)")) }
        if let m = connection.malformed { return .ended(m) }
        if connection.isEnded { return .ended("the server closed the connection instead") }
        return .noResponse
    }

    /// Waits what is left of `h2IdleWaitMs` for GOAWAY or a close on the idle h2c connection.
    func finishH2Idle(_ idle: H2IdleWait?) {
        guard let idle else { return }
        defer {
            report.h2.settingsAcked = idle.connection.settingsAcked
            idle.connection.close()
        }
        let bound = Int64(settings.h2IdleWaitMs) * 1_000_000
        let remaining = bound - (loop.now - idle.since)
        if remaining > 0 { idle.connection.waitForGoawayOrEnd(timeoutMs: Int((remaining + 999_999) / 1_000_000)) }
        if let g = idle.connection.goaway, g.at - idle.since <= bound {
            // A GOAWAY is normally followed by the close: give it a moment (bounded) to say which.
            if !idle.connection.isEnded { idle.connection.waitForEnd(timeoutMs: min(settings.timeoutMs, 1_000)) }
            report.h2.idle = .goaway(seconds: Double(g.at - idle.since) / 1e9, code: g.code, closed: idle.connection.isEnded)
        } else if let ended = idle.connection.endedAt, ended - idle.since <= bound {
            report.h2.idle = .closed(seconds: Double(ended - idle.since) / 1e9)
        } else {
            report.h2.idle = .openPastWait(seconds: Double(settings.h2IdleWaitMs) / 1000)
        }
    }
}

import Foundation
import Wire

/// ClientSession: the lab server watching a client the learner brings, shared by `wirelab observe`
/// and the your-client challenges (`wirelab verify L N -- COMMAND`, `--wait`, the stepper's `v`).
/// It starts the server on 127.0.0.1, records what the server sees into a `ClientObserver`, runs the
/// learner's command with a time limit (or waits for a condition the caller names), and shuts the
/// server down. Printing and judging are the callers' business.
public final class ClientSession {
    public let loop: EventLoop
    public let server: LoopbackServer
    public let started: Int64
    public let startedEpochMs: Double
    private let recorder: Recorder

    final class Recorder {
        var observer: ClientObserver
        init(startedEpochMs: Double) { observer = ClientObserver(startedEpochMs: startedEpochMs) }
    }

    /// Starts the server with `configuration` and begins recording.
    public init(configuration: ServerConfiguration) throws {
        loop = try EventLoop()
        server = LoopbackServer(loop: loop, configuration: configuration)
        try server.start()
        started = loop.now
        startedEpochMs = Date().timeIntervalSince1970 * 1000
        let recorder = Recorder(startedEpochMs: startedEpochMs)
        recorder.observer.misbehaviour(closeSilentlyAfter: configuration.closeSilentlyAfter, dropReusedRequests: configuration.dropReusedRequests)
        self.recorder = recorder
        let loop = self.loop, started = self.started
        func nowMs() -> Double { Double(loop.now - started) / 1e6 }
        server.requestHeadTap = { id, index, head in
            // HTTP/2 as RFC 9113 and curl name it, not the "HTTP/2.0" of a request line it never had.
            let version = head.version.major == 2 ? "HTTP/2" : head.version.description
            recorder.observer.request(connection: id, index: index, method: head.method, target: head.target, version: version,
                                      headers: head.headers.fields.map { ObservedHeader($0.name, $0.value) }, atMs: nowMs())
        }
        server.requestHeadSizeTap = { id, bytes in recorder.observer.requestHeadSize(connection: id, bytes: bytes) }
        server.lateInputTap = { id, bytes in recorder.observer.lateInput(connection: id, bytes: bytes, atMs: nowMs()) }
        server.responseWriteTap = { id, stream, write in
            switch write {
            case .head(_, let fields, let bytes):
                recorder.observer.responseHead(connection: id, stream: stream, headers: fields.map { ObservedHeader($0.name, $0.value) }, bytes: bytes)
            case .body(let wire, let content):
                recorder.observer.responseBody(connection: id, stream: stream, wire: wire, content: content)
            }
        }
        server.addObserver { event in
            if case .opened(let id) = event { recorder.observer.opened(connection: id, atMs: nowMs()) }
            if case .request(let id, let index, let head) = event, let stream = head.stream {
                recorder.observer.streamOpened(connection: id, index: index, stream: stream)
            }
            if case .response(let id, let status, let willClose, let stream) = event {
                recorder.observer.response(connection: id, status: status, willClose: willClose, stream: stream, atMs: nowMs())
            }
            if case .closed(let id, let reason, _) = event { recorder.observer.closed(connection: id, reason: reason, atMs: nowMs()) }
        }
    }

    /// Milliseconds since the session began.
    public func nowMs() -> Double { Double(loop.now - started) / 1e6 }

    /// What one run of the learner's command did.
    public struct CommandRun: Sendable {
        public var argv: [String]
        public var exited: Bool
        /// The exit status, or the signal's number when `signalled`.
        public var status: Int32
        public var signalled: Bool
        /// Still running at the limit (and stopped).
        public var timedOut: Bool
        /// Stopped because the caller's `interrupted` said so.
        public var interrupted: Bool
        public var ranMs: Double
        public var stdout: String
        public var stderr: String
        public var droppedOut: Int
        public var droppedErr: Int

        /// "exited with status 0", "killed by signal 9", "did not exit".
        public var statusText: String {
            !exited ? "did not exit" : signalled ? "killed by signal \(status)" : "exited with status \(status)"
        }
    }

    /// Runs `argv` (every `{url}` replaced by `url`, `WIRELAB_URL=url` in `environment`) for at most
    /// `limitMs`, then lets the client's closes reach the server (at most `settleMs`).
    public func run(_ command: [String], url: String, environment: [String: String], limitMs: Int, settleMs: Int = 1_000,
                    interrupted: @escaping () -> Bool = { false }) throws(ObserveChild.LaunchError) -> CommandRun {
        let argv = command.map { $0.replacingOccurrences(of: "{url}", with: url) }
        var childEnvironment = environment
        childEnvironment["WIRELAB_URL"] = url
        let child = ObserveChild(arguments: argv)
        let launchedMs = nowMs()
        try child.launch(environment: childEnvironment, loop: loop)
        let deadline = started + Int64(launchedMs * 1e6) + Int64(limitMs) * 1_000_000
        loop.schedule(afterMs: Double(limitMs)) {}
        _ = loop.run(until: { [loop] in child.exited || loop.now >= deadline || interrupted() }, timeoutNanos: Int64(limitMs + 1_000) * 1_000_000)
        let ranMs = nowMs() - launchedMs
        var timedOut = false, wasInterrupted = false
        if !child.exited {
            wasInterrupted = interrupted()
            child.stop(graceMs: 1_000, loop: loop)
            timedOut = !wasInterrupted
        }
        settle(atMostMs: settleMs)
        let output = child.output(waitingAtMost: 1_000)
        return CommandRun(argv: argv, exited: child.exited, status: child.status, signalled: child.signalled, timedOut: timedOut,
                          interrupted: wasInterrupted, ranMs: ranMs, stdout: output.out, stderr: output.err,
                          droppedOut: output.droppedOut, droppedErr: output.droppedErr)
    }

    /// Serves until `done()` says so or `forMs` passes (nil: no limit but `done`), for a browser or a
    /// program the learner starts by hand.
    public func wait(forMs: Int?, until done: @escaping () -> Bool) {
        let deadline = forMs.map { started + Int64($0) * 1_000_000 }
        if let forMs { loop.schedule(afterMs: Double(forMs)) {} }
        _ = loop.run(until: { [loop] in done() || (deadline.map { loop.now >= $0 } ?? false) }, timeoutNanos: Int64.max / 4)
    }

    /// Lets closes in flight land: runs until no connection is open, at most `ms`.
    public func settle(atMostMs ms: Int) {
        let settle = loop.now + Int64(ms) * 1_000_000
        loop.schedule(afterMs: Double(ms)) {}
        _ = loop.run(until: { [loop, server] in server.stats.open == 0 || loop.now >= settle }, timeoutNanos: Int64(ms + 100) * 1_000_000)
    }

    /// Graceful shutdown with a short grace, then everything closed: the server never outlives the
    /// session. `beforeShutdown`/`afterShutdown` let a caller stop and close what it put in front.
    public func shutDown(beforeShutdown: () -> Void = {}, afterShutdown: () -> Void = {}) {
        var done = false
        beforeShutdown()
        server.shutdown(graceMs: 500) { _ in done = true }
        _ = loop.run(until: { done }, timeoutNanos: 1_500_000_000)
        if !done { server.closeAll() }
        afterShutdown()
    }

    /// What was observed, ended now.
    public func finish() -> ClientObservation {
        recorder.observer.finish(atMs: nowMs())
        return recorder.observer.observation
    }
}

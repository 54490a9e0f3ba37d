import Dispatch
import Foundation
import Wire

/// BenchServer: the embedded server on a thread and event loop of its own, so a benchmark's client
/// and server each get a core, as they would in two processes.
///
/// After `init` returns, the server and its loop belong to the server thread: other threads reach
/// them only through `loop.execute` (see `onServerThread`). `stop()` closes every connection and
/// waits for the thread to finish.
final class BenchServer: @unchecked Sendable {
    let port: UInt16
    private let loop: EventLoop
    private let server: LoopbackServer
    private let finished = DispatchSemaphore(value: 0)
    private var isStopped = false

    init(configuration: ServerConfiguration) throws(SystemError) {
        loop = try EventLoop()
        server = LoopbackServer(loop: loop, configuration: configuration)
        try server.start()
        port = server.port
        let started = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            self.loop.run()
            self.finished.signal()
        }
        thread.name = "wirelab-bench-server"
        thread.start()
        // Work submitted now runs on the loop's first turn, so once it has run, `run()` is under way
        // and a later `stop()` cannot be missed.
        loop.execute { started.signal() }
        started.wait()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Runs `body` on the server thread and returns its result, or nil if the thread did not get to
    /// it within `timeoutMs`.
    func onServerThread<T: Sendable>(timeoutMs: Int = 5_000, _ body: @escaping @Sendable (LoopbackServer) -> T) -> T? {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        loop.execute { [self] in
            box.value = body(self.server)
            done.signal()
        }
        guard done.wait(timeout: .now() + .milliseconds(timeoutMs)) == .success else { return nil }
        return box.value
    }

    /// The server's counters, read on its thread.
    var stats: ServerStats? { onServerThread { $0.stats } }

    /// Closes every connection, stops the loop, and waits (at most 5 s) for the thread to end.
    func stop() {
        guard !isStopped else { return }
        isStopped = true
        // Both on the loop thread, in this order: `stop()` called from here could end `run()` before
        // the loop got to work submitted with `execute`, and the listener would stay open.
        loop.execute { [self] in
            self.server.closeAll()
            self.loop.stop()
        }
        _ = finished.wait(timeout: .now() + .seconds(5))
    }

    deinit { stop() }
}

/// A value handed from the server thread to the waiting one; the semaphore orders the two accesses.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

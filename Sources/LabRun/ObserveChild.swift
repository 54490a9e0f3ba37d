#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Wire

/// The learner's command, run by `wirelab observe` and `wirelab verify -- COMMAND`: found on PATH, started with `WIRELAB_URL` in
/// its environment, its standard output and error captured (so they can be reported whole, and
/// kept out of `--json`), its end announced on the event loop.
public final class ObserveChild: @unchecked Sendable {
    /// At most this much of each stream is kept for the report; the rest is counted.
    static let keptBytes = 256 * 1024

    public let arguments: [String]
    private let process = Process()
    private let lock = NSLock()
    private var outBytes: [UInt8] = []
    private var errBytes: [UInt8] = []
    private var dropped = (out: 0, err: 0)
    private let readersDone = DispatchGroup()

    /// Set on the loop thread once the process has ended.
    public private(set) var exited = false
    public private(set) var status: Int32 = 0
    /// The process ended through a signal (`status` is then the signal's number).
    public private(set) var signalled = false

    public enum LaunchError: Error { case notFound(String), failed(String) }

    public init(arguments: [String]) {
        self.arguments = arguments
    }

    /// Where `name` is: itself if it has a slash, else the first executable file on `path`.
    public static func locate(_ name: String, path: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        for directory in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = directory + "/" + name
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    public func launch(environment: [String: String], loop: EventLoop) throws(LaunchError) {
        guard let first = arguments.first, let executable = Self.locate(first, path: environment["PATH"] ?? "/usr/bin:/bin") else {
            throw .notFound(arguments.first ?? "")
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(arguments.dropFirst())
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.terminationHandler = { [weak self] ended in
            let status = ended.terminationStatus, signalled = ended.terminationReason == .uncaughtSignal
            loop.execute { [weak self] in
                self?.status = status
                self?.signalled = signalled
                self?.exited = true
            }
        }
        do {
            try process.run()
        } catch {
            throw .failed("\(error)")
        }
        read(out.fileHandleForReading, isError: false)
        read(err.fileHandleForReading, isError: true)
    }

    private func read(_ handle: FileHandle, isError: Bool) {
        readersDone.enter()
        Thread.detachNewThread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                lock.lock()
                let kept = isError ? errBytes.count : outBytes.count
                let room = max(0, Self.keptBytes - kept)
                let piece = Array(data.prefix(room))
                if isError { errBytes += piece; dropped.err += data.count - piece.count } else { outBytes += piece; dropped.out += data.count - piece.count }
                lock.unlock()
            }
            readersDone.leave()
        }
    }

    public var pid: Int32 { process.processIdentifier }

    /// Stops the process: SIGTERM, then SIGKILL if it is still there after `graceMs`. Its process
    /// group too when it leads one (a shell's children would otherwise keep running).
    public func stop(graceMs: Int, loop: EventLoop) {
        guard !exited, pid > 0 else { return }
        let group = getpgid(pid) == pid
        if group { kill(-pid, SIGTERM) }
        kill(pid, SIGTERM)
        _ = loop.run(until: { exited }, timeoutNanos: Int64(graceMs) * 1_000_000)
        if !exited {
            if group { kill(-pid, SIGKILL) }
            kill(pid, SIGKILL)
            _ = loop.run(until: { exited }, timeoutNanos: 2_000_000_000)
        }
    }

    /// What it wrote, once it has ended: waits at most `ms` for the pipes to reach their end (a
    /// background child that kept them open would otherwise hold the report).
    public func output(waitingAtMost ms: Int) -> (out: String, err: String, droppedOut: Int, droppedErr: Int) {
        _ = readersDone.wait(timeout: .now() + .milliseconds(ms))
        lock.lock()
        defer { lock.unlock() }
        return (String(decoding: outBytes, as: UTF8.self), String(decoding: errBytes, as: UTF8.self), dropped.out, dropped.err)
    }
}

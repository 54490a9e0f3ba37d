// TerminalIO: every POSIX call the stepper's driver makes, in one file, so Glibc and Darwin stay
// here: raw mode (termios), the window size, pipes, poll, read and write on descriptors.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystem
import Wire

enum TerminalIO {
    static let standardInput: Int32 = 0
    static let standardOutput: Int32 = 1

    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// The window size of the terminal on `fd` (TIOCGWINSZ), nil when it is not a terminal.
    static func windowSize(_ fd: Int32 = standardOutput) -> TerminalSize? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
        return TerminalSize(columns: Int(size.ws_col), rows: Int(size.ws_row))
    }

    /// A pipe whose ends are close-on-exec, and non-blocking when asked (a writer then never waits).
    static func makePipe(nonBlocking: Bool) -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            if nonBlocking { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        }
        return (fds[0], fds[1])
    }

    static func close(_ fd: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }

    /// What `read` found: bytes, nothing yet (EAGAIN/EINTR), or the end (EOF or an error).
    enum ReadResult { case bytes([UInt8]), nothing, end }

    static func read(_ fd: Int32, upTo count: Int = 4096) -> ReadResult {
        var buffer = [UInt8](repeating: 0, count: count)
        let n = buffer.withUnsafeMutableBytes { raw in
            #if canImport(Glibc)
            Glibc.read(fd, raw.baseAddress, raw.count)
            #else
            Darwin.read(fd, raw.baseAddress, raw.count)
            #endif
        }
        if n > 0 { return .bytes(Array(buffer[0..<n])) }
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return .nothing }
        return .end
    }

    /// Writes every byte (retrying on EINTR and short writes); false when the descriptor failed.
    /// On a non-blocking descriptor a full pipe (EAGAIN) ends the write early and counts as done.
    @discardableResult
    static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        Platform.writeAll(fd, bytes)
    }

    /// Waits up to `timeoutMs` (-1: forever) until one of `fds` is readable or hung up; returns
    /// which are. An interrupted wait (EINTR) returns none ready.
    static func poll(_ fds: [Int32], timeoutMs: Int32) -> [Bool] {
        var entries = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let n = entries.withUnsafeMutableBufferPointer { buffer in
            #if canImport(Glibc)
            Glibc.poll(buffer.baseAddress, nfds_t(buffer.count), timeoutMs)
            #else
            Darwin.poll(buffer.baseAddress, nfds_t(buffer.count), timeoutMs)
            #endif
        }
        guard n > 0 else { return fds.map { _ in false } }
        return entries.map { $0.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 }
    }

    // MARK: Signals

    /// The signals the stepper turns into bytes on its signal pipe.
    static let resize = SIGWINCH
    static let terminate = SIGTERM
    static let interrupt = SIGINT
    static let hangUp = SIGHUP
    static let watchedSignals: [Int32] = [SIGWINCH, SIGTERM, SIGINT, SIGHUP]

    static func installSignalPipe(writeFD: Int32) -> Bool {
        csys_signal_pipe_install(writeFD, watchedSignals, Int32(watchedSignals.count)) == 0
    }

    static func uninstallSignalPipe() {
        csys_signal_pipe_uninstall(watchedSignals, Int32(watchedSignals.count))
    }
}

/// RawMode: the terminal on a descriptor switched to raw input — no line buffering (ICANON), no
/// echo, no signals from keys (ISIG off: Ctrl-C arrives as byte 3), no flow control, CR not turned
/// into NL — and back. Output processing stays on. `restore()` puts back exactly what was there
/// and is safe to call more than once.
final class RawMode {
    private let fd: Int32
    private let original: termios
    private var isRaw = false

    /// Reads the current mode; nil when `fd` is not a terminal.
    init?(fd: Int32 = TerminalIO.standardInput) {
        var current = termios()
        guard tcgetattr(fd, &current) == 0 else { return nil }
        self.fd = fd
        original = current
    }

    /// Switches to raw input; false when the terminal refused.
    @discardableResult
    func enable() -> Bool {
        var raw = original
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL | INLCR | BRKINT | ISTRIP)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(fd, TCSAFLUSH, &raw) == 0 else { return false }
        isRaw = true
        return true
    }

    /// Puts the original mode back (TCSAFLUSH: unread raw keys are dropped, not left to the shell).
    func restore() {
        guard isRaw else { return }
        var saved = original
        _ = tcsetattr(fd, TCSAFLUSH, &saved)
        isRaw = false
    }
}

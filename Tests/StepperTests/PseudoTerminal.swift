// PseudoTerminal: a child process on a pseudo-terminal, for the end-to-end test. Every wait is
// bounded and reads the terminal while it waits (a child whose output nobody reads would block).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystem
import Foundation
import LabKit

struct PseudoTerminalError: Error, CustomStringConvertible {
    var description: String
}

final class PseudoTerminal {
    let pid: pid_t
    let master: Int32
    /// Everything the child wrote, as bytes.
    private(set) var output: [UInt8] = []
    private(set) var exitStatus: Int32?

    init(path: String, arguments: [String], environment: [String: String], rows: UInt16 = 24, columns: UInt16 = 80) throws {
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var master: Int32 = -1
        let pid = csys_spawn_in_pty(path, argv, envp, rows, columns, &master)
        guard pid > 0 else { throw PseudoTerminalError(description: "forkpty failed: errno \(errno)") }
        self.pid = pid
        self.master = master
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
    }

    /// The output so far with escape sequences removed.
    var text: String { strippingANSI(String(decoding: output, as: UTF8.self)) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// The terminal's local mode flags (on Linux the master reports the slave's termios).
    var localFlags: tcflag_t {
        var mode = termios()
        _ = tcgetattr(master, &mode)
        return mode.c_lflag
    }

    /// Reads what the child writes until `text` appears after output offset `start` (escape
    /// sequences ignored), or throws after `timeout` seconds.
    func waitFor(_ text: String, after start: Int = 0, timeout: Double) throws {
        _ = try waitForAny([text], after: start, timeout: timeout)
    }

    /// Reads until one of `texts` appears after output offset `start`; returns the one that did
    /// (the first in `texts` when several did), or throws after `timeout` seconds.
    func waitForAny(_ texts: [String], after start: Int = 0, timeout: Double) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let seen = strippingANSI(String(decoding: output[min(start, output.count)...], as: UTF8.self))
            if let found = texts.first(where: { seen.contains($0) }) { return found }
            let wanted = texts.map { "'\($0)'" }.joined(separator: " or ")
            guard Date() < deadline else {
                throw PseudoTerminalError(description: "timed out after \(timeout)s waiting for \(wanted); last output:\n" + String(seen.suffix(2000)))
            }
            guard pump(timeoutMs: 100) else {
                throw PseudoTerminalError(description: "the child ended while waiting for \(wanted); last output:\n" + String(seen.suffix(2000)))
            }
        }
    }

    /// Waits for the child to exit (reading its output meanwhile); kills it after `timeout` seconds.
    func waitForExit(timeout: Double) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                while pump(timeoutMs: 0) {}
                let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
                exitStatus = code
                return code
            }
            guard Date() < deadline else {
                kill(pid, SIGKILL)
                throw PseudoTerminalError(description: "the child did not exit within \(timeout)s (killed)")
            }
            _ = pump(timeoutMs: 50)
        }
    }

    /// Waits up to `timeoutMs` for output and appends it. False when the terminal is closed (EOF/EIO).
    @discardableResult
    private func pump(timeoutMs: Int32) -> Bool {
        var entry = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, timeoutMs)
        guard ready > 0 else { return ready == 0 || errno == EINTR }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
        guard n > 0 else { return n < 0 && (errno == EAGAIN || errno == EINTR) }
        output += buffer[0..<n]
        return true
    }
}

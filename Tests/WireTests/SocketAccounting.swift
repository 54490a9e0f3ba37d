#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Wire

/// SocketAccounting counts this process's file descriptors, and among them the TCP sockets on one
/// port (either end), from /proc. Tests run side by side in one process, so a plain count of
/// /proc/self/fd moves with every other test; the sockets on *our* server's port are ours alone, and
/// "back to baseline" means: only the listening socket is left.
enum SocketAccounting {
    /// Entries in /proc/self/fd: every open descriptor of the process (Linux only; -1 elsewhere).
    static func openDescriptorCount() -> Int {
        descriptorTargets()?.count ?? -1
    }

    /// This process's sockets whose local or remote port is `port`: the listener, accepted sockets
    /// and our own client sockets. -1 where /proc is not there.
    static func socketsOnPort(_ port: UInt16) -> Int {
        guard let targets = descriptorTargets() else { return -1 }
        var ours = Set<Substring>()
        for target in targets where target.hasPrefix("socket:[") {
            ours.insert(target.dropFirst(8).dropLast())
        }
        var count = 0
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            for line in readLines(table).dropFirst() {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 9 else { continue }
                let ports = [fields[1], fields[2]].compactMap { $0.split(separator: ":").last.flatMap { UInt16($0, radix: 16) } }
                if ports.contains(port) && ours.contains(fields[9]) { count += 1 }
            }
        }
        return count
    }

    private static func descriptorTargets() -> [String]? {
        #if os(Linux)
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var targets: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var buffer = [CChar](repeating: 0, count: 256)
            let length = readlink("/proc/self/fd/\(name)", &buffer, buffer.count - 1)
            targets.append(length > 0 ? String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "")
        }
        return targets
        #else
        return nil
        #endif
    }

    private static func readLines(_ path: String) -> [Substring] {
        guard let file = fopen(path, "r") else { return [] }
        defer { fclose(file) }
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            text += buffer[0..<n]
        }
        return String(decoding: text, as: UTF8.self).split(separator: "\n")
    }
}

extension ServerHarness {
    /// The targets of every request head the server parsed, in order.
    func requestTargets() -> [String] {
        events.compactMap { if case .request(_, _, let head) = $0 { return head.target } else { return nil } }
    }

    /// Waits (bounded) until the only socket left on the server's port is its listener: every accepted
    /// socket closed, and every client socket the test opened closed too.
    func waitForBaselineSockets(_ what: String = "the server's port to be down to its listening socket", timeoutMs: Int = 5_000) {
        wait(what, timeoutMs: timeoutMs) { self.server.stats.open == 0 && SocketAccounting.socketsOnPort(self.server.port) == 1 }
        #expect(SocketAccounting.socketsOnPort(server.port) == 1)
        #expect(server.stats.open == 0)
    }
}

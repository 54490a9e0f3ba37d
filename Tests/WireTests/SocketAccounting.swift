import Testing
@testable import Wire

/// SocketAccounting counts this process's file descriptors, and among them the TCP sockets on one
/// port (either end), from /proc. Tests run side by side in one process, so a plain count of
/// /proc/self/fd moves with every other test; the sockets on *our* server's port are ours alone, and
/// "back to baseline" means: only the listening socket is left.
enum SocketAccounting {
    /// Entries in /proc/self/fd: every open descriptor of the process (-1 where that can't be read).
    static func openDescriptorCount() -> Int {
        Platform.openDescriptorCount() ?? -1
    }

    /// This process's sockets whose local or remote port is `port`: the listener, accepted sockets
    /// and our own client sockets. -1 where /proc is not there.
    ///
    /// `ignoring`: sockets that were connected to the port before our server took it (see
    /// `strangers(onPort:)`), which are not our server's business.
    static func socketsOnPort(_ port: UInt16, ignoring strangers: Set<String> = []) -> Int {
        guard let all = Platform.tcpSockets(onPorts: [port]) else { return -1 }
        return all.filter { !strangers.contains($0.inode) }.count
    }

    /// Sockets of this process already connected *to* `port` when a server has just taken it: a
    /// client another test left open (in CLOSE_WAIT) towards an earlier server that had the same
    /// port number. Tests share one process and the kernel hands port numbers out again, so this
    /// happened in the full suite; such a socket is no sign of a leak in the server under test.
    static func strangers(onPort port: UInt16) -> Set<String> {
        Set((Platform.tcpSockets(onPorts: [port]) ?? []).filter { $0.remotePort == port }.map(\.inode))
    }

    /// Those sockets, one line each: what a failed count prints.
    static func describeSockets(onPort port: UInt16) -> String {
        Platform.tcpSockets(onPorts: [port])?.map(\.description).joined(separator: "; ") ?? "/proc not readable"
    }
}

extension ServerHarness {
    /// The targets of every request head the server parsed, in order.
    func requestTargets() -> [String] {
        events.compactMap { if case .request(_, _, let head) = $0 { return head.target } else { return nil } }
    }

    /// Waits (bounded) until the only socket left on the server's port is its listener: every accepted
    /// socket closed, and every client socket the test opened closed too. The bound is generous:
    /// in the full suite a thousand tests share two CPUs, and this once ran out at 5 s there
    /// (it returns as soon as the sockets are gone).
    func waitForBaselineSockets(_ what: String = "the server's port to be down to its listening socket", timeoutMs: Int = 15_000) {
        wait(what, timeoutMs: timeoutMs) { self.server.stats.open == 0 && SocketAccounting.socketsOnPort(self.server.port, ignoring: self.strangers) == 1 }
        #expect(SocketAccounting.socketsOnPort(server.port, ignoring: strangers) == 1, "\(SocketAccounting.describeSockets(onPort: server.port))")
        #expect(server.stats.open == 0)
    }
}

// The platform seam's Swift half. Every call into Glibc/Darwin that WireLab makes goes through
// this file (and CSystem), so porting to another platform means reading one file. That is why it
// is one file past 400 lines: splitting it would scatter the `#if canImport` seams it exists to hold.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystem

/// A failed system call, named by the operation and errno.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    public var operation: String
    public var code: Int32

    public init(_ operation: String, code: Int32 = Platform.errno) {
        self.operation = operation
        self.code = code
    }

    public var description: String { "\(operation): \(Platform.describe(errno: code))" }

    public var isConnectionRefused: Bool { code == ECONNREFUSED }
    public var isConnectionReset: Bool { code == ECONNRESET || code == EPIPE }
    public var isTimedOut: Bool { code == ETIMEDOUT }
}

/// The outcome of a non-blocking read.
public enum ReadOutcome: Equatable, Sendable {
    case bytes(Int)
    case endOfFile
    case wouldBlock
    case failed(SystemError)
}

/// The outcome of a non-blocking write.
public enum WriteOutcome: Equatable, Sendable {
    case wrote(Int)
    case wouldBlock
    case failed(SystemError)
}

/// Thin, honest wrappers over the socket calls. They never block (every socket is non-blocking)
/// and never throw for "would block": that is an outcome, not an error.
public enum Platform {
    public static var errno: Int32 {
        #if canImport(Glibc)
        return Glibc.errno
        #else
        return Darwin.errno
        #endif
    }

    public static func describe(errno code: Int32) -> String {
        switch code {
        case ECONNREFUSED: return "connection refused"
        case ECONNRESET: return "connection reset by peer"
        case EPIPE: return "broken pipe (peer closed)"
        case ETIMEDOUT: return "timed out"
        case EADDRINUSE: return "address already in use"
        case EMFILE, ENFILE: return "too many open files"
        default: return String(cString: strerror(code)) + " (errno \(code))"
        }
    }

    /// Monotonic time in nanoseconds: for timers and measurements, never the wall clock.
    public static func monotonicNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Wall-clock seconds since 1970, for the Date header only.
    public static func wallClockSeconds() -> Int {
        Int(time(nil))
    }

    /// An IMF-fixdate (RFC 9110 §5.6.7) such as "Sun, 06 Nov 1994 08:49:37 GMT".
    public static func httpDate(epochSeconds: Int) -> String {
        var t = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    /// Opens a listening TCP socket on 127.0.0.1. Loopback only, by design: WireLab never listens on
    /// another interface. Returns the descriptor and the port the kernel chose (when `port` is 0).
    public static func listenLoopback(port: UInt16, backlog: Int32 = 1024) throws(SystemError) -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM_VALUE), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = loopbackAddress(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let error = SystemError("bind 127.0.0.1:\(port)")
            close(fd)
            throw error
        }
        guard listen(fd, backlog) == 0 else {
            let error = SystemError("listen")
            close(fd)
            throw error
        }
        guard csys_set_nonblocking(fd) == 0 else {
            let error = SystemError("fcntl")
            close(fd)
            throw error
        }
        return (fd, try localPort(fd))
    }

    /// The local port a socket is bound to.
    public static func localPort(_ fd: Int32) throws(SystemError) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard ok == 0 else { throw SystemError("getsockname") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// The port of the other end of a connected socket, or nil when it has none (closed, not
    /// connected). The lab matches a server connection to the raw socket that made it this way.
    public static func peerPort(_ fd: Int32) -> UInt16? {
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        return ok == 0 ? UInt16(bigEndian: address.sin_port) : nil
    }

    /// The address a listening socket is bound to, as dotted IPv4 text (for the bind-address test).
    public static func localAddress(_ fd: Int32) -> String {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let host = UInt32(bigEndian: address.sin_addr.s_addr)
        return "\(host >> 24).\((host >> 16) & 255).\((host >> 8) & 255).\(host & 255)"
    }

    /// Starts a non-blocking connect to an IPv4 address. `isPending` means the handshake is still in
    /// flight: wait for writability, then read `pendingError`.
    public static func connect(ipv4 host: String, port: UInt16) throws(SystemError) -> (fd: Int32, isPending: Bool) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw SystemError("connect: '\(host)' is not an IPv4 address", code: EINVAL)
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM_VALUE), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        _ = csys_set_nonblocking(fd)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc_connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result == 0 { return (fd, false) }
        let code = errno
        if code == EINPROGRESS { return (fd, true) }
        close(fd)
        throw SystemError("connect \(host):\(port)", code: code)
    }

    /// The error a pending connect ended with (0 when it succeeded).
    public static func pendingError(_ fd: Int32) -> Int32 { csys_socket_error(fd) }

    /// Resolves a host name to dotted IPv4 text ("localhost" → "127.0.0.1"). Blocking: call it before
    /// the event loop runs, never on it.
    public static func resolveIPv4(_ host: String) -> String? {
        var probe = in_addr()
        if inet_pton(AF_INET, host, &probe) == 1 { return host }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM_VALUE)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(result) }
        guard let raw = first.pointee.ai_addr else { return nil }
        let address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
        let value = UInt32(bigEndian: address.sin_addr.s_addr)
        return "\(value >> 24).\((value >> 16) & 255).\((value >> 8) & 255).\(value & 255)"
    }

    public static func accept(_ listener: Int32) -> Int32 { csys_accept_nonblocking(listener) }

    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> ReadOutcome {
        while true {
            let n = Glibc_read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .endOfFile }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            return .failed(SystemError("read", code: code))
        }
    }

    /// Writes every byte of `bytes` to a blocking descriptor (a terminal, a pipe), retrying on
    /// EINTR and short writes. False when the descriptor failed; a non-blocking one that is full
    /// (EAGAIN) ends the write early and counts as done.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let outcome = bytes.withUnsafeBytes { raw in write(fd, UnsafeRawBufferPointer(rebasing: raw[offset...])) }
            switch outcome {
            case .wrote(let n): offset += n
            case .wouldBlock: return true
            case .failed: return false
            }
        }
        return true
    }

    public static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> WriteOutcome {
        while true {
            let n = Glibc_write(fd, bytes.baseAddress, bytes.count)
            if n >= 0 { return .wrote(n) }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            return .failed(SystemError("write", code: code))
        }
    }

    /// Half-closes: we send FIN and write no more, but can still read what the peer sends.
    public static func shutdownWrite(_ fd: Int32) { _ = shutdown(fd, Int32(SHUT_WR_VALUE)) }

    public static func close(_ fd: Int32) { _ = Glibc_close(fd) }

    /// Closes with SO_LINGER 0: the kernel sends RST instead of FIN.
    public static func abort(_ fd: Int32) {
        _ = csys_set_linger_zero(fd)
        _ = Glibc_close(fd)
    }

    public static func setNoDelay(_ fd: Int32) { _ = csys_set_nodelay(fd, 1) }

    /// TCP keepalive (SO_KEEPALIVE + idle seconds): a TCP-level probe, not HTTP keep-alive.
    public static func setTCPKeepAlive(_ fd: Int32, enabled: Bool, idleSeconds: Int32) {
        _ = csys_set_tcp_keepalive(fd, enabled ? 1 : 0, idleSeconds)
    }

    /// Reads back SO_KEEPALIVE and its idle seconds with getsockopt, so a lesson shows the kernel's view.
    public static func tcpKeepAlive(_ fd: Int32) -> (enabled: Bool, idleSeconds: Int32)? {
        var on: Int32 = 0, idle: Int32 = 0
        guard csys_get_tcp_keepalive(fd, &on, &idle) == 0 else { return nil }
        return (on != 0, idle)
    }

    public static func ignoreSIGPIPE() { csys_ignore_sigpipe() }

    /// Resident set size of this process in bytes (Linux: /proc/self/statm), for the memory benchmark.
    public static func residentBytes() -> Int? {
        #if os(Linux)
        guard let file = fopen("/proc/self/statm", "r") else { return nil }
        defer { fclose(file) }
        var size = 0, resident = 0
        guard fscanf_statm(file, &size, &resident) else { return nil }
        return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return nil
        #endif
    }

    /// The process's open-files limit (RLIMIT_NOFILE): the soft limit in force and the hard ceiling.
    public static func openFileLimit() -> (soft: Int, hard: Int)? {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0 else { return nil }
        func clamp(_ value: rlim_t) -> Int { value > rlim_t(Int.max) ? Int.max : Int(value) }
        return (clamp(limit.rlim_cur), clamp(limit.rlim_max))
    }

    /// How many file descriptors this process has open right now (the entries of /proc/self/fd on
    /// Linux, /dev/fd on Darwin), not counting the one used to list them.
    public static func openDescriptorCount() -> Int? {
        #if os(Linux)
        let path = "/proc/self/fd"
        #else
        let path = "/dev/fd"
        #endif
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entryName(entry).first != UInt8(ascii: ".") { count += 1 }
        }
        return count - 1
    }

    /// The name of a directory entry. An entry is only as long as its name (`d_reclen`), not the whole
    /// `dirent`: copying `entry.pointee.d_name` read all 256 bytes of the array, past the end of the
    /// last entry in glibc's buffer (AddressSanitizer: heap-buffer-overflow). This reads up to the NUL.
    private static func entryName(_ entry: UnsafeMutablePointer<dirent>) -> [UInt8] {
        let start = UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        return Array(UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: strlen(start)))
    }

    /// One of this process's TCP sockets, as /proc/net/tcp shows it.
    public struct TCPSocketEntry: Sendable, CustomStringConvertible {
        public var localPort: UInt16
        public var remotePort: UInt16
        /// The kernel's state in hex: 0A is LISTEN, 01 ESTABLISHED, 08 CLOSE_WAIT.
        public var state: String
        public var inode: String
        public var description: String { "127.0.0.1:\(localPort) → :\(remotePort) state \(state) inode \(inode)" }
    }

    /// This process's descriptors that are TCP sockets with one of `ports` at either end: a listener,
    /// the sockets it accepted, and connections this process made to it. Unlike
    /// `openDescriptorCount`, other work in the process (a test suite's other tests) does not move
    /// it, except a socket that was connected to a port before a server took it: the remote port and
    /// the inode tell those apart (`SocketAccounting.strangers`). Linux only (the inodes in
    /// /proc/self/fd matched against /proc/net/tcp and tcp6); nil elsewhere or where /proc can't be
    /// read (out of descriptors), never a short list.
    public static func tcpSockets(onPorts ports: Set<UInt16>) -> [TCPSocketEntry]? {
        #if os(Linux)
        guard let directory = opendir("/proc/self/fd") else { return nil }
        var inodes = Set<Substring>()
        var target = [CChar](repeating: 0, count: 64)
        while let entry = readdir(directory) {
            let name = String(decoding: entryName(entry), as: UTF8.self)
            guard name.first != "." else { continue }
            let length = readlink("/proc/self/fd/" + name, &target, target.count - 1)
            guard length > 9 else { continue }
            let text = String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("socket:[") { inodes.insert(Substring(text.dropFirst(8).dropLast())) }
        }
        closedir(directory)
        var found: [TCPSocketEntry] = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            // No tcp6 table is a machine without IPv6: nothing of ours is in it.
            guard let text = fileText(table) ?? (table.hasSuffix("6") ? "" : nil) else { return nil }
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, inodes.contains(fields[9]) else { continue }
                func port(_ address: Substring) -> UInt16 { address.split(separator: ":").last.flatMap { UInt16($0, radix: 16) } ?? 0 }
                let local = port(fields[1]), remote = port(fields[2])
                if ports.contains(local) || ports.contains(remote) {
                    found.append(TCPSocketEntry(localPort: local, remotePort: remote, state: String(fields[3]), inode: String(fields[9])))
                }
            }
        }
        return found
        #else
        return nil
        #endif
    }

    /// A whole (small) file as text; empty when it cannot be read. For /proc files, whose size
    /// `stat` does not know.
    private static func fileText(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while case let n = fread(&chunk, 1, chunk.count, file), n > 0 { bytes += chunk[0..<n] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Raises the soft open-files limit as far as the hard limit allows (the memory benchmark opens
    /// thousands of sockets). Returns the new soft limit.
    @discardableResult
    public static func raiseOpenFileLimit(to wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0 else { return 0 }
        let target = min(rlim_t(wanted), limit.rlim_max)
        if limit.rlim_cur < target {
            limit.rlim_cur = target
            _ = setrlimit(RLIMIT_NOFILE_VALUE, &limit)
        }
        return Int(limit.rlim_cur)
    }
}

#if os(Linux)
private let SOCK_STREAM_VALUE = SOCK_STREAM.rawValue
private let SHUT_WR_VALUE = Int32(SHUT_WR)
private let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
#else
private let SOCK_STREAM_VALUE = SOCK_STREAM
private let SHUT_WR_VALUE = SHUT_WR
private let RLIMIT_NOFILE_VALUE = RLIMIT_NOFILE
#endif

private func fscanf_statm(_ file: UnsafeMutablePointer<FILE>, _ size: inout Int, _ resident: inout Int) -> Bool {
    var line = [CChar](repeating: 0, count: 256)
    guard fgets(&line, 256, file) != nil else { return false }
    let bytes = line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    let text = String(decoding: bytes, as: UTF8.self).split(separator: " ")
    guard text.count >= 2, let s = Int(text[0]), let r = Int(text[1]) else { return false }
    size = s
    resident = r
    return true
}

// Module-qualified names for calls that Platform's own methods shadow.
#if canImport(Glibc)
private func Glibc_read(_ fd: Int32, _ p: UnsafeMutableRawPointer?, _ n: Int) -> Int { Glibc.read(fd, p, n) }
private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int) -> Int { Glibc.write(fd, p, n) }
private func Glibc_close(_ fd: Int32) -> Int32 { Glibc.close(fd) }
private func Glibc_connect(_ fd: Int32, _ a: UnsafePointer<sockaddr>, _ l: socklen_t) -> Int32 { Glibc.connect(fd, a, l) }
#else
private func Glibc_read(_ fd: Int32, _ p: UnsafeMutableRawPointer?, _ n: Int) -> Int { Darwin.read(fd, p, n) }
private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int) -> Int { Darwin.write(fd, p, n) }
private func Glibc_close(_ fd: Int32) -> Int32 { Darwin.close(fd) }
private func Glibc_connect(_ fd: Int32, _ a: UnsafePointer<sockaddr>, _ l: socklen_t) -> Int32 { Darwin.connect(fd, a, l) }
#endif

/// Builds a sockaddr_in for 127.0.0.1:port.
private func loopbackAddress(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    return address
}

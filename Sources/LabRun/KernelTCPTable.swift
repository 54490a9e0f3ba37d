import Foundation

// KernelTCPTable reads what Linux says about TCP sockets that no descriptor holds any more:
// connections in TIME_WAIT, and the range of ephemeral ports a client's connect() draws from.
// The parsing is pure (tested with fixed text); the two readers only fetch the /proc files.

enum KernelTCPTable {
    /// The `st` column of /proc/net/tcp for TIME_WAIT (include/net/tcp_states.h: TCP_TIME_WAIT = 6).
    static let timeWaitState = "06"

    /// timeWaitCount counts the rows of a /proc/net/tcp (or tcp6) table in TIME_WAIT whose local or
    /// remote port is one of `ports`. A TIME_WAIT socket belongs to no process (its inode is 0), so
    /// it is matched by port alone: give it ports only the lab uses. It does not read any file.
    static func timeWaitCount(in table: String, onPorts ports: Set<UInt16>, localOnly: Bool = false) -> Int {
        var table = table
        return table.withUTF8 { timeWaitCount(in: $0, onPorts: ports, localOnly: localOnly) }
    }

    /// The same count over the table's bytes. A busy machine's table holds thousands of rows, so
    /// this walks the bytes once instead of splitting strings.
    /// With `localOnly`, only rows whose *local* port is one of `ports` count: on a server's port,
    /// the TIME_WAITs the server's own end holds (it closed first).
    static func timeWaitCount(in bytes: UnsafeBufferPointer<UInt8>, onPorts ports: Set<UInt16>, localOnly: Bool = false) -> Int {
        let newline = UInt8(ascii: "\n"), space = UInt8(ascii: " "), colon = UInt8(ascii: ":")
        var count = 0
        var index = 0
        var isHeader = true
        while index < bytes.count {
            var lineEnd = index
            while lineEnd < bytes.count, bytes[lineEnd] != newline { lineEnd += 1 }
            defer { index = lineEnd + 1 }
            if isHeader { isHeader = false; continue }
            // The first four space-separated fields: sl, local_address, rem_address, st.
            var starts = (0, 0, 0, 0), ends = (0, 0, 0, 0)
            var found = 0
            var cursor = index
            while found < 4, cursor < lineEnd {
                while cursor < lineEnd, bytes[cursor] == space { cursor += 1 }
                let start = cursor
                while cursor < lineEnd, bytes[cursor] != space { cursor += 1 }
                guard start < cursor else { break }
                switch found {
                case 0: starts.0 = start; ends.0 = cursor
                case 1: starts.1 = start; ends.1 = cursor
                case 2: starts.2 = start; ends.2 = cursor
                default: starts.3 = start; ends.3 = cursor
                }
                found += 1
            }
            guard found == 4, ends.3 - starts.3 == 2,
                  bytes[starts.3] == UInt8(ascii: "0"), bytes[starts.3 + 1] == UInt8(ascii: "6") else { continue }
            func port(_ start: Int, _ end: Int) -> UInt16? {
                var colonAt = end - 1
                while colonAt >= start, bytes[colonAt] != colon { colonAt -= 1 }
                guard colonAt >= start, end - colonAt - 1 <= 4, end - colonAt > 1 else { return nil }
                var value = 0
                for i in (colonAt + 1)..<end {
                    guard let digit = hexValue(bytes[i]) else { return nil }
                    value = value * 16 + digit
                }
                return UInt16(value)
            }
            let touches = port(starts.1, ends.1).map(ports.contains) == true || (!localOnly && port(starts.2, ends.2).map(ports.contains) == true)
            if touches { count += 1 }
        }
        return count
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        default: return nil
        }
    }

    /// The number of ports in an `ip_local_port_range` text ("32768\t60999\n"), or nil.
    static func portCount(inRange text: String) -> Int? {
        let numbers = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        guard numbers.count == 2, numbers[0] <= numbers[1] else { return nil }
        return numbers[1] - numbers[0] + 1
    }

    /// TIME_WAIT sockets on `ports`, IPv4 and IPv6, read live; nil where /proc/net/tcp is missing
    /// (not Linux).
    static func timeWaitCount(onPorts ports: Set<UInt16>, localOnly: Bool = false) -> Int? {
        guard let v4 = data(of: "/proc/net/tcp") else { return nil }
        var total = 0
        for table in [v4, data(of: "/proc/net/tcp6") ?? Data()] {
            total += table.withUnsafeBytes { timeWaitCount(in: $0.bindMemory(to: UInt8.self), onPorts: ports, localOnly: localOnly) }
        }
        return total
    }

    /// How many ephemeral ports connect() may choose from; nil when the kernel doesn't say.
    static func ephemeralPortCount() -> Int? {
        data(of: "/proc/sys/net/ipv4/ip_local_port_range").flatMap { portCount(inRange: String(decoding: $0, as: UTF8.self)) }
    }

    /// A /proc file's bytes: read to the end, since /proc files report a size of 0.
    private static func data(of path: String) -> Data? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        return handle.readDataToEndOfFile()
    }
}

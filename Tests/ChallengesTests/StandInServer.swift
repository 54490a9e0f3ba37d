import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// StandInServer: a small HTTP/1.1 server on 127.0.0.1 (port 0) that plays a learner's server for a
/// your-server key, the way a real one behaves: Node with `keepAliveTimeout` (which closes an idle
/// socket a second late), Node with `maxRequestsPerSocket` (which says close, keeps the socket open
/// and answers 503 after), nginx with `keepalive_timeout 2s 5s` (which advertises more than it
/// keeps), Python's `http.server` (which closes after every response).
///
/// The probe runs its own event loop on the test's thread, so this server runs on threads of its
/// own: one accepting, one per connection, each blocked in `recv` with a receive timeout as its
/// idle timer. Every wait is bounded by that timeout; `stop()` ends the accept loop.
final class StandInServer: @unchecked Sendable {
    struct Behaviour: Sendable {
        /// Keep an HTTP/1.1 connection after a response. False: answer HTTP/1.0 without
        /// keep-alive and close, as Python's `http.server` does by default.
        var keepAlive = true
        /// Keep an HTTP/1.0 connection that asked for keep-alive (Node does only when the handler
        /// sets Content-Length; false answers it `Connection: close`).
        var http10KeepAlive = true
        /// The Keep-Alive header's value, or nil for none.
        var keepAliveHeader: String? = "timeout=2"
        /// Close a connection idle this long after its last response.
        var idleCloseMs = 3_000
        /// Requests answered per connection, or nil for no limit.
        var maxRequests: Int?
        var limitEnding = LimitEnding.saidCloseAndClose
        /// Answer every request in a read (pipelining); false answers the first and drops the rest.
        var answersPipelined = true
    }

    enum LimitEnding: Sendable {
        /// The last response says `Connection: close`, then the server closes.
        case saidCloseAndClose
        /// Node: the last response says close, the socket stays open, later requests get 503.
        case saidCloseThen503
        /// The server closes after the last response without saying so.
        case silentClose
        /// A handler that forces `Connection: keep-alive` over Node's close: the last response says
        /// keep-alive, the socket stays open, later requests get 503.
        case silentThen503
    }

    let behaviour: Behaviour
    private let listener: Int32
    let port: UInt16
    var url: String { "http://127.0.0.1:\(port)/" }

    init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Stops accepting; connections still open end at their idle timeout or when the client closes.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit { close(listener) }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in serve(fd) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var timeout = timeval(tv_sec: behaviour.idleCloseMs / 1000, tv_usec: (behaviour.idleCloseMs % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer: [UInt8] = []
        var answered = 0
        var chunk = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { return }        // EOF, or the idle timeout passed: close
            buffer += chunk[0..<n]
            var first = true
            while let end = headEnd(buffer) {
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end)
                guard first || behaviour.answersPipelined else { buffer.removeAll(); break }
                first = false
                answered += 1
                switch respond(to: head, number: answered, fd: fd) {
                case .keep: continue
                case .close: return
                }
            }
        }
    }

    private enum Next { case keep, close }

    private func respond(to head: String, number: Int, fd: Int32) -> Next {
        let lines = head.lowercased().components(separatedBy: "\r\n")
        let isHTTP10 = lines.first?.hasSuffix("http/1.0") == true
        let asksKeepAlive = lines.contains { $0.hasPrefix("connection:") && $0.contains("keep-alive") }
        let asksClose = lines.contains { $0.hasPrefix("connection:") && $0.contains("close") }
        if !behaviour.keepAlive {
            send(fd, "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
            return .close
        }
        if let limit = behaviour.maxRequests, number > limit {
            // Only reached by the endings that keep the socket: the others closed at the limit.
            send(fd, "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
            return .keep
        }
        var persists = !asksClose && (!isHTTP10 || (asksKeepAlive && behaviour.http10KeepAlive))
        var saysClose = !persists
        var closesAfter = !persists
        if let limit = behaviour.maxRequests, number == limit {
            switch behaviour.limitEnding {
            case .saidCloseAndClose: saysClose = true; closesAfter = true
            case .saidCloseThen503: saysClose = true; closesAfter = false
            case .silentClose: closesAfter = true
            case .silentThen503: saysClose = false; closesAfter = false
            }
            persists = behaviour.limitEnding == .silentThen503
        }
        var response = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
        response += saysClose ? "Connection: close\r\n" : "Connection: keep-alive\r\n"
        if persists, let header = behaviour.keepAliveHeader { response += "Keep-Alive: \(header)\r\n" }
        send(fd, response + "\r\nok\n")
        return closesAfter ? .close : .keep
    }

    private func send(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func headEnd(_ buffer: [UInt8]) -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i + 4
        }
        return nil
    }
}

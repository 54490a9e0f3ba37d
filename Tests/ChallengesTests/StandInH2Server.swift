import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// StandInH2Server: a small h2c server (HTTP/2 with prior knowledge) on 127.0.0.1, port 0, that
/// plays a learner's server for an h2c your-server key the way Node's `http2.createServer` and
/// nginx's `listen ... http2` behave: SETTINGS with or without MAX_CONCURRENT_STREAMS (Node sends
/// none unless told, nginx 128), a 200 with a short body on every stream, and GOAWAY then a close
/// after an idle time (Node's `server.setTimeout`, nginx's `keepalive_timeout`) or never, and the
/// receive windows it grants: SETTINGS_INITIAL_WINDOW_SIZE and a WINDOW_UPDATE on stream 0, or not.
///
/// Frames are written by hand here, not with Sources/HTTP2, so a bug there cannot make a key pass:
/// the response header block is the one byte 0x88 (`:status: 200`, HPACK static index 8).
/// Threads of its own, one per connection, each blocked in `recv` with a receive timeout that is
/// also its idle timer; `stop()` ends the accept loop.
final class StandInH2Server: @unchecked Sendable {
    struct Behaviour: Sendable {
        /// SETTINGS_MAX_CONCURRENT_STREAMS to send, or nil to send none.
        var maxConcurrentStreams: UInt32?
        /// Send GOAWAY (NO_ERROR) and close after a connection is idle this long; nil: never (the
        /// connection stays until the client closes it, or 20 s).
        var idleGoawayMs: Int?
        /// SETTINGS_INITIAL_WINDOW_SIZE to send (nginx: 65536, its `http2_body_preread_size`), or nil.
        var initialWindowSize: UInt32?
        /// A WINDOW_UPDATE on stream 0 with this increment, right after SETTINGS (Node's
        /// `session.setLocalWindowSize`, nginx's 2^31-1 - 65535), or nil for none (Node's default).
        var connectionWindowIncrement: UInt32?
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
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        Thread { [self] in acceptLoop() }.start()
    }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)) }
    deinit { close(listener) }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 { if errno == EINTR { continue }; return }
            Thread { [self] in serve(fd) }.start()
        }
    }

    private static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private func frame(type: UInt8, flags: UInt8, stream: UInt32, _ payload: [UInt8]) -> [UInt8] {
        let n = payload.count
        return [UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff), type, flags,
                UInt8(stream >> 24 & 0x7f), UInt8(stream >> 16 & 0xff), UInt8(stream >> 8 & 0xff), UInt8(stream & 0xff)] + payload
    }

    private func word(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        let idleMs = behaviour.idleGoawayMs ?? 20_000
        var timeout = timeval(tv_sec: idleMs / 1000, tv_usec: (idleMs % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var settings: [UInt8] = []
        if let n = behaviour.maxConcurrentStreams { settings = [0, 3] + word(n) }
        if let n = behaviour.initialWindowSize { settings += [0, 4] + word(n) }
        var preface = frame(type: 4, flags: 0, stream: 0, settings)
        if let n = behaviour.connectionWindowIncrement { preface += frame(type: 8, flags: 0, stream: 0, word(n)) }
        send(fd, preface)
        var buffer: [UInt8] = []
        var prefaceSeen = false
        var lastStream: UInt32 = 0
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                // Idle past the timer.
                if behaviour.idleGoawayMs != nil { send(fd, frame(type: 7, flags: 0, stream: 0, word(lastStream) + word(0))) }
                return
            }
            guard n > 0 else { return }
            buffer += chunk[0..<n]
            if !prefaceSeen {
                guard buffer.count >= Self.preface.count else { continue }
                guard Array(buffer.prefix(Self.preface.count)) == Self.preface else { return }
                buffer.removeFirst(Self.preface.count)
                prefaceSeen = true
            }
            while buffer.count >= 9 {
                let length = Int(buffer[0]) << 16 | Int(buffer[1]) << 8 | Int(buffer[2])
                guard buffer.count >= 9 + length else { break }
                let type = buffer[3], flags = buffer[4]
                let stream = UInt32(buffer[5] & 0x7f) << 24 | UInt32(buffer[6]) << 16 | UInt32(buffer[7]) << 8 | UInt32(buffer[8])
                buffer.removeFirst(9 + length)
                switch type {
                case 4 where flags & 1 == 0:                      // SETTINGS: acknowledge
                    send(fd, frame(type: 4, flags: 1, stream: 0, []))
                case 1:                                           // HEADERS: answer 200 "ok\n"
                    lastStream = max(lastStream, stream)
                    send(fd, frame(type: 1, flags: 4, stream: stream, [0x88]) + frame(type: 0, flags: 1, stream: stream, Array("ok\n".utf8)))
                default:
                    break
                }
            }
        }
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}

import Foundation
import Testing
@testable import Wire
@testable import WireLabCLI
#if canImport(Glibc)
import Glibc
#endif

/// A one-trick TCP server on 127.0.0.1 (port 0) for the probe's h2c check against servers that do
/// not speak HTTP/2: on every connection it waits for the first bytes, then does its one thing.
/// Threads of its own (the probe runs its loop on the test's thread); every recv has a timeout.
final class NotH2Server: @unchecked Sendable {
    enum Trick: Sendable {
        /// Answer the first read with this text, then close (an HTTP/1.1-only server's 400).
        case answer(String)
        /// Answer the first read with these bytes, then close.
        case bytes([UInt8])
        /// Send `settings` on the first read, `then` once the client's first HEADERS frame is in,
        /// then close.
        case h2(settings: [UInt8], then: [UInt8])
        /// The same, with the answer computed from that HEADERS frame's payload.
        case h2Reply(settings: [UInt8], reply: @Sendable ([UInt8]) -> [UInt8])
        /// Read the preface, then close without a byte (all read, so a FIN, not a reset).
        case close
        /// Say nothing; close when the client does (or after 5 s).
        case silent
    }

    let trick: Trick
    private let listener: Int32
    let port: UInt16
    var url: String { "http://127.0.0.1:\(port)/" }

    init(_ trick: Trick) throws {
        self.trick = trick
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

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var chunk = [UInt8](repeating: 0, count: 4096)
        switch trick {
        case .close:
            _ = recv(fd, &chunk, chunk.count, 0)
        case .answer(let text):
            guard recv(fd, &chunk, chunk.count, 0) > 0 else { return }
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        case .h2(let settings, let then):
            serveH2(fd, settings: settings) { _ in then }
        case .h2Reply(let settings, let reply):
            serveH2(fd, settings: settings, reply: reply)
        case .bytes(let bytes):
            guard recv(fd, &chunk, chunk.count, 0) > 0 else { return }
            _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        case .silent:
            while recv(fd, &chunk, chunk.count, 0) > 0 {}
        }
    }

    private func serveH2(_ fd: Int32, settings: [UInt8], reply: ([UInt8]) -> [UInt8]) {
            var chunk = [UInt8](repeating: 0, count: 4096)
            var received: [UInt8] = []
            var sentSettings = false
            while true {
                let n = recv(fd, &chunk, chunk.count, 0)
                guard n > 0 else { return }
                received += chunk[0..<n]
                if !sentSettings {
                    sentSettings = true
                    _ = settings.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
                // Walk the frames after the 24-byte preface, looking for HEADERS (type 1).
                var at = 24
                while received.count >= at + 9 {
                    let length = Int(received[at]) << 16 | Int(received[at + 1]) << 8 | Int(received[at + 2])
                    if received[at + 3] == 1, received.count >= at + 9 + length {
                        let answer = reply(Array(received[(at + 9)..<(at + 9 + length)]))
                        _ = answer.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                        return
                    }
                    at += 9 + length
                }
            }
    }
}

@Suite("wirelab probe: h2c with prior knowledge", .serialized)
struct ProbeH2Tests {
    @Test("the embedded server: SETTINGS named with defaults marked, its stream limit, a GET, 10 at once, GOAWAY when idle")
    func embedded() throws {
        let server = try backgroundServer { $0.keepAliveTimeoutMs = 300 }
        defer { server.stop() }
        let run = runCLI(["probe", server.url + "/", "--protocol", "h2", "--idle-wait", "3s", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let report = try jsonObject(run.stdout)
        #expect(member(report, "checked") as? [String] == ["h2"])
        #expect(member(report, "h2.prior_knowledge") as? Bool == true)
        #expect(member(report, "h2.refusal") is NSNull)
        #expect(member(report, "h2.settings_acked") as? Bool == true)
        #expect(member(report, "h2.max_concurrent_streams") as? Int == 100)
        #expect(member(report, "h2.settings.max_concurrent_streams.value") as? Int == 100)
        #expect(member(report, "h2.settings.max_concurrent_streams.sent") as? Bool == true)
        // Not sent by our server: the RFC's initial value, marked as not sent.
        #expect(member(report, "h2.settings.initial_window_size.value") as? Int == 65_535)
        #expect(member(report, "h2.settings.initial_window_size.sent") as? Bool == false)
        #expect(member(report, "h2.settings.header_table_size.value") as? Int == 4_096)
        // The windows for the probe's DATA: each stream 65,535 (not sent), the connection raised to
        // our server's 1 MiB by a WINDOW_UPDATE on stream 0.
        #expect(member(report, "h2.initial_window") as? Int == 65_535)
        #expect(member(report, "h2.connection_window") as? Int == 1_048_576)
        #expect(member(report, "h2.get.outcome") as? String == "answered")
        #expect(member(report, "h2.get.status") as? Int == 200)
        #expect(member(report, "h2.concurrent.requested") as? Int == 10)
        #expect(member(report, "h2.concurrent.opened") as? Int == 10)
        #expect(member(report, "h2.concurrent.answered") as? Int == 10)
        #expect(member(report, "h2.concurrent.reset") as? Int == 0)
        #expect(member(report, "h2.requests_sent") as? Int == 11)
        // The idle timeout (300 ms) ends the h2c connection with GOAWAY, not with a bare close.
        #expect(member(report, "h2.idle.outcome") as? String == "goaway")
        #expect(member(report, "h2.idle.error_code") as? String == "NO_ERROR")
        let seconds = try #require(member(report, "h2.idle.seconds") as? Double)
        #expect(seconds > 0.2 && seconds < 2.5, "measured \(seconds) s")
        // No HTTP/1.x request was sent.
        #expect(try #require(server.stats).requests == 11)
    }

    @Test("opens no more streams at once than the server's SETTINGS_MAX_CONCURRENT_STREAMS allows")
    func withinTheLimit() throws {
        let server = try backgroundServer { $0.http2.maxConcurrentStreams = 4 }
        defer { server.stop() }
        let run = runCLI(["probe", server.url, "--protocol", "h2", "--idle-wait", "50ms", "--streams", "10", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let report = try jsonObject(run.stdout)
        #expect(member(report, "h2.max_concurrent_streams") as? Int == 4)
        #expect(member(report, "h2.concurrent.requested") as? Int == 10)
        #expect(member(report, "h2.concurrent.opened") as? Int == 4)
        #expect(member(report, "h2.concurrent.answered") as? Int == 4)
        #expect((member(report, "h2.concurrent.detail") as? String)?.contains("SETTINGS_MAX_CONCURRENT_STREAMS allows 4") == true)
        #expect(member(report, "h2.idle.outcome") as? String == "open past wait")
    }

    @Test("the windows the server grants: SETTINGS_INITIAL_WINDOW_SIZE and 65,535 plus its WINDOW_UPDATEs on stream 0")
    func windows() throws {
        let server = try backgroundServer {
            $0.http2.initialWindowSize = 1_048_576
            $0.http2.connectionWindowSize = 2_000_000
        }
        defer { server.stop() }
        let run = runCLI(["probe", server.url, "--protocol", "h2", "--idle-wait", "50ms", "--streams", "1", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let report = try jsonObject(run.stdout)
        #expect(member(report, "h2.initial_window") as? Int == 1_048_576)
        #expect(member(report, "h2.connection_window") as? Int == 2_000_000)
        let text = runCLI(["probe", server.url, "--protocol", "h2", "--idle-wait", "50ms", "--streams", "1"])
        #expect(text.stdout.contains("stream 1048576 (SETTINGS_INITIAL_WINDOW_SIZE), connection 2000000 (65535 + WINDOW_UPDATE 1934465 on stream 0)"), "\(text.stdout)")
    }

    @Test("an HTTP/1.1-only server's answer to the preface is named", arguments: [
        (NotH2Server.Trick.answer("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"), "it answered with HTTP/1: HTTP/1.1 400 Bad Request"),
        (NotH2Server.Trick.close, "it closed the connection without a byte"),
        (NotH2Server.Trick.answer("<!DOCTYPE HTML>\n<html>error</html>\n"), "it answered with text, not HTTP/2: <!DOCTYPE HTML>"),
        (NotH2Server.Trick.answer("\u{0}\u{0}\u{0}\u{7}"), "it sent 4 bytes that are not an HTTP/2 frame (00 00 00 07), then closed"),
    ])
    func notH2(trick: NotH2Server.Trick, said: String) throws {
        let server = try NotH2Server(trick)
        defer { server.stop() }
        let run = runCLI(["probe", server.url, "--protocol", "h2", "--timeout", "2s", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let report = try jsonObject(run.stdout)
        #expect(member(report, "h2.prior_knowledge") as? Bool == false)
        #expect(member(report, "h2.refusal") as? String == said)
        #expect(member(report, "h2.settings") is NSNull)
        #expect(member(report, "h2.get") is NSNull)
        #expect(member(report, "h2.initial_window") is NSNull)
        #expect(member(report, "h2.connection_window") is NSNull)
        let text = runCLI(["probe", server.url, "--protocol", "h2", "--timeout", "2s"])
        #expect(text.stdout.contains("h2c, prior knowledge  no   (\(said))"), "\(text.stdout)")
    }

    /// A frame as bytes, written out by hand (not with Sources/HTTP2, which the probe itself uses).
    static func frame(_ type: UInt8, flags: UInt8 = 0, stream: UInt8 = 0, _ payload: [UInt8]) -> [UInt8] {
        [0, UInt8(payload.count >> 8), UInt8(payload.count & 0xff), type, flags, 0, 0, 0, stream] + payload
    }

    @Test("what a server that accepted the preface did with stream 1 is named", arguments: [
        // SETTINGS, then RST_STREAM(1, REFUSED_STREAM).
        (frame(4, []), frame(3, stream: 1, [0, 0, 0, 7]), "reset", "the server reset the stream (REFUSED_STREAM)"),
        // SETTINGS, then GOAWAY(last 0, ENHANCE_YOUR_CALM, "busy").
        (frame(4, []), frame(7, [0, 0, 0, 0, 0, 0, 0, 0x0b] + Array("busy".utf8)), "ended", "the server sent GOAWAY (ENHANCE_YOUR_CALM) instead: busy"),
        // SETTINGS, then a frame longer than the 16,384 octets the probe allows.
        (frame(4, []), [0x01, 0, 0, 0, 0, 0, 0, 0, 1], "ended",
         "the server sent a frame the probe could not read (FRAME_SIZE_ERROR: frame of type 0x0 on stream 1 is 65536 bytes, above the maximum frame size 16384)"),
    ])
    func streamOne(settings: [UInt8], then: [UInt8], outcome: String, detail: String) throws {
        let server = try NotH2Server(.h2(settings: settings, then: then))
        defer { server.stop() }
        let run = runCLI(["probe", server.url, "--protocol", "h2", "--timeout", "2s", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let report = try jsonObject(run.stdout)
        #expect(member(report, "h2.prior_knowledge") as? Bool == true)
        #expect(member(report, "h2.settings.max_concurrent_streams.value") is NSNull)
        #expect(member(report, "h2.get.outcome") as? String == outcome)
        #expect(member(report, "h2.get.detail") as? String == detail)
        #expect(member(report, "h2.concurrent") is NSNull)
        #expect(member(report, "h2.idle.outcome") as? String == "not measured")
        // An empty SETTINGS frame and no WINDOW_UPDATE: the RFC's 65,535 for both.
        #expect(member(report, "h2.initial_window") as? Int == 65_535)
        #expect(member(report, "h2.connection_window") as? Int == 65_535)
    }

    @Test("a server's SETTINGS_HEADER_TABLE_SIZE=0 is honoured: the first header block starts with a size update to 0")
    func headerTableSize() throws {
        let server = try NotH2Server(.h2Reply(settings: Self.frame(4, [0, 1, 0, 0, 0, 0])) { payload in
            // RFC 7541 §6.3: 001xxxxx, here 0x20, a dynamic table size update to 0.
            payload.first == 0x20
                ? ProbeH2Tests.frame(1, flags: 5, stream: 1, [0x88])
                : ProbeH2Tests.frame(7, [0, 0, 0, 0, 0, 0, 0, 9])
        })
        defer { server.stop() }
        let run = runCLI(["probe", server.url, "--protocol", "h2", "--timeout", "2s", "--json"])
        let report = try jsonObject(run.stdout)
        #expect(member(report, "h2.settings.header_table_size.value") as? Int == 0)
        #expect(member(report, "h2.get.status") as? Int == 200, "\(member(report, "h2.get.detail") ?? "")")
    }

    @Test("a server that answers stream 1 and then sends GOAWAY is not said to have left it unanswered")
    func goawayAfterFirst() throws {
        // HEADERS :status 200 with END_STREAM, then GOAWAY(last 1, NO_ERROR).
        let server = try NotH2Server(.h2(settings: Self.frame(4, []),
                                         then: Self.frame(1, flags: 5, stream: 1, [0x88]) + Self.frame(7, [0, 0, 0, 1, 0, 0, 0, 0])))
        defer { server.stop() }
        let run = runCLI(["probe", server.url, "--protocol", "h2", "--timeout", "2s", "--json"])
        let report = try jsonObject(run.stdout)
        #expect(member(report, "h2.get.status") as? Int == 200)
        #expect(member(report, "h2.concurrent") is NSNull)
        #expect(member(report, "h2.idle.detail") as? String == "not measured: the server sent GOAWAY (NO_ERROR) after the GET on stream 1")
        let text = runCLI(["probe", server.url, "--protocol", "h2", "--timeout", "2s"]).stdout
        #expect(text.contains("not tried: the server sent GOAWAY (NO_ERROR) after the GET on stream 1"), "\(text)")
    }

    @Test("GOAWAY as the first frame is not h2c")
    func goawayFirst() throws {
        let server = try NotH2Server(.bytes(Self.frame(7, [0, 0, 0, 0, 0, 0, 0, 1])))
        defer { server.stop() }
        let run = runCLI(["probe", server.url, "--protocol", "h2", "--timeout", "2s", "--json"])
        let report = try jsonObject(run.stdout)
        #expect(member(report, "h2.prior_knowledge") as? Bool == false)
        #expect(member(report, "h2.refusal") as? String == "its first frame was GOAWAY, not SETTINGS")
    }

    @Test("a server that says nothing is bounded by --timeout")
    func silent() throws {
        let server = try NotH2Server(.silent)
        defer { server.stop() }
        let run = runCLI(["probe", server.url, "--protocol", "h2", "--timeout", "200ms", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let report = try jsonObject(run.stdout)
        #expect(member(report, "h2.prior_knowledge") as? Bool == false)
        #expect(member(report, "h2.refusal") as? String == "it sent nothing in 0.2 s")
    }

    @Test("nothing listening is an error with --protocol h2 too; a bad --protocol is a usage error")
    func errors() throws {
        let server = try backgroundServer()
        let port = server.port
        server.stop()
        let refused = runCLI(["probe", "http://127.0.0.1:\(port)/", "--protocol", "h2"])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("Error: nothing is listening on 127.0.0.1:\(port)"))
        let bad = runCLI(["probe", "http://127.0.0.1:\(port)/", "--protocol", "h3"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("Option '--protocol' takes both, http1 or h2, not 'h3'"))
    }
}

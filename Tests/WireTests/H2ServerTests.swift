import Foundation
import HPACK
import HTTP1
import HTTP2
import Testing
@testable import Wire

/// A minimal HTTP/2 client for tests, over a `RawConnection`: the preface and SETTINGS, requests as
/// HEADERS (and DATA), and the server's frames parsed and decoded as they arrive.
final class H2TestClient {
    let raw: RawConnection
    private var encoder = HPACKEncoder()
    private var decoder = HPACKDecoder()
    private var parser = FrameParser()
    private var consumed = 0
    /// Every frame the server sent, in order.
    private(set) var frames: [Frame] = []
    /// Per stream: the response's decoded header fields, body, whether it ended, and its reset code.
    private(set) var headers: [StreamID: [HeaderField]] = [:]
    private(set) var bodies: [StreamID: [UInt8]] = [:]
    private(set) var ended: [StreamID] = []
    private(set) var resets: [StreamID: ErrorCode] = [:]
    private(set) var parseError: String?

    init(_ harness: ServerHarness) {
        raw = harness.connect()
        var start = ClientPrefaceDetector.preface
        Frame.settings(ack: false, []).encode(into: &start)
        raw.send(start)
    }

    func get(_ path: String, stream: StreamID) {
        request("GET", path, stream: stream, body: [])
    }

    func request(_ method: String, _ path: String, stream: StreamID, body: [UInt8], extra: [HeaderField] = []) {
        raw.send(requestBytes(method, path, stream: stream, body: body, extra: extra))
    }

    /// The frames of a request, encoded (through this client's HPACK context) but not sent.
    func requestBytes(_ method: String, _ path: String, stream: StreamID, body: [UInt8] = [], extra: [HeaderField] = []) -> [UInt8] {
        let fields = [HeaderField(":method", method), HeaderField(":scheme", "http"), HeaderField(":path", path),
                      HeaderField(":authority", "127.0.0.1")] + extra
        var out: [UInt8] = []
        Frame.headers(stream: stream, fragment: encoder.encode(fields), endStream: body.isEmpty, endHeaders: true).encode(into: &out)
        if !body.isEmpty { Frame.data(stream: stream, payload: body, endStream: true).encode(into: &out) }
        return out
    }

    /// Parses what arrived since the last call (call it inside waits).
    func update() {
        let bytes = raw.received
        guard bytes.count > consumed else { return }
        parser.append(bytes[consumed...])
        consumed = bytes.count
        do {
            while let frame = try parser.nextFrame() {
                frames.append(frame)
                switch frame {
                case .headers(let s, let fragment, let end, _, _, _):
                    headers[s] = try decoder.decode(fragment)
                    if end { ended.append(s) }
                case .data(let s, let payload, let end, _):
                    bodies[s, default: []] += payload
                    if end { ended.append(s) }
                case .rstStream(let s, let code):
                    resets[s] = code
                case .settings(let ack, _):
                    if !ack { var out: [UInt8] = []; Frame.settings(ack: true, []).encode(into: &out); raw.send(out) }
                case .ping(let ack, let opaque):
                    if !ack { var out: [UInt8] = []; Frame.ping(ack: true, opaque: opaque).encode(into: &out); raw.send(out) }
                default:
                    break
                }
            }
        } catch {
            parseError = "\(error)"
        }
    }

    func status(_ s: StreamID) -> String? { headers[s]?.first { $0.nameString == ":status" }?.valueString }
    func body(_ s: StreamID) -> String { String(decoding: bodies[s] ?? [], as: UTF8.self) }
    var goaways: [Frame] { frames.filter { if case .goaway = $0 { return true } else { return false } } }
    /// The settings of the server's first SETTINGS frame (not an ACK), by id.
    var serverSettings: [SettingID: UInt32]? {
        for frame in frames {
            if case .settings(false, let list) = frame { return Dictionary(list.map { ($0.id, $0.value) }, uniquingKeysWith: { $1 }) }
        }
        return nil
    }
}

@Suite("Server: HTTP/2 with prior knowledge (h2c) beside HTTP/1.1 on one port", .serialized)
struct H2ServerTests {
    @Test("GET / over h2: 200, the same body as over HTTP/1.1, no connection-specific fields; events and counters")
    func rootOverH2() throws {
        let h = try ServerHarness()
        let plain = h.connect()
        plain.send(get("/"))
        h.wait("the HTTP/1.1 response") { plain.responseCount == 1 }
        let http1Body = ServerHarness.responses(plain.received).first?.body
        let c = H2TestClient(h)
        c.get("/", stream: 1)
        h.wait("the h2 response") { c.update(); return c.ended.contains(1) }
        #expect(c.parseError == nil)
        #expect(c.status(1) == "200")
        #expect(c.body(1) == http1Body)
        let names = Set(c.headers[1]?.map(\.nameString) ?? [])
        #expect(names.isDisjoint(with: ["connection", "keep-alive", "transfer-encoding"]))
        #expect(names.contains("content-length"))
        #expect(h.server.stats.requests == 2)
        h.wait("the response event") { h.server.stats.responses == 2 }
        #expect(h.events.contains { if case .request(2, 1, let head) = $0 { head.version == "HTTP/2" && head.stream == 1 } else { false } })
        #expect(h.events.contains { if case .response(2, 200, false, 1) = $0 { true } else { false } })
        #expect(h.events.contains { if case .response(1, 200, false, nil) = $0 { true } else { false } })
        #expect(h.server.stats.streams == 1)
        #expect(h.server.stats.h2Connections == 1)
        #expect(h.server.isHTTP2(connection: 2))
        #expect(!h.server.isHTTP2(connection: 1))
        c.raw.close()
        #expect(h.waitForClose() == .clientClosed)
        #expect(h.events.contains { if case .closed(2, .clientClosed, 1) = $0 { true } else { false } })
    }

    @Test("two streams on one connection: /delay/300 then /; / finishes first")
    func multiplexed() throws {
        let h = try ServerHarness()
        let c = H2TestClient(h)
        c.get("/delay/300", stream: 1)
        c.get("/", stream: 3)
        h.wait("both responses") { c.update(); return c.ended.contains(1) && c.ended.contains(3) }
        #expect(c.ended == [3, 1])
        #expect(c.status(1) == "200")
        #expect(c.status(3) == "200")
        #expect(h.server.stats.accepted == 1)
        #expect(h.server.stats.requests == 2)
    }

    @Test("every kind of route: a body in pieces, bytes past one window, echo with a body, HEAD")
    func routes() throws {
        let h = try ServerHarness()
        let c = H2TestClient(h)
        c.get("/stream/3", stream: 1)
        c.get("/bytes/100000", stream: 3)   // beyond the 65,535-byte initial window: waits for WINDOW_UPDATE
        c.request("POST", "/echo", stream: 5, body: Array("hi".utf8), extra: [HeaderField("content-length", "2")])
        c.request("HEAD", "/bytes/10", stream: 7, body: [])
        c.get("/page/2", stream: 9)
        // The client gives back the windows as the body arrives.
        var given = 0
        h.wait("the responses") {
            c.update()
            let got = c.bodies[3]?.count ?? 0
            if got - given >= 16_384 {
                var out: [UInt8] = []
                Frame.windowUpdate(stream: 0, increment: UInt32(got - given)).encode(into: &out)
                Frame.windowUpdate(stream: 3, increment: UInt32(got - given)).encode(into: &out)
                c.raw.send(out)
                given = got
            }
            return [1, 3, 5, 7, 9].allSatisfy { c.ended.contains($0) }
        }
        #expect(c.body(1) == "chunk 1\nchunk 2\nchunk 3\n")
        #expect(c.bodies[3]?.count == 100_000)
        #expect(c.body(5).contains(#""method":"POST""#))
        #expect(c.status(7) == "200")
        #expect(c.bodies[7] == nil)
        #expect(c.body(9).contains("<img"))
    }

    @Test("a request handler (the reverse proxy's hook) gets the h2 request's body and answers, later, through the stream")
    func requestHandler() throws {
        let h = try ServerHarness()
        var seen: [ServerRequest] = []
        h.server.requestHandler = { request, answer in
            seen.append(request)
            _ = h.loop.schedule(afterNanos: 1_000_000) {
                answer(ServerResponse(status: 201, headers: ["Connection": "keep-alive", "X-Got": String(request.body.count)], body: request.body))
            }
        }
        let c = H2TestClient(h)
        c.request("PUT", "/upload", stream: 1, body: Array("twelve bytes".utf8))
        h.wait("the response") { c.update(); return c.ended.contains(1) }
        #expect(seen.first?.head.method == "PUT")
        #expect(seen.first?.head.target == "/upload")
        #expect(seen.first?.head.headers["host"] == "127.0.0.1")
        #expect(c.status(1) == "201")
        #expect(c.body(1) == "twelve bytes")
        #expect(c.headers[1]?.contains(HeaderField("x-got", "12")) == true)
        #expect(c.headers[1]?.contains { $0.nameString == "connection" } == false)
    }

    @Test("a malformed request (uppercase field name) gets RST_STREAM PROTOCOL_ERROR; the connection lives")
    func malformedReset() throws {
        let h = try ServerHarness()
        let c = H2TestClient(h)
        c.request("GET", "/", stream: 1, body: [], extra: [HeaderField("X-Upper", "1")])
        h.wait("the reset") { c.update(); return c.resets[1] != nil }
        #expect(c.resets[1] == .protocolError)
        #expect(h.events.contains { if case .streamReset(_, 1, "PROTOCOL_ERROR") = $0 { true } else { false } })
        c.get("/", stream: 3)
        h.wait("the next response") { c.update(); return c.ended.contains(3) }
        #expect(c.status(3) == "200")
        #expect(c.goaways.isEmpty)
        #expect(c.raw.isOpen)
    }

    @Test("idle for keepAliveTimeout: GOAWAY, then the server closes")
    func idleGoAway() throws {
        let h = try ServerHarness { $0.keepAliveTimeoutMs = 200 }
        let c = H2TestClient(h)
        c.get("/", stream: 1)
        h.wait("the response") { c.update(); return c.ended.contains(1) }
        #expect(h.waitForClose() == .keepAliveTimeout)
        h.wait("EOF") { c.update(); return c.raw.state == .peerClosed }
        #expect(c.goaways.count == 1)
        if case .goaway(let last, let code, _)? = c.goaways.first {
            #expect(last == 1)
            #expect(code == .noError)
        }
    }

    @Test("keepAliveTimeout 0 disables the idle timeout over h2 too: no GOAWAY while idle")
    func noIdleTimeout() throws {
        let h = try ServerHarness { $0.keepAliveTimeoutMs = 0 }
        let c = H2TestClient(h)
        c.get("/", stream: 1)
        h.wait("the response") { c.update(); return c.ended.contains(1) }
        // A round trip on another connection gives a zero-length timer every chance to fire.
        let marker = h.connect()
        marker.send(get("/"))
        h.wait("a response on another connection") { marker.responseCount == 1 }
        c.get("/", stream: 3)
        h.wait("the second response") { c.update(); return c.ended.contains(3) }
        #expect(c.goaways.isEmpty)
        #expect(c.raw.isOpen)
        #expect(h.closeReasons().isEmpty)
    }

    @Test("graceful shutdown: GOAWAY 2^31-1, then the real last id; the stream in flight finishes")
    func gracefulShutdown() throws {
        let h = try ServerHarness()
        let c = H2TestClient(h)
        c.get("/delay/300", stream: 1)
        h.wait("the request") { h.server.stats.requests == 1 }
        var report: ShutdownReport?
        h.server.shutdown(graceMs: 5_000) { report = $0 }
        h.wait("the shutdown") { c.update(); return report != nil }
        h.wait("the last frames") { c.update(); return c.raw.state == .peerClosed }
        #expect(c.status(1) == "200")
        #expect(c.ended.contains(1))
        let lasts = c.goaways.compactMap { frame -> StreamID? in if case .goaway(let last, _, _) = frame { last } else { nil } }
        #expect(lasts == [maxStreamID, 1])
        #expect(report?.drained == 1)
        #expect(report?.forced == 0)
    }

    @Test("the server's SETTINGS say its knobs: the defaults, then each one changed")
    func settingsReflectKnobs() throws {
        let plain = try ServerHarness()
        let d = H2TestClient(plain)
        plain.wait("the default SETTINGS") { d.update(); return d.serverSettings != nil }
        // 100 streams; the window and frame size are the RFC's defaults, which need no entry (§6.5.2).
        #expect(d.serverSettings?[.maxConcurrentStreams] == 100)
        #expect(d.serverSettings?[.initialWindowSize] ?? 65_535 == 65_535)
        #expect(d.serverSettings?[.maxFrameSize] ?? 16_384 == 16_384)
        let h = try ServerHarness {
            $0.h2MaxConcurrentStreams = 7
            $0.h2InitialWindowSize = 1_000
            $0.h2MaxFrameSize = 32_768
        }
        let c = H2TestClient(h)
        h.wait("the SETTINGS") { c.update(); return c.serverSettings != nil }
        #expect(c.serverSettings?[.maxConcurrentStreams] == 7)
        #expect(c.serverSettings?[.initialWindowSize] == 1_000)
        #expect(c.serverSettings?[.maxFrameSize] == 32_768)
        // The connection works with them: a body within the 1,000-byte window is echoed.
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 900)
        c.request("POST", "/echo", stream: 1, body: body, extra: [HeaderField("content-length", "900")])
        h.wait("the echo") { c.update(); return c.ended.contains(1) }
        #expect(c.status(1) == "200")
        #expect(c.goaways.isEmpty)
    }

    @Test("h2MaxFrameSize is enforced: a frame above it is FRAME_SIZE_ERROR, one at it is taken")
    func maxFrameSizeEnforced() throws {
        let h = try ServerHarness { $0.h2MaxFrameSize = 20_000; $0.h2InitialWindowSize = 100_000 }
        let c = H2TestClient(h)
        h.wait("the SETTINGS") { c.update(); return c.serverSettings != nil }
        c.request("POST", "/echo", stream: 1, body: [UInt8](repeating: 0x61, count: 20_000), extra: [HeaderField("content-length", "20000")])
        h.wait("the echo") { c.update(); return c.ended.contains(1) }
        #expect(c.status(1) == "200")
        c.request("POST", "/echo", stream: 3, body: [UInt8](repeating: 0x61, count: 20_001), extra: [HeaderField("content-length", "20001")])
        h.wait("the GOAWAY") { c.update(); return !c.goaways.isEmpty }
        if case .goaway(_, let code, _)? = c.goaways.first { #expect(code == .frameSizeError) }
    }

    @Test("h2InitialWindowSize is what a client may send before WINDOW_UPDATE: over it is FLOW_CONTROL_ERROR")
    func initialWindowEnforced() throws {
        let h = try ServerHarness { $0.h2InitialWindowSize = 1_000 }
        let c = H2TestClient(h)
        // A smaller window applies once the client has acknowledged our SETTINGS (update() sends
        // the ACK, before the requests below on the same socket).
        h.wait("the SETTINGS") { c.update(); return c.serverSettings != nil }
        c.get("/", stream: 1)
        h.wait("a first response, after the ACK") { c.update(); return c.ended.contains(1) }
        c.request("POST", "/echo", stream: 3, body: [UInt8](repeating: 0x61, count: 1_001), extra: [HeaderField("content-length", "1001")])
        h.wait("the reset") { c.update(); return c.resets[3] != nil }
        #expect(c.resets[3] == .flowControlError)
    }

    @Test("a stream past h2MaxConcurrentStreams gets RST_STREAM REFUSED_STREAM; the others are answered")
    func refusedPastLimit() throws {
        let h = try ServerHarness { $0.h2MaxConcurrentStreams = 2 }
        let c = H2TestClient(h)
        c.get("/delay/300", stream: 1)
        c.get("/delay/300", stream: 3)
        c.get("/", stream: 5)
        h.wait("the refusal and both responses") { c.update(); return c.resets[5] != nil && c.ended.contains(1) && c.ended.contains(3) }
        #expect(c.resets[5] == .refusedStream)
        // Observers are told (serve logs it): stream 5 reset, REFUSED_STREAM; no other stream.
        let resets = h.events.compactMap { if case .streamReset(_, let stream, let code) = $0 { (stream, code) } else { nil } }
        #expect(resets.map(\.0) == [5] && resets.map(\.1) == ["REFUSED_STREAM"])
        #expect(c.status(1) == "200")
        #expect(c.status(3) == "200")
        #expect(c.goaways.isEmpty)
        // Once they are done, a new stream is taken again.
        c.get("/", stream: 7)
        h.wait("the next response") { c.update(); return c.ended.contains(7) }
        #expect(c.status(7) == "200")
        #expect(h.server.stats.requests == 3)
    }

    @Test("/close over h2: the response whole, then GOAWAY with the last stream id; the stream in flight finishes, then the server closes")
    func closeRoute() throws {
        let h = try ServerHarness()
        let c = H2TestClient(h)
        c.get("/delay/300", stream: 1)
        c.get("/close", stream: 3)
        h.wait("the /close response and the GOAWAY") { c.update(); return c.ended.contains(3) && !c.goaways.isEmpty }
        #expect(c.status(3) == "200")
        #expect(c.body(3) == #"{"close":true}"#)
        #expect(!c.ended.contains(1), "the delayed stream is still in flight")
        #expect(c.headers[3]?.contains { $0.nameString == "connection" } == false)
        // The GOAWAY comes after the response's last frame, and names stream 3 as the last one taken.
        let goawayAt = c.frames.firstIndex { if case .goaway = $0 { true } else { false } }
        let endAt = c.frames.firstIndex { if case .data(3, _, true, _) = $0 { true } else { false } }
        #expect(goawayAt != nil && endAt != nil && goawayAt! > endAt!)
        if case .goaway(let last, let code, _)? = c.goaways.first {
            #expect(last == 3)
            #expect(code == .noError)
        }
        // A stream the client opens after the GOAWAY is not processed (§6.8): it gets no response.
        c.get("/", stream: 5)
        #expect(h.waitForClose() == .responseClose)
        h.wait("EOF") { c.update(); return c.raw.state == .peerClosed }
        #expect(c.ended.contains(1) && c.status(1) == "200")
        #expect(c.headers[5] == nil)
        #expect(c.goaways.count == 1)
        #expect(h.server.stats.requests == 2)
        #expect(h.events.contains { if case .response(1, 200, true, 3) = $0 { true } else { false } })
        #expect(h.events.contains { if case .response(1, 200, false, 1) = $0 { true } else { false } })
        #expect(h.events.contains { if case .closed(1, .responseClose, 2) = $0 { true } else { false } })
    }

    @Test("/echo is one route for both protocols: its version says HTTP/1.1 over HTTP/1.1 and HTTP/2.0 over h2")
    func echoVersion() throws {
        let h = try ServerHarness()
        let plain = h.connect()
        plain.send(get("/echo"))
        h.wait("the HTTP/1.1 echo") { plain.responseCount == 1 }
        #expect(ServerHarness.responses(plain.received).first?.body.contains(#""version":"HTTP/1.1""#) == true)
        let c = H2TestClient(h)
        c.get("/echo", stream: 1)
        h.wait("the h2 echo") { c.update(); return c.ended.contains(1) }
        #expect(c.body(1).contains(#""version":"HTTP/2.0""#), "\(c.body(1))")
        #expect(c.body(1).contains(#""method":"GET""#))
        #expect(c.body(1).contains(#""target":"/echo""#))
        #expect(c.body(1).contains(#"["host","127.0.0.1"]"#))
    }

    @Test("curl --http2-prior-knowledge gets the body (skipped without curl)")
    func curlPriorKnowledge() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else { return }
        let h = try ServerHarness()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["--http2-prior-knowledge", "-s", "--max-time", "5", "\(h.server.url)/"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        // curl closes its connection when it has the response; `--max-time` bounds its exit.
        h.wait("curl's connection to close", timeoutMs: 8_000) { h.server.stats.closed == 1 }
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(output == #"{"hello":"wirelab"}"# + "\n")
        #expect(h.events.contains { if case .request(_, _, let head) = $0 { head.version == "HTTP/2" } else { false } })
    }

    /// The frames in `bytes`, parsed from the start (the server's first frames, say).
    private func frames(in bytes: [UInt8]) throws -> [Frame] {
        var parser = FrameParser()
        parser.append(bytes)
        var frames: [Frame] = []
        while let frame = try parser.nextFrame() { frames.append(frame) }
        return frames
    }

    @Test("h2Only: what is not the client preface gets our SETTINGS, then GOAWAY PROTOCOL_ERROR, then EOF (RFC 9113 §3.4)",
          arguments: ["INVALID CONNECTION PREFACE\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"])
    func h2OnlyRefusesWhatIsNotThePreface(_ first: String) throws {
        let h = try ServerHarness { $0.h2Only = true }
        let raw = h.connect()
        raw.send(first)
        h.wait("EOF") { raw.state == .peerClosed }
        let frames = try frames(in: raw.received)
        // SETTINGS and the connection's WINDOW_UPDATE go out at once (§3.4: the server's preface
        // does not wait for the client's); then the GOAWAY, and nothing after it.
        #expect(frames.count == 3)
        #expect(frames.dropFirst().dropLast().allSatisfy { if case .windowUpdate(0, _) = $0 { true } else { false } })
        if case .settings(false, _)? = frames.first {} else { Issue.record("the first frame is not SETTINGS: \(frames)") }
        if case .goaway(let last, let code, _)? = frames.last {
            #expect(last == 0)
            #expect(code == .protocolError)
        } else {
            Issue.record("no GOAWAY last: \(frames)")
        }
        #expect(h.waitForClose() == .badRequest)
        #expect(h.server.stats.h2Connections == 1)
        #expect(h.server.isHTTP2(connection: 1) == false)   // closed
    }

    @Test("h2Only: a real preface is served as on the mixed port; nothing is handed over")
    func h2OnlyServesThePreface() throws {
        let h = try ServerHarness { $0.h2Only = true }
        let c = H2TestClient(h)
        c.get("/", stream: 1)
        h.wait("the h2 response") { c.update(); return c.ended.contains(1) }
        #expect(c.parseError == nil)
        #expect(c.status(1) == "200")
        #expect(c.body(1) == #"{"hello":"wirelab"}"# + "\n")
        #expect(c.goaways.isEmpty)
        #expect(h.server.isHTTP2(connection: 1))
        #expect(h.server.stats.h2Connections == 1)
        #expect(h.server.stats.requests == 1)
    }
}

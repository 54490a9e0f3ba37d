import HTTP1
import Testing
@testable import Wire

/// A server on its own loop plus helpers to talk to it with raw sockets, all on one thread: every
/// wait is for a named condition with a bound, never a bare sleep.
final class ServerHarness {
    let loop: EventLoop
    let server: LoopbackServer
    var events: [ServerEvent] = []

    init(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        // Tests run side by side and some open hundreds of sockets: don't trip a 1024-descriptor limit.
        Platform.raiseOpenFileLimit(to: 8192)
        loop = try EventLoop()
        var config = ServerConfiguration()
        configure(&config)
        server = LoopbackServer(loop: loop, configuration: config)
        try server.start()
        strangers = SocketAccounting.strangers(onPort: server.port)
        observerToken = server.addObserver { [unowned self] in self.events.append($0) }
    }

    private var observerToken = 0
    /// Sockets connected to our port before we had it (`SocketAccounting.strangers`).
    private(set) var strangers: Set<String> = []

    deinit {
        server.removeObserver(observerToken)
        server.closeAll()
        // What a test left registered (raw connections, agents' sockets) or queued holds the loop
        // in a cycle; let go of it, or every test would keep its loop (AddressSanitizer's leak report).
        loop.close()
    }

    func connect() -> RawConnection {
        let c = RawConnection(loop: loop)
        c.connect(port: server.port)
        return c
    }

    /// Runs the loop until `condition` holds; fails the test if 5 s pass first.
    @discardableResult
    func wait(_ what: String, timeoutMs: Int = 5_000, _ condition: () -> Bool) -> Bool {
        let met = loop.run(until: condition, timeoutNanos: Int64(timeoutMs) * 1_000_000)
        if !met { Issue.record("timed out waiting for: \(what)") }
        return met
    }

    /// Parses complete responses out of `bytes` (answers to `methods`, in order).
    static func responses(_ bytes: [UInt8], methods: [String] = Array(repeating: "GET", count: 16), ended: Bool = false) -> [(head: HTTPResponseHead, body: String)] {
        var parser = ResponseParser()
        for m in methods { parser.expectResponse(toMethod: m) }
        parser.append(bytes)
        var out: [(HTTPResponseHead, String)] = []
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        func take(_ part: ResponsePart) {
            switch part {
            case .head(let h, _): head = h; body = []
            case .body(let b): body += b
            case .end: if let h = head { out.append((h, String(decoding: body, as: UTF8.self))) }; head = nil
            }
        }
        while let part = try? parser.next() { take(part) }
        if ended, let part = try? parser.inputEnded() { take(part) }
        return out
    }

    func closeReasons() -> [ServerCloseReason] {
        events.compactMap { if case .closed(_, let reason, _) = $0 { return reason } else { return nil } }
    }

    func waitForClose(_ what: String = "the server to close the connection", timeoutMs: Int = 5_000) -> ServerCloseReason? {
        wait(what, timeoutMs: timeoutMs) { !self.closeReasons().isEmpty }
        return closeReasons().first
    }
}

extension RawConnection {
    var responseCount: Int { ServerHarness.responses(received).count }
}

func get(_ path: String, _ extra: String = "", version: String = "HTTP/1.1") -> String {
    "GET \(path) \(version)\r\nHost: 127.0.0.1\r\n\(extra)\r\n"
}

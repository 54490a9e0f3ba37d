import Testing
import Wire
@testable import WireLabCLI

/// `wirelab serve`'s log: lines built as bytes, written once per turn of the loop.
@Suite("The serve log")
struct ServeLogTests {
    @Test("stamps are seconds with three decimals, rounded to the millisecond, right-aligned in 8")
    func stamps() {
        func stamp(_ nanos: Int64) -> String {
            var text = LogText()
            text.stamp(nanos: nanos)
            return String(decoding: text.bytes, as: UTF8.self)
        }
        #expect(stamp(0) == "[   0.000s]")
        #expect(stamp(502_400_000) == "[   0.502s]")
        #expect(stamp(502_500_000) == "[   0.503s]")
        #expect(stamp(1_234_567_890) == "[   1.235s]")
        #expect(stamp(59_999_600_000) == "[  60.000s]")
        #expect(stamp(12_345_678_000_000) == "[12345.678s]")
        #expect(stamp(-5) == "[   0.000s]")
    }

    @Test("numbers, as the String interpolation printed them")
    func numbers() {
        for value in [0, 7, 10, 200, 404, 1_000_000, -3, Int.max, Int.min] {
            var text = LogText()
            text.number(value)
            #expect(String(decoding: text.bytes, as: UTF8.self) == "\(value)")
        }
    }

    @Test("the lines of one turn are written together, after the turn, in order")
    func oneWritePerTurn() throws {
        final class CountingConsole: Console {
            var writes: [String] = []
            let input: LineInput = ScriptedInput(lines: [], isTerminal: false)
            func out(_ text: String) { writes.append(text) }
            func err(_ text: String) { writes.append(text) }
        }
        let loop = try EventLoop()
        defer { loop.close() }
        let console = CountingConsole()
        let log = TurnLog(console: console, loop: loop, started: loop.now)
        log.line { $0.connection(1); $0.text(" opened") }
        log.line { $0.connection(1); $0.text(" → "); $0.number(200) }
        #expect(console.writes.isEmpty, "written before the turn ended")
        #expect(loop.run(until: { !console.writes.isEmpty }, timeoutNanos: 2_000_000_000))
        #expect(console.writes.count == 1)
        let lines = console.writes.joined().split(separator: "\n").map { String($0.dropFirst(11)) }
        #expect(lines == [" #1 opened", " #1 → 200"])
        log.line { $0.text(" later") }
        log.flush()
        #expect(console.writes.count == 2, "flush writes at once")
        #expect(loop.run(until: { false }, timeoutNanos: 20_000_000) == false)
        #expect(console.writes.count == 2, "nothing is written twice")
    }

    /// The lines `serve` logs for `events`, without stamps.
    static func lines(_ events: [ServerEvent], mystery: Bool = false) -> [String] {
        let lines = ServeEventLines(isMystery: mystery)
        return events.filter(lines.hasLine).map { event in
            var text = LogText()
            lines.write(event, into: &text)
            return String(decoding: text.bytes, as: UTF8.self)
        }
    }

    @Test("a refusal is logged with its status and why; the close after it says refused with that status, not bad request")
    func refusalLines() {
        let lines = Self.lines([
            .opened(connection: 1),
            .idle(connection: 1),
            .refused(connection: 1, status: 501, reason: "HTTP/2 preface on an HTTP/1.1 port"),
            .closed(connection: 1, reason: .badRequest, requests: 0),
            .refused(connection: 2, status: 408, reason: "headers timeout"),
            .closed(connection: 2, reason: .headersTimeout, requests: 0),
            .closed(connection: 3, reason: .badRequest, requests: 1),
        ])
        #expect(lines == [
            " #1 opened",
            " #1 refused → 501: HTTP/2 preface on an HTTP/1.1 port, Connection: close",
            " #1 closed: refused with 501 (0 requests)",
            " #2 refused → 408: headers timeout, Connection: close",
            " #2 closed: headers timeout (0 requests)",
            " #3 closed: bad request (1 request)",
        ])
        #expect(!lines.contains { $0.contains("501") && $0.contains("bad request") })
    }

    @Test("an HTTP/2 connection's request and response lines name the protocol and the stream; a reset stream says its code; its close counts streams")
    func h2Lines() {
        let lines = Self.lines([
            .opened(connection: 1),
            .request(connection: 1, index: 1, head: HTTPRequestHeadSummary(method: "GET", target: "/delay/300", version: "HTTP/2", stream: 1)),
            .request(connection: 1, index: 2, head: HTTPRequestHeadSummary(method: "GET", target: "/", version: "HTTP/2", stream: 3)),
            .response(connection: 1, status: 200, willClose: false, stream: 3),
            .response(connection: 1, status: 200, willClose: false, stream: 1),
            .streamReset(connection: 1, stream: 5, code: "REFUSED_STREAM"),
            .streamReset(connection: 1, stream: 7, code: "PROTOCOL_ERROR"),
            .closed(connection: 1, reason: .clientClosed, requests: 2),
        ])
        #expect(lines == [
            " #1 opened",
            " #1 GET /delay/300 HTTP/2 stream 1  (new connection)",
            " #1 GET / HTTP/2 stream 3  (request 2 on this connection)",
            " #1 → 200 HTTP/2 stream 3 ended",
            " #1 → 200 HTTP/2 stream 1 ended",
            " #1 HTTP/2 stream 5 reset: REFUSED_STREAM (past --h2-max-concurrent-streams; not processed, the client may retry it)",
            " #1 HTTP/2 stream 7 reset: PROTOCOL_ERROR",
            " #1 closed: client closed (2 streams)",
        ])
    }

    @Test("a mystery server keeps its timeouts and close reasons to itself, not its other refusals")
    func mysteryRefusals() {
        let lines = Self.lines([
            .refused(connection: 1, status: 408, reason: "headers timeout"),
            .closed(connection: 1, reason: .headersTimeout, requests: 0),
            .refused(connection: 2, status: 400, reason: "bare LF"),
            .closed(connection: 2, reason: .badRequest, requests: 0),
        ], mystery: true)
        #expect(lines == [
            " #1 refused → 408, Connection: close",
            " #1 closed (0 requests)",
            " #2 refused → 400: bare LF, Connection: close",
            " #2 closed (0 requests)",
        ])
    }

    @Test("requests and responses read as before")
    func requestLines() {
        let head = HTTPRequestHeadSummary(method: "GET", target: "/", version: "HTTP/1.1")
        #expect(Self.lines([
            .request(connection: 4, index: 1, head: head),
            .response(connection: 4, status: 200, willClose: false),
            .request(connection: 4, index: 2, head: head),
            .response(connection: 4, status: 200, willClose: true),
        ]) == [
            " #4 GET / HTTP/1.1  (new connection)",
            " #4 → 200, kept alive",
            " #4 GET / HTTP/1.1  (reused, request 2 on this connection)",
            " #4 → 200, Connection: close",
        ])
    }
}

import HTTP1
import Testing
@testable import Wire

/// A `ResponseStream` that only records what the responder hands it: no socket, no clock. The
/// test plays the stream's part, reporting pieces sent and firing the one timer by hand.
final class RecordingStream: ResponseStream {
    var requestHead: HTTPRequestHead
    var requestIsRootGET: Bool
    var requestConnection = 7
    var requestIndex = 3
    var body: [UInt8] = []
    var isAwaitingResponse = true
    /// What was handed over, in order, in a few words each.
    var log: [String] = []
    /// The pending wake, in nanoseconds from when it was asked for.
    var wakeAfter: Int64?

    init(_ method: String, _ target: String, version: HTTPVersion = .http1_1) {
        requestHead = HTTPRequestHead(method: method, target: target, version: version)
        requestIsRootGET = method == "GET" && target == "/"
    }

    func takeRequestBody() -> [UInt8] {
        defer { body = [] }
        return body
    }

    func sendResponse(status: Int, headers: HTTPHeaders, body: [UInt8], mustClose: Bool) {
        log.append("response \(status)\(mustClose ? " close" : "") \(String(decoding: body, as: UTF8.self))")
    }

    func sendRootResponse() { log.append("root") }
    func sendHead(status: Int, headers: HTTPHeaders) { log.append("head \(status) \(headers["Content-Type"] ?? "-")") }
    func sendBodyPiece(_ bytes: [UInt8]) { log.append("piece \(String(decoding: bytes, as: UTF8.self).trimmingNewline)") }
    func sendEnd() { log.append("end") }
    func wakeResponder(afterNanos nanos: Int64) {
        wakeAfter = nanos
        log.append("wake after \(nanos / 1_000_000)ms")
    }

    /// Fires the pending wake, as the stream's timer would.
    func fireWake(_ responder: Responder) {
        guard wakeAfter != nil else {
            Issue.record("no wake was pending")
            return
        }
        wakeAfter = nil
        responder.wake(on: self)
    }
}

private extension String {
    var trimmingNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}

@Suite("Responder: what to answer and when, without a protocol")
struct ResponderTests {
    @Test("GET / takes the fast path: the stream sends its root response, no route is looked up")
    func rootFastPath() {
        let stream = RecordingStream("GET", "/")
        Responder().respond(on: stream, handler: nil)
        #expect(stream.log == ["root"])
    }

    @Test("a complete route is handed over whole, with its mustClose")
    func completeRoutes() {
        let close = RecordingStream("GET", "/close")
        Responder().respond(on: close, handler: nil)
        #expect(close.log == [#"response 200 close {"close":true}"#])
        let echo = RecordingStream("GET", "/echo")
        Responder().respond(on: echo, handler: nil)
        #expect(echo.log.count == 1)
        #expect(echo.log[0].contains(#""connection":7"#) && echo.log[0].contains(#""request_on_connection":3"#))
        let missing = RecordingStream("HEAD", "/nowhere")
        Responder().respond(on: missing, handler: nil)
        #expect(missing.log == [#"response 404 {"error":"no route for /nowhere"}"#])
    }

    @Test("/delay/<ms>: nothing until the stream's timer fires, then the response")
    func delayed() {
        let stream = RecordingStream("GET", "/delay/250")
        let responder = Responder()
        responder.respond(on: stream, handler: nil)
        #expect(stream.log == ["wake after 250ms"])
        #expect(responder.isMidResponse)
        stream.fireWake(responder)
        #expect(stream.log == ["wake after 250ms", #"response 200 {"delayed_ms":250}"#])
        #expect(!responder.isMidResponse)
        // A stale wake after the response does nothing.
        responder.wake(on: stream)
        #expect(stream.log.count == 2)
    }

    @Test("/stream/<n>?interval: head, then each piece after it is sent and a pause, then the end at once")
    func pacedPieces() {
        let stream = RecordingStream("GET", "/stream/2?interval=40")
        let responder = Responder()
        responder.respond(on: stream, handler: nil)
        #expect(stream.log == ["head 200 text/plain"])
        responder.pieceSent(on: stream)   // the head went out
        #expect(stream.log.last == "wake after 40ms")
        stream.fireWake(responder)
        #expect(stream.log.last == "piece chunk 1")
        responder.pieceSent(on: stream)
        #expect(stream.log.last == "wake after 40ms")
        stream.fireWake(responder)
        #expect(stream.log.last == "piece chunk 2")
        responder.pieceSent(on: stream)   // the last piece: the end follows without a pause
        #expect(stream.log.last == "end")
        #expect(!responder.isMidResponse)
        #expect(stream.log.count == 6)
    }

    @Test("/stream/<n> without an interval: each piece as soon as the previous one is sent")
    func unpacedPieces() {
        let stream = RecordingStream("GET", "/stream/3")
        let responder = Responder()
        responder.respond(on: stream, handler: nil)
        for _ in 0..<4 { responder.pieceSent(on: stream) }
        #expect(stream.log == ["head 200 text/plain", "piece chunk 1", "piece chunk 2", "piece chunk 3", "end"])
        #expect(stream.wakeAfter == nil)
        // Reports after the end change nothing.
        responder.pieceSent(on: stream)
        #expect(stream.log.count == 5)
    }

    @Test("/stream/0: the head, then the end")
    func emptyStream() {
        let stream = RecordingStream("GET", "/stream/0?interval=100")
        let responder = Responder()
        responder.respond(on: stream, handler: nil)
        responder.pieceSent(on: stream)
        #expect(stream.log == ["head 200 text/plain", "end"])
    }

    @Test("reset forgets a delay in progress: a late wake sends nothing")
    func resetMidDelay() {
        let stream = RecordingStream("GET", "/delay/10")
        let responder = Responder()
        responder.respond(on: stream, handler: nil)
        responder.reset()
        #expect(!responder.isMidResponse)
        responder.wake(on: stream)
        #expect(stream.log == ["wake after 10ms"])
    }

    @Test("a request handler gets the whole request (body handed over once) and answers through the stream")
    func handlerPath() {
        let stream = RecordingStream("POST", "/")
        stream.body = Array("hello".utf8)
        var seen: ServerRequest?
        var answer: ((ServerResponse) -> Void)?
        Responder().respond(on: stream, handler: { request, respond in
            seen = request
            answer = respond
        })
        // Even GET / goes to the handler: it replaces the routes, fast path included.
        #expect(seen?.body == Array("hello".utf8))
        #expect(seen?.connection == 7 && seen?.index == 3)
        #expect(stream.body.isEmpty)
        #expect(stream.log.isEmpty)
        answer?(ServerResponse(status: 502, body: Array("upstream".utf8), mustClose: true))
        #expect(stream.log == ["response 502 close upstream"])
    }

    @Test("a handler's late answer to a stream that no longer waits is dropped")
    func lateHandlerAnswer() {
        let stream = RecordingStream("GET", "/")
        var answer: ((ServerResponse) -> Void)?
        Responder().respond(on: stream, handler: { _, respond in answer = respond })
        stream.isAwaitingResponse = false
        answer?(ServerResponse(status: 200))
        #expect(stream.log.isEmpty)
    }
}

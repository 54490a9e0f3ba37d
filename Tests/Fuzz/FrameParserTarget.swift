// Fuzz target: HTTP/2 FrameParser and the H2Connection machine behind it. Built by Tests/Fuzz/run.sh
// with Sources/HTTP2 as one module (HPACK as a module of its own). Invariants beyond "no crash":
// - the frames and errors do not depend on how the bytes are split (one piece, or cut where the
//   first byte says, or byte by byte for short inputs);
// - every frame parsed encodes to bytes that parse to the same frame;
// - a connection error stops the parser: nothing after it;
// - the connection machine, fed the bytes after the preface and a SETTINGS (its windows given back
//   at once or as the body is consumed, requests answered or reset, as the first byte says), emits
//   nothing after `.close`, never raises a GOAWAY's last-stream-id, never has more active streams
//   than its limit, and keeps its windows within 0...2^31-1;
// - the client role (`H2ClientConnection`), fed the same bytes as the server's after its SETTINGS
//   (or without them, when the first byte says), with three requests sent, emits nothing after
//   `.close`, starts streams on odd increasing ids, ends each request at most once (finished or
//   failed), and keeps its windows within bounds.
import HPACK

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard let control = input.first else { return 0 }
    let rest = Array(input.dropFirst())
    let maxFrameSize = control & 0x80 == 0 ? 16_384 : 16_777_215
    let whole = parse([rest], maxFrameSize: maxFrameSize)
    let cut = rest.isEmpty ? 0 : Int(control & 0x7f) % (rest.count + 1)
    let split = parse([Array(rest[..<cut]), Array(rest[cut...])], maxFrameSize: maxFrameSize)
    if whole != split { fuzzFailure("cut at \(cut): \(whole) vs \(split)") }
    if rest.count <= 256 {
        let bytes = parse(rest.map { [$0] }, maxFrameSize: maxFrameSize)
        if whole != bytes { fuzzFailure("byte by byte: \(whole) vs \(bytes)") }
    }
    for frame in whole.frames {
        let again = parse([frame.encoded], maxFrameSize: 16_777_215)
        if again.frames != [frame] || !again.errors.isEmpty { fuzzFailure("\(frame) re-encoded parses as \(again)") }
    }
    checkConnection(rest, control: control)
    checkClient(rest, control: control)
    return 0
}

func checkClient(_ bytes: [UInt8], control: UInt8) {
    var config = H2Configuration()
    config.maxHeaderListSize = 512
    config.maxContinuationFrames = 4
    config.maxHeaderBlockSize = 512
    config.automaticWindowUpdates = control & 0x20 == 0
    var client = H2ClientConnection(configuration: config, streamsBeforeSettings: control & 0x04 == 0 ? 1 : 100)
    var actions = client.start()
    actions += client.send(H2Request(authority: "x", path: "/a"), tag: 1)
    actions += client.send(H2Request(method: "POST", authority: "x", path: "/b", body: [UInt8](repeating: 2, count: 70_000)), tag: 2)
    actions += client.send(H2Request(method: "HEAD", authority: "x", path: "/c"), tag: 3)
    var input: [UInt8] = []
    if control & 0x08 == 0 { Frame.settings(ack: false, [Setting(.maxConcurrentStreams, 2)]).encode(into: &input) }
    input += bytes
    let cut = input.isEmpty ? 0 : Int(control) % (input.count + 1)
    actions += client.receivedBytes(Array(input[..<cut]))
    if control & 0x10 != 0 { actions += client.cancel(tag: 1) }
    actions += client.receivedBytes(Array(input[cut...]))
    if control & 0x40 != 0 { actions += client.connectionLost("fuzz") } else { actions += client.close() }
    var isClosed = false
    var lastStarted: StreamID = 0
    var ended: Set<Int> = []
    for action in actions {
        if isClosed { fuzzFailure("client: \(action) after close") }
        switch action {
        case .close: isClosed = true
        case .started(_, let stream):
            if stream % 2 == 0 || stream <= lastStarted { fuzzFailure("client: stream \(stream) after \(lastStarted)") }
            lastStarted = stream
        case .finished(let tag, _), .failed(let tag, _, _):
            if !ended.insert(tag).inserted { fuzzFailure("client: request \(tag) ended twice") }
        default: break
        }
    }
    let machine = client.connection
    if machine.connectionSendWindow > maxWindowSize || machine.connectionReceiveWindow < 0 || machine.connectionReceiveWindow > maxWindowSize {
        fuzzFailure("client windows: send \(machine.connectionSendWindow), receive \(machine.connectionReceiveWindow)")
    }
}

struct Parsed: Equatable {
    var frames: [Frame] = []
    var errors: [H2Error] = []
}

func parse(_ pieces: [[UInt8]], maxFrameSize: Int) -> Parsed {
    var parser = FrameParser(maxFrameSize: maxFrameSize)
    var result = Parsed()
    for piece in pieces {
        parser.append(piece)
        while true {
            do {
                guard let frame = try parser.nextFrame() else { break }
                if result.errors.contains(where: \.isConnectionError) { fuzzFailure("a frame after a connection error") }
                result.frames.append(frame)
            } catch {
                if result.errors.contains(where: \.isConnectionError) {
                    if error != result.errors.last { fuzzFailure("a different error after a connection error") }
                    break
                }
                result.errors.append(error)
                if error.isConnectionError { break }
            }
        }
    }
    return result
}

func checkConnection(_ bytes: [UInt8], control: UInt8) {
    var config = H2Configuration()
    config.maxConcurrentStreams = 1 + Int(control & 0x3)
    config.maxResetsPerWindow = 4
    config.maxContinuationFrames = 4
    config.maxHeaderBlockSize = 512
    config.maxHeaderListSize = 512
    config.automaticWindowUpdates = control & 0x20 == 0
    var connection = H2Connection(configuration: config)
    var actions = connection.start()
    actions += connection.receivedBytes(H2Connection.clientPreface + Frame.settings(ack: false, []).encoded)
    let cut = bytes.isEmpty ? 0 : Int(control) % (bytes.count + 1)
    actions += connection.receivedBytes(Array(bytes[..<cut]))
    // Answer every request (or reset it, when the first byte says), and consume every body byte,
    // so the response and window paths run too.
    var consumed: [H2Action] = []
    for action in actions {
        switch action {
        case .request(let stream, _, _) where control & 0x10 != 0:
            consumed += connection.resetStream(stream, code: .cancel)
        case .request(let stream, _, _):
            consumed += connection.sendHeaders(stream: stream, [HeaderField(":status", "200")], endStream: false)
            consumed += connection.sendData(stream: stream, [UInt8](repeating: 1, count: 100), endStream: true)
        case .data(let stream, let bytes, _):
            consumed += connection.dataConsumed(stream: stream, count: bytes.count)
        default:
            break
        }
    }
    actions += consumed
    if control & 0x40 != 0 { actions += connection.startGracefulShutdown() }
    actions += connection.receivedBytes(Array(bytes[cut...]))
    var lastGoAway: StreamID?
    var isClosed = false
    for action in actions {
        if isClosed { fuzzFailure("\(action) after close") }
        switch action {
        case .send(.goaway(let last, _, _)):
            if let previous = lastGoAway, last > previous { fuzzFailure("GOAWAY last-stream-id rose from \(previous) to \(last)") }
            lastGoAway = last
        case .close:
            isClosed = true
        default:
            break
        }
    }
    if connection.activeStreamCount > config.maxConcurrentStreams { fuzzFailure("\(connection.activeStreamCount) active streams") }
    if connection.connectionSendWindow > maxWindowSize || connection.connectionReceiveWindow < 0
        || connection.connectionReceiveWindow > maxWindowSize {
        fuzzFailure("windows: send \(connection.connectionSendWindow), receive \(connection.connectionReceiveWindow)")
    }
}

/// Stops the run with a message the fuzzer saves next to the input that caused it.
func fuzzFailure(_ message: String) -> Never {
    fatalError("fuzz invariant broken: \(message)")
}

import HPACK
@testable import HTTP2

/// A scripted server for the client machine: it encodes response blocks with its own HPACK
/// encoder (so the client's decoder must stay in step), decodes the client's request blocks, and
/// feeds frames in.
struct ServerScript {
    var client: H2ClientConnection
    var encoder = HPACKEncoder()
    var decoder = HPACKDecoder()

    /// A client whose handshake is done: preface and SETTINGS out, the server's SETTINGS in (with
    /// `settings`), their ACK out.
    init(_ configuration: H2Configuration = H2Configuration(), settings: [Setting] = [Setting(.maxConcurrentStreams, 100)]) {
        client = H2ClientConnection(configuration: configuration)
        _ = client.start()
        let actions = feed(.settings(ack: false, settings))
        precondition(actions == [.send(.settings(ack: true, []))], "handshake: \(actions)")
    }

    static func get(_ path: String = "/") -> H2Request { H2Request(authority: "example.com", path: path) }

    mutating func feed(_ frames: Frame...) -> [H2ClientAction] {
        var bytes: [UInt8] = []
        for frame in frames { frame.encode(into: &bytes) }
        return client.receivedBytes(bytes)
    }

    mutating func block(_ fields: [HeaderField]) -> [UInt8] { encoder.encode(fields) }

    /// A response HEADERS with the whole block.
    mutating func respond(_ stream: StreamID, status: String = "200", _ extra: [HeaderField] = [], endStream: Bool = true) -> [H2ClientAction] {
        let fragment = block([HeaderField(":status", status)] + extra)
        return feed(.headers(stream: stream, fragment: fragment, endStream: endStream, endHeaders: true))
    }

    mutating func respond(_ stream: StreamID, fields: [HeaderField], endStream: Bool = true) -> [H2ClientAction] {
        feed(.headers(stream: stream, fragment: block(fields), endStream: endStream, endHeaders: true))
    }
}

extension [H2ClientAction] {
    /// The streams started, in order.
    var started: [StreamID] { compactMap { if case .started(_, let s) = $0 { s } else { nil } } }
    /// The failures, as "tag stream kind".
    var failures: [String] {
        compactMap {
            guard case .failed(let tag, let s, let why) = $0 else { return nil }
            return "#\(tag) \(s.map(String.init) ?? "-") \(why.isRetryable ? "notProcessed" : "maybe")"
        }
    }
    var frames: [Frame] { compactMap { if case .send(let f) = $0 { f } else { nil } } }
    /// RST_STREAMs and GOAWAYs sent, for short expectations.
    var errorFrames: [String] {
        frames.compactMap {
            switch $0 {
            case .rstStream(let s, let code): "RST \(s) \(code)"
            case .goaway(let last, let code, _): "GOAWAY \(last) \(code)"
            default: nil
            }
        }
    }
    var isClosing: Bool { contains { if case .close = $0 { true } else { false } } }
}

import HPACK
@testable import HTTP2

/// A scripted client: it encodes header blocks with its own HPACK encoder (so the server's decoder
/// must stay in step) and feeds frames to the machine.
struct Script {
    var connection: H2Connection
    var encoder = HPACKEncoder()

    /// A machine that has done the handshake: our SETTINGS out, the preface and the client's
    /// SETTINGS in, their ACK out.
    init(_ configuration: H2Configuration = H2Configuration(), clientSettings: [Setting] = []) {
        connection = H2Connection(configuration: configuration)
        _ = connection.start()
        let actions = connection.receivedBytes(H2Connection.clientPreface + Frame.settings(ack: false, clientSettings).encoded)
        precondition(actions == [.send(.settings(ack: true, []))], "handshake: \(actions)")
    }

    static let get: [HeaderField] = [HeaderField(":method", "GET"), HeaderField(":scheme", "http"),
                                     HeaderField(":path", "/"), HeaderField(":authority", "example.com")]
    static func post(length: Int? = nil) -> [HeaderField] {
        var fields = [HeaderField(":method", "POST"), HeaderField(":scheme", "http"), HeaderField(":path", "/upload"),
                      HeaderField(":authority", "example.com")]
        if let length { fields.append(HeaderField("content-length", String(length))) }
        return fields
    }

    mutating func block(_ fields: [HeaderField]) -> [UInt8] { encoder.encode(fields) }

    mutating func send(_ frames: Frame...) -> [H2Action] {
        var bytes: [UInt8] = []
        for frame in frames { frame.encode(into: &bytes) }
        return connection.receivedBytes(bytes)
    }

    mutating func sendBytes(_ bytes: [UInt8]) -> [H2Action] { connection.receivedBytes(bytes) }

    /// HEADERS with the whole block.
    mutating func headers(_ stream: StreamID, _ fields: [HeaderField], endStream: Bool = true) -> [H2Action] {
        let block = block(fields)
        return send(.headers(stream: stream, fragment: block, endStream: endStream, endHeaders: true))
    }
}

/// The RST_STREAMs and GOAWAYs among the actions, for short expectations.
func errors(_ actions: [H2Action]) -> [String] {
    actions.compactMap {
        switch $0 {
        case .send(.rstStream(let s, let code)): "RST \(s) \(code)"
        case .send(.goaway(let last, let code, _)): "GOAWAY \(last) \(code)"
        default: nil
        }
    }
}

func isClose(_ action: H2Action?) -> Bool {
    if case .close? = action { return true }
    return false
}

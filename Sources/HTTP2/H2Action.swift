// What the HTTP/2 connection machine asks the IO layer to do. Every event returns a list of these,
// to be carried out in order.
import HPACK

public enum H2Action: Hashable, Sendable, CustomStringConvertible {
    /// Write this frame (encode it with `Frame.encode(into:)`).
    case send(Frame)
    /// A new request on `stream`: its header list, validated (§8.3.1). `endStream`: it has no body.
    case request(stream: StreamID, [HeaderField], endStream: Bool)
    /// Request body bytes on `stream` (padding removed). `endStream`: the last of them.
    case data(stream: StreamID, [UInt8], endStream: Bool)
    /// The request's trailer section; the request is complete.
    case trailers(stream: StreamID, [HeaderField])
    /// The stream is gone before it finished: drop its request and response. `byPeer`: the client
    /// sent RST_STREAM; otherwise this machine reset it (the RST_STREAM is among the actions).
    case streamReset(stream: StreamID, ErrorCode, byPeer: Bool)
    /// Both sides ended the stream: it is closed (§5.1).
    case streamClosed(stream: StreamID)
    /// The peer sent GOAWAY: it opens no stream above `lastStream`.
    case peerWentAway(lastStream: StreamID, ErrorCode)
    /// Close the connection once the frames before have been written. `error` is nil after a
    /// graceful shutdown, else the connection error (whose GOAWAY is the frame just before).
    case close(H2Error?)

    public var description: String {
        switch self {
        case .send(let frame): "send \(frame)"
        case .request(let s, let fields, let end): "request stream=\(s)\(end ? " END_STREAM" : "") [\(fields.map(\.description).joined(separator: ", "))]"
        case .data(let s, let bytes, let end): "data stream=\(s)\(end ? " END_STREAM" : "") (\(bytes.count) bytes)"
        case .trailers(let s, let fields): "trailers stream=\(s) [\(fields.map(\.description).joined(separator: ", "))]"
        case .streamReset(let s, let code, let byPeer): "stream \(s) reset \(code) by \(byPeer ? "peer" : "us")"
        case .streamClosed(let s): "stream \(s) closed"
        case .peerWentAway(let last, let code): "peer GOAWAY last=\(last) \(code)"
        case .close(let error): "close" + (error.map { ": \($0)" } ?? "")
        }
    }
}

/// The server's limits and windows, announced in its SETTINGS and enforced.
public struct H2Configuration: Sendable, Hashable {
    /// SETTINGS_MAX_CONCURRENT_STREAMS: streams beyond are refused (RST_STREAM REFUSED_STREAM).
    public var maxConcurrentStreams = 100
    /// SETTINGS_INITIAL_WINDOW_SIZE: each stream's receive window.
    public var initialWindowSize = 65_535
    /// The connection's receive window; above 65,535 a WINDOW_UPDATE on stream 0 follows SETTINGS.
    public var connectionWindowSize = 1 << 20
    /// SETTINGS_MAX_FRAME_SIZE: the largest frame payload accepted.
    public var maxFrameSize = 16_384
    /// On: received DATA is given back (WINDOW_UPDATE) as soon as it arrives. Off: only as the IO
    /// layer reports with `dataConsumed(stream:count:)`, so a slow reader paces the client.
    public var automaticWindowUpdates = true
    /// SETTINGS_MAX_HEADER_LIST_SIZE: the largest decoded header list (a larger one resets its stream).
    public var maxHeaderListSize = 64 * 1024
    /// The largest header block (HEADERS plus CONTINUATIONs, encoded), and the most CONTINUATION
    /// frames in one block: past either, GOAWAY ENHANCE_YOUR_CALM (the CONTINUATION flood,
    /// CVE-2024-27316 family).
    public var maxHeaderBlockSize = 128 * 1024
    public var maxContinuationFrames = 64
    /// Streams the client may reset (or make us reset) before `resetWindowElapsed()`: past this,
    /// GOAWAY ENHANCE_YOUR_CALM (rapid reset, CVE-2023-44487).
    public var maxResetsPerWindow = 200
    /// Frames that make us answer or cost work but move no request along (PING, SETTINGS, empty
    /// DATA without END_STREAM) the client may send before `resetWindowElapsed()`: past this,
    /// GOAWAY ENHANCE_YOUR_CALM (the 2019 floods: CVE-2019-9512 ping, -9515 settings, -9518 empty frames).
    public var maxControlFramesPerWindow = 1000

    public init() {}
}

// RFC 9113 §4, §6, §7: the frames of HTTP/2, their error codes and SETTINGS parameters, as values.
// Parsing is in FrameParser.swift, encoding in FrameEncoder.swift.

/// An HTTP/2 error code (§7). A struct, not an enum: a peer may send codes this module does not
/// know, and they must be carried, not refused (§7: "unknown or unsupported error codes MUST NOT
/// trigger any special behavior").
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let noError = ErrorCode(rawValue: 0x0)
    public static let protocolError = ErrorCode(rawValue: 0x1)
    public static let internalError = ErrorCode(rawValue: 0x2)
    public static let flowControlError = ErrorCode(rawValue: 0x3)
    public static let settingsTimeout = ErrorCode(rawValue: 0x4)
    public static let streamClosed = ErrorCode(rawValue: 0x5)
    public static let frameSizeError = ErrorCode(rawValue: 0x6)
    public static let refusedStream = ErrorCode(rawValue: 0x7)
    public static let cancel = ErrorCode(rawValue: 0x8)
    public static let compressionError = ErrorCode(rawValue: 0x9)
    public static let connectError = ErrorCode(rawValue: 0xa)
    public static let enhanceYourCalm = ErrorCode(rawValue: 0xb)
    public static let inadequateSecurity = ErrorCode(rawValue: 0xc)
    public static let http11Required = ErrorCode(rawValue: 0xd)

    private static let names = ["NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR",
                                "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM",
                                "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
                                "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"]

    /// The RFC's name (`PROTOCOL_ERROR`), or `0x…` for a code it does not define.
    public var description: String {
        rawValue < ErrorCode.names.count ? ErrorCode.names[Int(rawValue)] : "0x" + String(rawValue, radix: 16)
    }
}

/// The frame types of §6, by their type octet.
public enum FrameType: UInt8, Sendable {
    case data = 0x0, headers = 0x1, priority = 0x2, rstStream = 0x3, settings = 0x4, pushPromise = 0x5
    case ping = 0x6, goaway = 0x7, windowUpdate = 0x8, continuation = 0x9
}

/// The flag bits of §6 (each meaningful only for some types).
public enum FrameFlag {
    public static let endStream: UInt8 = 0x1
    public static let ack: UInt8 = 0x1
    public static let endHeaders: UInt8 = 0x4
    public static let padded: UInt8 = 0x8
    public static let priority: UInt8 = 0x20
}

/// A SETTINGS parameter identifier (§6.5.2). Unknown identifiers are carried and ignored.
public struct SettingID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let headerTableSize = SettingID(rawValue: 0x1)
    public static let enablePush = SettingID(rawValue: 0x2)
    public static let maxConcurrentStreams = SettingID(rawValue: 0x3)
    public static let initialWindowSize = SettingID(rawValue: 0x4)
    public static let maxFrameSize = SettingID(rawValue: 0x5)
    public static let maxHeaderListSize = SettingID(rawValue: 0x6)

    public var description: String {
        switch rawValue {
        case 0x1: "HEADER_TABLE_SIZE"
        case 0x2: "ENABLE_PUSH"
        case 0x3: "MAX_CONCURRENT_STREAMS"
        case 0x4: "INITIAL_WINDOW_SIZE"
        case 0x5: "MAX_FRAME_SIZE"
        case 0x6: "MAX_HEADER_LIST_SIZE"
        default: "0x" + String(rawValue, radix: 16)
        }
    }
}

/// One parameter of a SETTINGS frame.
public struct Setting: Hashable, Sendable, CustomStringConvertible {
    public var id: SettingID
    public var value: UInt32
    public init(_ id: SettingID, _ value: UInt32) {
        self.id = id
        self.value = value
    }
    public var description: String { "\(id)=\(value)" }
}

/// The priority fields of HEADERS (with the PRIORITY flag) and of PRIORITY frames (§5.3.2, §6.3).
/// Parsed and ignored: RFC 9113 deprecates the priority scheme of RFC 7540.
public struct PriorityFields: Hashable, Sendable {
    public var isExclusive: Bool
    public var dependency: UInt32
    /// The weight octet as sent (the weight is this plus one).
    public var weight: UInt8
    public init(isExclusive: Bool = false, dependency: UInt32 = 0, weight: UInt8 = 15) {
        self.isExclusive = isExclusive
        self.dependency = dependency
        self.weight = weight
    }
}

/// A stream identifier: 31 bits, the reserved bit cleared.
public typealias StreamID = UInt32

/// The largest stream identifier and flow-control window, 2^31 - 1.
public let maxStreamID: StreamID = 0x7fff_ffff
public let maxWindowSize = 0x7fff_ffff

/// One HTTP/2 frame. `padLength` is the number of padding octets (nil: the PADDED flag is not set);
/// it counts for flow control (§6.1) but its bytes are dropped.
public enum Frame: Hashable, Sendable, CustomStringConvertible {
    case data(stream: StreamID, payload: [UInt8], endStream: Bool, padLength: Int? = nil)
    case headers(stream: StreamID, fragment: [UInt8], endStream: Bool, endHeaders: Bool,
                 priority: PriorityFields? = nil, padLength: Int? = nil)
    case priority(stream: StreamID, PriorityFields)
    case rstStream(stream: StreamID, ErrorCode)
    case settings(ack: Bool, [Setting])
    case pushPromise(stream: StreamID, promised: StreamID, fragment: [UInt8], endHeaders: Bool, padLength: Int? = nil)
    case ping(ack: Bool, opaque: UInt64)
    case goaway(lastStream: StreamID, ErrorCode, debug: [UInt8])
    case windowUpdate(stream: StreamID, increment: UInt32)
    case continuation(stream: StreamID, fragment: [UInt8], endHeaders: Bool)
    /// A type this module does not know (§4.1, §5.5: ignored), kept so tests can see it was read.
    case unknown(type: UInt8, flags: UInt8, stream: StreamID, payload: [UInt8])

    /// The stream the frame is on (0: the connection).
    public var streamID: StreamID {
        switch self {
        case .data(let s, _, _, _), .headers(let s, _, _, _, _, _), .priority(let s, _), .rstStream(let s, _),
             .pushPromise(let s, _, _, _, _), .windowUpdate(let s, _), .continuation(let s, _, _),
             .unknown(_, _, let s, _):
            return s
        case .settings, .ping, .goaway:
            return 0
        }
    }

    /// Reads like `HEADERS stream=1 END_STREAM END_HEADERS (12 bytes)`.
    public var description: String {
        func flags(_ pairs: [(Bool, String)]) -> String { pairs.filter(\.0).map { " " + $0.1 }.joined() }
        switch self {
        case .data(let s, let p, let e, let pad):
            return "DATA stream=\(s)\(flags([(e, "END_STREAM"), (pad != nil, "PADDED")])) (\(p.count) bytes)"
        case .headers(let s, let f, let e, let h, let pr, let pad):
            return "HEADERS stream=\(s)\(flags([(e, "END_STREAM"), (h, "END_HEADERS"), (pr != nil, "PRIORITY"), (pad != nil, "PADDED")])) (\(f.count) bytes)"
        case .priority(let s, _): return "PRIORITY stream=\(s)"
        case .rstStream(let s, let c): return "RST_STREAM stream=\(s) \(c)"
        case .settings(let ack, let list):
            return ack ? "SETTINGS ACK" : "SETTINGS" + list.map { " \($0)" }.joined()
        case .pushPromise(let s, let p, let f, let h, _):
            return "PUSH_PROMISE stream=\(s) promised=\(p)\(flags([(h, "END_HEADERS")])) (\(f.count) bytes)"
        case .ping(let ack, let o): return "PING\(ack ? " ACK" : "") \(o)"
        case .goaway(let last, let c, let d): return "GOAWAY last=\(last) \(c)\(d.isEmpty ? "" : " \"\(String(decoding: d, as: UTF8.self))\"")"
        case .windowUpdate(let s, let i): return "WINDOW_UPDATE stream=\(s) +\(i)"
        case .continuation(let s, let f, let h): return "CONTINUATION stream=\(s)\(flags([(h, "END_HEADERS")])) (\(f.count) bytes)"
        case .unknown(let t, _, let s, let p): return "UNKNOWN type=0x\(String(t, radix: 16)) stream=\(s) (\(p.count) bytes)"
        }
    }
}

/// A refused frame (§5.4): a connection error (`stream` nil: GOAWAY and close) or a stream error
/// (RST_STREAM on `stream`, and the connection goes on), with a sentence naming the place.
public struct H2Error: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    /// The stream a stream error is on; nil for a connection error.
    public var stream: StreamID?
    public var detail: String

    public init(_ code: ErrorCode, stream: StreamID? = nil, _ detail: String) {
        self.code = code
        self.stream = stream
        self.detail = detail
    }

    public static func connection(_ code: ErrorCode, _ detail: String) -> H2Error { H2Error(code, detail) }
    public static func stream(_ id: StreamID, _ code: ErrorCode, _ detail: String) -> H2Error { H2Error(code, stream: id, detail) }

    public var isConnectionError: Bool { stream == nil }

    /// Reads like `stream error on 3: PROTOCOL_ERROR: uppercase header name "Host"`.
    public var description: String {
        (stream.map { "stream error on \($0)" } ?? "connection error") + ": \(code): \(detail)"
    }
}

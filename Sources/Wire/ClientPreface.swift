/// The protocol a new server connection speaks, as its first bytes tell.
enum ConnectionProtocol: Equatable, Sendable {
    case http1
    /// HTTP/2 over cleartext with prior knowledge (RFC 9113 §3.3): the client starts with the preface.
    case http2
}

/// ClientPrefaceDetector: tells, from a connection's first bytes, whether the client speaks HTTP/2.
///
/// RFC 9113 §3.4: an HTTP/2 client's first bytes are the 24-byte preface
/// `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`, chosen so that an HTTP/1.1 server refuses it (`PRI` is no
/// method an HTTP/1.1 server serves). Anything that differs from it at some byte is HTTP/1.1, WireLab's
/// default. The preface may arrive split across reads at any byte, so the detector remembers how
/// much of it has matched; the bytes that matched are not kept, since they are the preface's own.
///
/// It decides once, then stays decided. It holds one byte, so an idle connection pays one byte for it.
struct ClientPrefaceDetector: Equatable {
    /// RFC 9113 §3.4.
    static let preface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    enum Outcome: Equatable {
        /// Everything so far is the start of the preface: read on.
        case needMoreBytes
        /// HTTP/1.1. The first `heldBack` bytes of the preface arrived in earlier reads and were
        /// held back: they come before this read's bytes (`ClientPrefaceDetector.preface[..<heldBack]`).
        case http1(heldBack: Int)
        /// The whole preface arrived: HTTP/2. `heldBack` as for `http1`; the bytes of this read
        /// after the preface's end are the client's first frames.
        case http2(heldBack: Int)
    }

    /// How many bytes of the preface have matched, or `decided` once the protocol is known.
    private var progress: UInt8 = 0
    private static let decided = UInt8.max

    init() {}

    /// Whether the protocol is still to be told (no byte, or only preface bytes, so far).
    var isDeciding: Bool { progress != Self.decided }

    /// Looks at the next bytes read. Once decided it answers `http1(heldBack: 0)` for anything: the
    /// caller stops asking.
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        guard isDeciding else { return .http1(heldBack: 0) }
        let heldBack = Int(progress)
        var matched = heldBack
        for byte in bytes {
            if byte != Self.preface[matched] {
                progress = Self.decided
                return .http1(heldBack: heldBack)
            }
            matched += 1
            if matched == Self.preface.count {
                progress = Self.decided
                return .http2(heldBack: heldBack)
            }
        }
        progress = UInt8(matched)
        return .needMoreBytes
    }

    /// The same for bytes in an array (tests, and callers without a raw buffer).
    mutating func feed(_ bytes: [UInt8]) -> Outcome {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// The protocol of a connection whose reads so far were `reads`, or nil when they are all the
    /// start of the preface (more bytes are needed). Pure: for tests and for telling it at once.
    static func classify(_ reads: [[UInt8]]) -> ConnectionProtocol? {
        var detector = ClientPrefaceDetector()
        for read in reads {
            switch detector.feed(read) {
            case .needMoreBytes: continue
            case .http1: return .http1
            case .http2: return .http2
            }
        }
        return nil
    }
}

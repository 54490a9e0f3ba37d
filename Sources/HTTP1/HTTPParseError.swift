// What the parsers refuse, and where. Every refusal has a name (HTTPParseErrorKind), a byte offset in
// the stream, a sentence naming the place, and the status a server should answer with.

/// ParserLimits bounds what one message may make a parser hold. A peer that goes past a limit gets an
/// error (431 or 413) instead of our memory.
public struct ParserLimits: Sendable {
    /// The request line or status line plus every header line, terminators included.
    /// Trailer sections of chunked bodies are bounded by the same number.
    public var maxHeaderBytes: Int
    /// The decoded body: Content-Length, the sum of the chunk sizes, or bytes until close.
    public var maxBodyBytes: Int

    public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 8 * 1024 * 1024) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }
}

/// HTTPParseErrorKind names why a message was refused.
public enum HTTPParseErrorKind: Sendable, Equatable, CustomStringConvertible {
    case badRequestLine
    /// The method is a token, but not one WireLab knows (RFC 9110 §9.1): 501.
    case unknownMethod
    /// The request line alone is longer than the header section may be: 414.
    case requestLineTooLong
    case badStatusLine
    case badVersion
    case unsupportedVersion
    case badHeader
    /// A line ended with LF alone where CR LF is required (RFC 9112 §2.2).
    case bareLineFeed
    case headersTooLarge
    case badContentLength
    case conflictingContentLength
    case contentLengthWithTransferEncoding
    /// Transfer-Encoding that does not end in a single chunked (or is empty): the length of the body
    /// cannot be known, so RFC 9112 §6.3 rule 4 says 400 and close.
    case badTransferEncoding
    /// Transfer-Encoding ending in chunked, with another coding before it that WireLab does not
    /// decode (RFC 9112 §6.1): 501.
    case unsupportedTransferEncoding
    case badChunk
    case missingHost
    /// The Host value is not `host [ ":" port ]` (RFC 9112 §3.2, RFC 9110 §7.2).
    case badHost
    case bodyTooLarge
    case unexpectedEOF

    /// The status a server answers a request refused for this reason with.
    public var status: Int {
        switch self {
        case .headersTooLarge: return 431  // RFC 6585 §5
        case .unsupportedVersion: return 505  // RFC 9110 §15.6.6
        case .bodyTooLarge: return 413  // RFC 9110 §15.5.14
        case .unsupportedTransferEncoding: return 501  // RFC 9112 §6.1
        case .unknownMethod: return 501  // RFC 9110 §9.1
        case .requestLineTooLong: return 414  // RFC 9112 §3
        case .badRequestLine, .badStatusLine, .badVersion, .badHeader, .bareLineFeed, .badContentLength,
             .conflictingContentLength, .contentLengthWithTransferEncoding, .badTransferEncoding, .badChunk, .missingHost,
             .badHost, .unexpectedEOF:
            return 400
        }
    }

    /// A few words for messages: "bad header", "headers too large".
    public var description: String {
        switch self {
        case .badRequestLine: return "bad request line"
        case .unknownMethod: return "unknown method"
        case .requestLineTooLong: return "request line too long"
        case .badStatusLine: return "bad status line"
        case .badVersion: return "bad version"
        case .unsupportedVersion: return "unsupported version"
        case .badHeader: return "bad header"
        case .bareLineFeed: return "bare LF"
        case .headersTooLarge: return "headers too large"
        case .badContentLength: return "bad Content-Length"
        case .conflictingContentLength: return "conflicting Content-Length"
        case .contentLengthWithTransferEncoding: return "Content-Length with Transfer-Encoding"
        case .badTransferEncoding: return "bad Transfer-Encoding"
        case .unsupportedTransferEncoding: return "unsupported Transfer-Encoding"
        case .badChunk: return "bad chunk"
        case .missingHost: return "missing Host"
        case .badHost: return "bad Host"
        case .bodyTooLarge: return "body too large"
        case .unexpectedEOF: return "unexpected end of input"
        }
    }
}

/// HTTPParseError is a refused message: what was wrong, at which byte, and what to answer.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var kind: HTTPParseErrorKind
    /// The 0-based offset, in everything fed to this parser (counted across messages), of the byte
    /// where the problem was found.
    public var offset: Int
    /// A sentence naming the place, e.g. `header "Content-Length": "12a" is not a number`.
    public var detail: String
    /// The response status a server should send: 400 mostly; 431, 414, 505, 413 or 501 for some kinds.
    public var status: Int

    public init(kind: HTTPParseErrorKind, offset: Int, detail: String) {
        self.kind = kind
        self.offset = offset
        self.detail = detail
        self.status = kind.status
    }

    /// Reads like `bad header at byte 37: header "Content-Length": "12a" is not a number`.
    public var description: String { "\(kind) at byte \(offset): \(detail)" }
}

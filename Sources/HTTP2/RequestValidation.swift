// RFC 9113 §8.1.1, §8.2, §8.3.1: what makes a request's header list malformed. Each failure is a
// stream error PROTOCOL_ERROR (the stream is reset; the connection goes on).
import HPACK

/// The parts of a valid request header list the connection machine needs.
struct RequestHead: Sendable {
    /// The `content-length` value, when the request has one.
    var contentLength: Int?
}

enum RequestValidation {
    /// A few names, compared after a length check: a `Set<[UInt8]>` hashed every field's name,
    /// ~600 instructions a response of four fields (callgrind, the h2 agent against nginx).
    private static let connectionSpecific: [[UInt8]] = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"].map { Array($0.utf8) }

    static func isConnectionSpecific(_ name: [UInt8]) -> Bool {
        switch name.count {
        case 7, 10, 16, 17: return connectionSpecific.contains(name)
        default: return false
        }
    }
    private static let requestPseudo: Set<[UInt8]> = Set([":method", ":scheme", ":path", ":authority", ":protocol"].map { Array($0.utf8) })
    private static let te = Array("te".utf8)
    private static let trailers = Array("trailers".utf8)
    private static let contentLength = Array("content-length".utf8)
    private static let method = Array(":method".utf8)
    private static let path = Array(":path".utf8)
    private static let scheme = Array(":scheme".utf8)
    private static let connect = Array("CONNECT".utf8)

    /// Checks a request's header list (§8.3.1 pseudo-headers, §8.2.1 field names, §8.2.2
    /// connection-specific fields). The error detail names the field.
    static func validateRequest(_ fields: [HeaderField], stream: StreamID) throws(H2Error) -> RequestHead {
        var seenPseudo: Set<[UInt8]> = []
        var isPastPseudo = false
        var head = RequestHead()
        var methodValue: [UInt8]?
        for field in fields {
            try validateName(field, stream: stream)
            if field.name.first == UInt8(ascii: ":") {
                if isPastPseudo { throw .stream(stream, .protocolError, "pseudo-header \(field.nameString) after a regular field") }
                guard requestPseudo.contains(field.name) else {
                    throw .stream(stream, .protocolError, "pseudo-header \(field.nameString) is not a request pseudo-header")
                }
                guard seenPseudo.insert(field.name).inserted else {
                    throw .stream(stream, .protocolError, "pseudo-header \(field.nameString) twice")
                }
                if field.name == method { methodValue = field.value }
                if field.name == path && field.value.isEmpty { throw .stream(stream, .protocolError, "empty :path") }
                continue
            }
            isPastPseudo = true
            try validateRegular(field, stream: stream, head: &head)
        }
        if methodValue == connect {
            // §8.5: CONNECT has :method and :authority only (no extended CONNECT here).
            if seenPseudo.contains(scheme) || seenPseudo.contains(path) {
                throw .stream(stream, .protocolError, "CONNECT with :scheme or :path")
            }
            return head
        }
        for required in [method, scheme, path] where !seenPseudo.contains(required) {
            throw .stream(stream, .protocolError, "request without \(String(decoding: required, as: UTF8.self))")
        }
        return head
    }

    /// Checks a trailer section (§8.1): no pseudo-headers, the same field rules.
    static func validateTrailers(_ fields: [HeaderField], stream: StreamID) throws(H2Error) {
        var head = RequestHead()
        for field in fields {
            try validateName(field, stream: stream)
            if field.name.first == UInt8(ascii: ":") {
                throw .stream(stream, .protocolError, "pseudo-header \(field.nameString) in trailers")
            }
            try validateRegular(field, stream: stream, head: &head)
        }
    }

    /// §8.2.1: a name is not empty, has no uppercase letter, and no octet outside visible ASCII
    /// (the colon only as the first octet, of a pseudo-header).
    static func validateName(_ field: HeaderField, stream: StreamID) throws(H2Error) {
        guard !field.name.isEmpty else { throw .stream(stream, .protocolError, "empty header name") }
        for (i, byte) in field.name.enumerated() {
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
                throw .stream(stream, .protocolError, "uppercase header name \"\(field.nameString)\"")
            }
            if byte <= 0x20 || byte >= 0x7f || (byte == UInt8(ascii: ":") && i > 0) {
                throw .stream(stream, .protocolError, "header name \"\(field.nameString)\" has octet 0x\(String(byte, radix: 16)) at \(i)")
            }
        }
        for (i, byte) in field.value.enumerated() where byte == 0 || byte == 0x0a || byte == 0x0d {
            throw .stream(stream, .protocolError, "value of \(field.nameString) has octet 0x\(String(byte, radix: 16)) at \(i)")
        }
        if let first = field.value.first, let last = field.value.last,
           first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09 {
            throw .stream(stream, .protocolError, "value of \(field.nameString) starts or ends with whitespace")
        }
    }

    static func validateRegular(_ field: HeaderField, stream: StreamID, head: inout RequestHead) throws(H2Error) {
        if isConnectionSpecific(field.name) {
            throw .stream(stream, .protocolError, "connection-specific field \(field.nameString)")
        }
        if field.name == te && field.value != trailers {
            throw .stream(stream, .protocolError, "te: \(field.valueString), only \"trailers\" is allowed")
        }
        if field.name == contentLength {
            guard !field.value.isEmpty, field.value.count <= 18,
                  field.value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let value = Int(field.valueString) else {
                throw .stream(stream, .protocolError, "content-length: \(field.valueString) is not a number")
            }
            if let earlier = head.contentLength, earlier != value {
                throw .stream(stream, .protocolError, "content-length \(earlier) and \(value)")
            }
            head.contentLength = value
        }
    }
}

// RFC 9113 §8.1.1, §8.2, §8.3.1: what makes a request's header list malformed. Each failure is a
// stream error PROTOCOL_ERROR (the stream is reset; the connection goes on).
import HPACK

/// The parts of a valid request header list the connection machine needs.
struct RequestHead: Sendable {
    /// The `content-length` value, when the request has one.
    var contentLength: Int?
}

enum RequestValidation {
    private static let te = Array("te".utf8)
    private static let trailers = Array("trailers".utf8)
    private static let contentLength = Array("content-length".utf8)
    private static let connect = Array("CONNECT".utf8)

    // The request pseudo-headers as bits of one mask (a Set of byte arrays hashed each name a byte
    // at a time: a quarter of an h2 request under callgrind).
    private static let methodBit: UInt8 = 1, schemeBit: UInt8 = 2, pathBit: UInt8 = 4, authorityBit: UInt8 = 8, protocolBit: UInt8 = 16

    /// The bit of a request pseudo-header's name (with its colon), or 0 if it is none.
    private static func pseudoBit(_ name: [UInt8]) -> UInt8 {
        name.withUnsafeBufferPointer { n -> UInt8 in
            func matches(_ text: StaticString) -> Bool {
                text.utf8CodeUnitCount == n.count && UnsafeBufferPointer(start: text.utf8Start, count: n.count).elementsEqual(n)
            }
            switch n.count {
            case 5: return matches(":path") ? pathBit : 0
            case 7: return matches(":method") ? methodBit : matches(":scheme") ? schemeBit : 0
            case 9: return matches(":protocol") ? protocolBit : 0
            case 10: return matches(":authority") ? authorityBit : 0
            default: return 0
            }
        }
    }

    /// Whether a name is one of the connection-specific fields (§8.2.2).
    static func isConnectionSpecific(_ name: [UInt8]) -> Bool {
        name.withUnsafeBufferPointer { n -> Bool in
            func matches(_ text: StaticString) -> Bool {
                text.utf8CodeUnitCount == n.count && UnsafeBufferPointer(start: text.utf8Start, count: n.count).elementsEqual(n)
            }
            switch n.count {
            case 7: return matches("upgrade")
            case 10: return matches("connection") || matches("keep-alive")
            case 16: return matches("proxy-connection")
            case 17: return matches("transfer-encoding")
            default: return false
            }
        }
    }

    /// Checks a request's header list (§8.3.1 pseudo-headers, §8.2.1 field names, §8.2.2
    /// connection-specific fields). The error detail names the field.
    static func validateRequest(_ fields: [HeaderField], stream: StreamID) throws(H2Error) -> RequestHead {
        var seenPseudo: UInt8 = 0
        var isPastPseudo = false
        var head = RequestHead()
        var methodValue: [UInt8]?
        for field in fields {
            try validateName(field, stream: stream)
            if field.name.first == UInt8(ascii: ":") {
                if isPastPseudo { throw .stream(stream, .protocolError, "pseudo-header \(field.nameString) after a regular field") }
                let bit = pseudoBit(field.name)
                guard bit != 0 else {
                    throw .stream(stream, .protocolError, "pseudo-header \(field.nameString) is not a request pseudo-header")
                }
                guard seenPseudo & bit == 0 else {
                    throw .stream(stream, .protocolError, "pseudo-header \(field.nameString) twice")
                }
                seenPseudo |= bit
                if bit == methodBit { methodValue = field.value }
                if bit == pathBit && field.value.isEmpty { throw .stream(stream, .protocolError, "empty :path") }
                continue
            }
            isPastPseudo = true
            try validateRegular(field, stream: stream, head: &head)
        }
        if methodValue == connect {
            // §8.5: CONNECT has :method and :authority only (no extended CONNECT here).
            if seenPseudo & (schemeBit | pathBit) != 0 {
                throw .stream(stream, .protocolError, "CONNECT with :scheme or :path")
            }
            return head
        }
        let required = methodBit | schemeBit | pathBit
        if seenPseudo & required != required {
            let missing = seenPseudo & methodBit == 0 ? ":method" : seenPseudo & schemeBit == 0 ? ":scheme" : ":path"
            throw .stream(stream, .protocolError, "request without \(missing)")
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
        // One pass to find the first octet that is not allowed; the error is built only then.
        let badName = field.name.withUnsafeBufferPointer { n -> Int? in
            for i in 0..<n.count {
                let byte = n[i]
                if (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte <= 0x20 || byte >= 0x7f
                    || (byte == UInt8(ascii: ":") && i > 0) { return i }
            }
            return nil
        }
        if let i = badName {
            let byte = field.name[i]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
                throw .stream(stream, .protocolError, "uppercase header name \"\(field.nameString)\"")
            }
            throw .stream(stream, .protocolError, "header name \"\(field.nameString)\" has octet 0x\(String(byte, radix: 16)) at \(i)")
        }
        let badValue = field.value.withUnsafeBufferPointer { v -> Int? in
            for i in 0..<v.count where v[i] == 0 || v[i] == 0x0a || v[i] == 0x0d { return i }
            return nil
        }
        if let i = badValue {
            throw .stream(stream, .protocolError, "value of \(field.nameString) has octet 0x\(String(field.value[i], radix: 16)) at \(i)")
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

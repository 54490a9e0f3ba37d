// RFC 9113 §8.1.1, §8.3.2: what makes a response's header list malformed (client role). The
// field-name and connection-specific rules are the request's (RequestValidation.swift); only the
// pseudo-headers differ: exactly one `:status`, three digits, and no request pseudo-header.
import HPACK

/// The parts of a valid response header list the connection machine needs.
struct ResponseHead: Sendable {
    var status: Int
    var contentLength: Int?
}

extension RequestValidation {
    private static let status = Array(":status".utf8)

    static func validateResponse(_ fields: [HeaderField], stream: StreamID) throws(H2Error) -> ResponseHead {
        var statusValue: Int?
        var isPastPseudo = false
        var regular = RequestHead()
        for field in fields {
            try validateName(field, stream: stream)
            if field.name.first == UInt8(ascii: ":") {
                if isPastPseudo { throw .stream(stream, .protocolError, "pseudo-header \(field.nameString) after a regular field") }
                guard field.name == status else {
                    throw .stream(stream, .protocolError, "pseudo-header \(field.nameString) in a response (only :status)")
                }
                guard statusValue == nil else { throw .stream(stream, .protocolError, ":status twice") }
                guard field.value.count == 3, field.value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                      let value = Int(field.valueString), value >= 100 else {
                    throw .stream(stream, .protocolError, ":status \"\(field.valueString)\" is not a three-digit status code")
                }
                // §8.6: 101 (Switching Protocols) has no place in HTTP/2.
                if value == 101 { throw .stream(stream, .protocolError, ":status 101 in HTTP/2") }
                statusValue = value
                continue
            }
            isPastPseudo = true
            try validateRegular(field, stream: stream, head: &regular)
        }
        guard let statusValue else { throw .stream(stream, .protocolError, "response without :status") }
        return ResponseHead(status: statusValue, contentLength: regular.contentLength)
    }
}

// Writing messages (RFC 9112). The encoder always frames what it writes, because a message whose end
// the peer can find is what lets the connection carry the next one.

/// HTTPEncoder appends HTTP/1.1 messages to a byte buffer. It does not validate names or values:
/// heads come from the parsers or from literals in WireLab's own code.
public enum HTTPEncoder {
    /// Writes `HTTP/1.1 200 OK`, the header lines in order, and the empty line (RFC 9112 §4).
    /// The headers are written as given: framing them is the caller's job (or use `writeResponse`).
    /// `extraFields` are complete field lines, already encoded (`Name: value\r\n` each), written after
    /// the head's own: the server's connection-management fields, built once and reused.
    public static func writeResponseHead(_ head: HTTPResponseHead, extraFields: [UInt8] = [], into buffer: inout [UInt8]) {
        writeStatusLine(head, into: &buffer)
        buffer.append(ASCII.cr)
        buffer.append(ASCII.lf)
        for index in 0..<head.headers.count {
            head.headers.withFieldBytes(at: index) { writeField($0, $1, into: &buffer) }
        }
        buffer.append(contentsOf: extraFields)
        buffer.append(ASCII.cr)
        buffer.append(ASCII.lf)
    }

    /// One field line: `name: value` CRLF, copied from the header list's bytes.
    @inline(__always)
    static func writeField(_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: name)
        buffer.append(ASCII.colon)
        buffer.append(ASCII.space)
        buffer.append(contentsOf: value)
        buffer.append(ASCII.cr)
        buffer.append(ASCII.lf)
    }

    /// `HTTP/1.1 200 OK` without the CRLF. It builds no strings: this runs for every response.
    private static func writeStatusLine(_ head: HTTPResponseHead, into buffer: inout [UInt8]) {
        // Nearly every response is this one: copy it whole instead of formatting it.
        if head.status == 200 && head.version == .http1_1 && head.reason == "OK" {
            buffer.append(contentsOf: ok200)
            return
        }
        writeVersion(head.version, into: &buffer)
        buffer.append(ASCII.space)
        writeDecimal(head.status, into: &buffer)
        // status-line = HTTP-version SP status-code SP [ reason-phrase ]: the second SP stays when the
        // reason is empty.
        buffer.append(ASCII.space)
        buffer.appendUTF8(head.reason)
    }

    private static func writeVersion(_ version: HTTPVersion, into buffer: inout [UInt8]) {
        if version.major == 1 && (version.minor == 1 || version.minor == 0) {
            buffer.append(contentsOf: version.minor == 1 ? http11 : http10)
        } else {
            buffer.append(contentsOf: version.description.utf8)
        }
    }

    private static let http11: [UInt8] = Array("HTTP/1.1".utf8)
    private static let ok200: [UInt8] = Array("HTTP/1.1 200 OK".utf8)
    private static let http10: [UInt8] = Array("HTTP/1.0".utf8)
    private static let contentLengthPrefix: [UInt8] = Array("Content-Length: ".utf8)

    /// Appends a non-negative integer's decimal digits (no String in between).
    static func writeDecimal(_ value: Int, into buffer: inout [UInt8]) {
        precondition(value >= 0, "writeDecimal writes lengths and status codes, never negatives")
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        repeat {
            buffer.append(ASCII.zero + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        } while divisor > 0
    }

    /// Writes `GET /path HTTP/1.1`, the header lines in order, and the empty line (RFC 9112 §3).
    public static func writeRequestHead(_ head: HTTPRequestHead, into buffer: inout [UInt8]) {
        buffer.appendUTF8(head.method)
        buffer.append(ASCII.space)
        buffer.appendUTF8(head.target)
        buffer.append(ASCII.space)
        writeVersion(head.version, into: &buffer)
        writeFields(head.headers, into: &buffer)
    }

    private static func writeFields(_ headers: HTTPHeaders, into buffer: inout [UInt8]) {
        buffer.append(ASCII.cr)
        buffer.append(ASCII.lf)
        for index in 0..<headers.count {
            headers.withFieldBytes(at: index) { writeField($0, $1, into: &buffer) }
        }
        buffer.append(ASCII.cr)
        buffer.append(ASCII.lf)
    }

    /// Writes one chunk: its size in hex, CRLF, the data, CRLF (RFC 9112 §7.1). Writes nothing for
    /// empty input, since a zero-size chunk would end the body.
    public static func writeChunk(_ bytes: some Collection<UInt8>, into buffer: inout [UInt8]) {
        let count = bytes.count
        guard count > 0 else { return }
        buffer.append(contentsOf: String(count, radix: 16).utf8)
        buffer.append(ASCII.cr)
        buffer.append(ASCII.lf)
        buffer.append(contentsOf: bytes)
        buffer.append(ASCII.cr)
        buffer.append(ASCII.lf)
    }

    /// Writes the last chunk and an empty trailer section: `0\r\n\r\n`.
    public static func writeLastChunk(into buffer: inout [UInt8]) {
        buffer.append(contentsOf: [ASCII.zero, ASCII.cr, ASCII.lf, ASCII.cr, ASCII.lf])
    }

    /// Writes a complete response framed by Content-Length, which replaces any Content-Length or
    /// Transfer-Encoding in `head`. When the status forbids a body (1xx, 204, 304) it writes no body
    /// and no framing fields (RFC 9110 §8.6). For a HEAD request it writes no body; the headers are
    /// those a GET would get (RFC 9110 §9.3.2), so a Content-Length is added from `body` unless the
    /// head already has one or is chunked. `extraFields` are pre-encoded field lines written after
    /// the head's (see `writeResponseHead`).
    ///
    /// One pass, straight into `buffer`: the header list is never copied or edited. (Editing a copy
    /// of the route's fields cost an allocation per response.) The body is a concrete `[UInt8]`: as
    /// `some Collection<UInt8>`, calls from another module ran the unspecialised generic code, with
    /// metadata lookups per call (callgrind: 11% of a request).
    public static func writeResponse(
        _ head: HTTPResponseHead, extraFields: [UInt8] = [], body: [UInt8], requestMethod: String,
        into buffer: inout [UInt8]
    ) {
        let statusForbidsBody = (100..<200).contains(head.status) || head.status == 204 || head.status == 304
        let isHead = requestMethod == "HEAD"
        writeStatusLine(head, into: &buffer)
        buffer.append(ASCII.cr)
        buffer.append(ASCII.lf)
        var framedByHead = false
        for index in 0..<head.headers.count {
            head.headers.withFieldBytes(at: index) { name, value in
                if isFramingName(name) {
                    // A HEAD response may keep the framing a GET would have had; otherwise we frame.
                    guard isHead && !statusForbidsBody else { return }
                    framedByHead = true
                }
                writeField(name, value, into: &buffer)
            }
        }
        buffer.append(contentsOf: extraFields)
        if !statusForbidsBody && !framedByHead {
            buffer.append(contentsOf: contentLengthPrefix)
            writeDecimal(body.count, into: &buffer)
            buffer.append(ASCII.cr)
            buffer.append(ASCII.lf)
        }
        buffer.append(ASCII.cr)
        buffer.append(ASCII.lf)
        if !statusForbidsBody && !isHead { buffer.append(contentsOf: body) }
    }

    /// Content-Length or Transfer-Encoding, by length first: most names are neither length.
    @inline(__always)
    static func isFramingName(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        switch FieldRole.of(name) {
        case .contentLength, .transferEncoding: return true
        case .host, .connection, .keepAlive, .upgrade, .other: return false
        }
    }

    /// Writes a complete request. It sets Content-Length when the body is non-empty or the method is
    /// POST, PUT or PATCH (whose servers expect a length, RFC 9110 §8.6); otherwise it writes no
    /// Content-Length, so the request claims no body it lacks. Transfer-Encoding in `head` is never
    /// written. One pass, like `writeResponse`: editing a copy of the header list first cost the
    /// agent a copy of the list per request (callgrind: ~5% of a sequential request).
    /// `extraFields` are pre-encoded field lines written after the head's own (the agent's `Host` and
    /// `Connection`, so it does not copy the caller's header list to add them).
    public static func writeRequest(_ head: HTTPRequestHead, extraFields: [UInt8] = [], body: [UInt8], into buffer: inout [UInt8]) {
        buffer.appendUTF8(head.method)
        buffer.append(ASCII.space)
        buffer.appendUTF8(head.target)
        buffer.append(ASCII.space)
        writeVersion(head.version, into: &buffer)
        buffer.append(ASCII.cr)
        buffer.append(ASCII.lf)
        let count = body.count
        let sendsLength = count > 0 || head.method == "POST" || head.method == "PUT" || head.method == "PATCH"
        // The first Content-Length field's position is where ours goes (replaceOrAdd's rule).
        var wroteLength = false
        for index in 0..<head.headers.count {
            head.headers.withFieldBytes(at: index) { name, value in
                switch FieldRole.of(name) {
                case .contentLength:
                    if sendsLength && !wroteLength {
                        buffer.append(contentsOf: name)
                        buffer.append(contentsOf: [ASCII.colon, ASCII.space])
                        writeDecimal(count, into: &buffer)
                        buffer.append(contentsOf: [ASCII.cr, ASCII.lf])
                        wroteLength = true
                    }
                case .transferEncoding:
                    break
                case .host, .connection, .keepAlive, .upgrade, .other:
                    writeField(name, value, into: &buffer)
                }
            }
        }
        buffer.append(contentsOf: extraFields)
        if sendsLength && !wroteLength {
            buffer.append(contentsOf: contentLengthPrefix)
            writeDecimal(count, into: &buffer)
            buffer.append(ASCII.cr)
            buffer.append(ASCII.lf)
        }
        buffer.append(ASCII.cr)
        buffer.append(ASCII.lf)
        buffer.append(contentsOf: body)
    }
}

/// How a response is framed so the client can find its end (RFC 9112 §6.3).
public enum ResponseFraming: Sendable, Equatable {
    case contentLength(Int)
    case chunked
    /// The end of the body is the end of the connection: it cannot be reused.
    case closeDelimited
}

/// responseFraming chooses how to frame a response body so the connection can be reused, or says
/// why it cannot. A known length is sent as Content-Length. An unknown length is chunked for an
/// HTTP/1.1 client; an HTTP/1.0 client does not understand chunked (RFC 9112 §6.1), so the body ends
/// by closing the connection. It does not look at status codes or methods without a body.
public func responseFraming(bodyLength: Int?, requestVersion: HTTPVersion) -> ResponseFraming {
    if let bodyLength { return .contentLength(bodyLength) }
    if requestVersion.major > 1 || (requestVersion.major == 1 && requestVersion.minor >= 1) { return .chunked }
    return .closeDelimited
}

extension Array where Element == UInt8 {
    /// Appends a string's UTF-8 bytes. `append(contentsOf: s.utf8)` takes a generic path that, for a
    /// small string (≤ 15 bytes, most header names and values), first copied the bytes into a new
    /// array: an allocation per field. This appends from the contiguous bytes directly.
    @inlinable
    public mutating func appendUTF8(_ string: String) {
        string.withUTF8Bytes { append(contentsOf: $0) }
    }
}

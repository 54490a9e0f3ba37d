// Writing messages (RFC 9112). The encoder always frames what it writes, because a message whose end
// the peer can find is what lets the connection carry the next one.

/// HTTPEncoder appends HTTP/1.1 messages to a byte buffer. It does not validate names or values:
/// heads come from the parsers or from literals in WireLab's own code.
public enum HTTPEncoder {
    /// Writes `HTTP/1.1 200 OK`, the header lines in order, and the empty line (RFC 9112 §4).
    /// The headers are written as given: framing them is the caller's job (or use `writeResponse`).
    public static func writeResponseHead(_ head: HTTPResponseHead, into buffer: inout [UInt8]) {
        writeStatusLine(head, into: &buffer)
        writeFields(head.headers, into: &buffer)
    }

    /// `HTTP/1.1 200 OK` without the CRLF. It builds no strings: this runs for every response.
    private static func writeStatusLine(_ head: HTTPResponseHead, into buffer: inout [UInt8]) {
        writeVersion(head.version, into: &buffer)
        buffer.append(ASCII.space)
        writeDecimal(head.status, into: &buffer)
        // status-line = HTTP-version SP status-code SP [ reason-phrase ]: the second SP stays when the
        // reason is empty.
        buffer.append(ASCII.space)
        buffer.append(contentsOf: head.reason.utf8)
    }

    private static func writeVersion(_ version: HTTPVersion, into buffer: inout [UInt8]) {
        if version.major == 1 && (version.minor == 1 || version.minor == 0) {
            buffer.append(contentsOf: version.minor == 1 ? http11 : http10)
        } else {
            buffer.append(contentsOf: version.description.utf8)
        }
    }

    private static let http11: [UInt8] = Array("HTTP/1.1".utf8)
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
        buffer.append(contentsOf: head.method.utf8)
        buffer.append(ASCII.space)
        buffer.append(contentsOf: head.target.utf8)
        buffer.append(ASCII.space)
        writeVersion(head.version, into: &buffer)
        writeFields(head.headers, into: &buffer)
    }

    private static func writeFields(_ headers: HTTPHeaders, into buffer: inout [UInt8]) {
        buffer.append(ASCII.cr)
        buffer.append(ASCII.lf)
        for field in headers {
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(ASCII.colon)
            buffer.append(ASCII.space)
            buffer.append(contentsOf: field.value.utf8)
            buffer.append(ASCII.cr)
            buffer.append(ASCII.lf)
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
    /// and removes both headers (RFC 9110 §8.6). For a HEAD request it writes no body; the headers are
    /// those a GET would get (RFC 9110 §9.3.2), so a Content-Length is added from `body` unless the
    /// head already has one or is chunked.
    public static func writeResponse(
        _ head: HTTPResponseHead, body: some Collection<UInt8>, requestMethod: String, into buffer: inout [UInt8]
    ) {
        var head = head
        let statusForbidsBody = (100..<200).contains(head.status) || head.status == 204 || head.status == 304
        if statusForbidsBody {
            head.headers.remove(name: "Content-Length")
            head.headers.remove(name: "Transfer-Encoding")
            writeResponseHead(head, into: &buffer)
        } else if requestMethod == "HEAD" {
            if !head.headers.contains("Content-Length") && !head.headers.contains("Transfer-Encoding") {
                head.headers.add(name: "Content-Length", value: String(body.count))
            }
            writeResponseHead(head, into: &buffer)
        } else {
            // Every field but the framing ones, then our own Content-Length: written straight into
            // the buffer, without editing (and copying) the header list.
            writeStatusLine(head, into: &buffer)
            buffer.append(ASCII.cr)
            buffer.append(ASCII.lf)
            for field in head.headers
            where !asciiEqualsIgnoringCase(field.name, "Content-Length") && !asciiEqualsIgnoringCase(field.name, "Transfer-Encoding") {
                buffer.append(contentsOf: field.name.utf8)
                buffer.append(ASCII.colon)
                buffer.append(ASCII.space)
                buffer.append(contentsOf: field.value.utf8)
                buffer.append(ASCII.cr)
                buffer.append(ASCII.lf)
            }
            buffer.append(contentsOf: contentLengthPrefix)
            writeDecimal(body.count, into: &buffer)
            buffer.append(contentsOf: [ASCII.cr, ASCII.lf, ASCII.cr, ASCII.lf])
            buffer.append(contentsOf: body)
        }
    }

    /// Writes a complete request. It sets Content-Length when the body is non-empty or the method is
    /// POST, PUT or PATCH (whose servers expect a length, RFC 9110 §8.6); otherwise it removes any
    /// Content-Length or Transfer-Encoding from `head`, so the request claims no body it lacks.
    public static func writeRequest(_ head: HTTPRequestHead, body: some Collection<UInt8>, into buffer: inout [UInt8]) {
        var head = head
        head.headers.remove(name: "Transfer-Encoding")
        let count = body.count
        if count > 0 || ["POST", "PUT", "PATCH"].contains(head.method) {
            head.headers.replaceOrAdd(name: "Content-Length", value: String(count))
        } else {
            head.headers.remove(name: "Content-Length")
        }
        writeRequestHead(head, into: &buffer)
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

// The vocabulary of HTTP/1.1 messages (RFC 9110 semantics, RFC 9112 syntax).
// Plain values: no sockets, no clocks. The parsers build them, the encoders write them.

/// An HTTP version such as HTTP/1.1 (RFC 9112 §2.3).
public struct HTTPVersion: Hashable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}

/// One header field: a name (spelled as sent) and its value.
///
/// A struct rather than a `(name:, value:)` tuple: arrays of tuples are copied and destroyed
/// through the runtime's generic tuple witnesses, which showed up in the server's profile on every
/// request (callgrind); a struct gets specialised code.
public struct HTTPField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Header fields in the order they arrived. Names compare case-insensitively (RFC 9110 §5.1);
/// the original spelling is kept so `/echo` can show exactly what was sent.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [HTTPField]

    public init() { fields = [] }

    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { HTTPField(name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool { lhs.fields == rhs.fields }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[HTTPField]> {
        fields.makeIterator()
    }

    public mutating func reserveCapacity(_ count: Int) {
        fields.reserveCapacity(count)
    }

    /// Empties the list but keeps its storage, so a parser can fill it again without allocating.
    public mutating func removeAll(keepingCapacity: Bool) {
        fields.removeAll(keepingCapacity: keepingCapacity)
    }

    /// Replaces the field at `index` (the parser refilling a list in place).
    mutating func replaceField(at index: Int, with field: HTTPField) {
        fields[index] = field
    }

    /// Drops the fields from `count` on.
    mutating func truncate(to count: Int) {
        if fields.count > count { fields.removeLast(fields.count - count) }
    }

    public mutating func add(name: String, value: String) {
        fields.append(HTTPField(name: name, value: value))
    }

    /// Replaces every field called `name` with one field (appended at the end when absent).
    public mutating func replaceOrAdd(name: String, value: String) {
        if let first = fields.firstIndex(where: { Self.sameName($0.name, name) }) {
            fields[first].value = value
            var index = fields.count - 1
            while index > first {
                if Self.sameName(fields[index].name, name) { fields.remove(at: index) }
                index -= 1
            }
        } else {
            add(name: name, value: value)
        }
    }

    public mutating func remove(name: String) {
        fields.removeAll { Self.sameName($0.name, name) }
    }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        fields.first { Self.sameName($0.name, name) }?.value
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool {
        // Index loops, here and in containsToken: iterating the (name, value) tuples went through
        // generic tuple-copy witnesses, a retain and release per field (callgrind).
        for index in fields.indices where Self.sameName(fields[index].name, name) { return true }
        return false
    }

    /// The comma-separated list elements of every `name` field, trimmed (RFC 9110 §5.6.1).
    /// `Connection: keep-alive, Upgrade` gives ["keep-alive", "Upgrade"].
    public func listElements(_ name: String) -> [String] {
        values(name).flatMap { value in
            value.split(separator: ",").map { $0.trimmingOWS() }.filter { !$0.isEmpty }
        }
    }

    /// True when the `name` list holds `token`, compared case-insensitively
    /// (`Connection: Keep-Alive, close` holds "close").
    ///
    /// It scans the bytes in place (no intermediate strings): this runs for every request and
    /// response, to decide persistence. Measured with callgrind on the server: iterating the two
    /// names as `zip(a.utf8, b.utf8)` cost ~120 instructions per byte, 14% of a request carrying
    /// `Connection: keep-alive`; on the contiguous bytes it is a few per byte.
    public func containsToken(_ token: String, in name: String) -> Bool {
        for index in fields.indices where Self.sameName(fields[index].name, name) {
            let found = fields[index].value.withUTF8Bytes { bytes in
                token.withUTF8Bytes { wanted in listHolds(bytes, wanted) }
            }
            if found { return true }
        }
        return false
    }

    static func sameName(_ a: String, _ b: String) -> Bool { asciiEqualsIgnoringCase(a, b) }
}

/// Whether the comma-separated list in `bytes` has an element equal to `wanted`, ignoring ASCII case
/// and the optional white space around elements (RFC 9110 §5.6.1).
func listHolds(_ bytes: UnsafeBufferPointer<UInt8>, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
    var start = 0
    while start <= bytes.count {
        var end = start
        while end < bytes.count && bytes[end] != UInt8(ascii: ",") { end += 1 }
        // Trim optional white space (SP, HTAB) around the element.
        var lo = start, hi = end
        while lo < hi && (bytes[lo] == 0x20 || bytes[lo] == 0x09) { lo += 1 }
        while hi > lo && (bytes[hi - 1] == 0x20 || bytes[hi - 1] == 0x09) { hi -= 1 }
        if hi - lo == wanted.count && asciiEqualsIgnoringCase(UnsafeBufferPointer(rebasing: bytes[lo..<hi]), wanted) {
            return true
        }
        start = end + 1
    }
    return false
}

extension String {
    /// Calls `body` with the string's UTF-8 bytes in one contiguous buffer: in place for a native
    /// string, on the stack for a small one (up to 15 bytes, stored inside the String value itself).
    /// Iterating `utf8` byte by byte through a Sequence costs tens of instructions per byte instead.
    @inlinable
    public func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var copy = self   // withUTF8 is mutating (it may make a bridged string native); this never copies bytes
        return copy.withUTF8(body)
    }
}


@inline(__always)
func lowercasedASCII(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }

/// ASCII case-insensitive comparison: header names and tokens are ASCII (RFC 9110 §5.1).
public func asciiEqualsIgnoringCase(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
    let x = a.utf8, y = b.utf8
    guard x.count == y.count else { return false }
    // Contiguous bytes when the strings have them (native and small strings do): no iterator per byte.
    if let same = x.withContiguousStorageIfAvailable({ p in
        y.withContiguousStorageIfAvailable { q in asciiEqualsIgnoringCase(p, q) }
    }), let same {
        return same
    }
    for (p, q) in zip(x, y) where lowercasedASCII(p) != lowercasedASCII(q) { return false }
    return true
}

@inline(__always)
func asciiEqualsIgnoringCase(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    for i in 0..<a.count where a[i] != b[i] && lowercasedASCII(a[i]) != lowercasedASCII(b[i]) { return false }
    return true
}

extension StringProtocol {
    /// Trims optional white space (space and horizontal tab, RFC 9110 §5.6.3) from both ends.
    func trimmingOWS() -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, scalars[start] == " " || scalars[start] == "\t" { start = scalars.index(after: start) }
        while end > start {
            let before = scalars.index(before: end)
            guard scalars[before] == " " || scalars[before] == "\t" else { break }
            end = before
        }
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }
}

/// A request's start line and header section, exactly as parsed.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: String
    /// The request-target as sent: usually origin-form such as `/delay/200?x=1` (RFC 9112 §3.2).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders

    public init(method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders()) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// The target's path, without the query. For an absolute-form target (`http://host/x?y`, which a
    /// server must accept, RFC 9112 §3.2.2) it is the path after the authority: `/x`, or `/` if none.
    public var path: String {
        var rest = target[...]
        if !target.hasPrefix("/"), let colon = target.firstIndex(of: ":") {
            let afterScheme = target[target.index(after: colon)...]
            let authorityAndPath = afterScheme.hasPrefix("//") ? afterScheme.dropFirst(2) : afterScheme
            guard let slash = authorityAndPath.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
            rest = authorityAndPath[slash...]
            if rest.hasPrefix("?") { return "/" }
        }
        if let q = rest.firstIndex(of: "?") { return String(rest[..<q]) }
        return String(rest)
    }
}

/// A response's status line and header section.
public struct HTTPResponseHead: Sendable, Equatable {
    public var version: HTTPVersion
    public var status: Int
    public var reason: String
    public var headers: HTTPHeaders

    public init(version: HTTPVersion = .http1_1, status: Int, reason: String? = nil, headers: HTTPHeaders = HTTPHeaders()) {
        self.version = version
        self.status = status
        self.reason = reason ?? HTTPStatus.reasonPhrase(status)
        self.headers = headers
    }
}

/// Reason phrases for the status codes WireLab sends (RFC 9110 §15). Clients must not rely on them.
public enum HTTPStatus {
    public static func reasonPhrase(_ code: Int) -> String {
        switch code {
        case 100: return "Continue"
        case 101: return "Switching Protocols"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(code)"
        }
    }

    /// A response to a HEAD request, or with status 1xx, 204 or 304, never has a body (RFC 9112 §6.3).
    public static func hasNoBody(status: Int, requestMethod: String) -> Bool {
        requestMethod == "HEAD" || (100..<200).contains(status) || status == 204 || status == 304
    }
}

/// Persistence: does the connection stay open after this message? One small function, RFC 9112 §9.3
/// in order. It does not look at framing: a response that cannot be framed also ends the connection,
/// and that is the encoder's decision.
public func isKeepAlive(version: HTTPVersion, headers: HTTPHeaders) -> Bool {
    // An explicit "close" wins in every version.
    if headers.containsToken("close", in: "Connection") { return false }
    // HTTP/1.1 (and later minor versions) persist by default.
    if version.major == 1 && version.minor >= 1 { return true }
    // HTTP/1.0 persists only when the sender asked for it with "keep-alive".
    if version == .http1_0 { return headers.containsToken("keep-alive", in: "Connection") }
    return false
}

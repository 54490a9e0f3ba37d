// The vocabulary of HTTP/1.1 messages (RFC 9110 semantics, RFC 9112 syntax).
// Plain values: no sockets, no clocks. The parsers build them, the encoders write them.
// One file past 400 lines: the whole vocabulary (version, fields, heads, status, the Connection
// semantics) in one place to look up; most of its length is `HTTPHeaders` and its lookups.

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
///
/// The fields are kept as bytes, not Strings: the field lines in one byte array, and one small `Span`
/// per field saying where its name and value are. A parser fills a list by copying the field lines
/// in, all it has read in one append (no String, no UTF-8 check, no reference counting per field), and refills the same storage for
/// the next head on a keep-alive connection. The questions asked on every message (is there a
/// `Connection: close`? a `Keep-Alive`?) are answered on the bytes. A `String` is built only when
/// something asks for a name or value as one (`subscript`, `fields`, iterating).
///
/// Measured with callgrind against the list of String fields it replaced: the agent's response
/// parser went from ~7,970 to ~5,830 instructions per nginx response (five fields, and the checks
/// made faster at the same time). The server gained little (~7,970 to ~7,860 a request in all): the
/// String list already reused the previous request's Strings for repeated lines. See
/// docs/benchmarks.md.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// Where one field is in `bytes`: its name at `start ..< start + nameCount`, its value
    /// `valueOffset` bytes after `start`. (A parsed field keeps the `: ` between them: the line is
    /// copied in one piece.)
    @usableFromInline
    struct Span: Sendable {
        @usableFromInline var start: UInt32
        @usableFromInline var nameCount: UInt32
        @usableFromInline var valueOffset: UInt32
        @usableFromInline var valueCount: UInt32

        @usableFromInline init(start: UInt32, nameCount: UInt32, valueOffset: UInt32, valueCount: UInt32) {
            self.start = start
            self.nameCount = nameCount
            self.valueOffset = valueOffset
            self.valueCount = valueCount
        }

        @inlinable var nameRange: Range<Int> { Int(start)..<Int(start) + Int(nameCount) }
        @inlinable var valueRange: Range<Int> {
            Int(start) + Int(valueOffset)..<Int(start) + Int(valueOffset) + Int(valueCount)
        }
    }

    /// Every field's name and value, in order.
    @usableFromInline var bytes: [UInt8] = []
    @usableFromInline var spans: [Span] = []

    public init() {}

    public init(_ fields: [(String, String)]) {
        spans.reserveCapacity(fields.count)
        for (name, value) in fields { add(name: name, value: value) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public var count: Int { spans.count }
    public var isEmpty: Bool { spans.isEmpty }

    /// The fields as name and value Strings, in order. Builds every String: for display and tests.
    public var fields: [HTTPField] { Array(self) }

    public struct Iterator: IteratorProtocol {
        let headers: HTTPHeaders
        var index = 0

        public mutating func next() -> HTTPField? {
            guard index < headers.count else { return nil }
            defer { index += 1 }
            return HTTPField(name: headers.name(at: index), value: headers.value(at: index))
        }
    }

    public func makeIterator() -> Iterator { Iterator(headers: self) }

    /// The name of the field at `index` (0-based, in arrival order), spelled as sent.
    public func name(at index: Int) -> String {
        withFieldBytes(at: index) { name, _ in String(decoding: name, as: UTF8.self) }
    }

    /// The value of the field at `index` (0-based, in arrival order).
    public func value(at index: Int) -> String {
        withFieldBytes(at: index) { _, value in String(decoding: value, as: UTF8.self) }
    }

    /// Calls `body` with the name and value bytes of the field at `index`, in place.
    @inlinable
    public func withFieldBytes<R, E: Error>(
        at index: Int, _ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) throws(E) -> R
    ) throws(E) -> R {
        let span = spans[index]
        return try bytes.withUnsafeBufferPointer { (all) throws(E) -> R in
            try body(UnsafeBufferPointer(rebasing: all[span.nameRange]), UnsafeBufferPointer(rebasing: all[span.valueRange]))
        }
    }

    public mutating func reserveCapacity(_ count: Int) {
        spans.reserveCapacity(count)
    }

    /// Empties the list but keeps its storage, so a parser can fill it again without allocating.
    /// (If the previous head still shares the storage, copy-on-write gives this list new storage.)
    public mutating func removeAll(keepingCapacity: Bool) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
        spans.removeAll(keepingCapacity: keepingCapacity)
    }

    public mutating func add(name: String, value: String) {
        name.withUTF8Bytes { name in value.withUTF8Bytes { value in add(name: name, value: value) } }
    }

    /// Appends a field from its name and value bytes (the h2 agent adds decoded HPACK fields so,
    /// without a String of each).
    package mutating func add(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        let start = bytes.count
        precondition(start + name.count + value.count <= Int(UInt32.max), "a header list over 4 GiB")
        bytes.append(contentsOf: name)
        bytes.append(contentsOf: value)
        spans.append(Span(start: UInt32(start), nameCount: UInt32(name.count), valueOffset: UInt32(name.count),
                          valueCount: UInt32(value.count)))
    }

    /// Sets the span of the field at `index` (at most `count`: past the last field, it is appended)
    /// to a parsed field line whose bytes will be at `start` in `bytes`: a parser sets the spans of
    /// the lines it read, then writes their bytes with one `writeBytes` (one copy per head instead of
    /// one per field), over the fields of an earlier head it is reusing the storage of (see
    /// `HeaderSection.fieldCount`). Until then the list is not to be read.
    ///
    /// One check that the whole line fits in 32 bits; then every part of it does, and the conversions
    /// need not check again (a checked conversion each cost ~20 instructions a field line, callgrind).
    @inline(__always)
    mutating func setSpan(at index: Int, ofLineAt start: Int, _ field: FieldLine) {
        precondition(start >= 0 && start + field.value.upperBound <= Int(UInt32.max), "a header list over 4 GiB")
        let span = Span(start: UInt32(truncatingIfNeeded: start), nameCount: UInt32(truncatingIfNeeded: field.nameEnd),
                        valueOffset: UInt32(truncatingIfNeeded: field.value.lowerBound),
                        valueCount: UInt32(truncatingIfNeeded: field.value.upperBound &- field.value.lowerBound))
        if index < spans.count { spans[index] = span } else { spans.append(span) }
    }

    /// Writes the bytes of lines whose spans were set with `setSpan` at `start` in `bytes` (at most
    /// `bytes.count`): over the bytes there first, then past the end.
    mutating func writeBytes(_ lines: UnsafeBufferPointer<UInt8>, at start: Int) {
        precondition(start >= 0 && start <= bytes.count, "writeBytes(at: \(start)) past the end")
        let overwritten = Swift.min(lines.count, bytes.count - start)
        if overwritten > 0, let source = lines.baseAddress {
            bytes.withUnsafeMutableBufferPointer { all in
                (all.baseAddress! + start).update(from: source, count: overwritten)
            }
        }
        if overwritten < lines.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: lines[overwritten..<lines.count])) }
    }

    /// Drops every field after the first `fieldCount`, and every byte after the first `byteCount`
    /// (what an earlier head left past the fields a parser wrote over it).
    mutating func removeAll(afterFields fieldCount: Int, bytes byteCount: Int) {
        if spans.count > fieldCount { spans.removeSubrange(fieldCount...) }
        if bytes.count > byteCount { bytes.removeSubrange(byteCount...) }
    }

    /// Same fields (names and values, byte for byte) in the same order.
    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for index in 0..<lhs.count {
            let same = lhs.withFieldBytes(at: index) { name, value in
                rhs.withFieldBytes(at: index) { otherName, otherValue in
                    name.elementsEqual(otherName) && value.elementsEqual(otherValue)
                }
            }
            if !same { return false }
        }
        return true
    }

    /// Replaces every field called `name` with one field (appended at the end when absent).
    public mutating func replaceOrAdd(name: String, value: String) {
        guard let first = firstIndex(of: name) else {
            add(name: name, value: value)
            return
        }
        var rebuilt = HTTPHeaders()
        for index in 0..<count {
            if index == first {
                withFieldBytes(at: index) { own, _ in value.withUTF8Bytes { rebuilt.add(name: own, value: $0) } }
            } else if !hasName(at: index, name) {
                withFieldBytes(at: index) { rebuilt.add(name: $0, value: $1) }
            }
        }
        self = rebuilt
    }

    public mutating func remove(name: String) {
        guard firstIndex(of: name) != nil else { return }
        var kept = HTTPHeaders()
        for index in 0..<count where !hasName(at: index, name) {
            withFieldBytes(at: index) { kept.add(name: $0, value: $1) }
        }
        self = kept
    }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        firstIndex(of: name).map { value(at: $0) }
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        (0..<count).filter { hasName(at: $0, name) }.map { value(at: $0) }
    }

    public func contains(_ name: String) -> Bool {
        firstIndex(of: name) != nil
    }

    /// The index of the first field called `name` (compared ignoring ASCII case), or nil.
    public func firstIndex(of name: String) -> Int? {
        name.withUTF8Bytes { wanted in
            bytes.withUnsafeBufferPointer { all in
                for index in spans.indices {
                    let span = spans[index]
                    if Int(span.nameCount) == wanted.count,
                       asciiEqualsIgnoringCase(UnsafeBufferPointer(rebasing: all[span.nameRange]), wanted) {
                        return index
                    }
                }
                return nil
            }
        }
    }

    /// Whether the field at `index` is called `name` (ignoring ASCII case).
    func hasName(at index: Int, _ name: String) -> Bool {
        name.withUTF8Bytes { wanted in withFieldBytes(at: index) { own, _ in asciiEqualsIgnoringCase(own, wanted) } }
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
        name.withUTF8Bytes { wantedName in
            token.withUTF8Bytes { wanted in
                bytes.withUnsafeBufferPointer { all in
                    for span in spans where Int(span.nameCount) == wantedName.count
                        && asciiEqualsIgnoringCase(UnsafeBufferPointer(rebasing: all[span.nameRange]), wantedName)
                        && listHolds(UnsafeBufferPointer(rebasing: all[span.valueRange]), wanted) {
                        return true
                    }
                    return false
                }
            }
        }
    }
}

/// Whether the comma-separated list in `bytes` has an element equal to `wanted`, ignoring ASCII case
/// and the optional white space around elements (RFC 9110 §5.6.1).
func listHolds(_ bytes: UnsafeBufferPointer<UInt8>, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
    var found = false
    forEachListElement(in: bytes) { element, _ in
        found = element.count == wanted.count && asciiEqualsIgnoringCase(UnsafeBufferPointer(rebasing: bytes[element]), wanted)
        return !found
    }
    return found
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
        standardReasonPhrase(code) ?? "Status \(code)"
    }

    /// The reason phrase WireLab sends with `code`, or nil when it has none: a string literal, so
    /// returning it builds nothing.
    static func standardReasonPhrase(_ code: Int) -> String? {
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
        default: return nil
        }
    }

    /// A response to a HEAD request, or with status 1xx, 204 or 304, never has a body (RFC 9112 §6.3).
    public static func hasNoBody(status: Int, requestMethod: String) -> Bool {
        hasNoBody(status: status, answersHEAD: requestMethod == "HEAD")
    }

    /// The same rule with the request's method already classified (as ResponseParser queues it).
    static func hasNoBody(status: Int, answersHEAD: Bool) -> Bool {
        answersHEAD || (100..<200).contains(status) || status == 204 || status == 304
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

/// What a head's Connection, Keep-Alive and Upgrade fields say: all the persistence rules ask of it
/// (RFC 9112 §9.3, RFC 9110 §7.6.1 and §7.8). The parsers note it while they check each field line
/// (`RequestParser.connectionFields`, `ResponseParser.connectionFields`), so deciding whether a
/// connection persists needs no second search of the header list: `isKeepAlive(version:headers:)` and
/// the `Keep-Alive` lookup after it cost the agent ~430 instructions a response, and the server's
/// `containsToken("close", in: "Connection")` and `contains("Upgrade")` ~470 a request (callgrind).
///
/// Not a stored part of `HTTPHeaders` or the heads: a third stored field there made every copy of a
/// head dearer. The parser keeps it beside the head it returned.
public struct ConnectionFields: Sendable, Equatable {
    /// A Connection field lists `close` (case-insensitively, like every element below).
    public var close = false
    /// A Connection field lists `keep-alive`.
    public var keepAlive = false
    /// The head has an Upgrade field.
    public var upgrade = false
    /// The index in the head's `headers` of its first Keep-Alive field (the server's timeout and
    /// max hints), if it has one: `headers.value(at:)` gives its value.
    public var keepAliveFieldIndex: Int? = nil

    public init() {}

    /// The same facts found by searching `headers`: for a head that no parser built.
    public init(headers: HTTPHeaders) {
        close = headers.containsToken("close", in: "Connection")
        keepAlive = headers.containsToken("keep-alive", in: "Connection")
        upgrade = headers.contains("Upgrade")
        keepAliveFieldIndex = headers.firstIndex(of: "Keep-Alive")
    }

    /// `isKeepAlive(version:headers:)` for a head with these fields: RFC 9112 §9.3 in order.
    @inlinable
    public func persists(version: HTTPVersion) -> Bool {
        if close { return false }
        if version.major == 1 && version.minor >= 1 { return true }
        return version == .http1_0 && keepAlive
    }

    /// Whether one Connection field's value lists `close` and `keep-alive`: a comma-separated list whose
    /// elements are compared as `listHolds` compares them (OWS trimmed, ASCII case ignored).
    ///
    /// A value that is just one of the two (nearly every one) is recognised a word at a time, as
    /// `FieldRole.of` does names: the element loop below cost ~135 instructions for `keep-alive`
    /// (callgrind).
    static func options(in value: UnsafeBufferPointer<UInt8>) -> (close: Bool, keepAlive: Bool) {
        if let base = value.baseAddress {
            let raw = UnsafeRawPointer(base)
            // The words read lie inside the value: 4 bytes at 0 and 1 of 5, 8 at 0 and 2 of 10.
            if value.count == 5 && FieldRole.same(raw.word32(at: 0), 0x736f_6c63) && FieldRole.same(raw.word32(at: 1), 0x6573_6f6c) {
                return (true, false)   // "clos", "lose"
            }
            if value.count == 10 && FieldRole.same(raw.word64(at: 0), 0x696c_612d_7065_656b)
                && FieldRole.same(raw.word64(at: 2), 0x6576_696c_612d_7065) {
                return (false, true)   // "keep-ali", "ep-alive"
            }
        }
        var close = false, keepAlive = false
        forEachListElement(in: value) { range, _ in
            let element = UnsafeBufferPointer(rebasing: value[range])
            // By length first: "close" is 5 bytes, "keep-alive" 10.
            if element.count == 5 && equalsLowercase(element, "close") { close = true }
            if element.count == 10 && equalsLowercase(element, "keep-alive") { keepAlive = true }
            return true
        }
        return (close, keepAlive)
    }

    private static func equalsLowercase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        lowercase.withUTF8Buffer { asciiEqualsIgnoringCase(bytes, $0) }
    }
}

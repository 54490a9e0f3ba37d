#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
// The syntax of a message head (RFC 9112 §3, §4, §5), one line at a time, on raw bytes.
// Strings are built only for the finished parts: method, target, reason, field names and values.
// One file past 400 lines so that it reads against the RFC section by section, with the byte
// classes and scanners (ASCII, tokenEnd, firstForbiddenControl) that every rule uses beside them.

enum ASCII {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let comma: UInt8 = 0x2C
    static let dot: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let del: UInt8 = 0x7F

    /// tchar (RFC 9110 §5.6.2): the characters of a token such as a method or a field name.
    /// One bit per ASCII byte, in two words: a shift and a test per byte instead of a chain of range
    /// checks.
    @inline(__always)
    static func isTokenChar(_ byte: UInt8) -> Bool {
        byte < 64 ? (tokenCharsLow >> UInt64(byte)) & 1 == 1
            : byte < 128 && (tokenCharsHigh >> UInt64(byte - 64)) & 1 == 1
    }

    /// tchar bits for bytes 0-63: ! # $ % & ' * + - . and the digits (a test rebuilds both words
    /// from the list in RFC 9110 §5.6.2).
    static let tokenCharsLow: UInt64 = 0x03FF6CFA00000000
    /// tchar bits for bytes 64-127: the letters and ^ _ ` | ~.
    static let tokenCharsHigh: UInt64 = 0x57FFFFFFC7FFFFFE

    /// The high bit of every byte of a word.
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The bytes of `word` that are ASCII letters, digits or "-": the high bit of each such byte is
    /// set in the result, every other bit is clear.
    ///
    /// Per byte: for x < 0x80 and 1 <= c <= 0x80, `(x | 0x80) - c` is at least 0 and has its high bit
    /// set exactly when x >= c, and no byte borrows from the next. `x | 0x20` turns A-Z into a-z and
    /// maps no other byte into a-z.
    @inline(__always)
    static func nameBytes(in word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let ascii = ~word & highBits   // bytes of 0x80 and over are none of these
        let x = word & ~highBits
        @inline(__always) func atLeast(_ x: UInt64, _ c: UInt64) -> UInt64 { ((x | highBits) &- ones &* c) & highBits }
        let lower = x | (ones &* 0x20)
        let letter = atLeast(lower, 0x61) & ~atLeast(lower, 0x7B)
        let digit = atLeast(x, 0x30) & ~atLeast(x, 0x3A)
        let dash = ~atLeast(x ^ (ones &* 0x2D), 1) & highBits   // x ^ "-" is 0 only for "-"
        return (letter | digit | dash) & ascii
    }

    /// OWS is spaces and horizontal tabs (RFC 9110 §5.6.3).
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// Control characters other than HTAB, which field values and reason phrases must not hold
    /// (RFC 9110 §5.5: field-vchar is VCHAR or obs-text).
    @inline(__always)
    static func isForbiddenControl(_ byte: UInt8) -> Bool { (byte < space && byte != tab) || byte == del }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte >= zero && byte <= nine }

    @inline(__always)
    static func isAlpha(_ byte: UInt8) -> Bool { lowercased(byte) >= UInt8(ascii: "a") && lowercased(byte) <= UInt8(ascii: "z") }

    /// A character a URI scheme may hold after its first letter (RFC 3986 §3.1).
    @inline(__always)
    static func isSchemeChar(_ byte: UInt8) -> Bool {
        isAlpha(byte) || isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == dot
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case zero...nine: return Int(byte - zero)
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}

/// Walks the elements of a comma-separated field value (RFC 9110 §5.6.1) in order: each element's
/// range in `value`, with the optional white space around it trimmed (an empty element is an empty
/// range), and whether it runs to the end of the value. `body` returns false to stop the walk.
/// `Connection` options, `Content-Length` lists and `containsToken` all read lists this way.
@inline(__always)
func forEachListElement<E: Error>(
    in value: UnsafeBufferPointer<UInt8>, _ body: (_ element: Range<Int>, _ isLast: Bool) throws(E) -> Bool
) throws(E) {
    var start = 0
    while start <= value.count {
        var end = start
        while end < value.count && value[end] != ASCII.comma { end += 1 }
        var first = start, last = end
        while first < last && ASCII.isWhitespace(value[first]) { first += 1 }
        while last > first && ASCII.isWhitespace(value[last - 1]) { last -= 1 }
        guard try body(first..<last, end == value.count) else { return }
        start = end + 1
    }
}

/// Bytes shown in an error detail: quoted, escapes for anything unprintable, cut after 40 bytes.
func quoted(_ bytes: some Collection<UInt8>) -> String {
    var text = "\""
    for byte in bytes.prefix(40) {
        switch byte {
        case ASCII.cr: text += "\\r"
        case ASCII.lf: text += "\\n"
        case ASCII.tab: text += "\\t"
        case UInt8(ascii: "\""): text += "\\\""
        case UInt8(ascii: "\\"): text += "\\\\"
        case 0x20..<0x7F: text.unicodeScalars.append(Unicode.Scalar(byte))
        default: text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        }
    }
    return text + (bytes.count > 40 ? "…\"" : "\"")
}

/// A byte for an error detail: `"x"` when printable, else `0x0D`.
func describeByte(_ byte: UInt8) -> String {
    if byte > ASCII.space && byte < ASCII.del { return "\"\(Unicode.Scalar(byte))\"" }
    return "0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
}

/// The header fields the parsers act on; every other field is passed through untouched.
enum FieldRole {
    case other, host, contentLength, transferEncoding
    /// Connection, Keep-Alive and Upgrade: noted for the persistence decision (`ConnectionFields`).
    case connection, keepAlive, upgrade

    /// Classifies a field name, compared case-insensitively (RFC 9110 §5.1): by length first, so most
    /// names are not compared at all, then a few 4- or 8-byte words (overlapping when the length is not
    /// a multiple) against the lowercase spelling. Byte by byte, the 14 bytes of Content-Length cost
    /// ~110 instructions; the five field names of an nginx response, ~190 in all (callgrind).
    /// Inlined into `fieldLine`: the calls cost ~65 instructions an nginx response (callgrind).
    @inline(__always)
    static func of(_ name: UnsafeBufferPointer<UInt8>) -> FieldRole {
        guard let start = name.baseAddress else { return .other }
        let raw = UnsafeRawPointer(start)
        // Each word read below lies inside the name: its offset plus its size is at most the length
        // this `case` matched.
        func word(_ offset: Int) -> UInt64 { raw.word64(at: offset) }
        func half(_ offset: Int) -> UInt64 { raw.word32(at: offset) }
        switch name.count {
        case 4 where same(half(0), 0x7473_6f68): return .host   // "host"
        case 7 where same(half(0), 0x7267_7075) && same(half(3), 0x6564_6172): return .upgrade   // "upgr", "rade"
        case 10 where same(word(0), 0x6974_6365_6e6e_6f63) && same(word(2), 0x6e6f_6974_6365_6e6e):   // "connecti", "nnection"
            return .connection
        case 10 where same(word(0), 0x696c_612d_7065_656b) && same(word(2), 0x6576_696c_612d_7065):   // "keep-ali", "ep-alive"
            return .keepAlive
        case 14 where same(word(0), 0x2d74_6e65_746e_6f63) && same(word(6), 0x6874_676e_656c_2d74):   // "content-", "t-length"
            return .contentLength
        case 17 where same(word(0), 0x7265_6673_6e61_7274) && same(word(8), 0x6e69_646f_636e_652d)   // "transfer", "-encodin"
            && same(word(9), 0x676e_6964_6f63_6e65):   // "encoding"
            return .transferEncoding
        default: return .other
        }
    }

    /// Whether the bytes in `word` spell `lowercase` (both little-endian, so the first byte is the
    /// lowest) ignoring ASCII case. The letters of these names all have bit 0x40 set and "-" does not,
    /// so `(lowercase & 0x40…) >> 1` is 0x20 in exactly the letters' bytes: a letter may differ from
    /// its lowercase form in that bit (A-Z are a-z less 0x20), every other byte must be the same.
    @inline(__always)
    static func same(_ word: UInt64, _ lowercase: UInt64) -> Bool {
        let caseBits = (lowercase & 0x4040_4040_4040_4040) >> 1
        return word | caseBits == lowercase
    }
}

extension UnsafeRawPointer {
    /// The 8 bytes at `offset`, the first in the lowest bits (little-endian order, on any machine).
    @inline(__always)
    func word64(at offset: Int) -> UInt64 { UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }

    /// The 4 bytes at `offset`, the first in the lowest bits.
    @inline(__always)
    func word32(at offset: Int) -> UInt64 { UInt64(UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))) }
}

/// One parsed field line: where its name and value are within the line, and what the parsers need
/// to know about it. The bytes themselves are copied into the head's `HTTPHeaders` by the caller.
struct FieldLine {
    /// The name is the line's bytes `0 ..< nameEnd`.
    var nameEnd: Int
    /// The value, without the optional white space around it.
    var value: Range<Int>
    var role: FieldRole
    /// The stream offset of the value's first byte (after leading OWS).
    var valueOffset: Int
    /// For a Host field: the first byte no host name or port may hold, and its index in the value.
    /// Found here, on the raw bytes, and reported when the head is complete (so the order in which
    /// a head's problems are reported does not change).
    var badHostByte: (index: Int, byte: UInt8)? = nil
    /// For a Content-Length field whose value is 1 to 18 digits (so it cannot overflow): the number.
    /// Anything else is nil, and left to `HeaderSection.contentLength`, which says what is wrong.
    var plainNumber: Int? = nil
    /// For a Connection field: whether its list holds `close` and `keep-alive`.
    var connectionOptions: (close: Bool, keepAlive: Bool) = (false, false)
}

enum HeadSyntax {
    /// Parses `HTTP/<digit>.<digit>` (RFC 9112 §2.3), or returns nil.
    static func version(_ bytes: UnsafeBufferPointer<UInt8>) -> HTTPVersion? {
        guard bytes.count == 8,
              bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"), bytes[2] == UInt8(ascii: "T"),
              bytes[3] == UInt8(ascii: "P"), bytes[4] == ASCII.slash, ASCII.isDigit(bytes[5]),
              bytes[6] == ASCII.dot, ASCII.isDigit(bytes[7])
        else { return nil }
        return HTTPVersion(major: Int(bytes[5] - ASCII.zero), minor: Int(bytes[7] - ASCII.zero))
    }

    /// Parses `method SP request-target SP HTTP-version` (RFC 9112 §3), with exactly single spaces.
    /// `offset` is the stream offset of the line's first byte.
    static func requestLine(
        _ line: UnsafeBufferPointer<UInt8>, at offset: Int, previousTarget: String = ""
    ) throws(HTTPParseError) -> (method: String, target: String, version: HTTPVersion) {
        func refuse(_ index: Int, _ detail: String) -> HTTPParseError {
            HTTPParseError(kind: .badRequestLine, offset: offset + index, detail: detail)
        }
        // method = token (RFC 9110 §9.1)
        var index = 0
        while index < line.count, ASCII.isTokenChar(line[index]) { index += 1 }
        if index == 0 {
            if line.isEmpty { throw refuse(0, "the request line is empty") }
            throw refuse(0, "the request line starts with \(describeByte(line[0])), not a method")
        }
        let methodEnd = index
        guard index < line.count else { throw refuse(index, "the request line has only a method, no target") }
        guard line[index] == ASCII.space else {
            throw refuse(index, "the method holds \(describeByte(line[index])), which is not a token character")
        }
        // request-target: non-empty, no spaces or control characters (RFC 9112 §3.2)
        index += 1
        let targetStart = index
        while index < line.count, line[index] > ASCII.space, line[index] != ASCII.del { index += 1 }
        if index == targetStart {
            if index < line.count && line[index] == ASCII.space {
                throw refuse(index, "two spaces after the method: the target is empty")
            }
            if index == line.count { throw refuse(index, "the request line has no target") }
        }
        guard index < line.count else {
            throw refuse(index, "the request line ends after the target, with no HTTP version")
        }
        guard line[index] == ASCII.space else {
            throw refuse(index, "the target holds \(describeByte(line[index]))")
        }
        let targetEnd = index
        index += 1
        let versionStart = index
        for spot in versionStart..<line.count where line[spot] == ASCII.space {
            throw refuse(spot, "the request line has an extra space: a target cannot hold spaces")
        }
        // RFC 9110 §9.1: a method the server does not recognise is answered with 501. A token we
        // don't know is also what garbage in front of a pipelined request looks like ("xGET"), so
        // the server closes after the 501 rather than guess where the next request starts.
        let methodBytes = UnsafeBufferPointer(rebasing: line[0..<methodEnd])
        guard let method = RequestMethod(methodBytes) else {
            throw HTTPParseError(
                kind: .unknownMethod, offset: offset,
                detail: "the method \(quoted(methodBytes)) is not one WireLab knows (methods are case-sensitive)")
        }
        let targetBytes = UnsafeBufferPointer(rebasing: line[targetStart..<targetEnd])
        if let problem = targetFormProblem(targetBytes, method: method) { throw refuse(targetStart, problem) }
        let versionBytes = UnsafeBufferPointer(rebasing: line[versionStart...])
        guard let version = version(versionBytes) else {
            throw HTTPParseError(
                kind: .badVersion, offset: offset + versionStart,
                detail: "the version \(quoted(versionBytes)) is not HTTP/<digit>.<digit>")
        }
        // RFC 9112 §2.3: a server answers a major version it does not speak with 505.
        guard version.major == 1 else {
            throw HTTPParseError(
                kind: .unsupportedVersion, offset: offset + versionStart,
                detail: "\(version) is not HTTP/1.x")
        }
        // The same target as the previous request on this connection (a benchmark's, a poller's):
        // reuse its String rather than build and validate a new one.
        let target = bytesEqual(previousTarget, targetBytes) ? previousTarget : String(decoding: targetBytes, as: UTF8.self)
        return (method.name, target, version)
    }

    /// Why a request-target is none of the four forms of RFC 9112 §3.2, or nil when it is one:
    /// origin-form `/path?query` (any method but CONNECT), absolute-form `scheme:...` (any method but
    /// CONNECT), authority-form `host:port` (CONNECT only) and asterisk-form `*` (OPTIONS only).
    /// Bytes above 0x7F are let through (see docs/http-parsing.md): they cannot move a message boundary.
    static func targetFormProblem(_ target: UnsafeBufferPointer<UInt8>, method: RequestMethod) -> String? {
        let first = target[0]
        if method == .connect {
            if first == ASCII.slash || first == UInt8(ascii: "*") || !target.contains(ASCII.colon) {
                return "CONNECT needs a target of the form host:port (RFC 9112 §3.2.3), not \(quoted(target))"
            }
            return nil
        }
        if first == ASCII.slash { return nil }
        if first == UInt8(ascii: "*") {
            if target.count == 1 && method == .options { return nil }
            return "the target \(quoted(target)) is the asterisk form, which only OPTIONS may use (RFC 9112 §3.2.4)"
        }
        // absolute-form: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ":" (RFC 3986 §3.1)
        if ASCII.isAlpha(first) {
            var index = 1
            while index < target.count, ASCII.isSchemeChar(target[index]) { index += 1 }
            if index < target.count && target[index] == ASCII.colon { return nil }
        }
        return "the target \(quoted(target)) does not start with \"/\" and is not an absolute URI (RFC 9112 §3.2)"
    }

    /// Parses `HTTP-version SP 3DIGIT SP [reason]` (RFC 9112 §4); a missing `SP reason` is accepted.
    static func statusLine(
        _ line: UnsafeBufferPointer<UInt8>, at offset: Int
    ) throws(HTTPParseError) -> (version: HTTPVersion, status: Int, reason: String) {
        func refuse(_ index: Int, _ detail: String) -> HTTPParseError {
            HTTPParseError(kind: .badStatusLine, offset: offset + index, detail: detail)
        }
        let version: HTTPVersion
        // "HTTP/1.1" (nearly every response) as one word: `version`, its call and its byte compares
        // cost ~30 instructions (callgrind).
        if line.count >= 8, UnsafeRawPointer(line.baseAddress!).word64(at: 0) == 0x312e_312f_5054_5448 {
            version = HTTPVersion(major: 1, minor: 1)
        } else {
            guard line.count >= 8, let parsed = Self.version(UnsafeBufferPointer(rebasing: line[0..<8])) else {
                throw refuse(0, "the status line \(quoted(line)) does not start with HTTP/<digit>.<digit>")
            }
            version = parsed
        }
        guard version.major == 1 else {
            throw HTTPParseError(kind: .unsupportedVersion, offset: offset, detail: "\(version) is not HTTP/1.x")
        }
        guard line.count >= 12, line[8] == ASCII.space,
              ASCII.isDigit(line[9]), ASCII.isDigit(line[10]), ASCII.isDigit(line[11])
        else {
            throw refuse(min(8, line.count), "the version is not followed by a space and a 3-digit status code")
        }
        let status = Int(line[9] - ASCII.zero) * 100 + Int(line[10] - ASCII.zero) * 10 + Int(line[11] - ASCII.zero)
        // RFC 9110 §15: status codes outside 100...599 are invalid.
        guard (100...599).contains(status) else { throw refuse(9, "status code \(status) is outside 100...599") }
        var reason = ""
        if line.count > 12 {
            guard line[12] == ASCII.space else { throw refuse(12, "the status code is not followed by a space") }
            let reasonBytes = UnsafeBufferPointer(rebasing: line[13...])
            for index in 13..<line.count where ASCII.isForbiddenControl(line[index]) {
                throw refuse(index, "the reason phrase holds the control character \(describeByte(line[index]))")
            }
            // The usual phrase for the code (nginx's "OK") is the literal we already have: building
            // the String from the bytes cost ~130 instructions a response (callgrind). "OK" after 200,
            // the most common of them, is compared first on its own, without looking the phrase up
            // and comparing its String's bytes (with the "HTTP/1.1" word above: nginx's status line
            // ~250 -> ~110 instructions, callgrind).
            if status == 200 && reasonBytes.count == 2 && reasonBytes[0] == UInt8(ascii: "O") && reasonBytes[1] == UInt8(ascii: "K") {
                reason = "OK"
            } else if let usual = HTTPStatus.standardReasonPhrase(status), bytesEqual(usual, reasonBytes) {
                reason = usual
            } else {
                reason = String(decoding: reasonBytes, as: UTF8.self)
            }
        }
        return (version, status, reason)
    }

    /// Parses `field-name ":" OWS field-value OWS` (RFC 9112 §5). `offset` is the line's stream offset.
    /// It builds no String: the caller copies the name and value bytes it found into the header list.
    ///
    /// One pass: the name's tchars up to the colon (8 bytes at a time, `tokenEnd`), the OWS around
    /// the value, the value's bytes (8 at a time, `firstForbiddenControl`), then the role from the
    /// name's length before any byte is compared. Everything about a bad name is worked out in
    /// `badName`, off this path. Callgrind, the five fields of an nginx response: ~1,580 -> ~1,290
    /// instructions in all (~1,370 with the Content-Length number, `plainNumber`, read here too).
    /// Inlined into the parsers' line loop (`HeaderSection.readLines`, its one caller there): the
    /// call, its saved registers and the `FieldLine` passed through memory cost ~40 instructions a line
    /// (callgrind, with `addSpan`'s unchecked conversions: agent 11,929 -> 11,626, server 5,036 -> 4,927
    /// a request).
    @inline(__always)
    static func fieldLine(_ line: UnsafeBufferPointer<UInt8>, at offset: Int) throws(HTTPParseError) -> FieldLine {
        let nameEnd = tokenEnd(line)
        guard nameEnd > 0, nameEnd < line.count, line[nameEnd] == ASCII.colon else {
            throw badName(line, at: offset, nameEnd: nameEnd)
        }
        var valueStart = nameEnd + 1
        while valueStart < line.count, ASCII.isWhitespace(line[valueStart]) { valueStart += 1 }
        var valueEnd = line.count
        while valueEnd > valueStart, ASCII.isWhitespace(line[valueEnd - 1]) { valueEnd -= 1 }
        let name = UnsafeBufferPointer(rebasing: line[0..<nameEnd])
        if let spot = firstForbiddenControl(line, from: valueStart, to: valueEnd) {
            throw HTTPParseError(
                kind: .badHeader, offset: offset + spot,
                detail: "header \(quoted(name)) holds the control character \(describeByte(line[spot])) in its value")
        }
        let role = FieldRole.of(name)
        var field = FieldLine(nameEnd: nameEnd, value: valueStart..<valueEnd, role: role, valueOffset: offset + valueStart)
        if role == .host {
            field.badHostByte = HeaderSection.firstBadHostByte(UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd]))
        } else if role == .contentLength {
            field.plainNumber = plainNumber(UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd]))
        } else if role == .connection {
            field.connectionOptions = ConnectionFields.options(in: UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd]))
        }
        return field
    }

    /// The value of 1 to 18 ASCII digits (under 10^18, so no overflow is possible), or nil.
    static func plainNumber(_ digits: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !digits.isEmpty && digits.count <= 18 else { return nil }
        var number = 0
        for byte in digits {
            guard ASCII.isDigit(byte) else { return nil }
            number = number * 10 + Int(byte - ASCII.zero)
        }
        return number
    }

    /// Why a field line's name, which ends at `nameEnd` (the first byte that is not a tchar), is not a
    /// name followed by a colon. The checks, in the order they are reported:
    private static func badName(_ line: UnsafeBufferPointer<UInt8>, at offset: Int, nameEnd index: Int) -> HTTPParseError {
        func refuse(_ index: Int, _ detail: String) -> HTTPParseError {
            HTTPParseError(kind: .badHeader, offset: offset + index, detail: detail)
        }
        // RFC 9112 §5.2: obs-fold (a line starting with white space) is refused with 400.
        if ASCII.isWhitespace(line[0]) {
            return refuse(0, "a header line starts with white space (obsolete line folding is not accepted)")
        }
        let nameBytes = UnsafeBufferPointer(rebasing: line[0..<index])
        guard index < line.count else {
            return refuse(0, "the header line \(quoted(line)) has no colon")
        }
        if line[index] != ASCII.colon {
            if index == 0 {
                return refuse(0, "a header name starts with \(describeByte(line[0])), not a token character")
            }
            // RFC 9112 §5.1: no white space is allowed between the field name and the colon.
            if ASCII.isWhitespace(line[index]) {
                return refuse(index, "white space between header name \(quoted(nameBytes)) and its colon")
            }
            return refuse(index, "header name \(quoted(nameBytes)) is followed by \(describeByte(line[index])), not a colon")
        }
        return refuse(0, "a header line has an empty name")
    }
}

/// The index of the first byte of `bytes` that is not a tchar (`ASCII.isTokenChar`), or `bytes.count`.
///
/// Field names are letters, digits and "-" nearly always, so those are looked for 8 bytes at a time
/// (`ASCII.nameBytes`); from the first other byte on, byte by byte against the whole tchar set. A
/// byte at a time, the name cost ~9 instructions a byte (callgrind).
@inline(__always)
func tokenEnd(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    var index = 0
    if let base = bytes.baseAddress {
        let raw = UnsafeRawPointer(base)
        // Every load reads bytes[index ..< index + 8], inside the buffer.
        while index + 8 <= bytes.count {
            // Little-endian order puts the first byte in the lowest bits on any machine.
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let others = ~ASCII.nameBytes(in: word) & ASCII.highBits
            if others != 0 {
                index += others.trailingZeroBitCount / 8   // the first byte that is not one of them
                break
            }
            index += 8
        }
    }
    while index < bytes.count, ASCII.isTokenChar(bytes[index]) { index += 1 }
    return index
}

/// The index of the first byte of `line[from..<to]` that a field value must not hold (a control
/// character other than HTAB, or DEL: `ASCII.isForbiddenControl`), or nil.
///
/// Eight bytes at a time while none of them is below 0x20 or DEL (two word-wide "has a byte less
/// than" / "has a zero byte" tests); from a word that has one, byte by byte, since a tab is allowed.
/// Byte by byte throughout, this loop was most of the ~350 instructions a field line cost (callgrind).
/// The last 1 to 7 bytes of a value of 8 or more are checked as the value's last 8 bytes, some of them
/// again: one at a time they cost ~100 instructions an nginx response (callgrind).
@inline(__always)
func firstForbiddenControl(_ line: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
    var index = from
    if let base = line.baseAddress {
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        // Whether none of the 8 bytes at `offset` (inside `line[from..<to]`) is below 0x20 or DEL.
        @inline(__always) func isClean(_ offset: Int) -> Bool {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let belowSpace = (word &- ones &* 0x20) & ~word & highs
            let del = word ^ (ones &* 0x7F)
            let hasDEL = (del &- ones) & ~del & highs
            return belowSpace | hasDEL == 0
        }
        while index + 8 <= to && isClean(index) { index += 8 }
        // Fewer than 8 bytes left after clean words (a word with a flagged byte leaves 8 or more).
        if index < to && index + 8 > to && to - from >= 8 && isClean(to - 8) { return nil }
    }
    while index < to {
        if ASCII.isForbiddenControl(line[index]) { return index }
        index += 1
    }
    return nil
}

/// Whether a string's UTF-8 bytes are exactly `bytes`.
@inline(__always)
func bytesEqual(_ string: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard string.utf8.count == bytes.count else { return false }
    return string.withUTF8Bytes { own in
        bytes.isEmpty || memcmp(own.baseAddress!, bytes.baseAddress!, bytes.count) == 0
    }
}

// A header field as HPACK carries it: a name and a value of octets, and the never-indexed flag.

/// HeaderField is one field of a header list. Names and values are octets, as on the wire (RFC 7541
/// §5.2): HPACK does not check them; the HTTP/2 layer checks what RFC 9113 §8.2 requires.
public struct HeaderField: Sendable, Hashable, CustomStringConvertible {
    public var name: [UInt8]
    public var value: [UInt8]
    /// The field came as (or must go as) a literal never indexed (RFC 7541 §6.2.3): an intermediary
    /// re-encoding it must keep it so, and no table may hold it.
    public var isNeverIndexed: Bool

    public init(name: [UInt8], value: [UInt8], isNeverIndexed: Bool = false) {
        self.name = name
        self.value = value
        self.isNeverIndexed = isNeverIndexed
    }

    public init(_ name: String, _ value: String, isNeverIndexed: Bool = false) {
        self.init(name: Array(name.utf8), value: Array(value.utf8), isNeverIndexed: isNeverIndexed)
    }

    /// The name as text; bytes that are not UTF-8 become U+FFFD.
    public var nameString: String { String(decoding: name, as: UTF8.self) }
    /// The value as text; bytes that are not UTF-8 become U+FFFD.
    public var valueString: String { String(decoding: value, as: UTF8.self) }

    /// The size a table entry of this field counts for, and what it adds to a header list's size:
    /// name and value octets plus 32 (RFC 7541 §4.1, RFC 9113 §6.5.2).
    public var size: Int { name.count + value.count + 32 }

    /// Reads like `content-type: text/plain`, with ` (never indexed)` when so.
    public var description: String { "\(nameString): \(valueString)\(isNeverIndexed ? " (never indexed)" : "")" }
}

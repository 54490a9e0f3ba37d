// RFC 7541 §2.3.1 and Appendix A: the static table, 61 fields every HPACK context starts with.

/// StaticTable is Appendix A, and the lookups the encoder needs.
enum StaticTable {
    /// Appendix A, index 1 first (`entries[0]` is index 1). A name with no common value has "".
    static let entries: [(name: String, value: String)] = [
        (":authority", ""),                        // 1
        (":method", "GET"),                        // 2
        (":method", "POST"),                       // 3
        (":path", "/"),                            // 4
        (":path", "/index.html"),                  // 5
        (":scheme", "http"),                       // 6
        (":scheme", "https"),                      // 7
        (":status", "200"),                        // 8
        (":status", "204"),                        // 9
        (":status", "206"),                        // 10
        (":status", "304"),                        // 11
        (":status", "400"),                        // 12
        (":status", "404"),                        // 13
        (":status", "500"),                        // 14
        ("accept-charset", ""),                    // 15
        ("accept-encoding", "gzip, deflate"),      // 16
        ("accept-language", ""),                   // 17
        ("accept-ranges", ""),                     // 18
        ("accept", ""),                            // 19
        ("access-control-allow-origin", ""),       // 20
        ("age", ""),                               // 21
        ("allow", ""),                             // 22
        ("authorization", ""),                     // 23
        ("cache-control", ""),                     // 24
        ("content-disposition", ""),               // 25
        ("content-encoding", ""),                  // 26
        ("content-language", ""),                  // 27
        ("content-length", ""),                    // 28
        ("content-location", ""),                  // 29
        ("content-range", ""),                     // 30
        ("content-type", ""),                      // 31
        ("cookie", ""),                            // 32
        ("date", ""),                              // 33
        ("etag", ""),                              // 34
        ("expect", ""),                            // 35
        ("expires", ""),                           // 36
        ("from", ""),                              // 37
        ("host", ""),                              // 38
        ("if-match", ""),                          // 39
        ("if-modified-since", ""),                 // 40
        ("if-none-match", ""),                     // 41
        ("if-range", ""),                          // 42
        ("if-unmodified-since", ""),               // 43
        ("last-modified", ""),                     // 44
        ("link", ""),                              // 45
        ("location", ""),                          // 46
        ("max-forwards", ""),                      // 47
        ("proxy-authenticate", ""),                // 48
        ("proxy-authorization", ""),               // 49
        ("range", ""),                             // 50
        ("referer", ""),                           // 51
        ("refresh", ""),                           // 52
        ("retry-after", ""),                       // 53
        ("server", ""),                            // 54
        ("set-cookie", ""),                        // 55
        ("strict-transport-security", ""),         // 56
        ("transfer-encoding", ""),                 // 57
        ("user-agent", ""),                        // 58
        ("vary", ""),                              // 59
        ("via", ""),                               // 60
        ("www-authenticate", ""),                  // 61
    ]

    static let count = 61

    /// The entries as fields, index 1 first.
    static let fields: [HeaderField] = entries.map { HeaderField($0.name, $0.value) }

    /// For each name: its lowest index, and the index of each value the table has for it (7 at
    /// most, for `:status`), so one hash finds both matches.
    private static let byName: [ByteKey: (name: Int, values: [(value: [UInt8], index: Int)])] = {
        var byName: [ByteKey: (name: Int, values: [(value: [UInt8], index: Int)])] = [:]
        for (offset, field) in fields.enumerated() {
            byName[ByteKey(field.name), default: (offset + 1, [])].values.append((field.value, offset + 1))
        }
        return byName
    }()

    /// The index of the entry with this name and value, and the lowest index with this name; nil
    /// where there is none.
    static func match(name: [UInt8], value: [UInt8]) -> (field: Int?, name: Int?) {
        guard let entry = byName[ByteKey(name)] else { return (nil, nil) }
        for candidate in entry.values where candidate.value == value { return (candidate.index, entry.name) }
        return (nil, entry.name)
    }

    /// The index of the entry with this name and value, if there is one.
    static func index(name: [UInt8], value: [UInt8]) -> Int? { match(name: name, value: value).field }

    /// The lowest index of an entry with this name, if there is one.
    static func index(name: [UInt8]) -> Int? { byName[ByteKey(name)]?.name }

    /// The field at `index` (1...61).
    static func field(at index: Int) -> HeaderField { fields[index - 1] }

}

/// ByteKey hashes a byte array in one call (`Hasher.combine(bytes:)`), where `[UInt8]`'s own
/// `Hashable` feeds the hasher a byte at a time: a third of the encoder's time, under callgrind.
struct ByteKey: Hashable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

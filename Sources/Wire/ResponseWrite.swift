/// What a connection wrote of a response, as the bytes went out, for an observer that records
/// their shape (`wirelab observe`'s HAR: response headers and sizes). Reported through
/// `LoopbackServer.responseWriteTap`, on the loop thread, before the write completes; the
/// `.response` event follows when it has. Error responses to refused requests are not reported.
/// Over HTTP/2 the head's fields are the header list without pseudo-headers (`:status` is the
/// status), its size that of its HEADERS and CONTINUATION frames (HPACK block and 9-byte frame
/// headers), and each DATA frame is a body piece: `wire` with its frame header, `content` without.
public enum ResponseWrite: Sendable, Equatable {
    /// The head as written: its status, its field lines in order, and its size in bytes (status
    /// line, field lines and the empty line).
    case head(status: Int, fields: [ResponseField], bytes: Int)
    /// Body bytes: as written (`wire`, with chunk framing) and of content (`content`, without it).
    case body(wire: Int, content: Int)

    /// The head at the start of `bytes` (an encoded response: head, then perhaps its body), or nil
    /// if no empty line ends one there. The fields are read back as the encoder wrote them.
    static func head<Bytes: Collection<UInt8>>(in bytes: Bytes) -> (write: ResponseWrite, headBytes: Int)? where Bytes.Index == Int {
        var end: Int?
        var i = bytes.startIndex
        while i + 3 < bytes.endIndex {
            if bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
                end = i + 4
                break
            }
            i += 1
        }
        guard let end else { return nil }
        let text = String(decoding: bytes[bytes.startIndex..<end - 4], as: UTF8.self)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard let statusLine = lines.first else { return nil }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        let status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let fields: [ResponseField] = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            return ResponseField(name: String(line[..<colon]), value: String(value))
        }
        return (.head(status: status, fields: fields, bytes: end - bytes.startIndex), end - bytes.startIndex)
    }
}

/// One field line of a written response head.
public struct ResponseField: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

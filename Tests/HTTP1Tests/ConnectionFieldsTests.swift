import Testing
@testable import HTTP1

/// FieldRole.of compares words; the definition is a case-insensitive comparison with each name.
private func referenceRole(_ name: [UInt8]) -> FieldRole {
    let roles: [(String, FieldRole)] = [
        ("host", .host), ("content-length", .contentLength), ("transfer-encoding", .transferEncoding),
        ("connection", .connection), ("keep-alive", .keepAlive), ("upgrade", .upgrade),
    ]
    for (spelling, role) in roles where name.count == spelling.utf8.count
        && zip(name, spelling.utf8).allSatisfy({ ASCII.lowercased($0) == $1 }) {
        return role
    }
    return .other
}

private func role(_ name: [UInt8]) -> FieldRole {
    name.withUnsafeBufferPointer { FieldRole.of($0) }
}

@Suite("Connection, Keep-Alive and Upgrade noted while parsing")
struct ConnectionFieldsTests {
    @Test("FieldRole.of: every spelling of case, and every one-byte change of each name (any byte)")
    func roles() {
        let names = ["host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade"]
        for name in names {
            let bytes = Array(name.utf8)
            // Upper- and lowercase at each place, and a few mixed spellings.
            #expect(role(bytes) == referenceRole(bytes))
            #expect(role(Array(name.uppercased().utf8)) == referenceRole(bytes))
            for index in bytes.indices {
                for byte in UInt8.min...UInt8.max {
                    var changed = bytes
                    changed[index] = byte
                    #expect(role(changed) == referenceRole(changed), "\(quoted(changed))")
                }
            }
            #expect(role(bytes + [UInt8(ascii: "s")]) == .other)
            #expect(role(Array(bytes.dropLast())) == .other)
        }
        // "-" differs from CR (0x0D) only in the bit a letter's case is in: neither stands for the other.
        #expect(role(Array("content\rlength".utf8)) == .other)
        #expect(role([]) == .other)
    }

    @Test("Connection options: the elements of the list, OWS trimmed, case ignored", arguments: [
        ("close", true, false), ("Close", true, false), ("keep-alive", false, true), ("Keep-Alive", false, true),
        ("keep-alive, close", true, true), (" close ,\tUpgrade", true, false), ("closed", false, false),
        ("xclose", false, false), ("keep-alive2", false, false), ("", false, false), (",,close,,", true, false),
        ("Upgrade", false, false), ("keep alive", false, false), ("clo se", false, false), ("CLOSE,KEEP-ALIVE", true, true),
    ])
    func options(_ value: String, _ close: Bool, _ keepAlive: Bool) {
        let found = Array(value.utf8).withUnsafeBufferPointer { ConnectionFields.options(in: $0) }
        #expect(found.close == close && found.keepAlive == keepAlive)
        // The same answer as a search of the list.
        let headers: HTTPHeaders = ["Connection": value]
        #expect(found.close == headers.containsToken("close", in: "Connection"))
        #expect(found.keepAlive == headers.containsToken("keep-alive", in: "Connection"))
    }

    static let heads = [
        "",
        "Connection: close\r\n",
        "Connection: keep-alive\r\n",
        "connection: Keep-Alive\r\nKeep-Alive: timeout=5, max=100\r\n",
        "Keep-Alive: timeout=5\r\nX: y\r\nKEEP-ALIVE: timeout=9\r\n",
        "Connection: Upgrade\r\nUpgrade: websocket\r\n",
        "Connection: keep-alive\r\nConnection: close\r\n",
        "X-Connection: close\r\nConnection-X: close\r\nUpgrades: x\r\n",
        "Connection: closed, x\r\nupgrade:\r\n",
    ]

    @Test("Requests: the parser's notes are what a search of the head's headers finds", arguments: heads)
    func requests(_ fields: String) throws {
        for version in ["HTTP/1.1", "HTTP/1.0"] {
            var parser = RequestParser()
            parser.append(bytes("GET / \(version)\r\nHost: a\r\n\(fields)\r\n"))
            guard case .head(let head)? = try parser.next() else { Issue.record("no head"); return }
            #expect(parser.connectionFields == ConnectionFields(headers: head.headers))
            #expect(parser.connectionFields.persists(version: head.version) == isKeepAlive(version: head.version, headers: head.headers))
        }
    }

    @Test("Responses: the parser's notes are what a search finds, also after an interim response and on reuse",
          arguments: heads)
    func responses(_ fields: String) throws {
        for version in ["HTTP/1.1", "HTTP/1.0"] {
            var parser = ResponseParser()
            // The interim response's fields are not the final head's.
            parser.append(bytes("HTTP/1.1 100 Continue\r\nConnection: close\r\nUpgrade: x\r\n\r\n"))
            parser.append(bytes("\(version) 200 OK\r\n\(fields)Content-Length: 0\r\n\r\n"))
            guard case .head(let head, _)? = try parser.next() else { Issue.record("no head"); return }
            #expect(parser.connectionFields == ConnectionFields(headers: head.headers))
            #expect(parser.connectionFields.persists(version: head.version) == isKeepAlive(version: head.version, headers: head.headers))
            #expect(try parser.next() == .end(closeDelimited: false))
            #expect(parser.connectionFields == ConnectionFields(headers: head.headers), "still the head's at its end")
            parser.reuse()
            #expect(parser.connectionFields == ConnectionFields())
        }
    }

    @Test("The reason phrase: the usual one is the literal, any other is the bytes as sent", arguments: [
        ("HTTP/1.1 200 OK", "OK"), ("HTTP/1.1 200 ok", "ok"), ("HTTP/1.1 200 OKAY", "OKAY"), ("HTTP/1.1 404 Not Found", "Not Found"),
        ("HTTP/1.1 404 OK", "OK"), ("HTTP/1.1 299 Fine", "Fine"), ("HTTP/1.1 200 ", ""), ("HTTP/1.1 200", ""),
        ("HTTP/1.1 500 Internal Server Error", "Internal Server Error"), ("HTTP/1.1 200 O", "O"),
    ])
    func reasons(_ line: String, _ reason: String) throws {
        let parsed = try Array(line.utf8).withUnsafeBufferPointer { (bytes) throws(HTTPParseError) in
            try HeadSyntax.statusLine(bytes, at: 0)
        }
        #expect(parsed.reason == reason)
    }
}

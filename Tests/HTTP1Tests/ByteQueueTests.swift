import Testing
@testable import HTTP1

@Suite("ByteQueue reuses its storage without showing old bytes")
struct ByteQueueTests {
    @Test("After a reset or a full read, only the bytes appended since are there, however they are split")
    func leftOverBytesStayHidden() {
        var queue = ByteQueue()
        queue.append(bytes("0123456789abcdef"))
        queue.consume(upTo: 16)
        queue.append(bytes("xy"))   // written over the first two left-over bytes
        #expect(queue.count == 2 && queue.readOffset == 16 && queue.endOffset == 18)
        #expect(queue.byte(at: 17) == UInt8(ascii: "y") && queue.byte(at: 18) == nil)
        #expect(queue.withUnreadBytes { unread, first in (Array(unread), first) } == (bytes("xy"), 16))
        queue.reset(keepingCapacityUpTo: 1024)
        #expect(queue.count == 0 && queue.byte(at: 0) == nil)
        // Part over left-over bytes, part past them.
        queue.append(bytes("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        #expect(queue.read(atMost: 100) == bytes("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        queue.reset(keepingCapacityUpTo: 1024)
        queue.append(bytes("a\n"))
        queue.append(bytes("b"))
        #expect(queue.firstLineFeed(before: 100) == 1)
        #expect(queue.withBytes(0..<3) { Array($0) } == bytes("a\nb"))
        queue.consumeAll()
        #expect(queue.count == 0 && queue.endOffset == 3)
    }

    @Test("read(atMost:) copies exactly the bytes asked for, from the read position, and consumes them")
    func readCopiesFromReadPosition() {
        var queue = ByteQueue()
        queue.append(bytes("0123456789"))
        queue.consume(upTo: 3)
        #expect(queue.read(atMost: 4) == bytes("3456"))
        #expect(queue.readOffset == 7 && queue.count == 3)
        #expect(queue.read(atMost: 0) == [])
        #expect(queue.read(atMost: 10) == bytes("789"))
        #expect(queue.count == 0 && queue.read(atMost: 5) == [])
        queue.append(bytes("ab"))
        #expect(queue.read(atMost: 1) == bytes("a") && queue.read(atMost: 1) == bytes("b"))
    }

    @Test("A parser reused after a long response does not read the old response's bytes")
    func reusedParser() throws {
        var parser = ResponseParser()
        parser.append(bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX-Long: \(String(repeating: "v", count: 200))\r\n\r\n0123456789"))
        while let part = try parser.next() { if case .end = part { break } }
        parser.reuse()
        parser.append(bytes("HTTP/1.1 200 OK\r\nContent-Len"))
        #expect(try parser.next() == nil)
        #expect(parser.bufferedByteCount == 11)   // the status line is parsed and consumed
        parser.append(bytes("gth: 1\r\n\r\nz"))
        guard case .head(let head, .contentLength(1))? = try parser.next() else { Issue.record("no head"); return }
        #expect(head.headers.fields == [HTTPField(name: "Content-Length", value: "1")])
        #expect(try parser.next() == .body(bytes("z")))
    }
}

@Suite("A header list refilled in place holds only the new head's fields")
struct HeaderReuseTests {
    /// Heads with more, fewer, longer and shorter fields than the one before, and none.
    static let heads: [[(String, String)]] = [
        [("Server", "nginx"), ("Date", "Thu, 26 Nov 2026 18:00:00 GMT"), ("Content-Length", "1"), ("Connection", "keep-alive")],
        [("A", "1")],
        [],
        [("Keep-Alive", "timeout=5"), ("X-Long", String(repeating: "v", count: 300)), ("Upgrade", "h2c"), ("B", ""), ("C", "3")],
        [("Content-Length", "1"), ("X", "y")],
        [("Connection", "close")],
    ]

    @Test("Responses one after another on one parser, whole and byte by byte")
    func responses() throws {
        for byteByByte in [false, true] {
            var parser = ResponseParser()
            for (number, fields) in (Self.heads + Self.heads.reversed()).enumerated() {
                parser.reuse()
                let text = "HTTP/1.1 200 OK\r\n" + fields.map { "\($0.0): \($0.1)\r\n" }.joined() + "Content-Length: 1\r\n\r\nz"
                if byteByByte {
                    var head: HTTPResponseHead?
                    for byte in bytes(text) {
                        parser.append([byte])
                        if case .head(let h, _)? = try parser.next() { head = h }
                    }
                    #expect(head?.headers.fields == (fields + [("Content-Length", "1")]).map { HTTPField(name: $0.0, value: $0.1) },
                            "response \(number)")
                } else {
                    parser.append(bytes(text))
                    guard case .head(let head, _)? = try parser.next() else { Issue.record("no head"); return }
                    #expect(head.headers.fields == (fields + [("Content-Length", "1")]).map { HTTPField(name: $0.0, value: $0.1) },
                            "response \(number)")
                    #expect(parser.connectionFields == ConnectionFields(headers: head.headers))
                }
                while let part = try parser.next() { if case .end = part { break } }
            }
        }
    }

    @Test("Pipelined requests, each head kept while the next is parsed")
    func requests() throws {
        var parser = RequestParser()
        var stream = ""
        for fields in Self.heads + Self.heads.reversed() {
            stream += "GET / HTTP/1.1\r\nHost: h\r\n" + fields.filter { $0.0 != "Content-Length" }.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
        }
        parser.append(bytes(stream))
        var heads: [HTTPRequestHead] = []
        while let part = try parser.next() { if case .head(let head) = part { heads.append(head) } }
        let expected = (Self.heads + Self.heads.reversed()).map { fields in
            ([("Host", "h")] + fields.filter { $0.0 != "Content-Length" }).map { HTTPField(name: $0.0, value: $0.1) }
        }
        #expect(heads.map(\.headers.fields) == expected)
    }
}

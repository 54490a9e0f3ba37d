import Testing
@testable import HTTP1

/// The header list keeps its fields as bytes (names and values back to back, one span per field).
/// These pin down what its users see: Strings out, order and spelling kept, names compared
/// ignoring case, and equality that does not depend on how the list was built.
@Suite("HTTPHeaders")
struct HTTPHeadersTests {
    @Test("fields come back in order, spelled as added, as Strings and as bytes")
    func order() {
        let list: HTTPHeaders = ["Host": "lab", "x-Trace": "a, b", "Empty": ""]
        #expect(list.count == 3)
        #expect(list.fields == [HTTPField(name: "Host", value: "lab"), HTTPField(name: "x-Trace", value: "a, b"),
                                HTTPField(name: "Empty", value: "")])
        #expect(list.map(\.name) == ["Host", "x-Trace", "Empty"])
        #expect(list.name(at: 1) == "x-Trace" && list.value(at: 1) == "a, b")
        let raw = list.withFieldBytes(at: 0) { name, value in (Array(name), Array(value)) }
        #expect(raw.0 == Array("Host".utf8) && raw.1 == Array("lab".utf8))
    }

    @Test("lookups ignore ASCII case; values and list elements keep every match in order")
    func lookups() {
        let list = HTTPHeaders([("Connection", "keep-alive"), ("X-A", "1"), ("connection", "Upgrade, close"), ("x-a", "2")])
        #expect(list["CONNECTION"] == "keep-alive")
        #expect(list["missing"] == nil)
        #expect(list.values("X-a") == ["1", "2"])
        #expect(list.firstIndex(of: "x-A") == 1)
        #expect(list.listElements("Connection") == ["keep-alive", "Upgrade", "close"])
        #expect(list.containsToken("CLOSE", in: "connection"))
        #expect(!list.containsToken("clos", in: "Connection"))
        #expect(!list.containsToken("keep-alive", in: "X-A"))
    }

    @Test("replaceOrAdd keeps the first field's place and spelling and drops the others; remove drops all")
    func edits() {
        var list = HTTPHeaders([("content-length", "1"), ("A", "x"), ("Content-Length", "2")])
        list.replaceOrAdd(name: "Content-Length", value: "10")
        #expect(list == HTTPHeaders([("content-length", "10"), ("A", "x")]))
        list.replaceOrAdd(name: "B", value: "y")
        #expect(list == HTTPHeaders([("content-length", "10"), ("A", "x"), ("B", "y")]))
        list.remove(name: "a")
        #expect(list == HTTPHeaders([("content-length", "10"), ("B", "y")]))
        list.remove(name: "nothing")
        #expect(list.count == 2)
    }

    @Test("equality compares fields, not how the list was built; a refilled list holds only its new fields")
    func equality() {
        var built = HTTPHeaders()
        built.add(name: "A", value: "1")
        built.add(name: "B", value: "2")
        #expect(built == ["A": "1", "B": "2"])
        #expect(built != ["A": "1", "b": "2"])
        #expect(built != ["A": "12"])   // same bytes back to back, different fields
        var refilled = built
        refilled.removeAll(keepingCapacity: true)
        refilled.add(name: "C", value: "3")
        #expect(refilled == ["C": "3"])
        #expect(built == ["A": "1", "B": "2"])   // the copy it shared storage with is untouched
    }

    @Test("the word-at-a-time value check finds the same first forbidden byte as a byte-by-byte one")
    func forbiddenControl() {
        func naive(_ bytes: [UInt8], _ from: Int, _ to: Int) -> Int? {
            (from..<to).first { ASCII.isForbiddenControl(bytes[$0]) }
        }
        // Every byte value, at every place in lines of up to 24 bytes (words, a partial word, none),
        // among bytes on both sides of the edges the word test uses (0x1F/0x20, 0x7E/0x7F/0x80, tab).
        let fillers: [UInt8] = [0x20, 0x41, 0x7E, 0x80, 0xFF, 0x09]
        for filler in fillers {
            for length in [0, 1, 7, 8, 9, 16, 24] {
                for place in 0..<max(length, 1) {
                    for byte in UInt8.min...UInt8.max {
                        var line = [UInt8](repeating: filler, count: length)
                        if length > 0 { line[place] = byte }
                        for from in [0, min(1, length), min(3, length)] {
                            let found = line.withUnsafeBufferPointer { firstForbiddenControl($0, from: from, to: length) }
                            if found != naive(line, from, length) {
                                Issue.record("filler \(filler) length \(length) place \(place) byte \(byte) from \(from)")
                                return
                            }
                        }
                    }
                }
            }
        }
    }

    @Test("a Host value may hold letters, digits and - . _ ~ : [ ] % ! $ & ' ( ) * + ; = only")
    func hostCharacters() {
        let allowed = Set(Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:[]%!$&'()*+;=".utf8))
        for byte in UInt8.min...UInt8.max {
            #expect(HeaderSection.isHostByte(byte) == allowed.contains(byte), "byte \(byte)")
        }
    }

    @Test("tchar is exactly RFC 9110 §5.6.2's set")
    func tokenCharacters() {
        let tchar = Set(Array("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8))
        for byte in UInt8.min...UInt8.max {
            #expect(ASCII.isTokenChar(byte) == tchar.contains(byte), "byte \(byte)")
        }
    }
}

import Testing
@testable import HTTP1

/// The field line check as it was first written: a byte-by-byte reading of RFC 9112 §5, one
/// condition after another. `HeadSyntax.fieldLine` does the same work in one faster pass; these
/// tests hold it to this definition (results, error kinds, offsets and messages) over many lines.
private func referenceFieldLine(_ line: UnsafeBufferPointer<UInt8>, at offset: Int) throws(HTTPParseError) -> FieldLine {
    func refuse(_ index: Int, _ detail: String) -> HTTPParseError {
        HTTPParseError(kind: .badHeader, offset: offset + index, detail: detail)
    }
    if ASCII.isWhitespace(line[0]) {
        throw refuse(0, "a header line starts with white space (obsolete line folding is not accepted)")
    }
    var index = 0
    while index < line.count, ASCII.isTokenChar(line[index]) { index += 1 }
    let nameBytes = UnsafeBufferPointer(rebasing: line[0..<index])
    guard index < line.count else {
        throw refuse(0, "the header line \(quoted(line)) has no colon")
    }
    if line[index] != ASCII.colon {
        if index == 0 {
            throw refuse(0, "a header name starts with \(describeByte(line[0])), not a token character")
        }
        if ASCII.isWhitespace(line[index]) {
            throw refuse(index, "white space between header name \(quoted(nameBytes)) and its colon")
        }
        throw refuse(index, "header name \(quoted(nameBytes)) is followed by \(describeByte(line[index])), not a colon")
    }
    if index == 0 { throw refuse(0, "a header line has an empty name") }
    var valueStart = index + 1
    while valueStart < line.count, ASCII.isWhitespace(line[valueStart]) { valueStart += 1 }
    var valueEnd = line.count
    while valueEnd > valueStart, ASCII.isWhitespace(line[valueEnd - 1]) { valueEnd -= 1 }
    for spot in valueStart..<valueEnd where ASCII.isForbiddenControl(line[spot]) {
        throw refuse(spot, "header \(quoted(nameBytes)) holds the control character \(describeByte(line[spot])) in its value")
    }
    let role = FieldRole.of(nameBytes)
    var field = FieldLine(nameEnd: index, value: valueStart..<valueEnd, role: role, valueOffset: offset + valueStart)
    if role == .host {
        field.badHostByte = HeaderSection.firstBadHostByte(UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd]))
    }
    if role == .contentLength {
        let value = Array(line[valueStart..<valueEnd])
        if (1...18).contains(value.count) && value.allSatisfy(ASCII.isDigit) { field.plainNumber = Int(String(decoding: value, as: UTF8.self)) }
    }
    return field
}

/// What a field line check gave, in a form that compares.
private enum FieldOutcome: Equatable, CustomStringConvertible {
    case field(nameEnd: Int, value: Range<Int>, role: FieldRole, valueOffset: Int, badHostIndex: Int?, badHostByte: UInt8?,
               plainNumber: Int?)
    case refused(HTTPParseError)

    init(_ check: (UnsafeBufferPointer<UInt8>, Int) throws(HTTPParseError) -> FieldLine, _ line: [UInt8], at offset: Int) {
        do throws(HTTPParseError) {
            let field = try line.withUnsafeBufferPointer { (bytes) throws(HTTPParseError) -> FieldLine in try check(bytes, offset) }
            self = .field(nameEnd: field.nameEnd, value: field.value, role: field.role, valueOffset: field.valueOffset,
                          badHostIndex: field.badHostByte?.index, badHostByte: field.badHostByte?.byte, plainNumber: field.plainNumber)
        } catch {
            self = .refused(error)
        }
    }

    var description: String {
        switch self {
        case .field(let nameEnd, let value, let role, _, let index, _, let number):
            return "field(name 0..<\(nameEnd), value \(value), \(role), bad host byte at \(index as Any), number \(number as Any))"
        case .refused(let error): return "refused(\(error))"
        }
    }
}

/// Field lines built from pieces that meet each branch of the check: names of every length around a
/// word (8 bytes), each tchar and non-tchar, white space, control characters, DEL, bytes over 0x7F.
private func generatedLines(count: Int, seed: UInt64) -> [[UInt8]] {
    var generator = SplitMix64(seed: seed)
    let names = ["Host", "host", "HOST", "Content-Length", "content-length", "Transfer-Encoding", "X", "Server", "Date",
                 "Content-Type", "Connection", "Accept-Encoding", "X-Forwarded-For", "a_b", "x.y~z|w", "Hos", "Hostt", ""]
    let nameBytes: [UInt8] = Array("aZ09-_.!#$%&'*+^`|~".utf8) + [0x20, 0x09, 0x3A, 0x22, 0x28, 0x40, 0x7F, 0x80, 0xFF, 0x00, 0x0D]
    let valueBytes: [UInt8] = Array("abc XYZ 012 ,;=/\"".utf8) + [0x09, 0x20, 0x20, 0x00, 0x01, 0x0D, 0x1F, 0x7F, 0x80, 0xC3, 0xFF, 0x2C]
    var lines: [[UInt8]] = []
    for _ in 0..<count {
        var line: [UInt8] = []
        if Int.random(in: 0..<10, using: &generator) == 0 { line.append(0x20) }   // obs-fold
        if Bool.random(using: &generator) {
            line += Array(names.randomElement(using: &generator)!.utf8)
        }
        // Mutate or extend the name with bytes of any kind, at any place around a word boundary.
        for _ in 0..<Int.random(in: 0...3, using: &generator) {
            let byte = nameBytes.randomElement(using: &generator)!
            if !line.isEmpty && Bool.random(using: &generator) {
                line[Int.random(in: 0..<line.count, using: &generator)] = byte
            } else {
                line.append(byte)
            }
        }
        for _ in 0..<Int.random(in: 0...12, using: &generator) { line.append(UInt8(ascii: "a") + UInt8.random(in: 0..<26, using: &generator)) }
        if Int.random(in: 0..<8, using: &generator) != 0 { line.append(ASCII.colon) }
        for _ in 0..<Int.random(in: 0...2, using: &generator) { line.append(Bool.random(using: &generator) ? 0x20 : 0x09) }
        for _ in 0..<Int.random(in: 0...30, using: &generator) {
            line.append(Int.random(in: 0..<6, using: &generator) == 0 ? valueBytes.randomElement(using: &generator)! : UInt8(ascii: "v"))
        }
        for _ in 0..<Int.random(in: 0...2, using: &generator) { line.append(Bool.random(using: &generator) ? 0x20 : 0x09) }
        if line.isEmpty { line = [UInt8(ascii: "x")] }
        lines.append(line)
    }
    return lines
}

@Suite("The one-pass field line check is the byte-by-byte definition")
struct FieldLineTests {
    @Test("Generated lines: the same field or the same error (kind, offset, detail)")
    func generated() {
        var refusals = 0
        for (number, line) in generatedLines(count: 20_000, seed: 9).enumerated() {
            let offset = number % 7 * 100
            let fast = FieldOutcome(HeadSyntax.fieldLine, line, at: offset)
            let reference = FieldOutcome(referenceFieldLine, line, at: offset)
            #expect(fast == reference, "line \(quoted(line))")
            if case .refused = reference { refusals += 1 }
        }
        // Both outcomes are common, so the comparison covers both paths.
        #expect(refusals > 4_000 && refusals < 16_000, "\(refusals) refusals")
    }

    @Test("Lines a server meets", arguments: [
        "Host: example.com", "Content-Length: 42", "content-LENGTH:42", "Transfer-Encoding:  chunked \t",
        "Server: nginx/1.24.0", "Date: Sat, 01 Jan 2022 00:00:00 GMT", "Connection: keep-alive",
        "X-Very-Long-Header-Name-Beyond-Two-Words: v", "Host: a b", "Host:", "A:", ":a", " Host: a", "Host : a",
        "Host\t: a", "Host:\u{7F}", "Content-Length: 0", "Content-Length: 123456789012345678",
        "Content-Length: 1234567890123456789", "Content-Length: 1,1", "Content-Length: +1", "Content-Length: 1 2",
        "Content-Length:", "Content-Length: 0x1", "Content-Length: 007", "Host: a\u{0}b", "Na\u{80}me: v", "Name(x): v", "Exactly8:", "Exactly8",
    ])
    func known(_ text: String) {
        let line = Array(text.utf8)
        #expect(FieldOutcome(HeadSyntax.fieldLine, line, at: 3) == FieldOutcome(referenceFieldLine, line, at: 3))
    }

    @Test("tokenEnd stops at the first non-tchar byte, wherever it is in a word")
    func tokenEndEveryByteEveryPlace() {
        for length in 0...19 {
            for place in 0..<max(length, 1) {
                for byte in UInt8.min...UInt8.max {
                    var bytes = Array(repeating: UInt8(ascii: "k"), count: length)
                    if place < length { bytes[place] = byte }
                    let expected = bytes.firstIndex { !ASCII.isTokenChar($0) } ?? length
                    let found = bytes.withUnsafeBufferPointer { tokenEnd($0) }
                    if found != expected { Issue.record("length \(length), byte \(byte) at \(place): \(found), not \(expected)") }
                }
            }
        }
    }

    @Test("nameBytes marks exactly the letters, digits and \"-\" of a word")
    func nameBytesPerByte() {
        var generator = SplitMix64(seed: 4)
        for _ in 0..<20_000 {
            let word = generator.next()
            let marks = ASCII.nameBytes(in: word)
            for lane in 0..<8 {
                let byte = UInt8(truncatingIfNeeded: word >> (8 * UInt64(lane)))
                let expected = (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || ASCII.isAlpha(byte) && byte < 0x80
                #expect((marks >> (8 * UInt64(lane) + 7)) & 1 == (expected ? 1 : 0), "byte \(byte)")
            }
            #expect(marks & ~ASCII.highBits == 0)
        }
        // Every byte value, in every lane.
        for byte in UInt8.min...UInt8.max {
            for lane in 0..<8 {
                let word = UInt64(byte) << (8 * UInt64(lane)) | (lane == 0 ? 0 : 0x41)
                let marked = (ASCII.nameBytes(in: word) >> (8 * UInt64(lane) + 7)) & 1 == 1
                let expected = (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || (ASCII.isAlpha(byte) && byte < 0x80)
                #expect(marked == expected, "byte \(byte) in lane \(lane)")
            }
        }
    }
}

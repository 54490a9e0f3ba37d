import Testing
@testable import HTTP1

/// Inputs the fuzz targets (Tests/Fuzz) found, kept as regression tests. Each keeps the invariant the
/// target checks: here, that an error names a byte inside the input. The raw files are in
/// Tests/Fuzz/findings/ for `Tests/Fuzz/run.sh replay`.
@Suite("Fuzz findings stay fixed")
struct FuzzFindingsTests {
    @Test("request: a Content-Length list after bytes that are not UTF-8 is reported inside the input")
    func contentLengthListOffset() {
        // Found by the request target: the list check measured the comma's place in the decoded
        // String, where each byte that is not UTF-8 had become three; the offset fell past the end.
        var input = bytes("GET / HTTP/1.1\r\nHost: a\r\nContent-Length:")
        input += [0xFF, 0xFF, 0xE6, 0xE6] + bytes(",,") + [0xE6, 0xFF] + bytes("\r\n\r\n")
        let outcome = parseRequests([input])
        #expect(outcome.error?.kind == .conflictingContentLength)
        #expect(outcome.error.map { $0.offset >= 0 && $0.offset < input.count } == true, "\(outcome)")
    }
}

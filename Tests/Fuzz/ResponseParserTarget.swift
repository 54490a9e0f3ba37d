// Fuzz target: ResponseParser, with inputEnded() after the bytes. The first byte picks the methods the
// responses answer (HEAD changes framing). Invariants: the same parts and error for the whole input and
// a split of it; a close-delimited end only after inputEnded.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponseParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = parseResponseChunks([input])
    let split = parseResponseChunks(fuzzSplit(input))
    if whole != split { fuzzFailure("whole \(whole) != split \(split)") }
    return 0
}

func parseResponseChunks(_ chunks: [[UInt8]]) -> FuzzOutcome<ResponsePart> {
    var parser = ResponseParser(limits: fuzzLimits)
    let selector = chunks.first?.first ?? 0
    for bit in 0..<4 { parser.expectResponse(toMethod: selector & (1 << bit) != 0 ? "HEAD" : "GET") }
    var outcome = FuzzOutcome<ResponsePart>()
    func record(_ part: ResponsePart) {
        if case .body(let piece) = part {
            if piece.isEmpty { fuzzFailure("an empty body piece") }
            if case .body(let earlier)? = outcome.parts.last {
                outcome.parts[outcome.parts.count - 1] = .body(earlier + piece)
                return
            }
        }
        outcome.parts.append(part)
    }
    do {
        for chunk in chunks {
            parser.append(chunk)
            while let part = try parser.next() {
                if part == .end(closeDelimited: true) { fuzzFailure("a close-delimited end before the input ended") }
                record(part)
            }
        }
        if let part = try parser.inputEnded() {
            record(part)
            while let more = try parser.next() { record(more) }
        }
    } catch {
        outcome.error = error
    }
    return outcome
}

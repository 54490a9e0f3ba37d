// Fuzz target: the chunked decoder (BodyDecoder in .chunkSizeLine) on its own, under both line-ending
// rules (the first byte's low bit picks). Invariants: the same body and error for the whole input and a
// split of it; a body that decodes re-encodes (HTTPEncoder.writeChunk) to bytes that decode to it again.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChunkedDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let lineEnding: LineEnding = (input.first ?? 0) & 1 == 0 ? .crlfOnly : .crlfOrBareLF
    let body = Array(input.dropFirst())
    let whole = decodeChunked([body], lineEnding)
    let split = decodeChunked(fuzzSplit(body), lineEnding)
    if whole.body != split.body || whole.error != split.error || whole.ended != split.ended {
        fuzzFailure("whole \(whole) != split \(split)")
    }
    if whole.ended && whole.error == nil {
        var encoded: [UInt8] = []
        HTTPEncoder.writeChunk(whole.body, into: &encoded)
        HTTPEncoder.writeLastChunk(into: &encoded)
        let again = decodeChunked([encoded], .crlfOnly)
        if again.body != whole.body || !again.ended || again.error != nil { fuzzFailure("re-encoding gave \(again)") }
    }
    return 0
}

func decodeChunked(_ chunks: [[UInt8]], _ lineEnding: LineEnding) -> (body: [UInt8], ended: Bool, error: HTTPParseError?) {
    var queue = ByteQueue()
    var decoder = BodyDecoder(.chunkSizeLine, limits: fuzzLimits, lineEnding: lineEnding)
    var body: [UInt8] = []
    do {
        for (index, chunk) in chunks.enumerated() {
            queue.append(chunk)
            let isLast = index == chunks.count - 1
            while let event = try decoder.next(from: &queue, inputEnded: isLast) {
                switch event {
                case .bytes(let piece):
                    if piece.isEmpty { fuzzFailure("an empty body piece") }
                    body += piece
                    if body.count > fuzzLimits.maxBodyBytes { fuzzFailure("the body passed the limit") }
                case .end:
                    return (body, true, nil)
                }
            }
        }
    } catch {
        return (body, false, error)
    }
    return (body, false, nil)
}

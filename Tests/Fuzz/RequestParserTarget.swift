// Fuzz target: RequestParser. Invariants beyond "no crash": the same parts and error for the whole
// input and for a split of it; an error names a byte inside the input and is thrown again on the next
// call; no body exceeds the limit.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = parseRequestChunks([input])
    let split = parseRequestChunks(fuzzSplit(input))
    if whole != split { fuzzFailure("whole \(whole) != split \(split)") }
    if let error = whole.error, error.offset < 0 || error.offset > input.count {
        fuzzFailure("error offset \(error.offset) outside 0...\(input.count)")
    }
    return 0
}

func parseRequestChunks(_ chunks: [[UInt8]]) -> FuzzOutcome<RequestPart> {
    var parser = RequestParser(limits: fuzzLimits)
    var outcome = FuzzOutcome<RequestPart>()
    var bodyBytes = 0
    do {
        for chunk in chunks {
            parser.append(chunk)
            while let part = try parser.next() {
                switch part {
                case .head:
                    bodyBytes = 0
                    outcome.parts.append(part)
                case .body(let piece):
                    if piece.isEmpty { fuzzFailure("an empty body piece") }
                    bodyBytes += piece.count
                    if bodyBytes > fuzzLimits.maxBodyBytes { fuzzFailure("a body of \(bodyBytes) bytes passed the limit") }
                    if case .body(let earlier)? = outcome.parts.last {
                        outcome.parts[outcome.parts.count - 1] = .body(earlier + piece)
                    } else {
                        outcome.parts.append(part)
                    }
                case .end:
                    outcome.parts.append(part)
                }
            }
        }
    } catch {
        outcome.error = error
        do {
            _ = try parser.next()
            fuzzFailure("a failed parser returned a part")
        } catch let again {
            if again != error { fuzzFailure("a failed parser threw \(again), then \(error)") }
        }
    }
    return outcome
}

// Shared by the three HTTP1 fuzz targets. Built by Tests/Fuzz/run.sh together with Sources/HTTP1 as
// one module, so the targets can reach the parsers' internals (BodyDecoder, ByteQueue). Not a SwiftPM
// target: `swift build` never compiles it.

/// Small limits, so the fuzzer reaches every "too large" path within a few hundred bytes.
let fuzzLimits = ParserLimits(maxHeaderBytes: 256, maxBodyBytes: 1024)

/// A parse run boiled down to what must not depend on how the input was split: the parts with body
/// pieces joined, and the error.
struct FuzzOutcome<Part: Equatable>: Equatable {
    var parts: [Part] = []
    var error: HTTPParseError?
}

/// The input cut in two at a place the input itself chooses (its first byte), so a crash replays exactly.
func fuzzSplit(_ input: [UInt8]) -> [[UInt8]] {
    guard let first = input.first, input.count > 1 else { return [input] }
    let cut = Int(first) % input.count
    return [Array(input[..<cut]), Array(input[cut...])]
}

/// Stops the run with a message the fuzzer saves next to the input that caused it.
func fuzzFailure(_ message: String) -> Never {
    fatalError("fuzz invariant broken: \(message)")
}

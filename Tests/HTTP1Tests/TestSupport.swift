import Testing
@testable import HTTP1

/// The bytes of a string literal, as a client would send them.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The byte offset of the first occurrence of `needle` in `text`, for asserting error offsets
/// without counting by hand.
func offset(of needle: String, in text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
    let haystack = Array(text.utf8), pattern = Array(needle.utf8)
    for start in 0...(haystack.count - pattern.count) where Array(haystack[start..<(start + pattern.count)]) == pattern {
        return start
    }
    Issue.record("\(needle.debugDescription) is not in the text", sourceLocation: sourceLocation)
    return -1
}

/// What a parser made of a stream: its parts, consecutive body pieces joined, and the error that
/// stopped it, if any.
struct Outcome<Part: Equatable>: Equatable, CustomStringConvertible {
    var parts: [Part] = []
    var error: HTTPParseError?

    var description: String { "parts: \(parts)\nerror: \(error.map { "\($0)" } ?? "none")" }
}

extension Outcome where Part == RequestPart {
    mutating func record(_ part: RequestPart, sourceLocation: SourceLocation = #_sourceLocation) {
        if case .body(let piece) = part {
            #expect(!piece.isEmpty, "a .body part must not be empty", sourceLocation: sourceLocation)
            if case .body(let earlier)? = parts.last {
                parts[parts.count - 1] = .body(earlier + piece)
                return
            }
        }
        parts.append(part)
    }
}

extension Outcome where Part == ResponsePart {
    mutating func record(_ part: ResponsePart, sourceLocation: SourceLocation = #_sourceLocation) {
        if case .body(let piece) = part {
            #expect(!piece.isEmpty, "a .body part must not be empty", sourceLocation: sourceLocation)
            if case .body(let earlier)? = parts.last {
                parts[parts.count - 1] = .body(earlier + piece)
                return
            }
        }
        parts.append(part)
    }
}

/// Feeds `chunks` to a RequestParser, draining `next()` after each append.
func parseRequests(_ chunks: [[UInt8]], limits: ParserLimits = ParserLimits()) -> Outcome<RequestPart> {
    var parser = RequestParser(limits: limits)
    var outcome = Outcome<RequestPart>()
    do {
        for chunk in chunks {
            parser.append(chunk)
            while let part = try parser.next() { outcome.record(part) }
        }
    } catch {
        outcome.error = error
    }
    return outcome
}

func parseRequests(_ text: String, limits: ParserLimits = ParserLimits()) -> Outcome<RequestPart> {
    parseRequests([bytes(text)], limits: limits)
}

/// Feeds `chunks` to a ResponseParser that expects responses to `methods`, then reports the end of
/// input and drains what is left.
func parseResponses(
    _ chunks: [[UInt8]], methods: [String] = [], endInput: Bool = true, limits: ParserLimits = ParserLimits()
) -> Outcome<ResponsePart> {
    var parser = ResponseParser(limits: limits)
    for method in methods { parser.expectResponse(toMethod: method) }
    var outcome = Outcome<ResponsePart>()
    do {
        for chunk in chunks {
            parser.append(chunk)
            while let part = try parser.next() { outcome.record(part) }
        }
        if endInput, let part = try parser.inputEnded() {
            outcome.record(part)
            while let part = try parser.next() { outcome.record(part) }
        }
    } catch {
        outcome.error = error
    }
    return outcome
}

func parseResponses(_ text: String, methods: [String] = [], endInput: Bool = true) -> Outcome<ResponsePart> {
    parseResponses([bytes(text)], methods: methods, endInput: endInput)
}

/// SplitMix64: a tiny deterministic PRNG, so "random" chunkings are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Ways to cut a stream into appends: whole, every 2-way split, one byte at a time, and `randomCount`
/// seeded random chunkings (pieces of 1...16 bytes).
func chunkings(of stream: [UInt8], randomCount: Int = 50) -> [(name: String, chunks: [[UInt8]])] {
    var result: [(name: String, chunks: [[UInt8]])] = [("whole", [stream])]
    for cut in 0...stream.count {
        result.append(("split at \(cut)", [Array(stream[..<cut]), Array(stream[cut...])]))
    }
    result.append(("one byte at a time", stream.map { [$0] }))
    for seed in 0..<UInt64(randomCount) {
        var generator = SplitMix64(seed: seed)
        var chunks: [[UInt8]] = []
        var start = 0
        while start < stream.count {
            let length = Int.random(in: 1...16, using: &generator)
            let end = min(stream.count, start + length)
            chunks.append(Array(stream[start..<end]))
            start = end
        }
        result.append(("random seed \(seed)", chunks))
    }
    return result
}

/// A header list from pairs, keeping order (a dictionary literal would too, but reads less plainly).
func headers(_ pairs: (String, String)...) -> HTTPHeaders { HTTPHeaders(pairs) }

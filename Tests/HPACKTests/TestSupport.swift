import Testing
@testable import HPACK

/// The bytes of a hex dump as the RFC prints them: "8286 8441", spaces and newlines ignored.
func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }
    precondition(digits.count % 2 == 0, "odd hex dump: \(text)")
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// The bytes of a string literal.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The error a throwing call threw, or nil if it returned.
func thrownError<T>(_ body: () throws(HPACKError) -> T) -> HPACKError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// A small seeded generator (SplitMix64), so random tests run the same every time.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

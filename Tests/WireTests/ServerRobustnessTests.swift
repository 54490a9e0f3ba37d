import HTTP1
import Testing
@testable import Wire

/// A tiny deterministic generator (SplitMix64) so a failure can be replayed from its seed.
struct SeededRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

@Suite("Server robustness: garbage never crashes it", .serialized)
struct ServerRobustnessTests {
    /// Mutations of a valid request: the kinds of damage a broken client or an attacker produces.
    static func damagedRequest(_ random: inout SeededRandom) -> [UInt8] {
        var bytes = Array("GET /echo?x=1 HTTP/1.1\r\nHost: lab\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello".utf8)
        switch random.below(4) {
        case 0:   // random bytes overwritten
            for _ in 0..<(1 + random.below(6)) { bytes[random.below(bytes.count)] = UInt8(random.below(256)) }
        case 1:   // a piece cut out
            let start = random.below(bytes.count), length = random.below(bytes.count - start)
            bytes.removeSubrange(start..<(start + length))
        case 2:   // random bytes inserted
            let at = random.below(bytes.count)
            bytes.insert(contentsOf: (0..<(1 + random.below(40))).map { _ in UInt8(random.below(256)) }, at: at)
        default:  // pure noise
            bytes = (0..<(1 + random.below(300))).map { _ in UInt8(random.below(256)) }
        }
        return bytes
    }

    @Test("200 damaged requests: each gets an answer or a close, and the server keeps serving", arguments: [1, 2, 3])
    func damagedRequests(seed: UInt64) throws {
        let h = try ServerHarness { $0.headersTimeoutMs = 300; $0.requestTimeoutMs = 500 }
        var random = SeededRandom(state: seed)
        var connections: [RawConnection] = []
        for _ in 0..<200 {
            let c = h.connect()
            c.send(Self.damagedRequest(&random))
            c.shutdownWrite()   // no more bytes: the server must finish with what it has
            connections.append(c)
        }
        h.wait("every damaged connection to be closed by the server", timeoutMs: 10_000) {
            connections.allSatisfy { $0.state != .open && $0.state != .connecting }
        }
        #expect(h.server.stats.open == 0)
        // Whatever it answered was a well-formed HTTP response.
        for c in connections where !c.received.isEmpty {
            #expect(c.text.hasPrefix("HTTP/1.1 "), "not an HTTP response: \(c.text.prefix(40))")
        }
        // And it still serves a good request afterwards.
        let good = h.connect()
        good.send(get("/"))
        h.wait("a good request after the garbage") { good.responseCount == 1 }
        #expect(ServerHarness.responses(good.received).first?.head.status == 200)
    }
}

import Foundation
import LabKit
import Testing
@testable import LabRun

/// The loopback ratios that http-keep-alive and handshake-cost print are the run's own: each is
/// the quotient of two times printed on the lines above it, not a figure written into the lesson.
@Suite("Lessons print the ratio their run measured", .serialized)
struct MeasuredRatioTests {
    static let library = LessonLibrary.load(directory: lessonsDirectory)

    /// The first number after `prefix` on the first output line that contains it.
    static func number(after prefix: String, in output: [String]) -> Double? {
        guard let line = output.first(where: { $0.contains(prefix) }),
              let range = line.range(of: prefix) else { return nil }
        let digits = line[range.upperBound...].drop { $0 == " " }.prefix { $0.isNumber || $0 == "." }
        return Double(digits)
    }

    func run(_ id: String) throws -> [String] {
        let lesson = try #require(Self.library.find(id))
        let outcome = ExperimentRunner.run(lesson: lesson)
        #expect(outcome.verdict == .match, "\(id): \(outcome.verdict.rawValue)")
        return outcome.output
    }

    @Test("http-keep-alive: the speedup is the run's best time without keep-alive over its best time with it")
    func keepAliveSpeedup() throws {
        let output = try run("http-keep-alive")
        let without = try #require(Self.number(after: "  Without keep-alive: ", in: output))
        let with = try #require(Self.number(after: "With keep-alive:    ", in: output))
        let ratio = try #require(Self.number(after: "keep-alive was ", in: output))
        // Both times print with two decimals and the ratio with one.
        let low = (without - 0.005) / (with + 0.005), high = (without + 0.005) / max(with - 0.005, 0.0001)
        #expect(ratio >= (low * 10).rounded(.down) / 10 && ratio <= (high * 10).rounded(.up) / 10,
                "printed \(ratio)x from \(without) ms and \(with) ms")
    }

    @Test("handshake-cost part 1: the ratio is the run's new-connection time over its kept-alive time")
    func handshakeRatio() throws {
        let output = try run("handshake-cost")
        let cold = try #require(Self.number(after: "on a new connection:        ", in: output))
        let warm = try #require(Self.number(after: "on a kept-alive connection: ", in: output))
        let ratio = try #require(Self.number(after: "a new connection took ", in: output))
        // Both times print with three decimals and the ratio with one.
        let low = (cold - 0.0005) / (warm + 0.0005), high = (cold + 0.0005) / max(warm - 0.0005, 0.00001)
        #expect(ratio >= (low * 10).rounded(.down) / 10 && ratio <= (high * 10).rounded(.up) / 10,
                "printed \(ratio)x from \(cold) ms and \(warm) ms")
    }
}

import LabKit
import Testing
import Wire
@testable import LabRun

/// Plain mode (`PlainText.ascii` turns "…" into "...") must not push cut labels out of line.
@Suite("Waterfall in plain mode")
struct WaterfallPlainTests {
    /// Two rows on one connection: one with a target too long for its column, one short.
    let cutRun: [RequestRecord] = [
        request("ka", on: 1, at: 0, connect: 2, done: 10, target: "/a/very/long/target/that/is/cut/here"),
        request("ka", on: 1, at: 10, done: 10, reused: true, target: "/short"),
    ]

    /// The column where each bar starts ("|") in the request rows of `text`.
    func barColumns(_ text: String) -> [Int] {
        text.split(separator: "\n").filter { $0.hasPrefix("  ka #") }.compactMap { line in
            line.firstIndex(of: "|").map { line.distance(from: line.startIndex, to: $0) }
        }
    }

    @Test("a cut label keeps the bars in line after PlainText.ascii")
    func requestsAlign() {
        let plain = PlainText.ascii(Waterfall.renderRequests(cutRun, startedNanos: 0, width: 100, plain: true))
        #expect(plain.contains("GET /a/very/long/ta...") || plain.contains("..."))
        let columns = barColumns(plain)
        #expect(columns.count == 2)
        #expect(Set(columns).count == 1, "\(plain)")
        // Without the fix, the plain text is two columns off on the cut row.
        let unfixed = barColumns(PlainText.ascii(Waterfall.renderRequests(cutRun, startedNanos: 0, width: 100)))
        #expect(Set(unfixed).count == 2)
    }

    @Test("plain: false draws exactly what it drew before (the cut ends in …)")
    func nonPlainUnchanged() {
        let text = Waterfall.renderRequests(cutRun, startedNanos: 0, width: 100)
        #expect(text.contains("…"))
        #expect(!text.contains("..."))
        #expect(Waterfall.render(mixedRun, startedNanos: 0, width: 60, layout: .requests, plain: false)
            == Waterfall.renderRequests(mixedRun, startedNanos: 0, width: 60))
    }

    @Test("the lane chart's cut labels fit the width in plain mode too", arguments: [24, 30, 40])
    func lanesFit(width: Int) {
        let many = (1...3).map { request("an-agent-with-a-long-name", on: $0, at: Double($0), connect: 0.5, done: 3) }
        let plain = PlainText.ascii(Waterfall.render(many, startedNanos: 0, width: width, plain: true))
        #expect(plain.contains("..."))
        for line in plain.split(separator: "\n") { #expect(line.count <= width, "\(line)") }
        let normal = Waterfall.render(many, startedNanos: 0, width: width)
        let plainLines = plain.split(separator: "\n").map(\.count)
        let normalLines = normal.split(separator: "\n").map(\.count)
        #expect(plainLines == normalLines)
    }
}

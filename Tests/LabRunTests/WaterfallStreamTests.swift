import HTTP1
import Testing
import Wire
@testable import LabRun

/// An HTTP/2 connection's streams drawn under its lane, overlapping as they overlapped.
@Suite("Waterfall: HTTP/2 streams under their connection")
struct WaterfallStreamTests {
    static func streamRecord(_ stream: Int, at start: Double, assigned: Double, done: Double) -> RequestRecord {
        var record = request("mux", on: 1, at: start, assigned: assigned, connect: stream == 1 ? 2 : nil, done: done, reused: stream > 1)
        record.result.stream = stream
        return record
    }

    @Test("a slow and a fast stream: one lane, a sub-row each, the fast one ending first")
    func twoStreams() {
        let records = [WaterfallStreamTests.streamRecord(1, at: 0, assigned: 0, done: 300),
                       WaterfallStreamTests.streamRecord(3, at: 0, assigned: 5, done: 20)]
        let text = Waterfall.LaneChart(records: records, startedNanos: 0, width: 80).text
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("  mux #1 ") }.count == 1)
        let s1 = lines.first { $0.hasPrefix("    s1 ") }
        let s3 = lines.first { $0.hasPrefix("    s3 ") }
        #expect(s1 != nil && s3 != nil)
        // s3's bar ends long before s1's.
        func end(_ line: String?) -> Int { Array(line ?? "").lastIndex(of: "█") ?? 0 }
        let end1 = end(s1), end3 = end(s3)
        #expect(end3 < end1 / 2)
        #expect(text.contains("its HTTP/2 streams under it"))
        #expect(text.contains("sN HTTP/2 stream N of the connection above"))
        #expect(text.contains("Summary: 1 connection opened, 2 requests"))
    }

    @Test("HTTP/1.1 lanes and one-stream connections get no sub-rows; past the limit the rest are counted")
    func noSubRowsAndLimit() {
        let plain = Waterfall.LaneChart(records: queuedBurst, startedNanos: 0, width: 80).text
        #expect(!plain.contains(" s1 ") && !plain.contains("HTTP/2"))
        let single = Waterfall.LaneChart(records: [WaterfallStreamTests.streamRecord(1, at: 0, assigned: 0, done: 10)], startedNanos: 0, width: 80).text
        #expect(!single.contains(" s1 "))
        let many = (0..<11).map { WaterfallStreamTests.streamRecord(2 * $0 + 1, at: 0, assigned: Double($0), done: 50) }
        let text = Waterfall.LaneChart(records: many, startedNanos: 0, width: 80).text
        #expect(text.contains("    s15 "))
        #expect(!text.contains("    s17 "))
        #expect(text.contains("… 3 more streams"))
    }
}

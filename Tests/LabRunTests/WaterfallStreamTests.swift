import HTTP1
import Testing
import Wire
@testable import LabRun

/// The columns of `row` (a whole picture line) that hold one of the request shades.
private func requestColumns(_ row: String) -> [Int] {
    Array(row).enumerated().filter { Waterfall.Glyph.request.contains($0.element) }.map(\.offset)
}

@Suite("Waterfall: the streams of an HTTP/2 connection under its lane")
struct WaterfallStreamTests {
    @Test("six streams sent together: one lane, six stream rows under it, overlapping in time")
    func sideBySide() {
        // A slow stream and five fast ones, all sent at 0 on one connection.
        let records = streams(6) { $0 == 0 ? 400 : 110 }
        let text = lanes(records, width: 90)
        let lines = text.split(separator: "\n").map(String.init)
        let laneIndex = lines.firstIndex { $0.hasPrefix("  h2 #1") }!
        #expect(lines[laneIndex].hasSuffix("h2, 6 streams"))
        let streamRows = Array(lines[(laneIndex + 1)...(laneIndex + 6)])
        #expect(streamRows.map { $0.split(separator: " ").first.map(String.init) } == ["s1", "s3", "s5", "s7", "s9", "s11"])
        #expect(streamRows[0].hasSuffix("stream 1"))
        // Every fast stream's bar ends well before the slow one's, and they all overlap it.
        let slow = requestColumns(streamRows[0])
        for row in streamRows.dropFirst() {
            let fast = requestColumns(row)
            #expect(!fast.isEmpty && fast.last! < slow.last!)
            #expect(Set(fast).isSubset(of: Set(slow)) || fast.first! >= slow.first!)
        }
        // The lane itself counts the streams that began together.
        #expect(lines[laneIndex].contains("6"))
        #expect(text.contains("sN HTTP/2 stream N of the connection above"))
        #expect(text.contains("its HTTP/2 streams under it"))
        #expect(text.contains("6 as HTTP/2 streams"))
    }

    @Test("streams that follow one another share a row; the rows are the most open at once")
    func sharedRow() {
        let records = (0..<3).map { index in
            request("h2", on: 1, at: Double(index) * 50, connect: index == 0 ? 10 : nil, done: index == 0 ? 50 : 40,
                    reused: index > 0, stream: 2 * index + 1)
        }
        let text = lanes(records)
        let subRows = rows(text, "  s")
        #expect(subRows.count == 1)
        #expect(subRows[0].hasPrefix("    s1 +2"))
        #expect(subRows[0].hasSuffix("3 streams"))
        #expect(segments(subRows[0]) == 3)
    }

    @Test("past streamRowLimit rows, the other streams are counted, with the most that overlapped")
    func limit() {
        let records = streams(20) { _ in 100 }
        let text = lanes(records, width: 100)
        #expect(rows(text, "  s").count == Waterfall.streamRowLimit)
        #expect(text.contains("… 12 more streams not drawn (20 overlapped in time)"))
    }

    @Test("the layout's rows agree with an edge count of the streams open at once")
    func layoutMatchesEdges() {
        var lane = Waterfall.Lane(agent: "h2", connection: 1)
        let pattern: [(Double, Double)] = [(0, 100), (10, 30), (30, 60), (35, 40), (40, 90), (100, 120), (60, 61)]
        lane.spans = pattern.enumerated().map { index, span in
            Waterfall.Span(submitted: span.0, assigned: span.0, connected: span.0, done: span.1, isFailed: false, stream: 2 * index + 1)
        }
        let layout = Waterfall.StreamLayout(lane, limit: 100)
        #expect(layout.mostAtOnce == Waterfall.StreamLayout.mostAtOnce(lane.spans))
        #expect(layout.mostAtOnce == 3)
        for row in layout.rows {
            for (a, b) in zip(row, row.dropFirst()) { #expect(a.done <= b.submitted) }
        }
        #expect(layout.rows.flatMap { $0 }.count == pattern.count)
    }

    @Test("a failed stream is marked on its row and counted on the lane", arguments: [60, 100])
    func failure(width: Int) {
        var records = streams(3) { _ in 50 }
        records[1] = request("h2", on: 1, at: 0, assigned: 10, done: 30, reused: true, error: .reset, stream: 3)
        let text = lanes(records, width: width)
        #expect(rows(text, "h2 #1")[0].contains(Waterfall.Glyph.failed))
        #expect(rows(text, "  s3")[0].contains(Waterfall.Glyph.failed))
        for line in text.split(separator: "\n") { #expect(line.count <= width) }
    }

    @Test("no line is wider than the width, streams included", arguments: [24, 40, 80, 120])
    func width(width: Int) {
        let text = lanes(streams(12) { 50 + Double($0) * 10 } + sequence("ka", on: 1, from: 0, count: 3, each: 40), width: width)
        for line in text.split(separator: "\n") { #expect(line.count <= width, "\(line)") }
    }

    @Test("HTTP/1.1 lanes beside an HTTP/2 one draw as before: no stream rows under them")
    func mixed() {
        let h1 = sequence("ka", on: 1, from: 0, count: 4, each: 25)
        let alone = lanes(h1)
        let beside = lanes(h1 + streams(2) { _ in 100 })
        #expect(rows(alone, "ka #1")[0].hasSuffix("4 requests"))
        let lines = beside.split(separator: "\n").map(String.init)
        let ka = lines.firstIndex { $0.hasPrefix("  ka #1") }!
        #expect(!lines[ka + 1].hasPrefix("    s"))
        #expect(!alone.contains("HTTP/2"))
    }

    @Test("a multiplexed lane is never folded, even past laneLimit")
    func notFolded() {
        let once = (0..<50).map { request("pool", on: $0 + 1, at: Double($0), connect: 0.5, done: 1) }
        let h2 = (0..<2).map { index in
            request("pool", on: 51 + index, at: 60, connect: 1, done: 5, stream: 1)
        }
        let text = lanes(once + h2, width: 100)
        #expect(rows(text, "pool #51").count == 1)
        #expect(rows(text, "pool #52").count == 1)
    }

    @Test("one row per request names its stream")
    func requestsPicture() {
        let text = Waterfall.renderRequests(streams(2) { _ in 30 }, startedNanos: 0, width: 100)
        #expect(text.contains("stream 1\n"))
        #expect(text.contains("stream 3\n"))
    }
}

/// An HTTP/2 connection's streams drawn under its lane, overlapping as they overlapped.
@Suite("Waterfall: HTTP/2 streams under their connection (records with result.stream)")
struct WaterfallStreamSubRowTests {
    static func streamRecord(_ stream: Int, at start: Double, assigned: Double, done: Double) -> RequestRecord {
        var record = request("mux", on: 1, at: start, assigned: assigned, connect: stream == 1 ? 2 : nil, done: done, reused: stream > 1)
        record.result.stream = stream
        return record
    }

    @Test("a slow and a fast stream: one lane, a sub-row each, the fast one ending first")
    func twoStreams() {
        let records = [WaterfallStreamSubRowTests.streamRecord(1, at: 0, assigned: 0, done: 300),
                       WaterfallStreamSubRowTests.streamRecord(3, at: 0, assigned: 5, done: 20)]
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
        let single = Waterfall.LaneChart(records: [WaterfallStreamSubRowTests.streamRecord(1, at: 0, assigned: 0, done: 10)], startedNanos: 0, width: 80).text
        #expect(!single.contains(" s1 "))
        let many = (0..<11).map { WaterfallStreamSubRowTests.streamRecord(2 * $0 + 1, at: 0, assigned: Double($0), done: 50) }
        let text = Waterfall.LaneChart(records: many, startedNanos: 0, width: 80).text
        #expect(text.contains("    s15 "))
        #expect(!text.contains("    s17 "))
        #expect(text.contains("… 3 more streams"))
    }
}

import LabKit
import Testing
import Wire
@testable import LabRun

/// The connection picture of `records` at `width` columns.
func lanes(_ records: [RequestRecord], width: Int = 80) -> String {
    Waterfall.render(records, startedNanos: 0, width: width)
}

/// The rows of a picture whose label starts with `prefix` (after the two-space indent).
func rows(_ text: String, _ prefix: String) -> [String] {
    text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("  " + prefix) }
}

/// How many requests a row's bar draws as separate runs of the two request shades.
func segments(_ row: String) -> Int {
    var count = 0
    var previous: Character = " "
    for cell in row where cell != previous {
        if Waterfall.Glyph.request.contains(cell) { count += 1 }
        previous = cell
    }
    return count
}

/// 200 requests spread over 3 connections of one pool, sent one after another.
let twoHundredOnThree: [RequestRecord] = (0..<200).map { (index: Int) -> RequestRecord in
    let connection: Int = index % 3 + 1
    let connect: Double? = index < 3 ? 1 : nil
    return request("pool", on: connection, at: Double(index) * 2, connect: connect, done: 1.5, reused: index >= 3)
}

@Suite("Waterfall: one lane per connection")
struct WaterfallLaneTests {
    @Test("reuse shows as several requests, in alternating shades, on one connection's row")
    func reuse() {
        let text = lanes(sequence("ka", on: 1, from: 0, count: 4, each: 25))
        let lane = rows(text, "ka ")
        #expect(lane.count == 1)
        #expect(segments(lane[0]) == 4)
        #expect(lane[0].hasSuffix(" 4 requests"))
        #expect(lane[0].contains(Waterfall.Glyph.connecting))
    }

    @Test("a wait for a socket is drawn before the request it delayed")
    func queueWaitOnIdleLane() {
        // Waited 40 ms for a socket (the pool was full), then opened a new connection.
        let text = lanes([request("pool", on: 1, at: 0, assigned: 40, connect: 10, done: 80),
                          request("pool", on: 2, at: 0, connect: 10, done: 40)])
        let lane = rows(text, "pool #1")[0]
        let waitEnd = lane.lastIndex(of: Waterfall.Glyph.queued)
        let connectStart = lane.firstIndex(of: Waterfall.Glyph.connecting)
        #expect(waitEnd != nil && connectStart != nil && waitEnd! < connectStart!)
        #expect(text.contains("░ waiting for a socket"))
    }

    @Test("a wait behind the connection's own earlier requests is marked where the request starts")
    func queueWaitBehindBusySocket() {
        let text = lanes(queuedBurst)
        let lane = rows(text, "ka #1")[0]
        #expect(lane.count(where: { $0 == Waterfall.Glyph.waitedBehind }) == 2)
        #expect(segments(lane) >= 1)
        #expect(text.contains("» had waited for this socket"))
        #expect(text.contains("longest queue wait 110.0 ms"))
    }

    @Test("the summary counts connections, requests, reuse, the longest queue wait and failures")
    func summary() {
        let text = lanes(mixedRun, width: 120)
        #expect(text.hasSuffix("Summary: 3 connections opened, 8 requests, 4 reused, longest queue wait 110.0 ms, 2 failed\n"))
        let clean = lanes(queuedBurst, width: 120)
        #expect(clean.hasSuffix("Summary: 1 connection opened, 3 requests, 2 reused, longest queue wait 110.0 ms\n"))
    }

    @Test("no line is wider than the width asked for", arguments: [12, 40, 80, 120, 200])
    func width(width: Int) {
        let many = (1...60).map { request("an-agent-with-a-long-name", on: $0, at: Double($0), connect: 0.5, done: 3) }
        for records in [mixedRun, twoHundredOnThree, queuedBurst, many] {
            let text = lanes(records, width: width)
            for line in text.split(separator: "\n") {
                #expect(visibleWidth(String(line)) <= width, "\(width): \(line)")
            }
        }
        let wide = lanes(mixedRun, width: 1000).split(separator: "\n").map { visibleWidth(String($0)) }.max() ?? 0
        #expect(wide <= Waterfall.maxWidth)
    }

    @Test("200 requests over 3 connections draw 3 rows")
    func twoHundred() {
        let text = lanes(twoHundredOnThree)
        let lane = rows(text, "pool #")
        #expect(lane.map { String($0.prefix(9)) } == ["  pool #1", "  pool #2", "  pool #3"])
        #expect(lane.map { $0.hasSuffix(" 67 requests") || $0.hasSuffix(" 66 requests") } == [true, true, true])
        #expect(text.split(separator: "\n").count < 12)
        #expect(text.contains("Summary: 3 connections opened, 200 requests, 197 reused"))
    }

    @Test("a request that failed on its connection is marked on its row; one that never had one gets the no-connection row")
    func failures() {
        let text = lanes(mixedRun)
        let pool2 = rows(text, "pool #2")[0]
        #expect(pool2.contains(Waterfall.Glyph.failed))
        #expect(pool2.hasSuffix("2 requests, 1 failed"))
        let none = rows(text, "no connection")
        #expect(none.count == 1)
        #expect(none[0].contains(Waterfall.Glyph.failed))
        #expect(none[0].hasSuffix("1 failed"))
        #expect(text.contains("✘ failed"))
    }

    @Test("rows are in order of first use, and the same records in any order give the same text")
    func deterministic() {
        let text = lanes(mixedRun)
        let lines = text.split(separator: "\n").map(String.init)
        let order = ["  ka #1 ", "  pool #1 ", "  pool #2 ", "  no connection "].map { label in
            lines.firstIndex { $0.hasPrefix(label) } ?? -1
        }
        #expect(order.allSatisfy { $0 >= 0 } && order == order.sorted())
        #expect(lanes(mixedRun.reversed()) == text)
        #expect(lanes(mixedRun.shuffled()) == text)
    }

    @Test("an axis with round millisecond ticks")
    func axis() {
        let text = lanes(sequence("ka", on: 1, from: 0, count: 4, each: 25))
        let ticks = rows(text, "ms")
        #expect(ticks.count == 1)
        #expect(ticks[0].split(separator: " ").dropFirst().allSatisfy { Int($0).map { $0 % 10 == 0 } ?? false })
        #expect(text.contains("├"))
        #expect(Waterfall.roundStep(atLeast: 37) == 50)
        #expect(Waterfall.roundStep(atLeast: 0.13) == 0.2)
        #expect(Waterfall.decimals(of: 0.05) == 2)
    }

    @Test("more than laneLimit connections: the first are drawn, the rest counted on one line")
    func tooManyLanes() {
        // Two requests per connection, so none is folded.
        let records = (1...50).flatMap { id in
            [request("busy", on: id, at: Double(id), connect: 0.1, done: 1),
             request("busy", on: id, at: Double(id) + 1, done: 1, reused: true)]
        }
        let text = lanes(records)
        #expect(rows(text, "busy #").count == Waterfall.laneLimit)
        #expect(text.contains("  … 10 more connections not drawn (busy 10)"))
        #expect(text.contains("Summary: 50 connections opened, 100 requests, 50 reused"))
    }

    @Test("more than laneLimit connections: runs used once each fold into one row")
    func folding() {
        let once = (1...60).map { request("fetch", on: $0, at: Double($0), connect: 0.1, done: 1) }
        let text = lanes(once + sequence("ka", on: 1, from: 70, count: 5, each: 2))
        #expect(rows(text, "fetch #1–60").first?.hasSuffix("60 × 1 request") == true)
        #expect(rows(text, "ka #1").count == 1)
        #expect(text.contains("#m–n connections used once each"))
        #expect(Waterfall.render(Array(once.prefix(40)), startedNanos: 0).contains("fetch #40"))
    }

    @Test("no requests: one line that says so")
    func empty() {
        #expect(lanes([]) == "No requests were made.\n")
    }
}

@Suite("Waterfall: one row per request (--waterfall=requests)")
struct WaterfallRequestsTests {
    /// The picture with each bar (between the two `|`) and the column scale taken out: what a row
    /// says must stay as it was; only the bar's width follows the longest note now.
    func withoutBars(_ text: String) -> [String] {
        text.split(separator: "\n").map { line in
            let parts = line.split(separator: "|", omittingEmptySubsequences: false)
            if parts.count == 3 { return parts[0] + "|…|" + parts[2] }
            return line.contains("one column") ? String(line.prefix { $0 != "(" }) : String(line)
        }
    }

    @Test("renderRequests draws the same rows as before (bars fit the width now)", arguments: [(100, requestsPicture100), (60, requestsPicture60)])
    func unchanged(width: Int, expected: String) {
        let text = Waterfall.renderRequests(mixedRun, startedNanos: 0, width: width)
        #expect(withoutBars(text) == withoutBars(expected))
        #expect(Waterfall.render(mixedRun, startedNanos: 0, width: width, layout: .requests) == text)
    }

    @Test("no row is wider than the width, whatever the notes (once the 20-column bar fits)", arguments: [80, 100, 120])
    func fitsWidth(width: Int) {
        for line in Waterfall.renderRequests(mixedRun, startedNanos: 0, width: width).split(separator: "\n") where line.contains("|") {
            #expect(line.count <= width, "\(line)")
        }
    }

    @Test("one row per request, even with 200 of them")
    func oneRowEach() {
        let text = Waterfall.renderRequests(twoHundredOnThree, startedNanos: 0, width: 80)
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("  pool #") }.count == 200)
    }
}

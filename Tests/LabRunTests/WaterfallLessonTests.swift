import LabKit
import Testing
@testable import LabRun

/// The waterfall of a real run adds up: a lane for every connection the server saw, whether an
/// agent or a raw socket made it, and a summary whose figures are the lanes'.
@Suite("The waterfall of a lesson's run draws every connection the server saw", .serialized)
struct WaterfallLessonTests {
    /// Lanes drawn for `outcome`: agents' connections and raw sockets' connections.
    static func laneCount(_ outcome: ExperimentOutcome) -> Int {
        let agents = Waterfall.lanes(of: outcome.requests, startedNanos: outcome.startedNanos).connected
        let sockets = Waterfall.lanes(of: outcome.sockets, startedNanos: outcome.startedNanos)
        return agents.count + sockets.count
    }

    /// Lanes to the embedded server: agents' connections with no other destination, and the raw
    /// sockets the lab matched with one of the server's connections.
    static func embeddedLaneCount(_ outcome: ExperimentOutcome) -> Int {
        let agents = Waterfall.lanes(of: outcome.requests, startedNanos: outcome.startedNanos).connected
        return agents.filter { $0.destination == nil }.count + outcome.sockets.filter { $0.isMatched && $0.connectedNanos != nil }.count
    }

    @Test("a lane for every connection the embedded server saw; other servers' lanes say where they went",
          arguments: ["request-response-lifecycle", "idle-timeout", "head-of-line-blocking", "graceful-shutdown", "proxy-keep-alive",
                      "load-balancer-timeouts", "what-http2-does-not-fix"])
    func lanesMatchServer(id: String) throws {
        let lesson = try #require(LessonTests.library.find(id))
        let outcome = ExperimentRunner.run(lesson: lesson)
        #expect(outcome.runtimeError == nil, "\(id): \(String(describing: outcome.runtimeError))")
        #expect(outcome.serverConnections > 0)
        #expect(Self.embeddedLaneCount(outcome) == outcome.serverConnections, "\(id)")
        let lanes = Self.laneCount(outcome)
        let text = Waterfall.render(outcome.requests, sockets: outcome.sockets, startedNanos: outcome.startedNanos, width: 100)
        #expect(!text.contains("No requests were made"))
        #expect(text.contains("Summary: \(lanes) connection\(lanes == 1 ? "" : "s") opened"), "\(text)")
        let socketRequests = outcome.sockets.map(\.exchanges.count).reduce(0, +)
        #expect(text.contains(" \(outcome.requests.count + socketRequests) request"), "\(text)")
        if lanes > Self.embeddedLaneCount(outcome) { #expect(text.contains(" to "), "\(text)") }
    }

    @Test("an agent made again is a new pool: lesson 10 draws 1 + 2 + 4 pool connections, the HTTP/2 one and the raw socket")
    func recreatedAgent() throws {
        let lesson = try #require(LessonTests.library.find("head-of-line-blocking"))
        let outcome = ExperimentRunner.run(lesson: lesson)
        let text = Waterfall.render(outcome.requests, sockets: outcome.sockets, startedNanos: outcome.startedNanos, width: 100)
        let rows = text.split(separator: "\n").map(String.init)
        #expect(rows.filter { $0.hasPrefix("  pool #") }.count == 1)
        #expect(rows.filter { $0.hasPrefix("  pool(2) #") }.count == 2)
        #expect(rows.filter { $0.hasPrefix("  pool(3) #") }.count == 4)
        #expect(rows.filter { $0.hasPrefix("  socket c ") }.count == 1)
        // The HTTP/2 agent: one connection, its warm-up stream and the burst's four under it. The
        // slow stream follows the warm-up on its row; the three fast ones overlap it on rows of their own.
        let h2 = try #require(rows.firstIndex { $0.hasPrefix("  h2 #1") })
        #expect(rows[h2].hasSuffix("h2, 5 streams"))
        let streamRows = rows[(h2 + 1)...].prefix { $0.hasPrefix("    s") }
        #expect(streamRows.map { $0.split(separator: " ").first! } == ["s1", "s5", "s7", "s9"], "\(text)")
        #expect(streamRows.first!.hasSuffix("2 streams"))
        #expect(text.contains("Summary: 9 connections opened, 23 requests, 14 reused, 5 as HTTP/2 streams"), "\(text)")
    }
}

@Suite("Raw-socket lanes")
struct WaterfallSocketTests {
    @Test("a socket's lane shows its requests, its open life and counts reuse as the server does")
    func socketLane() {
        let socket = SocketRecord(name: "c", openedNanos: 0, connectedNanos: 1_000_000, closedNanos: 90_000_000, exchanges: [
            .init(requestNanos: 2_000_000, responseNanos: 10_000_000), .init(requestNanos: 40_000_000, responseNanos: 50_000_000),
        ])
        let text = Waterfall.render([], sockets: [socket], startedNanos: 0, width: 80)
        #expect(text.contains("  socket c "))
        #expect(text.contains("2 requests"))
        #expect(text.contains("· socket open, nothing asked"))
        #expect(text.contains("Summary: 1 connection opened, 2 requests, 1 reused"))
    }

    @Test("a socket that never connected draws nothing")
    func neverConnected() {
        #expect(Waterfall.render([], sockets: [SocketRecord(name: "c", openedNanos: 0)], startedNanos: 0) == "No requests were made.\n")
    }

    @Test("a second agent of one name gets its own lanes, labelled with its generation")
    func generations() {
        var second = request("pool", on: 1, at: 100, connect: 1, done: 5)
        second.generation = 2
        let text = lanes([request("pool", on: 1, at: 0, connect: 1, done: 5), second])
        #expect(rows(text, "pool #1").count == 1)
        #expect(rows(text, "pool(2) #1").count == 1)
        #expect(text.contains("Summary: 2 connections opened"))
    }
}

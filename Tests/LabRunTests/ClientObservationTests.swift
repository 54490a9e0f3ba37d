import Foundation
import Testing
import Wire
@testable import LabRun
import HTTP1

/// `wirelab observe`'s pure half: events in (with times), the observation, its diagnosis, JSON and
/// HAR out. No sockets.
@Suite("Client observation")
struct ClientObservationTests {
    static let curl = [ObservedHeader("Host", "127.0.0.1:1"), ObservedHeader("User-Agent", "curl/8.5.0"), ObservedHeader("Accept", "*/*")]

    /// `n` sequential GETs, on one kept-alive connection or on one connection each.
    static func sequential(_ n: Int, reuse: Bool) -> ClientObservation {
        var observer = ClientObserver(startedEpochMs: 1_765_000_000_000)
        var t = 0.0
        for i in 1...n {
            let id = reuse ? 1 : i
            if !reuse || i == 1 { observer.opened(connection: id, atMs: t) }
            observer.request(connection: id, index: reuse ? i : 1, method: "GET", target: "/x?a=\(i)", version: "HTTP/1.1", headers: curl, atMs: t + 1)
            observer.response(connection: id, status: 200, willClose: false, atMs: t + 3)
            if !reuse { observer.closed(connection: id, reason: .clientClosed, atMs: t + 4) }
            t += 10
        }
        if reuse { observer.closed(connection: 1, reason: .clientClosed, atMs: t) }
        observer.finish(atMs: t + 1)
        return observer.observation
    }

    @Test("reuse: 3 requests on one connection are 2 reused, one lane, a diagnosis that says so")
    func reused() {
        let o = Self.sequential(3, reuse: true)
        #expect(o.requests.count == 3)
        #expect(o.reusedRequests == 2)
        #expect(o.connections.count == 1)
        #expect(o.connections[0].requests == 3)
        #expect(o.connections[0].closedBy == "client")
        #expect(o.maxOpenConnections == 1)
        #expect(o.userAgents.map(\.0) == ["curl/8.5.0"])
        #expect(o.diagnosis.first == "3 requests on 1 connection: 2 reused it; the client keeps its connection alive.")
        let lanes = o.waterfall(width: 20).split(separator: "\n")
        #expect(lanes.count == 3)   // title, one lane, legend
        #expect(lanes[1].contains("1") && lanes[1].contains("2") && lanes[1].contains("3") && lanes[1].filter { $0 != " " }.hasSuffix("x"))
    }

    @Test("no reuse: 10 requests on 10 connections paid 10 handshakes")
    func notReused() {
        let o = Self.sequential(10, reuse: false)
        #expect(o.reusedRequests == 0)
        #expect(o.maxOpenConnections == 1)   // closed before the next opened
        #expect(o.diagnosis.first == "10 requests on 10 connections: each request paid a new handshake; reuse a session/agent (keep-alive).")
        #expect(o.report().contains("Observed 10 requests on 10 connections (0 reused); at most 1 open at once"))
    }

    @Test("parallel connections count as open at once; a close at the instant of an open counts first")
    func maxOpen() {
        var observer = ClientObserver(startedEpochMs: 0)
        observer.opened(connection: 1, atMs: 0)
        observer.opened(connection: 2, atMs: 1)
        observer.opened(connection: 3, atMs: 2)
        observer.closed(connection: 1, reason: .clientClosed, atMs: 5)
        observer.opened(connection: 4, atMs: 5)
        observer.finish(atMs: 9)
        let o = observer.observation
        #expect(o.maxOpenConnections == 3)
        #expect(o.connections.filter { $0.closedBy == "shutdown" }.map(\.id) == [2, 3, 4])
        #expect(o.diagnosis == ["0 requests on 4 connections: the client connected but sent no complete request head."])
    }

    @Test("two requests closer than a column both show in the lane")
    func crowdedLane() {
        var observer = ClientObserver(startedEpochMs: 0)
        observer.opened(connection: 1, atMs: 0)
        observer.request(connection: 1, index: 1, method: "GET", target: "/", version: "HTTP/1.1", headers: [], atMs: 10)
        observer.request(connection: 1, index: 2, method: "GET", target: "/", version: "HTTP/1.1", headers: [], atMs: 10.01)
        observer.closed(connection: 1, reason: .responseClose, atMs: 100)
        let lane = observer.observation.waterfall(width: 20).split(separator: "\n")[1]
        #expect(lane.contains("12"))
        #expect(lane.hasSuffix("|"))
        // Everything in the first column of a long observation: the marks, then the close, in order.
        var short = ClientObserver(startedEpochMs: 0)
        short.opened(connection: 1, atMs: 0)
        short.request(connection: 1, index: 1, method: "GET", target: "/", version: "HTTP/1.1", headers: [], atMs: 0.1)
        short.request(connection: 1, index: 2, method: "GET", target: "/", version: "HTTP/1.1", headers: [], atMs: 0.2)
        short.closed(connection: 1, reason: .clientClosed, atMs: 0.3)
        short.finish(atMs: 1000)
        #expect(short.observation.waterfall(width: 20).split(separator: "\n")[1].hasSuffix(" 12x"))
    }

    @Test("HTTP/2: a response is matched with its request by stream, out of request order")
    func streamsOutOfOrder() {
        var observer = ClientObserver(startedEpochMs: 0)
        observer.opened(connection: 1, atMs: 0)
        observer.request(connection: 1, index: 1, method: "GET", target: "/delay/300", version: "HTTP/2", headers: [], atMs: 1)
        observer.streamOpened(connection: 1, index: 1, stream: 1)
        observer.request(connection: 1, index: 2, method: "GET", target: "/", version: "HTTP/2", headers: [], atMs: 1)
        observer.streamOpened(connection: 1, index: 2, stream: 3)
        // The answer to stream 3 is written first: its head and body sizes go to stream 3's request.
        observer.responseHead(connection: 1, stream: 3, headers: [ObservedHeader("content-length", "20")], bytes: 30)
        observer.responseBody(connection: 1, stream: 3, wire: 29, content: 20)
        observer.response(connection: 1, status: 201, willClose: false, stream: 3, atMs: 2)
        observer.responseHead(connection: 1, stream: 1, headers: [ObservedHeader("content-length", "7")], bytes: 25)
        observer.responseBody(connection: 1, stream: 1, wire: 16, content: 7)
        observer.response(connection: 1, status: 200, willClose: false, stream: 1, atMs: 301)
        observer.finish(atMs: 400)
        let o = observer.observation
        #expect(o.requests.map(\.stream) == [1, 3])
        #expect(o.requests.map(\.status) == [200, 201])
        #expect(o.requests.map(\.respondedAtMs) == [301, 2])
        #expect(o.requests.map(\.responseHeadSize) == [25, 30])
        #expect(o.requests.map(\.responseBodyBytes) == [16, 29])
        #expect(o.requests.map { $0.responseHeaders?.first?.value } == ["7", "20"])
        #expect(o.connections.first?.protocolVersion == "HTTP/2")
        #expect(o.maxRequestsInFlightOnOneConnection == 2)
        #expect(o.http2Requests == 2)
        #expect(o.diagnosis.contains { $0.hasPrefix("2 of the requests were HTTP/2 streams on 1 connection, at most 2 in flight on one") })
    }

    @Test("all requests in flight together: the diagnosis names parallelism, not a missing session")
    func parallel() {
        var observer = ClientObserver(startedEpochMs: 0)
        for id in 1...4 {
            observer.opened(connection: id, atMs: Double(id))
            observer.request(connection: id, index: 1, method: "GET", target: "/delay/100", version: "HTTP/1.1", headers: [], atMs: 5 + Double(id))
        }
        for id in 1...4 { observer.response(connection: id, status: 200, willClose: false, atMs: 110 + Double(id)) }
        observer.finish(atMs: 200)
        let o = observer.observation
        #expect(o.maxRequestsInFlight == 4)
        #expect(o.maxOpenConnections == 4)
        #expect(o.diagnosis.first?.hasPrefix("4 requests on 4 connections, all 4 in flight at once: HTTP/1.1 needs a connection per request in flight") == true)
        #expect(o.diagnosis.contains { $0.hasPrefix("4 connections were open at once") })
    }

    @Test("a request after the server's Connection: close is counted and named")
    func afterClose() {
        var observer = ClientObserver(startedEpochMs: 0)
        observer.opened(connection: 1, atMs: 0)
        observer.request(connection: 1, index: 1, method: "GET", target: "/close", version: "HTTP/1.1", headers: [], atMs: 1)
        observer.request(connection: 1, index: 2, method: "GET", target: "/", version: "HTTP/1.1", headers: [], atMs: 1.5)
        observer.response(connection: 1, status: 200, willClose: true, atMs: 2)
        observer.request(connection: 1, index: 3, method: "GET", target: "/", version: "HTTP/1.1", headers: [], atMs: 2.5)
        observer.closed(connection: 1, reason: .responseClose, atMs: 3)
        let o = observer.observation
        #expect(o.requestsAfterClose == 1)
        #expect(o.requests[2].sentAfterClose && !o.requests[1].sentAfterClose)
        #expect(o.requests[0].responseClosed && o.requests[0].status == 200 && o.requests[1].status == nil)
        #expect(o.connections[0].closedBy == "server")
        #expect(o.diagnosis.contains { $0.hasPrefix("1 request arrived after the server said Connection: close") })
        #expect(o.userAgents.map(\.0) == ["(none)"])
    }

    /// GETs of /a, /b, /c, /d: with `dropped` the ones the server drops (each closes its
    /// connection, `droppedRequest`) and `resend` whether the client sends a dropped one again on a
    /// new connection before going on.
    static func dropping(_ dropped: Set<String>, resend: Bool, knob: Int) -> ClientObservation {
        var observer = ClientObserver(startedEpochMs: 0)
        observer.misbehaviour(closeSilentlyAfter: 0, dropReusedRequests: knob)
        var id = 1, index = 0, t = 0.0
        observer.opened(connection: id, atMs: t)
        func send(_ target: String, drop: Bool) {
            index += 1
            t += 1
            observer.request(connection: id, index: index, method: "GET", target: target, version: "HTTP/1.1", headers: [], atMs: t)
            if drop {
                observer.closed(connection: id, reason: .droppedRequest, atMs: t + 0.5)
                id += 1
                index = 0
                observer.opened(connection: id, atMs: t + 0.6)
            } else {
                observer.response(connection: id, status: 200, willClose: false, atMs: t + 0.5)
            }
        }
        for target in ["/a", "/b", "/c", "/d"] {
            let drop = dropped.contains(target)
            send(target, drop: drop)
            if drop && resend { send(target, drop: false) }
        }
        observer.closed(connection: id, reason: .clientClosed, atMs: t + 1)
        observer.finish(atMs: t + 2)
        return observer.observation
    }

    @Test("dropped requests (--drop-reused): counted from the close reason; a resend is the same request on another connection")
    func dropped() throws {
        let retried = Self.dropping(["/b", "/d"], resend: true, knob: 2)
        #expect(retried.droppedRequests.map(\.target) == ["/b", "/d"])
        #expect(retried.resentDroppedRequests == 2)
        #expect(retried.diagnosis.contains("2 requests were dropped unanswered by the server (--drop-reused 2): read on a reused connection, which it then closed; "
            + "your client resent 2 of them on another connection (the same method and target came again after the drop: a resend, unless the client asks for that URL next anyway)."),
            "\(retried.diagnosis)")
        let report = retried.report()
        #expect(report.contains("  requests dropped unanswered (--drop-reused 2): 2; the same request sent again on another connection: 2\n"), "\(report)")
        #expect(report.contains("GET /b  → no response (dropped)"), "\(report)")
        let given = Self.dropping(["/b", "/c"], resend: false, knob: .max)
        #expect(given.resentDroppedRequests == 0)
        #expect(given.diagnosis.contains { $0.hasPrefix("2 requests were dropped unanswered by the server (--drop-reused all): read on a reused connection, which it then closed; your client resent 0 of them on another connection (a request never answered") }, "\(given.diagnosis)")
        let one = Self.dropping(["/c"], resend: true, knob: 1)
        #expect(one.diagnosis.contains { $0.hasPrefix("1 request was dropped unanswered by the server (--drop-reused 1): read on a reused connection, which it then closed; your client resent it on another connection") }, "\(one.diagnosis)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(retried.json().text().utf8)) as? [String: Any])
        #expect(object["droppedRequests"] as? Int == 2)
        #expect(object["resentDroppedRequests"] as? Int == 2)
        // Without the knob and without drops, nothing is said about them.
        let plain = Self.sequential(3, reuse: true)
        #expect(!plain.report().contains("dropped"))
        #expect(!plain.report().contains("without saying so"))
    }

    @Test("silent closes (--close-silently-after): counted; a request written after the close is counted from the bytes the server discarded")
    func silentCloses() throws {
        var observer = ClientObserver(startedEpochMs: 0)
        observer.misbehaviour(closeSilentlyAfter: 1, dropReusedRequests: 0)
        for id in 1...3 {
            let t = Double(id * 10)
            observer.opened(connection: id, atMs: t)
            observer.request(connection: id, index: 1, method: "GET", target: "/", version: "HTTP/1.1", headers: [], atMs: t + 1)
            observer.response(connection: id, status: 200, willClose: false, atMs: t + 2)
        }
        // On #2 the client writes one request after the close, its end split across two reads.
        observer.lateInput(connection: 2, bytes: Array("GET /again HTTP/1.1\r\nHost: x\r\n\r".utf8), atMs: 23)
        observer.lateInput(connection: 2, bytes: Array("\n".utf8), atMs: 23.5)
        for id in 1...3 { observer.closed(connection: id, reason: .closedSilently, atMs: Double(id * 10 + 5)) }
        // And on #4, closed for idling, a request that never reached its end.
        observer.opened(connection: 4, atMs: 40)
        observer.lateInput(connection: 4, bytes: Array("GET / HT".utf8), atMs: 41)
        observer.closed(connection: 4, reason: .keepAliveTimeout, atMs: 42)
        observer.finish(atMs: 50)
        let o = observer.observation
        #expect(o.connections.map(\.lateRequests) == [0, 1, 0, 1])
        #expect(o.connections[1].lateBytes == 32)
        #expect(o.connections[1].lateRequest?.target == "/again")
        #expect(o.connections[3].lateRequest == nil)   // no whole line
        #expect(o.resentLateRequests == 0)
        #expect(o.silentlyClosedConnections.count == 3)
        #expect(o.requestsOnClosedConnections == 2)
        #expect(o.diagnosis.first == "3 requests on 3 connections: the server closed each connection after its response, so none could be reused; the client opened a new one each time.", "\(o.diagnosis)")
        #expect(o.diagnosis.contains("3 connections were closed by the server without saying so (--close-silently-after 1): after a response that said keep-alive; "
            + "your client sent 1 request on a closed connection (lost there: it wrote before it noticed the close; it did not resend it)."), "\(o.diagnosis)")
        #expect(o.diagnosis.contains("1 request arrived on connections after the server had closed them (1 keepAliveTimeout): the server discarded it unanswered."), "\(o.diagnosis)")
        let report = o.report()
        #expect(report.contains("  connections closed without saying so (--close-silently-after 1): 3; requests sent on a closed connection: 2\n"), "\(report)")
        #expect(report.contains("then 1 request after the close (32 bytes, discarded)"), "\(report)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(o.json().text().utf8)) as? [String: Any])
        #expect(object["silentCloses"] as? Int == 3)
        #expect(object["requestsOnClosedConnections"] as? Int == 2)
        #expect((object["connections"] as? [[String: Any]])?.map { $0["lateRequests"] as? Int } == [0, 1, 0, 1])
    }

    @Test("nothing observed: the diagnosis says where to point the client")
    func nothing() {
        var observer = ClientObserver(startedEpochMs: 0)
        observer.finish(atMs: 5)
        #expect(observer.observation.diagnosis.first?.hasPrefix("0 requests: nothing reached the server") == true)
    }

    @Test("server closes and Connection: close requests are diagnosed with their counts")
    func closes() {
        var observer = ClientObserver(startedEpochMs: 0)
        for id in 1...2 {
            observer.opened(connection: id, atMs: Double(id))
            observer.request(connection: id, index: 1, method: "GET", target: "/", version: "HTTP/1.1",
                             headers: [ObservedHeader("connection", "Close")], atMs: Double(id))
            observer.response(connection: id, status: 200, willClose: true, atMs: Double(id))
            observer.closed(connection: id, reason: .clientRequestedClose, atMs: Double(id))
        }
        observer.opened(connection: 3, atMs: 4)
        observer.request(connection: 3, index: 1, method: "GET", target: "/", version: "HTTP/1.0", headers: [], atMs: 4)
        observer.closed(connection: 3, reason: .keepAliveTimeout, atMs: 8)
        let d = observer.observation.diagnosis
        #expect(d.contains("2 requests said Connection: close: the client itself asked for its connection to end."))
        #expect(d.contains("1 request was HTTP/1.0 without keep-alive: one request per connection by default."))
        #expect(d.contains("1 connection closed by the server (1 keep-alive timeout): the client's next request needed a new one."))
        #expect(observer.observation.versions.map(\.0) == ["HTTP/1.1", "HTTP/1.0"])
    }

    @Test("--json: the documented keys, numbers where numbers are promised")
    func json() throws {
        let o = Self.sequential(2, reuse: true)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(o.json().text().utf8)) as? [String: Any])
        #expect(object["requests"] as? Int == 2)
        #expect(object["reusedRequests"] as? Int == 1)
        #expect(object["maxOpenConnections"] as? Int == 1)
        let connections = try #require(object["connections"] as? [[String: Any]])
        #expect(connections.count == 1)
        for key in ["id", "requests", "protocol", "openedAtMs", "closedAtMs", "closedBy"] { #expect(connections[0][key] != nil, "\(key)") }
        #expect(connections[0]["protocol"] as? String == "HTTP/1.1")
        #expect(connections[0]["closedBy"] as? String == "client")
        let requests = try #require(object["requestList"] as? [[String: Any]])
        #expect(requests.map { $0["connection"] as? Int } == [1, 1])
        #expect(requests.map { $0["method"] as? String } == ["GET", "GET"])
        #expect(requests[1]["indexOnConnection"] as? Int == 2)
        #expect(requests[0]["status"] as? Int == 200)
    }

    @Test("ISO 8601 dates, UTC with milliseconds")
    func dates() {
        #expect(ClientObservation.iso8601(epochMs: 0) == "1970-01-01T00:00:00.000Z")
        #expect(ClientObservation.iso8601(epochMs: 951_782_400_007) == "2000-02-29T00:00:00.007Z")
        #expect(ClientObservation.iso8601(epochMs: 1_796_584_270_123) == "2026-12-06T19:11:10.123Z")
        #expect(ClientObservation.iso8601(epochMs: -1) == "1969-12-31T23:59:59.999Z")
    }

    @Test("HAR 1.2: every required field of log, entries, request, response, timings; timings add up to time")
    func har() throws {
        var o = Self.sequential(2, reuse: false)
        o.requests[1].headers.append(ObservedHeader("Cookie", "a=1; b=2"))
        let text = o.har(.init(creatorVersion: "test", origin: "http://127.0.0.1:1", simulatedRttMs: 50)).text(pretty: true)
        try HARCheck.validate(text, expectEntries: 2)
        let log = try #require((try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["log"] as? [String: Any])
        let entries = try #require(log["entries"] as? [[String: Any]])
        #expect(entries.map { $0["connection"] as? String } == ["1", "2"])
        #expect(entries[0]["_simulatedRttMs"] as? Double == 50)
        let request = try #require(entries[1]["request"] as? [String: Any])
        #expect(request["url"] as? String == "http://127.0.0.1:1/x?a=2")
        #expect((request["queryString"] as? [[String: String]]) == [["name": "a", "value": "2"]])
        #expect((request["cookies"] as? [[String: String]]) == [["name": "a", "value": "1"], ["name": "b", "value": "2"]])
        #expect(entries[0]["time"] as? Double == 2)
    }
}

/// `run LESSON --har`'s converter: the agent's own requests, with its measured phases.
@Suite("HAR of a run's requests")
struct RequestHARTests {
    @Test("a new connection and a reused one: every required field, timings add up, connection ids show the reuse")
    func entries() throws {
        let origin = HTTPOrigin(host: "127.0.0.1", port: 8080)
        var first = AgentResult(request: AgentRequest(origin: origin, target: "/delay/20?x=1"))
        first.head = HTTPResponseHead(status: 200, headers: ["Content-Type": "application/json"])
        first.body = Array("{}".utf8)
        first.connection = 1
        first.timings.assigned = 0.1; first.timings.connect = 1.5; first.timings.sent = 1.7; first.timings.firstByte = 22; first.timings.done = 22.5
        first.timings.startNanos = 1_000_000
        var second = AgentResult(request: AgentRequest(method: "POST", origin: origin, target: "/echo", body: Array("abc".utf8)))
        second.head = HTTPResponseHead(status: 404)
        second.connection = 1
        second.isReused = true
        second.timings.assigned = 0; second.timings.sent = 0.2; second.timings.firstByte = 1; second.timings.done = 1.25
        second.timings.startNanos = 30_000_000
        var failed = AgentResult(request: AgentRequest(origin: origin))
        failed.error = .refused
        failed.timings.done = 0.5
        let records = [RequestRecord(agent: "ka", result: first, line: 3), RequestRecord(agent: "ka", result: second, line: 4),
                       RequestRecord(agent: "b", result: failed, line: 5)]
        let text = RequestHAR.har(records, epochMs: { 1_000_000 + Double($0) / 1e6 }, creatorVersion: "t", simulatedRttMs: 25).text()
        try HARCheck.validate(text, expectEntries: 3)
        let log = try #require((try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["log"] as? [String: Any])
        let entries = try #require(log["entries"] as? [[String: Any]])
        #expect(entries.map { $0["connection"] as? String } == ["ka:1", "ka:1", ""])
        #expect(entries.map { $0["time"] as? Double } == [22.5, 1.25, 0.5])
        let timings = try #require(entries[0]["timings"] as? [String: Double])
        #expect(timings["connect"] == 1.5 && timings["wait"] == 20.3 && timings["blocked"] == 0.1)
        #expect((entries[1]["timings"] as? [String: Double])?["connect"] == -1)
        #expect(entries[0]["startedDateTime"] as? String == "1970-01-01T00:16:40.001Z")
        #expect(entries[0]["_simulatedRttMs"] as? Double == 25)
        #expect(((entries[1]["response"] as? [String: Any])?["statusText"] as? String) == "Not Found")
        #expect(((entries[1]["request"] as? [String: Any])?["bodySize"] as? Int) == 3)
        #expect(entries[2]["_error"] as? String != nil)
    }
}

/// Checks a HAR 1.2 document against the spec's required fields and types
/// (http://www.softwareishard.com/blog/har-12-spec/), shared with the CLI's tests.
enum HARCheck {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func validate(_ text: String, expectEntries: Int? = nil) throws {
        guard let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let log = root["log"] as? [String: Any] else { throw Failure(description: "no log object") }
        try need(log["version"] as? String == "1.2", "log.version is \"1.2\"")
        let creator = try object(log["creator"], "log.creator")
        try string(creator["name"], "creator.name"); try string(creator["version"], "creator.version")
        guard let entries = log["entries"] as? [[String: Any]] else { throw Failure(description: "log.entries is an array of objects") }
        if let expectEntries { try need(entries.count == expectEntries, "\(expectEntries) entries, found \(entries.count)") }
        for (i, e) in entries.enumerated() {
            let at = "entries[\(i)]"
            let started = try string(e["startedDateTime"], "\(at).startedDateTime")
            try need(started.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"#, options: .regularExpression) != nil,
                     "\(at).startedDateTime is ISO 8601: \(started)")
            let time = try number(e["time"], "\(at).time")
            let request = try object(e["request"], "\(at).request")
            for key in ["method", "url", "httpVersion"] { try string(request[key], "\(at).request.\(key)") }
            for key in ["cookies", "headers", "queryString"] { try nameValues(request[key], "\(at).request.\(key)") }
            for key in ["headersSize", "bodySize"] { _ = try number(request[key], "\(at).request.\(key)") }
            let response = try object(e["response"], "\(at).response")
            _ = try number(response["status"], "\(at).response.status")
            for key in ["statusText", "httpVersion", "redirectURL"] { try string(response[key], "\(at).response.\(key)") }
            for key in ["cookies", "headers"] { try nameValues(response[key], "\(at).response.\(key)") }
            for key in ["headersSize", "bodySize"] { _ = try number(response[key], "\(at).response.\(key)") }
            let content = try object(response["content"], "\(at).response.content")
            _ = try number(content["size"], "\(at).response.content.size")
            try string(content["mimeType"], "\(at).response.content.mimeType")
            _ = try object(e["cache"], "\(at).cache")
            let timings = try object(e["timings"], "\(at).timings")
            var sum = 0.0
            for key in ["send", "wait", "receive"] {
                let value = try number(timings[key], "\(at).timings.\(key)")
                try need(value >= 0, "\(at).timings.\(key) is not negative")
                sum += value
            }
            for key in ["blocked", "dns", "connect", "ssl"] {
                guard let value = timings[key] else { continue }   // optional
                guard let v = value as? Double else { throw Failure(description: "\(at).timings.\(key) is a number") }
                try need(v == -1 || v >= 0, "\(at).timings.\(key) is -1 or measured")
                if v > 0 && key != "ssl" { sum += v }   // ssl is included in connect
            }
            try need(abs(sum - time) < 0.01, "\(at): timings add up to time (\(sum) vs \(time))")
            if let connection = e["connection"] { try need(connection is String, "\(at).connection is a string") }
            if let ip = e["serverIPAddress"] { try need(ip is String, "\(at).serverIPAddress is a string") }
        }
    }

    static func need(_ condition: Bool, _ what: String) throws {
        if !condition { throw Failure(description: "HAR: expected \(what)") }
    }

    static func object(_ value: Any?, _ what: String) throws -> [String: Any] {
        guard let object = value as? [String: Any] else { throw Failure(description: "HAR: \(what) is an object") }
        return object
    }

    @discardableResult
    static func string(_ value: Any?, _ what: String) throws -> String {
        guard let text = value as? String else { throw Failure(description: "HAR: \(what) is a string") }
        return text
    }

    static func number(_ value: Any?, _ what: String) throws -> Double {
        guard let n = value as? NSNumber, String(describing: type(of: value!)) != "Bool" else {
            throw Failure(description: "HAR: \(what) is a number")
        }
        return n.doubleValue
    }

    static func nameValues(_ value: Any?, _ what: String) throws {
        guard let items = value as? [[String: Any]] else { throw Failure(description: "HAR: \(what) is an array of objects") }
        for item in items {
            try string(item["name"], "\(what)[].name")
            try string(item["value"], "\(what)[].value")
        }
    }
}

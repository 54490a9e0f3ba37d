import HTTP1
import LabRun
import Wire

/// Builds waterfall input by hand: one request record, times in ms since the run started (the
/// run starts at 0 ns). `assigned`, `connect`, `firstByte` and `done` are relative to `at`, as the
/// agent records them.
func request(_ agent: String, on connection: Int?, at start: Double, assigned: Double? = 0, connect: Double? = nil,
             firstByte: Double? = nil, done: Double, reused: Bool = false, target: String = "/",
             error: AgentError? = nil, stream: Int? = nil) -> RequestRecord {
    var result = AgentResult(request: AgentRequest(origin: HTTPOrigin(host: "127.0.0.1", port: 8080), target: target))
    result.connection = connection
    result.isReused = reused
    result.error = error
    if error == nil { result.head = HTTPResponseHead(status: 200) }
    result.timings.startNanos = Int64((start * 1_000_000).rounded())
    result.timings.assigned = connection == nil ? nil : assigned
    result.timings.connect = connection == nil || reused ? nil : connect
    result.timings.sent = connection == nil ? nil : (assigned ?? 0) + (connect ?? 0)
    result.timings.firstByte = error == nil ? (firstByte ?? done) : nil
    result.timings.done = done
    return RequestRecord(agent: agent, result: result, line: 1, stream: stream)
}

/// `count` requests, one after another, each `each` ms long, on one connection of `agent`.
func sequence(_ agent: String, on connection: Int, from start: Double, count: Int, each: Double) -> [RequestRecord] {
    (0..<count).map { index in
        request(agent, on: connection, at: start + Double(index) * each, connect: index == 0 ? each / 2 : nil,
                done: each, reused: index > 0)
    }
}

/// Three requests through a one-socket pool, sent together: the second and third wait their turn.
let queuedBurst: [RequestRecord] = [
    request("ka", on: 1, at: 0, assigned: 0, connect: 10, firstByte: 55, done: 60),
    request("ka", on: 1, at: 0, assigned: 60, firstByte: 105, done: 110, reused: true, target: "/delay/50"),
    request("ka", on: 1, at: 0, assigned: 110, firstByte: 155, done: 160, reused: true, target: "/delay/50"),
]

/// A small run with every kind of row: a queued burst on one socket, a pool of two, a request reset
/// on its connection, and one refused before it had a connection.
let mixedRun: [RequestRecord] = queuedBurst + [
    request("pool", on: 1, at: 170, connect: 5, firstByte: 20, done: 25),
    request("pool", on: 2, at: 171, connect: 6, firstByte: 22, done: 30, target: "/slow"),
    request("pool", on: 1, at: 200, assigned: 0.01, firstByte: 8, done: 10, reused: true),
    request("pool", on: 2, at: 205, assigned: 0.01, done: 12, reused: true, error: .reset),
    request("down", on: nil, at: 220, done: 3, error: .refused),
]

/// One HTTP/2 connection of agent `h2` carrying `count` streams sent together at `start`: the first
/// opens the connection (`connect` ms), the others wait for it; stream `n` (ids 1, 3, 5...) is done
/// after `each(n)` ms. As the h2 agent records them, `assigned` is when the stream's HEADERS left,
/// after the connection opened, and the first stream's `connect` lies before it.
func streams(_ count: Int, at start: Double = 0, connect: Double = 10, each: (Int) -> Double) -> [RequestRecord] {
    (0..<count).map { index in
        request("h2", on: 1, at: start, assigned: connect, connect: index == 0 ? connect : nil,
                done: each(index), reused: index > 0, stream: 2 * index + 1)
    }
}

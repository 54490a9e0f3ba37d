import HTTP1
import Testing
@testable import Wire

/// The soak: mixed traffic through agents into the server for a while (60 s by default), then the
/// books are checked. Skipped unless `WIRELAB_SOAK=1`; run it with `Tests/Scripts/soak.sh` (see
/// docs/hardening.md). `WIRELAB_SOAK_SECONDS` changes the length.
///
/// The traffic: three agents (keep-alive with 4 sockets, keep-alive with 1, no keep-alive) sending
/// GET/HEAD/POST/PUT with and without bodies to /echo, /bytes and /delay, plus raw clients that
/// pipeline 1-20 requests in one write; every second the server gets a new random idle timeout and
/// max-requests-per-socket. Every request carries an id. At the end: every id answered exactly once,
/// every success carried its own id, no POST reached the server twice, and the process is back to its
/// descriptor count, with its RSS not grown.
@Suite("Soak", .serialized, .enabled(if: environmentValue("WIRELAB_SOAK") == "1"))
struct SoakTests {
    @Test("mixed traffic: every id answered once, no fd or RSS growth")
    func soak() throws {
        let seconds = Int(environmentValue("WIRELAB_SOAK_SECONDS") ?? "") ?? 60
        Platform.raiseOpenFileLimit(to: 8192)
        let loop = try EventLoop()
        let server = LoopbackServer(loop: loop)
        try server.start()
        let origin = HTTPOrigin(host: "127.0.0.1", port: server.port)
        var random = SeededRandom(state: 2026)
        // Bookkeeping by id in flat byte arrays, so the books themselves don't grow the heap much.
        var postsSeen: [UInt8] = []     // id → times a POST with that id reached the server
        server.addObserver { event in
            guard case .request(_, _, let head) = event, head.method == "POST", let id = Self.id(in: head.target) else { return }
            while postsSeen.count <= id { postsSeen.append(0) }
            postsSeen[id] &+= 1
        }
        // Agents keep a history per connection (close reasons, requests served), by design, for
        // lessons. So a fresh set replaces them every 10 s; a retired one is destroyed once its
        // requests are answered. What stays is the server, the loop and the books.
        func freshAgents() -> [Agent] {
            [
                Agent(loop: loop, name: "pooled", configuration: agentConfig { $0.pool.maxSockets = 4; $0.timeoutMs = 10_000 }),
                Agent(loop: loop, name: "single", configuration: agentConfig { $0.pool.maxSockets = 1; $0.timeoutMs = 10_000 }),
                Agent(loop: loop, name: "close", configuration: agentConfig { $0.pool.keepAlive = false; $0.timeoutMs = 10_000 }),
            ]
        }
        var agents = freshAgents()
        var retired: [(agent: Agent, outstanding: () -> Int)] = []
        var inFlightByAgent: [ObjectIdentifier: Int] = [:]
        var agentGenerations = 1
        var nextAgentSwap = loop.now + 10_000_000_000

        var answers: [UInt8] = []       // id → completions
        var failures: [String: Int] = [:]    // error kind → count
        var wrongBodies = 0, unexpectedFailures = 0
        var issued = 0, outstanding = 0, pipelined = 0, resentPipelined = 0, rawClients: [RawConnection] = []
        let started = loop.now
        let deadline = started + Int64(seconds) * 1_000_000_000
        var baselineDescriptors = -1, baselineRSS = 0, isRSSSampled = false
        var rssSeries: [Int] = []       // KiB, every 10 s: a leak climbs, a warm heap levels off
        var nextRSSSample = started

        func sendThroughAgent() {
            let id = issued
            issued += 1
            answers.append(0)
            outstanding += 1
            let agent = agents[random.below(agents.count)]
            inFlightByAgent[ObjectIdentifier(agent), default: 0] += 1
            let method = ["GET", "GET", "HEAD", "POST", "PUT"][random.below(5)]
            let body = method == "POST" || method == "PUT" ? [UInt8](repeating: 0x62, count: random.below(3) == 0 ? random.below(200_000) : random.below(300)) : []
            let target = ["/echo?id=\(id)", "/delay/\(random.below(4))?id=\(id)", "/bytes/\(random.below(70_000))?id=\(id)"][method == "PUT" ? 0 : random.below(3)]
            agent.send(AgentRequest(method: method, origin: origin, target: target, body: body)) { result in
                outstanding -= 1
                inFlightByAgent[ObjectIdentifier(agent), default: 0] -= 1
                answers[id] &+= 1
                guard result.isSuccess else {
                    // A failure is an answer too, if it is one the agent may give: a non-idempotent request
                    // on a connection the server closed under it (RFC 9110 §9.2.2: not resent).
                    let why = result.error?.description ?? "?"
                    failures["\(method) \(result.isReused ? "reused" : "new"): \(why)", default: 0] += 1
                    if method == "GET" || method == "HEAD" { unexpectedFailures += 1 }
                    return
                }
                if !Self.bodyFits(result, target: target, method: method, id: id) { wrongBodies += 1 }
            }
        }

        /// Sends `ids` (new ones when nil) pipelined in one write, the last saying close. Requests the
        /// server did not get to (max-requests closed the connection first) are resent on a new
        /// connection, as a client must: they are GETs, and the server never read them.
        func pipelineBatch(resending: [Int]? = nil) {
            var ids = resending ?? []
            if resending == nil {
                for _ in 0..<(1 + random.below(20)) {
                    ids.append(issued)
                    issued += 1
                    answers.append(0)
                }
                outstanding += ids.count
                pipelined += ids.count
            }
            let count = ids.count
            var text = ""
            for (index, id) in ids.enumerated() {
                text += "GET /echo?id=\(id) HTTP/1.1\r\nHost: a\r\n" + (index == count - 1 ? "Connection: close\r\n" : "") + "\r\n"
            }
            let client = RawConnection(loop: loop)
            rawClients.append(client)
            client.onChange = { [unowned client] in
                guard client.state != .open && client.state != .connecting, !ids.isEmpty else { return }
                let responses = ServerHarness.responses(client.received, methods: Array(repeating: "GET", count: count), ended: true)
                for (index, id) in ids.enumerated() where index < responses.count {
                    answers[id] &+= 1
                    if !responses[index].body.contains("\"target\":\"/echo?id=\(id)\"") { wrongBodies += 1 }
                }
                let unanswered = Array(ids.dropFirst(responses.count))
                outstanding -= responses.count
                ids = []
                client.close()
                if !unanswered.isEmpty {
                    resentPipelined += unanswered.count
                    pipelineBatch(resending: unanswered)
                }
            }
            client.connect(port: server.port)
            client.send(text)
        }

        // Top up to ~24 requests in flight every millisecond; re-roll the server's knobs every second.
        var nextKnobs = started
        var tick: LoopTimer?
        tick = LoopTimer(loop: loop) {
            let now = loop.now
            if now >= nextKnobs {
                server.configuration.keepAliveTimeoutMs = [0, 20, 100, 1_000, 5_000][random.below(5)]
                server.configuration.maxRequestsPerSocket = [0, 0, 1, 3, 50][random.below(5)]
                nextKnobs = now + 1_000_000_000
                rawClients.removeAll { $0.state == .closed }
            }
            if now >= nextAgentSwap {
                for old in agents {
                    let key = ObjectIdentifier(old)
                    retired.append((old, { inFlightByAgent[key] ?? 0 }))
                }
                agents = freshAgents()
                agentGenerations += 1
                nextAgentSwap = now + 10_000_000_000
            }
            retired.removeAll { entry in
                guard entry.outstanding() == 0 else { return false }
                entry.agent.destroy()
                inFlightByAgent[ObjectIdentifier(entry.agent)] = nil
                return true
            }
            if now >= nextRSSSample {
                rssSeries.append((Platform.residentBytes() ?? 0) / 1024)
                nextRSSSample = now + 10_000_000_000
            }
            if !isRSSSampled && now - started > 3_000_000_000 {
                baselineRSS = Platform.residentBytes() ?? 0   // after warm-up: buffers and caches in place
                isRSSSampled = true
            }
            if now < deadline {
                while outstanding < 24 {
                    if random.below(10) == 0 { pipelineBatch() } else { sendThroughAgent() }
                }
                tick?.arm(afterNanos: 1_000_000)
            }
        }
        baselineDescriptors = SocketAccounting.openDescriptorCount()
        tick?.arm(afterNanos: 0)
        let finished = loop.run(until: { loop.now >= deadline && outstanding == 0 }, timeoutNanos: Int64(seconds + 60) * 1_000_000_000)
        #expect(finished, "\(outstanding) requests still outstanding")

        // Quiesce: agents close their sockets, the server closes its side.
        for agent in agents { agent.destroy() }
        for entry in retired { entry.agent.destroy() }
        for client in rawClients { client.close() }
        #expect(loop.run(until: { server.stats.open == 0 }, timeoutNanos: 10_000_000_000))
        let endDescriptors = SocketAccounting.openDescriptorCount()
        let endRSS = Platform.residentBytes() ?? 0

        let answeredOnce = answers.filter { $0 == 1 }.count
        let duplicates = answers.filter { $0 > 1 }.count
        let never = answers.filter { $0 == 0 }.count
        let postsTwice = postsSeen.filter { $0 > 1 }.count
        print("""
            soak: \(seconds) s, \(issued) requests (\(pipelined) pipelined, \(resentPipelined) resends after a max-requests close), \(answeredOnce) answered exactly once, \
            \(duplicates) more than once, \(never) never; \(agentGenerations) generations of agents; failures \(failures.sorted { $0.key < $1.key }); \
            wrong bodies \(wrongBodies); POSTs seen twice \(postsTwice); server accepted \(server.stats.accepted), \
            responses \(server.stats.responses), closes \(server.stats.closes.map { "\($0.key.key)=\($0.value)" }.sorted()); \
            fds \(baselineDescriptors) → \(endDescriptors); RSS \(baselineRSS / 1024) KiB → \(endRSS / 1024) KiB, every 10 s: \(rssSeries) KiB
            """)
        #expect(answers.count == issued && answeredOnce == issued, "every id answered exactly once")
        #expect(wrongBodies == 0)
        #expect(unexpectedFailures == 0, "an idempotent request failed: it should have been resent")
        #expect(postsTwice == 0)
        #expect(endDescriptors <= baselineDescriptors, "descriptors: \(baselineDescriptors) → \(endDescriptors)")
        #expect(endRSS <= baselineRSS + 32 * 1024 * 1024, "RSS grew: \(baselineRSS) → \(endRSS)")
        server.closeAll()
        tick?.cancel()
    }

    /// The `id=` of a target's query, or nil.
    static func id(in target: String) -> Int? {
        guard let range = target.firstRange(of: "id=") else { return nil }
        return Int(target[range.upperBound...].prefix { $0.isNumber })
    }

    /// Whether a successful result is the answer to request `id`: /echo names its target, /bytes has
    /// its length, /delay names its delay (the id is in the target's query, which /delay ignores).
    static func bodyFits(_ result: AgentResult, target: String, method: String, id: Int) -> Bool {
        if method == "HEAD" { return result.body.isEmpty }
        if target.hasPrefix("/echo") { return result.bodyText.contains("\"target\":\"\(target)\"") }
        if target.hasPrefix("/bytes/") {
            let digits = target.dropFirst(7).prefix { $0.isNumber }
            return result.body.count == Int(digits) && result.body.allSatisfy { $0 == UInt8(ascii: "x") }
        }
        return result.bodyText.hasPrefix("{\"delayed_ms\":")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HTTP1
import Testing
@testable import Wire

// The ownership rules the hot path relies on (see ServerConnection and EventLoop): a stale event in
// the batch being dispatched never reaches a handler it was not for, a handler may remove itself
// from inside its own callback, a timer's owner is never called after it released the timer, and a
// server's borrowed `Exchange` carries nothing from one request or connection to the next.

/// A pipe whose read end is non-blocking. Closing is explicit, so a test can close mid-turn.
private struct Pipe {
    var read: Int32
    var write: Int32

    init() {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        read = fds[0]
        write = fds[1]
    }

    func poke() {
        var byte: UInt8 = 1
        _ = Glibc.write(write, &byte, 1)
    }
}

/// A handler that runs `body` on every readiness event and counts the events.
private final class Probe: LoopHandler {
    var calls = 0
    var body: (Probe) -> Void
    init(_ body: @escaping (Probe) -> Void = { _ in }) { self.body = body }
    func handleReadiness(readable: Bool, writable: Bool, hangup: Bool) {
        calls += 1
        body(self)
    }
}

/// Turns the loop for a short, bounded while: for checking that something does *not* happen.
private func turnBriefly(_ loop: EventLoop) {
    loop.run(until: { false }, timeoutNanos: 30_000_000)
}

@Suite("Ownership rules of the event loop and the server's hot path")
struct OwnershipTests {
    @Test("a descriptor closed while its event waits in the same batch gets no call")
    func closedWhilePending() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let a = Pipe(), b = Pipe()
        defer { for fd in [a.write, b.write] { close(fd) } }
        // Both become readable before the loop polls, so both events come back in one batch.
        // Whichever handler runs first closes the other's descriptor.
        var firstRun: Int32 = -1
        let probeA = Probe(), probeB = Probe()
        probeA.body = { _ in
            if firstRun < 0 { firstRun = a.read; loop.unregister(b.read); close(b.read) }
        }
        probeB.body = { _ in
            if firstRun < 0 { firstRun = b.read; loop.unregister(a.read); close(a.read) }
        }
        try loop.register(a.read, handler: probeA, interest: .readable)
        try loop.register(b.read, handler: probeB, interest: .readable)
        a.poke()
        b.poke()
        #expect(loop.run(until: { firstRun >= 0 }, timeoutNanos: 2_000_000_000))
        turnBriefly(loop)
        #expect(probeA.calls + probeB.calls >= 1)
        #expect(probeA.calls == 0 || probeB.calls == 0, "the closed descriptor's pending event was delivered")
        let survivor = firstRun == a.read ? a.read : b.read
        loop.unregister(survivor)
        close(survivor)
    }

    @Test("a descriptor number reused in the same turn: the stale event does not reach the new handler")
    func numberReusedInSameTurn() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let a = Pipe(), b = Pipe()
        var spare = Pipe()
        defer { for fd in [a.write, b.write, spare.write] { close(fd) } }
        let newcomer = Probe()
        var replaced: Int32 = -1
        // The first handler to run closes the other descriptor and puts a fresh, empty pipe's read
        // end under the same number (dup2), registered to `newcomer`, all within the same turn.
        func replace(_ victim: Int32) {
            guard replaced < 0 else { return }
            replaced = victim
            loop.unregister(victim)
            close(victim)
            #expect(dup2(spare.read, victim) == victim)
            close(spare.read)
            spare.read = victim
            try? loop.register(victim, handler: newcomer, interest: .readable)
        }
        let probeA = Probe { _ in replace(b.read) }, probeB = Probe { _ in replace(a.read) }
        try loop.register(a.read, handler: probeA, interest: .readable)
        try loop.register(b.read, handler: probeB, interest: .readable)
        a.poke()
        b.poke()
        #expect(loop.run(until: { replaced >= 0 }, timeoutNanos: 2_000_000_000))
        turnBriefly(loop)
        // Nothing was ever written to the new pipe: any call would be the old descriptor's event.
        #expect(newcomer.calls == 0)
        spare.poke()
        #expect(loop.run(until: { newcomer.calls == 1 }, timeoutNanos: 2_000_000_000), "the new handler hears its own events")
        for fd in [a.read, b.read] { loop.unregister(fd); close(fd) }
    }

    @Test("a handler may unregister itself, and drop the last reference to itself, in its own callback")
    func removedInOwnCallback() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let p = Pipe()
        defer { close(p.write) }
        weak var gone: Probe?
        var calls = 0
        do {
            let probe = Probe { probe in
                calls += 1
                loop.unregister(p.read)   // the loop's strong reference, the only one, goes here
                close(p.read)
                _ = probe
            }
            gone = probe
            try loop.register(p.read, handler: probe, interest: .readable)
        }
        p.poke()
        p.poke()   // left unread: a handler still registered would be called again (level-triggered)
        #expect(loop.run(until: { calls == 1 }, timeoutNanos: 2_000_000_000))
        turnBriefly(loop)
        #expect(calls == 1)
        #expect(gone == nil, "the handler outlived its unregistering")
    }

    @Test("close() lets go of handlers, cancelled timers and queued work, even when what it frees calls back into the loop")
    func closeLetsGo() throws {
        final class Unregistering: LoopHandler {
            let loop: EventLoop
            let fd: Int32
            init(loop: EventLoop, fd: Int32) { self.loop = loop; self.fd = fd }
            func handleReadiness(readable: Bool, writable: Bool, hangup: Bool) {}
            deinit { loop.unregister(fd) }   // runs while the loop is closing
        }
        final class Payload {}
        let loop = try EventLoop()
        let p = Pipe()
        defer { close(p.read); close(p.write) }
        weak var handler: Unregistering?
        weak var timerPayload: Payload?
        weak var deferredPayload: Payload?
        do {
            let registered = Unregistering(loop: loop, fd: p.read)
            handler = registered
            try loop.register(p.read, handler: registered, interest: .readable)
            let payload = Payload(), other = Payload()
            timerPayload = payload
            deferredPayload = other
            // Cancelled, but its heap entry (and the action holding `payload`) waits for the deadline.
            loop.schedule(afterMs: 60_000) { _ = payload }.cancel()
            loop.afterCurrentEvent { _ = other }
        }
        #expect(handler != nil && timerPayload != nil && deferredPayload != nil, "the loop holds all three")
        loop.close()
        #expect(handler == nil, "the handler outlived close()")
        #expect(timerPayload == nil, "the cancelled timer's action outlived close()")
        #expect(deferredPayload == nil, "the deferred work outlived close()")
        var fired = false
        loop.schedule(afterMs: 1) { fired = true }
        #expect(loop.run(until: { fired }, timeoutNanos: 2_000_000_000), "the loop still runs after close()")
    }

    @Test("an agent let go with a request in flight closes its socket, and nothing reaches it after")
    func agentReleasedMidRequest() throws {
        let h = try ServerHarness()
        let origin = HTTPOrigin(host: "127.0.0.1", port: h.server.port)
        weak var gone: Agent?
        var completions = 0
        do {
            let agent = Agent(loop: h.loop)
            gone = agent
            agent.send(AgentRequest(origin: origin, target: "/delay/200")) { _ in completions += 1 }
            #expect(h.wait("the request to reach the server") { h.server.stats.requests == 1 })
        }
        #expect(gone == nil, "the agent outlived its last reference")
        // Its socket closed in its deinit; the delayed response then meets a closed connection.
        #expect(h.wait("the server to see the close") { h.server.stats.open == 0 })
        turnBriefly(h.loop)
        #expect(completions == 0)
    }

    @Test("a raw connection let go without close() (its loop closed) closes its socket: nothing stays in CLOSE_WAIT")
    func rawConnectionReleasedOpen() throws {
        let h = try ServerHarness()
        let other = try EventLoop()
        weak var gone: RawConnection?
        do {
            let c = RawConnection(loop: other)
            gone = c
            c.connect(port: h.server.port)
            #expect(h.wait("the server to accept it") { h.server.stats.open == 1 })
            // Its loop closes with it still registered, as a test's `defer { loop.close() }` does.
            other.close()
        }
        #expect(gone == nil, "the connection outlived its last reference")
        #expect(h.wait("the server to see the client's FIN") { h.server.stats.open == 0 })
        h.waitForBaselineSockets()
    }

    @Test("a released owner timer never calls its owner, even with its heap entry still queued")
    func releasedOwnerTimer() throws {
        final class Owner: TimerOwner {
            var fired = 0
            func timerFired(_ timer: LoopTimer) { fired += 1 }
        }
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        let owner = Owner()
        let timer = LoopTimer(loop: loop, owner: owner)
        timer.arm(afterNanos: 5_000_000)
        timer.release()
        let kept = LoopTimer(loop: loop, owner: owner)
        kept.arm(afterNanos: 10_000_000)
        #expect(loop.run(until: { owner.fired == 1 }, timeoutNanos: 2_000_000_000), "an unreleased timer fires")
        turnBriefly(loop)
        #expect(owner.fired == 1, "the released timer called its owner")
        kept.release()
    }

    @Test("a server connection closed with its idle timer queued is freed, and the queued entry is harmless")
    func closedConnectionTimerEntry() throws {
        let harness = try ServerHarness { $0.keepAliveTimeoutMs = 100 }
        let client = harness.connect()
        client.send(get("/"))
        harness.wait("a response") { client.responseCount == 1 }
        weak var connection: ServerConnection?
        do {
            // Reach the connection through the loop's table: the test must not keep it alive itself.
            connection = harness.server.connectionForTesting(id: 1)
        }
        #expect(connection != nil)
        client.close()
        #expect(harness.waitForClose() == .clientClosed)
        // The idle timer's entry is still in the heap (due in ~100 ms); the connection is gone.
        harness.wait("the connection object to be freed") { connection == nil }
        harness.loop.run(until: { false }, timeoutNanos: 200_000_000)   // past the entry's deadline
        #expect(harness.server.stats.open == 0)
    }

    @Test("an exchange carries nothing to the next connection: a half-sent request, then a clean one")
    func exchangeReusedCleanly() throws {
        let harness = try ServerHarness()
        // Connection 1 leaves a request half-parsed (its head unfinished) and vanishes.
        let first = harness.connect()
        first.send("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: yes\r\nX-Part")
        harness.wait("the server to start the request") { harness.server.stats.idle == 0 && harness.server.stats.open == 1 }
        first.close()
        #expect(harness.waitForClose() == .clientClosed)
        // Connection 2 borrows the same exchange and must see only its own request.
        let second = harness.connect()
        second.send(get("/echo", "X-Second: 2\r\n"))
        harness.wait("the echo") { second.responseCount == 1 }
        let body = ServerHarness.responses(second.received).first?.body ?? ""
        #expect(body.contains("X-Second"))
        #expect(!body.contains("X-Half") && !body.contains("X-Part"))
        // And a keep-alive request after the exchange went back and came again: same connection.
        second.send(get("/echo", "X-Third: 3\r\n"))
        harness.wait("the second echo") { second.responseCount == 2 }
        let again = ServerHarness.responses(second.received).last?.body ?? ""
        #expect(again.contains("X-Third") && !again.contains("X-Second"))
        #expect(again.contains("\"request_on_connection\":2"))
    }

    @Test("pipelined requests behind one whose response completes at once are all answered, in order")
    func pipelinedAfterExchangeReturn() throws {
        let harness = try ServerHarness()
        let client = harness.connect()
        client.send(get("/") + get("/status/201") + get("/echo", "X-Last: 1\r\n"))
        harness.wait("three responses") { client.responseCount == 3 }
        let statuses = ServerHarness.responses(client.received).map(\.head.status)
        #expect(statuses == [200, 201, 200])
        #expect(harness.server.stats.requests == 3)
    }
}

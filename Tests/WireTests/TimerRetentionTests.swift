import Testing
@testable import Wire

/// What the soak found: a timer's heap entry outlives its owner until the entry's deadline, and the
/// timer's action used to hold the owner (a closed connection, whose memory an unowned capture keeps).
@Suite("Timers let go of their owners")
struct TimerRetentionTests {
    final class Owner {}

    @Test("a released timer drops its action, so what the action captured can go before the entry comes due")
    func releaseDropsAction() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        weak var probe: Owner?
        var timer: LoopTimer?
        do {
            let owner = Owner()
            probe = owner
            timer = LoopTimer(loop: loop) { _ = owner }
            timer?.arm(afterNanos: 60_000_000_000)   // a headers timeout's distance: the entry stays queued
        }
        #expect(probe != nil, "the armed timer's action holds the owner")
        timer?.release()
        #expect(probe == nil, "released: the queued entry keeps only the timer")
        #expect(timer?.isArmed == false)
    }
}

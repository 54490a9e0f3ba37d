import Foundation
import Testing
import Wire
@testable import LabRun

/// Holds the run's event loop weakly: nil again once nothing keeps the lab alive.
final class LoopWatch: @unchecked Sendable {
    weak var loop: EventLoop?
}

extension RunOptions {
    /// Options whose run reports its loop to `watch`.
    static func watched(by watch: LoopWatch) -> RunOptions {
        var options = RunOptions()
        options.loopCreated = { watch.loop = $0 }
        return options
    }
}

/// A run must leave nothing behind: the stepper runs experiment after experiment in one process,
/// and each run's loop owns descriptors (its poller, its waker) besides its memory.
@Suite("An experiment's lab is freed when its run ends")
struct LabLifetimeTests {
    @Test("an agent's observer does not keep the agent, nor the loop, alive")
    func agentObserver() {
        let watch = LoopWatch()
        let outcome = ExperimentRunner.run(source: """
            agent a keepAlive=true
            let r = a GET /
            print r.status
            """, expected: nil, options: .watched(by: watch))
        #expect(outcome.output == ["200"], "\(outcome.runtimeError.map(\.message) ?? "")")
        #expect(watch.loop == nil, "the run's event loop outlived the run")
    }

    @Test("a recv answered before its deadline leaves no timer holding the script")
    func recvBeforeDeadline() {
        let watch = LoopWatch()
        let outcome = ExperimentRunner.run(source: """
            open c
            send c "GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"
            let head = recv c until="\\r\\n\\r\\n" timeout=5s
            print head != ""
            """, expected: nil, options: .watched(by: watch))
        #expect(outcome.output == ["true"], "\(outcome.runtimeError.map(\.message) ?? "")")
        #expect(watch.loop == nil, "the run's event loop outlived the run")
    }

    @Test("a run stopped by its time limit is freed too")
    func stoppedByLimit() {
        let watch = LoopWatch()
        let outcome = ExperimentRunner.run(source: """
            limit 200ms
            open c
            let nothing = recv c until="never" timeout=60s
            """, expected: nil, options: .watched(by: watch))
        #expect(outcome.runtimeError != nil)
        #expect(watch.loop == nil, "the run's event loop outlived the run")
    }
}

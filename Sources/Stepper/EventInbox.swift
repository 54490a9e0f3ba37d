import Foundation

/// EventInbox: how background work (an experiment run, a verification) hands events to the
/// driver's loop. `post` appends under a lock and, when the inbox was empty, writes one byte to the
/// wake pipe that the loop polls; `drain` takes everything posted so far. Safe from any thread.
final class EventInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [StepperEvent] = []
    private let wakeFD: Int32

    /// `wakeFD` is the write end of a non-blocking pipe (a full pipe already means "wake up").
    init(wakeFD: Int32) {
        self.wakeFD = wakeFD
    }

    func post(_ event: StepperEvent) {
        let wasEmpty: Bool = lock.withLock {
            events.append(event)
            return events.count == 1
        }
        if wasEmpty { TerminalIO.write(wakeFD, [1]) }
    }

    func drain() -> [StepperEvent] {
        lock.withLock {
            let taken = events
            events = []
            return taken
        }
    }
}

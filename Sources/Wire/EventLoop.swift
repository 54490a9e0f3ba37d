import CSystem
import Foundation

/// What a registered descriptor wants to hear about.
public struct Interest: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let readable = Interest(rawValue: UInt32(CSYS_READABLE))
    public static let writable = Interest(rawValue: UInt32(CSYS_WRITABLE))
    public static let none: Interest = []
}

/// Something the loop can hand readiness to: a listener, a server connection, an agent socket.
public protocol LoopHandler: AnyObject {
    /// Called on the loop thread when `fd` is readable, writable or hung up. Level-triggered: if the
    /// handler leaves data unread it is called again on the next turn.
    func handleReadiness(readable: Bool, writable: Bool, hangup: Bool)
}

/// EventLoop: one thread, one poller (epoll on Linux), non-blocking sockets, and a deadline heap of
/// timers. The server, the agent and the lab interpreter all run on the same loop, so within one run
/// events happen in one well-defined order and nothing needs a lock.
///
/// Every method must be called on the loop's thread, except `execute(_:)` and `wakeUp()`, which any
/// thread (or a signal handler, through the waker) may call. It never sleeps a thread to wait: it
/// blocks only in the poller, with a timeout equal to the next timer's deadline.
public final class EventLoop: @unchecked Sendable {
    private let poller: Int32
    private var handlers: [LoopHandler?] = []
    private var interests: [Interest] = []
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let lock = NSLock()
    private var submitted: [@Sendable () -> Void] = []
    private var isStopped = false
    private let readyFDs = UnsafeMutablePointer<Int32>.allocate(capacity: 256)
    private let readyBits = UnsafeMutablePointer<UInt32>.allocate(capacity: 256)
    var timers = TimerHeap()
    private var deferred: [() -> Void] = []
    /// The deferred work being run (see `runDeferred`).
    private var running: [() -> Void] = []
    private var isRunningDeferred = false

    /// A 64 KiB buffer every socket on this loop reads into before its bytes are parsed. One per
    /// loop, not one per connection: an idle connection owns no read buffer at all.
    public let readBuffer: UnsafeMutableRawBufferPointer

    /// How many times the loop went around (for the benchmark's curiosity, and tests).
    public private(set) var iterations = 0

    public init() throws(SystemError) {
        let fd = csys_poller_create()
        guard fd >= 0 else { throw SystemError("epoll_create1") }
        poller = fd
        var writeEnd: Int32 = -1
        let readEnd = csys_waker_create(&writeEnd)
        guard readEnd >= 0 else { throw SystemError("eventfd") }
        wakeRead = readEnd
        wakeWrite = writeEnd
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        Platform.ignoreSIGPIPE()
        _ = csys_poller_add(poller, wakeRead, UInt32(CSYS_READABLE))
    }

    deinit {
        Platform.close(poller)
        Platform.close(wakeRead)
        if wakeWrite != wakeRead { Platform.close(wakeWrite) }
        readBuffer.deallocate()
        readyFDs.deallocate()
        readyBits.deallocate()
    }

    /// The loop's clock: monotonic nanoseconds.
    public var now: Int64 { Platform.monotonicNanos() }

    /// The descriptor a signal handler may write to, to wake the loop (see `csys_install_interrupt_waker`).
    public var wakerDescriptor: Int32 { wakeWrite }

    // MARK: Descriptors

    /// Starts delivering readiness of `fd` to `handler`. The loop holds the handler strongly until
    /// `unregister(_:)`.
    public func register(_ fd: Int32, handler: LoopHandler, interest: Interest) throws(SystemError) {
        let index = Int(fd)
        if index >= handlers.count {
            let newCount = max(index + 1, handlers.count * 2, 64)
            handlers.append(contentsOf: repeatElement(nil, count: newCount - handlers.count))
            interests.append(contentsOf: repeatElement(.none, count: newCount - interests.count))
        }
        guard csys_poller_add(poller, fd, interest.rawValue) == 0 else { throw SystemError("epoll_ctl(ADD)") }
        handlers[index] = handler
        interests[index] = interest
    }

    /// Changes what `fd` is watched for; a no-op when nothing changes.
    public func setInterest(_ fd: Int32, _ interest: Interest) {
        let index = Int(fd)
        guard index < interests.count, handlers[index] != nil, interests[index] != interest else { return }
        interests[index] = interest
        _ = csys_poller_modify(poller, fd, interest.rawValue)
    }

    /// Stops watching `fd` and lets go of its handler. It does not close `fd`.
    public func unregister(_ fd: Int32) {
        let index = Int(fd)
        guard index < handlers.count, handlers[index] != nil else { return }
        _ = csys_poller_remove(poller, fd)
        handlers[index] = nil
        interests[index] = .none
        // The batch being dispatched may still hold an event for this descriptor. If its number is
        // reused by a new socket in the same turn, that stale event must not reach the new handler.
        unregisteredThisTurn.append(fd)
    }

    private var unregisteredThisTurn: [Int32] = []

    /// Hands `fd`'s readiness to `handler` from now on, watched for what it was watched for. The
    /// next event for `fd` goes to `handler`, even one the poller already returned in the batch being
    /// dispatched: each event finds its handler when its turn comes. (`unregister` then `register`
    /// would drop such an event, since the loop cannot tell the same socket from a new one that
    /// reused the number.) For a server connection whose first bytes chose another protocol.
    /// It does nothing for a descriptor that is not registered.
    func replaceHandler(_ fd: Int32, with handler: LoopHandler) {
        let index = Int(fd)
        guard index < handlers.count, handlers[index] != nil else { return }
        handlers[index] = handler
    }

    /// What `fd` is watched for now (for tests of hand-overs).
    func interest(of fd: Int32) -> Interest? {
        let index = Int(fd)
        guard index < handlers.count, handlers[index] != nil else { return nil }
        return interests[index]
    }

    /// Lets go of everything the loop holds: handlers, queued timers, work not yet run. For the owner
    /// of a loop that will not run again (an experiment's, when the run is over).
    ///
    /// Without it such a loop may never be freed, and neither are its poller and waker descriptors.
    /// A cancelled timer stays in the heap until its deadline (see `LoopTimer.cancel()`), with its
    /// action, and an action that reaches anything holding the loop makes a cycle through the heap:
    /// a script's `recv` deadline holds the script's scope, whose objects hold the agents, which hold
    /// the loop.
    public func close() {
        // Everything is moved out first and freed on the way out, when the loop's own state is
        // already empty: a deinit it runs may call back into the loop (`unregister`, a timer).
        var held: [LoopHandler?] = []
        swap(&held, &handlers)
        interests = []
        for (index, handler) in held.enumerated() where handler != nil { _ = csys_poller_remove(poller, Int32(index)) }
        var heap = TimerHeap()
        swap(&heap, &timers)
        var work: [() -> Void] = [], started: [() -> Void] = []
        swap(&work, &deferred)
        swap(&started, &running)
        lock.lock()
        var pending: [@Sendable () -> Void] = []
        swap(&pending, &submitted)
        lock.unlock()
        withExtendedLifetime((held, heap, work, started, pending)) {}
    }

    // MARK: Work from elsewhere

    /// Runs `body` on the loop thread soon. Safe from any thread.
    public func execute(_ body: @escaping @Sendable () -> Void) {
        lock.lock()
        submitted.append(body)
        lock.unlock()
        wakeUp()
    }

    /// Runs `body` on this loop thread after the current event has been handled (before polling
    /// again). Used to break deep call chains and to let a caller finish its bookkeeping first.
    public func afterCurrentEvent(_ body: @escaping () -> Void) {
        deferred.append(body)
    }

    public func wakeUp() { csys_waker_signal(wakeWrite) }

    /// Makes `run` return after the current turn. Safe from any thread.
    public func stop() {
        lock.lock()
        isStopped = true
        lock.unlock()
        wakeUp()
    }

    // MARK: Running

    /// Runs until `stop()` is called.
    public func run() {
        lock.lock()
        isStopped = false
        lock.unlock()
        while !stopRequested() { turn(maxWaitNanos: nil) }
        // Work handed to `execute` just before `stop()` still runs: a caller may rely on it.
        runSubmitted()
        runDeferred()
    }

    /// Runs until `condition` is true or `timeoutNanos` pass; returns whether the condition was met.
    /// This is how tests and the interpreter wait for the event they mean, always with a bound.
    @discardableResult
    public func run(until condition: () -> Bool, timeoutNanos: Int64) -> Bool {
        let deadline = now + timeoutNanos
        lock.lock()
        isStopped = false
        lock.unlock()
        while true {
            if condition() { return true }
            let remaining = deadline - now
            if remaining <= 0 || stopRequested() { return condition() }
            turn(maxWaitNanos: remaining)
        }
    }

    private func stopRequested() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return isStopped
    }

    /// One turn: run deferred work, wait for readiness (no longer than the next timer), dispatch
    /// ready descriptors, then fire the earliest due timer.
    private func turn(maxWaitNanos: Int64?) {
        iterations += 1
        runDeferred()
        var waitNanos: Int64 = maxWaitNanos ?? Int64.max
        if let next = timers.nextDeadline {
            waitNanos = min(waitNanos, max(0, next - now))
        }
        if !deferred.isEmpty { waitNanos = 0 }
        // Round up to whole milliseconds so a timer is never polled for early and spun on.
        let timeoutMs: Int32 = waitNanos == Int64.max ? -1 : Int32(clamping: (waitNanos + 999_999) / 1_000_000)
        let count = csys_poller_wait(poller, readyFDs, readyBits, 256, timeoutMs)
        if count > 0 {
            // Usually empty: clearing an empty array still cost ~50 instructions a turn (callgrind).
            if !unregisteredThisTurn.isEmpty { unregisteredThisTurn.removeAll(keepingCapacity: true) }
            for i in 0..<Int(count) {
                let fd = readyFDs[i], bits = readyBits[i]
                if !unregisteredThisTurn.isEmpty && unregisteredThisTurn.contains(fd) { continue }
                if fd == wakeRead {
                    csys_waker_drain(wakeRead)
                    runSubmitted()
                    continue
                }
                guard Int(fd) < handlers.count, let handler = handlers[Int(fd)] else { continue }
                handler.handleReadiness(
                    readable: bits & UInt32(CSYS_READABLE) != 0,
                    writable: bits & UInt32(CSYS_WRITABLE) != 0,
                    hangup: bits & UInt32(CSYS_HANGUP) != 0)
                runDeferred()
            }
        }
        fireDueTimers()
        runDeferred()
    }

    private func runSubmitted() {
        lock.lock()
        let work = submitted
        submitted.removeAll()
        lock.unlock()
        for body in work { body() }
    }

    /// Runs the deferred work, and any it defers in turn. Checked inline: most calls (three a
    /// turn, and one per dispatched event) find nothing to run, and the call alone cost ~75
    /// instructions a turn (callgrind).
    @inline(__always) private func runDeferred() {
        if !deferred.isEmpty { runDeferredWork() }
    }

    /// The two lists swap roles each round and keep their storage: taking the list and starting an
    /// empty one allocated a new array for the first `afterCurrentEvent` of every turn.
    /// A turn run from inside deferred work (a nested `run`) takes the plain path.
    @inline(never) private func runDeferredWork() {
        if isRunningDeferred {
            while !deferred.isEmpty {
                let work = deferred
                deferred = []
                for body in work { body() }
            }
            return
        }
        isRunningDeferred = true
        defer { isRunningDeferred = false }
        while !deferred.isEmpty {
            swap(&deferred, &running)
            for body in running { body() }
            running.removeAll(keepingCapacity: true)
        }
    }

    /// Fires the earliest due timer (skipping stale entries), and only that one: when several are
    /// due at once (the loop was late, say on a loaded machine), the next turn polls the sockets
    /// before the next timer fires. So bytes that a timer delivered (the simulated network's
    /// arrivals) are read before a later timer (a server's idle timeout) can act as if they never
    /// came. The cost is one extra zero-timeout poll per extra due timer, only when the loop is late.
    private func fireDueTimers() {
        let current = now
        while let entry = timers.popDue(now: current) {
            guard entry.timer.entryCameDue(entry, now: current) else { continue }
            entry.timer.fire()
            runDeferred()
            return
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Wire

/// Records when its descriptor became readable, in the order of everything else that happened.
final class ReadinessRecorder: LoopHandler {
    let fd: Int32
    let log: (String) -> Void
    init(fd: Int32, log: @escaping (String) -> Void) {
        self.fd = fd
        self.log = log
    }
    func handleReadiness(readable: Bool, writable: Bool, hangup: Bool) {
        guard readable else { return }
        var byte: UInt8 = 0
        _ = read(fd, &byte, 1)
        log("readable")
    }
}

@Suite("Event loop: timers and sockets in order when the loop is late")
struct EventLoopOrderTests {
    @Test("bytes written by an earlier timer are read before a later timer fires, even when both were due at once")
    func lateLoopKeepsOrder() throws {
        let loop = try EventLoop()
        defer { loop.close() }   // what the test left registered would keep the loop
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        var events: [String] = []
        let recorder = ReadinessRecorder(fd: fds[0]) { events.append($0) }
        try loop.register(fds[0], handler: recorder, interest: .readable)
        // The "delivery" is due first and writes a byte; the "idle timeout" is due 1 ms later.
        let delivery = loop.schedule(afterMs: 5) {
            var byte: UInt8 = 1
            _ = write(fds[1], &byte, 1)
            events.append("delivered")
        }
        let timeout = loop.schedule(afterMs: 6) { events.append("timeout") }
        // The loop is late: both timers are overdue by the time it turns.
        usleep(30_000)
        loop.run(until: { events.contains("timeout") }, timeoutNanos: 2_000_000_000)
        loop.unregister(fds[0])
        _ = (delivery, timeout)
        #expect(events == ["delivered", "readable", "timeout"])
    }
}

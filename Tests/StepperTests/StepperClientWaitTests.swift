import Challenges
import Foundation
import LabKit
import Testing
import Wire
@testable import Stepper

/// `v` on a your-client challenge with an empty command line waits like `wirelab verify L N --wait`:
/// the URL on screen, Enter for the verdict, Esc or Ctrl-C to stop.
@Suite("Stepper: waiting for the learner's own client")
struct StepperClientWaitTests {
    static func machine() -> StepperMachine {
        let lesson = StepperLesson(id: "mine", title: "My Client", conceptMarkdown: "## Concept\n\nShort.",
                                   challenges: [StepperChallenge(number: 1, prompt: "Honour Connection: close.", kind: "your-client", need: .client),
                                                StepperChallenge(number: 2, prompt: "Predict.", kind: "predict", need: .answer(prompt: ""))])
        return StepperMachine(lessons: [lesson], progress: LearnerProgress(), size: TerminalSize(columns: 100, rows: 30), color: false)
    }

    @Test("an empty command line starts a waiting verification; the URL shows once the server listens; Enter ends the wait")
    func waitThenEnter() {
        var m = Self.machine()
        m.press(.char("v"), .char("1"))
        #expect(m.statusLine.contains("Enter alone: wait for a browser or a program you start"))
        let effects = m.press(.enter)
        #expect(effects == [.startVerification(id: 1, lessonID: "mine", challenge: 1, input: VerificationInput(wait: true))])
        #expect(m.statusLine.contains("Starting the lab server for challenge 1"))
        #expect(m.handle(.clientWaiting(id: 1, url: "http://127.0.0.1:4321", limitMs: 30_000)).isEmpty)
        #expect(m.statusLine.contains("http://127.0.0.1:4321"))
        #expect(m.statusLine.contains("at most 30.0s"))
        #expect(m.press(.char("q")).isEmpty)   // other keys wait
        #expect(m.press(.enter) == [.finishClientWait(id: 1)])
        #expect(m.state.clientWait == nil)
        guard case .verifying(1, "mine", 1) = m.state.activity else { Issue.record("not verifying: \(m.state.activity)"); return }
        let report = VerifyReport(lessonID: "mine", challenge: 1, status: .wrong, headline: "Not yet: send at least 7 requests (the server saw 1)")
        _ = m.handle(.verificationFinished(id: 1, report))
        #expect(m.state.activity == .idle)
        #expect(m.state.result("mine", 1) == report)
    }

    @Test("Esc and Ctrl-C stop the wait (the server is told to stop) and a late result is dropped", arguments: [Key.escape, Key.ctrlC])
    func stop(key: Key) {
        var m = Self.machine()
        m.press(.char("v"), .char("1"), .enter)
        _ = m.handle(.clientWaiting(id: 1, url: "http://127.0.0.1:4321", limitMs: 30_000))
        #expect(m.press(key) == [.finishClientWait(id: 1)])
        #expect(m.state.activity == .idle)
        #expect(m.statusLine.contains("Stopped waiting for your client"))
        _ = m.handle(.verificationFinished(id: 1, VerifyReport(lessonID: "mine", challenge: 1, status: .wrong, headline: "late")))
        #expect(m.state.result("mine", 1) == nil)
    }

    @Test("Ctrl-C before the server listens still stops it; a stale 'listening' is answered with a stop")
    func stopEarly() {
        var m = Self.machine()
        m.press(.char("v"), .char("1"), .enter)
        #expect(m.press(.ctrlC) == [.finishClientWait(id: 1)])
        #expect(m.handle(.clientWaiting(id: 1, url: "http://127.0.0.1:1", limitMs: 1_000)) == [.finishClientWait(id: 1)])
        #expect(m.state.clientWait == nil)
    }

    @Test("a command line still runs the command (no wait)")
    func commandLine() {
        var m = Self.machine()
        m.press(.char("v"), .char("1"))
        m.type("curl {url}")
        #expect(m.press(.enter) == [.startVerification(id: 1, lessonID: "mine", challenge: 1, input: VerificationInput(command: ["curl", "{url}"]))])
        #expect(m.state.clientWait == nil)
        #expect(m.press(.escape).isEmpty)   // Esc does not stop a command's verification
    }

    /// The real backend on lesson 6's your-client challenge: a raw client sends one request during
    /// the wait, then `finish()`; the verdict names what the server observed.
    @Test("LessonBackend waits on a real server, observes a raw client, judges after finish()")
    func backendWait() throws {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        parts.removeLast(3)
        let lessonsDir = parts.joined(separator: "/") + "/Lessons"
        let lesson = try #require(LessonLibrary.load(directory: lessonsDir).lessons.first { $0.id == "max-requests-per-socket" })
        let stateDir = NSTemporaryDirectory() + "wirelab-clientwait-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let backend = LessonBackend(lessons: [lesson], store: ProgressStore(directory: stateDir), color: false)

        let started = DispatchSemaphore(value: 0)
        let urlBox = Box()
        let channel = ClientWaitChannel { url, limitMs in
            urlBox.set(url, limitMs)
            started.signal()
        }
        let finished = DispatchSemaphore(value: 0)
        let reportBox = ReportBox()
        Thread.detachNewThread {
            reportBox.report = backend.verify(lessonID: lesson.id, challenge: 6, input: VerificationInput(wait: true), waiting: channel)
            finished.signal()
        }
        guard started.wait(timeout: .now() + 10) == .success, let (url, limitMs) = urlBox.get() else {
            channel.finish()
            Issue.record("the lab server did not start listening within 10 s")
            return
        }
        #expect(limitMs == 30_000)
        let port = try #require(UInt16(url.split(separator: ":").last.map(String.init) ?? ""))
        let loop = try EventLoop()
        let raw = RawConnection(loop: loop)
        raw.connect(port: port)
        #expect(loop.run(until: { raw.state == .open }, timeoutNanos: 5_000_000_000))
        raw.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(loop.run(until: { raw.text.contains("\r\n\r\n") }, timeoutNanos: 5_000_000_000))
        raw.close()
        channel.finish()
        #expect(finished.wait(timeout: .now() + 10) == .success)
        let report = try #require(reportBox.report)
        #expect(raw.text.hasPrefix("HTTP/1.1 200"))
        #expect(report.status == .wrong)
        let text = ([report.headline] + report.details).joined(separator: "\n")
        #expect(text.contains("the server saw 1"), "\(text)")
    }
}

private final class Box: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (String, Int)?
    func set(_ url: String, _ limit: Int) { lock.lock(); value = (url, limit); lock.unlock() }
    func get() -> (String, Int)? { lock.lock(); defer { lock.unlock() }; return value }
}

private final class ReportBox: @unchecked Sendable {
    var report: VerifyReport?
}

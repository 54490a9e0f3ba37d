#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabRun
import Testing
@testable import WireLabCLI

/// observe's HAR loaded by Chromium's own DevTools HAR importer (Tests/Scripts/chromium-har-import.py
/// drives a headless Chromium and runs the importer its bundled frontend ships). Skipped without
/// chromium, python3 or curl.
@Suite("observe --har in Chromium's DevTools importer", .serialized)
struct ChromiumHARTests {
    static let available = ObserveCommandTests.tool("chromium") != nil && ObserveCommandTests.tool("python3") != nil && ObserveCommandTests.hasCurl

    /// Runs the import script on `har`, at most 60 s; its exit status and stdout.
    static func importInChromium(_ har: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts/chromium-har-import.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(ObserveCommandTests.tool("python3")))
        process.arguments = [script, har]
        // Its output goes to files: nothing to drain while it runs.
        let base = NSTemporaryDirectory() + "chromium-import-\(getpid())"
        FileManager.default.createFile(atPath: base + ".out", contents: nil)
        FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer { try? FileManager.default.removeItem(atPath: base + ".out"); try? FileManager.default.removeItem(atPath: base + ".err") }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        if exited.wait(timeout: .now() + 60) == .timedOut {
            process.terminate()
            _ = exited.wait(timeout: .now() + 10)
            Issue.record("the Chromium import did not finish within 60 s")
        }
        let stdout = FileManager.default.contents(atPath: base + ".out") ?? Data()
        let stderr = FileManager.default.contents(atPath: base + ".err") ?? Data()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test("curl's three requests on one connection: the importer makes three requests on Connection ID 1, sizes as the file says",
          .enabled(if: available, "chromium, python3 or curl is not installed: skipped"))
    func imports() throws {
        let har = FileManager.default.temporaryDirectory.appendingPathComponent("observe-chromium-\(getpid()).har").path
        defer { try? FileManager.default.removeItem(atPath: har) }
        let run = try ObserveCommandTests.observe(["--har", har, "--", "curl", "-s", "-o", "/dev/null", "{url}/", "-o", "/dev/null", "{url}/stream/2",
                                                   "-o", "/dev/null", "{url}/echo"])
        #expect(run.status == 0, "\(run.stderr)")
        let imported = try Self.importInChromium(har)
        #expect(imported.status == 0, "\(imported.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any], "\(imported.stdout)")
        let requests = try #require(object["requests"] as? [[String: Any]])
        #expect(requests.count == 3)
        #expect(object["inNetworkLog"] as? Int == 3)   // the Network panel's log took all three
        #expect(requests.map { $0["connectionId"] as? String } == ["1", "1", "1"])
        #expect(requests.map { $0["status"] as? Int } == [200, 200, 200])
        #expect(requests.map { $0["mimeType"] as? String } == ["application/json", "text/plain", "application/json"])
        // Its transfer size is the file's headersSize + bodySize: both were filled in.
        let file = try #require(FileManager.default.contents(atPath: har))
        let entries = try #require(((try JSONSerialization.jsonObject(with: file) as? [String: Any])?["log"] as? [String: Any])?["entries"] as? [[String: Any]])
        let sizes = entries.map { entry -> Int in
            let response = entry["response"] as? [String: Any] ?? [:]
            return (response["headersSize"] as? Int ?? -100) + (response["bodySize"] as? Int ?? -100)
        }
        #expect(requests.map { $0["transferSize"] as? Int } == sizes)
        #expect(requests.allSatisfy { ($0["responseHeaders"] as? Int ?? 0) >= 4 })
    }

    @Test("the importer is strict where the check says: a date it cannot parse rejects the file (exit 1)",
          .enabled(if: available, "chromium, python3 or curl is not installed: skipped"))
    func rejects() throws {
        let har = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(getpid()).har").path
        defer { try? FileManager.default.removeItem(atPath: har) }
        let entry = #"{"startedDateTime": "yesterday", "time": 1, "request": {"headersSize": -1, "bodySize": 0}, "#
            + #""response": {"status": 200, "headersSize": -1, "bodySize": -1, "content": {"size": -1}}, "timings": {"send": 0, "wait": 1, "receive": 0}}"#
        try Data(#"{"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": ["# .utf8 + Data(entry.utf8) + Data("]}}".utf8))
            .write(to: URL(fileURLWithPath: har))
        let imported = try Self.importInChromium(har)
        #expect(imported.status == 1, "\(imported.stdout) \(imported.stderr)")
        #expect(imported.stderr.contains("Invalid date format"), "\(imported.stderr)")
    }
}

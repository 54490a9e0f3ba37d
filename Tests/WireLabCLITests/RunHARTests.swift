import Foundation
import Testing
@testable import WireLabCLI

/// `run LESSON --har FILE`: the agents' requests written as HAR 1.2, dated by the wall clock.
@Suite("CLI: run --har")
struct RunHARTests {
    static let script = "agent a\na GET /\nparallel 2 { a GET /delay/10 }\nprint \"done\""

    @Test("run LESSON --har FILE: one entry per agent request with HAR 1.2's required fields, dated during the run")
    func writesHAR() throws {
        let dir = try makeLessonsDirectory(expected: "done", script: Self.script)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let har = dir + "/run.har"
        let before = Date().timeIntervalSince1970 * 1000
        let result = runLessonCLI(["run", "tiny", "--lessons", dir, "--har", har])
        let after = Date().timeIntervalSince1970 * 1000
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("HAR 1.2 written to \(har) (3 entries)"))
        let data = try #require(FileManager.default.contents(atPath: har))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let log = try #require(root["log"] as? [String: Any])
        #expect(log["version"] as? String == "1.2")
        let creator = try #require(log["creator"] as? [String: Any])
        #expect(creator["name"] as? String == "wirelab")
        #expect(creator["version"] is String)
        let entries = try #require(log["entries"] as? [[String: Any]])
        #expect(entries.count == 3)
        let dates = ISO8601DateFormatter()
        dates.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for entry in entries {
            let started = try #require(entry["startedDateTime"] as? String)
            let date = try #require(dates.date(from: started), "not ISO 8601: \(started)")
            // Millisecond precision in the text, so allow one either side.
            #expect(date.timeIntervalSince1970 * 1000 >= before - 1 && date.timeIntervalSince1970 * 1000 <= after + 1)
            #expect(entry["time"] is Double || entry["time"] is Int)
            let request = try #require(entry["request"] as? [String: Any])
            for key in ["method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"] {
                #expect(request[key] != nil, "request.\(key) is missing")
            }
            #expect(request["method"] as? String == "GET")
            let response = try #require(entry["response"] as? [String: Any])
            for key in ["status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "headersSize", "bodySize"] {
                #expect(response[key] != nil, "response.\(key) is missing")
            }
            #expect(response["status"] as? Int == 200)
            #expect(entry["cache"] is [String: Any])
            let timings = try #require(entry["timings"] as? [String: Any])
            for key in ["send", "wait", "receive"] { #expect(timings[key] != nil, "timings.\(key) is missing") }
        }
        #expect(entries.map { ($0["request"] as? [String: Any])?["url"] as? String }.allSatisfy { $0?.hasPrefix("http://127.0.0.1:") == true })
    }

    @Test("run --har to a path that cannot be written: the verdict first, then a clear error, exit 1")
    func unwritable() throws {
        let dir = try makeLessonsDirectory(expected: "done", script: Self.script)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let har = dir + "/no-such-dir/run.har"
        let result = runLessonCLI(["run", "tiny", "--lessons", dir, "--har", har])
        #expect(result.status == 1)
        #expect(result.out.contains("Output matches the expected output"))
        #expect(result.err.contains("Error: cannot write the HAR file '\(har)'"))
    }

    @Test("run --har with no file name is a usage error, exit 64")
    func emptyName() throws {
        let dir = try makeLessonsDirectory(expected: "done", script: Self.script)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = runLessonCLI(["run", "tiny", "--lessons", dir, "--har="])
        #expect(result.status == 64)
        #expect(result.err.contains("Option '--har' needs a file name"))
    }
}

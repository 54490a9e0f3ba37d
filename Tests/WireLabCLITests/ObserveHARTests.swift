#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import WireLabCLI

/// `observe --har` with curl: the sizes and response headers in the file are the bytes that went
/// over the wire (curl's own count of what it received says so).
@Suite("wirelab observe --har: headers and sizes", .serialized)
struct ObserveHARTests {
    @Test("curl: request headersSize is the head curl sent, response headers as written, bodySize = Content-Length = content.size, sizes add up to what curl received",
          .enabled(if: ObserveCommandTests.hasCurl, "curl is not installed: skipped"))
    func curlSizes() throws {
        let har = FileManager.default.temporaryDirectory.appendingPathComponent("observe-sizes-\(getpid()).har").path
        defer { try? FileManager.default.removeItem(atPath: har) }
        let run = try ObserveCommandTests.observe(["--har", har, "--", "curl", "-s", "-o", "/dev/null", "-w", "%{size_header} %{size_download}\\n",
                                                   "{url}/echo", "-o", "/dev/null", "{url}/stream/2"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(run.json, "stdout: \(run.stdout)")
        let stdout = try #require((json["command"] as? [String: Any])?["stdout"] as? String)
        // curl's own counts: header bytes and body bytes (decoded: without chunk framing) per URL.
        let counts = stdout.split(separator: "\n").map { $0.split(separator: " ").compactMap { Int($0) } }
        #expect(counts.count == 2, "\(stdout)")
        let data = try #require(FileManager.default.contents(atPath: har))
        let log = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["log"] as? [String: Any])
        let entries = try #require(log["entries"] as? [[String: Any]])
        #expect(entries.count == 2)
        for (i, entry) in entries.enumerated() {
            let request = try #require(entry["request"] as? [String: Any])
            let headers = try #require(request["headers"] as? [[String: String]])
            // "GET /echo HTTP/1.1\r\n" + "Name: value\r\n" per header + "\r\n": curl writes them so.
            let path = URL(string: request["url"] as? String ?? "")?.path ?? ""
            let expected = "GET \(path) HTTP/1.1\r\n".utf8.count + headers.reduce(0) { $0 + ($1["name"] ?? "").utf8.count + 2 + ($1["value"] ?? "").utf8.count + 2 } + 2
            #expect(request["headersSize"] as? Int == expected, "entry \(i)")
            let response = try #require(entry["response"] as? [String: Any])
            let names = (response["headers"] as? [[String: String]] ?? []).map { $0["name"] ?? "" }
            #expect(names.contains("Content-Type") && names.contains("Date") && names.contains("Connection"), "\(names)")
            let content = try #require(response["content"] as? [String: Any])
            if counts.count == 2 {
                #expect(response["headersSize"] as? Int == counts[i][0], "entry \(i): curl received \(counts[i][0]) header bytes")
                #expect(content["size"] as? Int == counts[i][1], "entry \(i): curl received \(counts[i][1]) body bytes")
            }
        }
        let echo = try #require(entries[0]["response"] as? [String: Any])
        let echoLength = (echo["headers"] as? [[String: String]])?.first { $0["name"] == "Content-Length" }?["value"]
        #expect(echoLength.flatMap { Int($0) } == echo["bodySize"] as? Int)
        #expect((echo["content"] as? [String: Any])?["mimeType"] as? String == "application/json")
        let stream = try #require(entries[1]["response"] as? [String: Any])
        // Chunked: the body on the wire is the content plus its framing.
        #expect((stream["bodySize"] as? Int ?? 0) > ((stream["content"] as? [String: Any])?["size"] as? Int ?? .max))
        #expect(entries.map { $0["_connectionId"] as? String } == ["1", "1"])
    }
}

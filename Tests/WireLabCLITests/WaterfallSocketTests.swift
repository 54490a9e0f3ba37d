import Foundation
import Testing
@testable import WireLabCLI

@Suite("CLI: raw sockets in the waterfall")
struct WaterfallSocketTests {
    @Test("socket and socket:NAME are waterfall filters; a socket's name keeps every socket opened under it")
    func filter() throws {
        let all = try RunFilter.parse("socket", option: "waterfall")
        #expect(all.keepsSocket("c") && all.keepsSocket("d(2)"))
        let one = try RunFilter.parse("socket:c", option: "waterfall")
        #expect(one.keepsSocket("c") && one.keepsSocket("c(2)") && !one.keepsSocket("d"))
        #expect(try RunFilter.parse("agent:a", option: "waterfall").keepsSocket("c") == false)
        #expect(RunFilter().keepsSocket("c"))
        #expect(throws: UsageError.self) { try RunFilter.parse("socket", option: "trace") }
    }

    @Test("run 1 --waterfall=requests draws the raw socket's requests; =socket draws the sockets only")
    func lessonOne() throws {
        let requests = runLessonCLI(["run", "1", "--waterfall=requests"])
        #expect(requests.out.contains("socket c   (raw bytes)"))
        let sockets = runLessonCLI(["run", "1", "--waterfall=socket"])
        #expect(sockets.out.contains("and 5 of 5 raw sockets (socket)"))
        #expect(sockets.out.contains("socket c"))
    }
}

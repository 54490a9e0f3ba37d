import Foundation
import LabKit
import Testing
@testable import WireLabCLI

/// Revealed challenges in `list --json` and `progress`, and `progress`'s words in plain mode.
@Suite("CLI: revealed challenges, plain progress")
struct RevealedProgressTests {
    /// The tiny lesson done, its challenge 1 revealed; the state directory.
    static func state() throws -> String {
        let state = NSTemporaryDirectory() + "wirelab-revealed-\(UUID().uuidString)"
        var progress = LearnerProgress()
        progress.markDone("tiny")
        progress.markRevealed("tiny", 1)
        try ProgressStore(directory: state).save(progress)
        return state
    }

    @Test("list --json says which challenges were revealed (and that they are not verified)")
    func listJSON() throws {
        let lessons = try makeLessonsDirectory()
        let state = try Self.state()
        let result = runLessonCLI(["list", "--json", "--lessons", lessons], environment: ["NO_COLOR": "1", "WIRELAB_STATE": state])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        let lesson = try #require((object["lessons"] as? [[String: Any]])?.first)
        let challenge = try #require((lesson["challenges"] as? [[String: Any]])?.first)
        #expect(challenge["revealed"] as? Bool == true)
        #expect(challenge["verified"] as? Bool == false)
        let text = runLessonCLI(["list", "--lessons", lessons], environment: ["NO_COLOR": "1", "WIRELAB_STATE": state])
        #expect(text.out.contains("1/1 lessons done, 0/1 challenges verified, 1 revealed"))
    }

    @Test("progress --json lists the revealed challenges")
    func progressJSON() throws {
        let lessons = try makeLessonsDirectory()
        let result = runLessonCLI(["progress", "--json", "--lessons", lessons], environment: ["NO_COLOR": "1", "WIRELAB_STATE": try Self.state()])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        #expect(object["challenges_revealed"] as? Int == 1)
        #expect(result.out.contains("\"revealed\""))
    }

    @Test("progress in plain mode (--plain, TERM=dumb, WIRELAB_PLAIN) marks a done lesson with the word done, columns aligned",
          arguments: [(["--plain"], [:]), ([], ["TERM": "dumb"]), ([], ["WIRELAB_PLAIN": "1"])] as [([String], [String: String])])
    func progressPlain(flags: [String], env: [String: String]) throws {
        let lessons = try makeLessonsDirectory()
        let state = try Self.state()
        let result = runLessonCLI(["progress", "--lessons", lessons] + flags,
                                  environment: env.merging(["NO_COLOR": "1", "WIRELAB_STATE": state]) { a, _ in a })
        #expect(result.status == 0)
        let row = try #require(result.out.split(separator: "\n").first { $0.contains("tiny") })
        #expect(row.hasPrefix("  done  1  tiny"), "\(row)")
        #expect(!result.out.contains("+"))
        #expect(result.out.contains(String(repeating: "#", count: 30)))   // the bar, in ASCII: one lesson of one done
        #expect(result.out.unicodeScalars.allSatisfy { $0.value < 128 })
        let plain = runLessonCLI(["progress", "--lessons", lessons], environment: ["NO_COLOR": "1", "WIRELAB_STATE": state])
        #expect(plain.out.contains("  ✔  1  tiny"))
    }
}

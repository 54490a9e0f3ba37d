import Foundation
import Testing
@testable import LabKit

func temporaryDirectory() -> String {
    let dir = NSTemporaryDirectory() + "wirelab-progress-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

@Suite("Progress and its store")
struct ProgressStoreTests {
    @Test("the state directory: WIRELAB_STATE, then XDG_STATE_HOME/wirelab, then ~/.local/state/wirelab")
    func stateDirectory() {
        #expect(ProgressStore.stateDirectory(environment: ["WIRELAB_STATE": "/s", "XDG_STATE_HOME": "/x", "HOME": "/h"]) == "/s")
        #expect(ProgressStore.stateDirectory(environment: ["XDG_STATE_HOME": "/x", "HOME": "/h"]) == "/x/wirelab")
        #expect(ProgressStore.stateDirectory(environment: ["XDG_STATE_HOME": "relative", "HOME": "/h"]) == "/h/.local/state/wirelab")
        #expect(ProgressStore.stateDirectory(environment: ["HOME": "/h"]) == "/h/.local/state/wirelab")
    }

    @Test("progress round-trips; marks keep their first date; hints count up")
    func roundTrip() throws {
        let store = ProgressStore(directory: temporaryDirectory() + "/nested")
        var progress = LearnerProgress()
        progress.current = "b"
        progress.markDone("a", at: "first")
        progress.markDone("a", at: "second")
        progress.markVerified("a", 2)
        progress.revealHint("a", 2)
        progress.revealHint("a", 2)
        try store.save(progress)
        let (loaded, warning) = store.load()
        #expect(warning == nil)
        #expect(loaded == progress)
        #expect(loaded.lessonsDone["a"] == "first")
        #expect(loaded.isVerified("a", 2) && !loaded.isVerified("a", 1))
        #expect(loaded.hintsSeen("a", 2) == 2)
    }

    @Test("verified and revealed exclude each other: a reveal after a pass stays verified, a pass after a reveal stays revealed")
    func verifiedAndRevealed() throws {
        var progress = LearnerProgress()
        let revealed = progress.markRevealed("a", 1), verifiedAfter = progress.markVerified("a", 1)
        #expect(revealed && !verifiedAfter)
        #expect(progress.isRevealed("a", 1) && !progress.isVerified("a", 1))
        let verified = progress.markVerified("a", 2), revealedAfter = progress.markRevealed("a", 2)
        #expect(verified && !revealedAfter)
        #expect(progress.isVerified("a", 2) && !progress.isRevealed("a", 2))
        #expect(progress.verifiedCount == 1 && progress.revealedCount == 1)
        let store = ProgressStore(directory: temporaryDirectory())
        try store.save(progress)
        #expect(store.load().progress == progress)
        #expect(try String(contentsOfFile: store.file, encoding: .utf8).contains("\"challenges_revealed\""))
        // A file from before reveals existed still loads.
        try #"{"version": 1, "lessons_done": {}, "challenges_verified": {"a/1": "x"}, "hints_seen": {}}"#
            .write(toFile: store.file, atomically: true, encoding: .utf8)
        let (old, warning) = store.load()
        #expect(warning == nil && old.isVerified("a", 1) && old.revealedCount == 0)
    }

    @Test("reset forgets one challenge, or a whole lesson (done mark too), and nothing else")
    func resetOne() {
        var progress = LearnerProgress()
        progress.current = "a"
        progress.markDone("a")
        progress.markDone("b")
        progress.markVerified("a", 1)
        progress.markRevealed("a", 2)
        progress.revealHint("a", 2)
        progress.markVerified("ab", 1)
        progress.markVerified("b", 1)
        var one = progress
        one.reset("a", challenge: 2)
        #expect(!one.isRevealed("a", 2) && one.hintsSeen("a", 2) == 0)
        #expect(one.isVerified("a", 1) && one.isDone("a"))
        var lesson = progress
        lesson.reset("a")
        #expect(!lesson.isDone("a") && !lesson.isVerified("a", 1) && !lesson.isRevealed("a", 2) && lesson.hintsSeen("a", 2) == 0)
        #expect(lesson.isVerified("ab", 1) && lesson.isVerified("b", 1) && lesson.isDone("b") && lesson.current == "a")
    }

    @Test("a save replaces the file by rename (a new inode, no temporary file left behind)")
    func atomicWrite() throws {
        let store = ProgressStore(directory: temporaryDirectory())
        var progress = LearnerProgress()
        try store.save(progress)
        let before = try FileManager.default.attributesOfItem(atPath: store.file)[.systemFileNumber] as? UInt64
        progress.markDone("x")
        try store.save(progress)
        let after = try FileManager.default.attributesOfItem(atPath: store.file)[.systemFileNumber] as? UInt64
        #expect(before != nil && before != after)
        let names = try FileManager.default.contentsOfDirectory(atPath: store.directory)
        #expect(names == ["progress.json"])
        #expect(store.load().progress.isDone("x"))
    }

    @Test("a corrupt file is kept aside with a timestamp, reported, and replaced", arguments: [
        "{ not json", "{\"version\": 2}", "{\"lessons_done\": {}}", "[1, 2]",
    ])
    func corrupt(content: String) throws {
        let store = ProgressStore(directory: temporaryDirectory())
        try content.write(toFile: store.file, atomically: false, encoding: .utf8)
        let (progress, warning) = store.load()
        #expect(progress == LearnerProgress())
        let text = try #require(warning)
        #expect(text.contains("kept as"))
        let names = try FileManager.default.contentsOfDirectory(atPath: store.directory)
        let aside = try #require(names.first { $0.hasPrefix("progress.json.corrupt-") })
        #expect(try String(contentsOfFile: store.directory + "/" + aside, encoding: .utf8) == content)
        #expect(!names.contains("progress.json"))
        try store.save(progress)
        #expect(store.load().warning == nil)
    }

    @Test("the starting lesson: the current one, else the first not done")
    func startingLesson() {
        let lessons = ["a", "b", "c"].map { Lesson(path: "\($0).md", id: $0, phase: 1, sequence: 1, title: $0) }
        var progress = LearnerProgress()
        #expect(progress.startingLesson(in: lessons)?.id == "a")
        progress.markDone("a")
        #expect(progress.startingLesson(in: lessons)?.id == "b")
        progress.current = "c"
        #expect(progress.startingLesson(in: lessons)?.id == "c")
        progress.current = "gone"
        #expect(progress.startingLesson(in: lessons)?.id == "b")
    }
}

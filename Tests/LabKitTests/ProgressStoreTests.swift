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

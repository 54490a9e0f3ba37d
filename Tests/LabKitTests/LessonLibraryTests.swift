import Foundation
import Testing
@testable import LabKit

@Suite("Lesson library")
struct LessonLibraryTests {
    @Test("a directory with one broken and two good lessons loads the two and reports the one")
    func brokenFileDoesNotStopOthers() throws {
        let directory = try TemporaryDirectory(files: [
            "01-first.md": lessonText(id: "first", sequence: 1),
            "02-broken.md": lessonText(id: "broken", sequence: 2, replacing: ["sequence": "two"]),
            "03-third.md": lessonText(id: "third", sequence: 3),
            "notes.txt": "not a lesson",
        ])
        defer { directory.cleanUp() }
        let library = LessonLibrary.load(directory: directory.path)
        #expect(library.lessons.map(\.id) == ["first", "third"])
        #expect(library.diagnostics.map(\.description) == [
            "\(directory.path)/02-broken.md:5: front matter: 'sequence' must be a whole number, found \"two\"",
        ])
    }

    @Test("lessons are ordered by phase, then sequence, then id — not by file name")
    func ordering() throws {
        let directory = try TemporaryDirectory(files: [
            "a.md": lessonText(id: "late", phase: 2, sequence: 1),
            "b.md": lessonText(id: "second", phase: 1, sequence: 2),
            "c.md": lessonText(id: "zeta", phase: 1, sequence: 1),
            "d.md": lessonText(id: "alpha", phase: 1, sequence: 1),
        ])
        defer { directory.cleanUp() }
        let library = LessonLibrary.load(directory: directory.path)
        #expect(library.lessons.map(\.id) == ["alpha", "zeta", "second", "late"])
        #expect(library.diagnostics.isEmpty)
    }

    @Test("a duplicate id is reported on the second file, which is left out")
    func duplicateIDs() throws {
        let directory = try TemporaryDirectory(files: [
            "01-a.md": lessonText(id: "same", sequence: 1),
            "02-b.md": lessonText(id: "same", sequence: 2),
        ])
        defer { directory.cleanUp() }
        let library = LessonLibrary.load(directory: directory.path)
        #expect(library.lessons.map(\.path) == ["\(directory.path)/01-a.md"])
        #expect(library.diagnostics.map(\.description) == [
            "\(directory.path)/02-b.md:2: front matter: duplicate id 'same' (already used by \(directory.path)/01-a.md)",
        ])
    }

    @Test("a missing directory is one diagnostic, not a crash")
    func missingDirectory() {
        let library = LessonLibrary.load(directory: "/nonexistent-lessons")
        #expect(library.lessons.isEmpty)
        #expect(library.diagnostics.map(\.description) == ["/nonexistent-lessons: cannot read the lessons directory"])
    }

    @Test("load(paths:) takes files and directories alike")
    func loadPaths() throws {
        let directory = try TemporaryDirectory(files: [
            "01-a.md": lessonText(id: "a", sequence: 1),
            "02-b.md": lessonText(id: "b", sequence: 2),
        ])
        defer { directory.cleanUp() }
        #expect(LessonLibrary.load(paths: [directory.path]).lessons.map(\.id) == ["a", "b"])
        #expect(LessonLibrary.load(paths: [directory.path + "/02-b.md"]).lessons.map(\.id) == ["b"])
    }

    private var library: LessonLibrary {
        let lessons = ["tcp-handshake", "http-keep-alive", "idle-timeout"].enumerated().map { index, id in
            Lesson(path: "Lessons/0\(index + 1)-\(id).md", id: id, phase: 1, sequence: index + 1, title: id)
        }
        return LessonLibrary(lessons: lessons)
    }

    @Test("find takes an id, a 1-based number, or a file name")
    func find() {
        #expect(library.find("http-keep-alive")?.id == "http-keep-alive")
        #expect(library.find("1")?.id == "tcp-handshake")
        #expect(library.find("03")?.id == "idle-timeout")
        #expect(library.find("02-http-keep-alive")?.id == "http-keep-alive")
        #expect(library.find("0") == nil)
        #expect(library.find("4") == nil)
        #expect(library.find("keepalive") == nil)
        #expect(library.number(of: "idle-timeout") == 3)
    }

    @Test("suggestions offer ids a typo away, then ids containing the name")
    func suggestions() {
        #expect(library.suggestions(for: "http-keep-alvie") == ["http-keep-alive"])
        #expect(library.suggestions(for: "idle-timout") == ["idle-timeout"])
        #expect(library.suggestions(for: "keep-alive") == ["http-keep-alive"])
        #expect(library.suggestions(for: "zzz").isEmpty)
    }

    @Test("edit distance counts inserts, deletes, replacements and swapped neighbours")
    func editDistances() {
        #expect(editDistance("", "") == 0)
        #expect(editDistance("", "abc") == 3)
        #expect(editDistance("list", "list") == 0)
        #expect(editDistance("lst", "list") == 1)
        #expect(editDistance("lsit", "list") == 1)
        #expect(editDistance("kitten", "sitting") == 3)
    }

    @Test("closest matches are sorted by distance and ignore case")
    func closest() {
        let commands = ["list", "show", "run", "check", "verify", "serve", "probe", "lint"]
        #expect(closestMatches(to: "lsit", in: commands) == ["list"])
        #expect(closestMatches(to: "Serv", in: commands) == ["serve"])
        #expect(closestMatches(to: "lint", in: commands, maxDistance: 2) == ["lint", "list"])
        #expect(closestMatches(to: "x", in: commands).isEmpty)
    }

    @Test("the locator prefers --lessons, then WIRELAB_LESSONS, then the package's Lessons/, then ./Lessons")
    func locator() {
        let source = "/src/wirelab/Sources/LabKit/LessonLocator.swift"
        let exists: (String) -> Bool = { $0 == "/src/wirelab/Lessons" }
        let none: (String) -> Bool = { _ in false }
        #expect(LessonLocator.directory(explicit: "mine", environment: ["WIRELAB_LESSONS": "env"], sourceFile: source, isDirectory: exists) == "mine")
        #expect(LessonLocator.directory(explicit: nil, environment: ["WIRELAB_LESSONS": "env"], sourceFile: source, isDirectory: exists) == "env")
        #expect(LessonLocator.directory(explicit: "", environment: ["WIRELAB_LESSONS": ""], sourceFile: source, isDirectory: exists) == "/src/wirelab/Lessons")
        #expect(LessonLocator.directory(explicit: nil, environment: [:], sourceFile: source, isDirectory: none) == "Lessons")
        #expect(LessonLocator.packageRoot(fromSourceFile: "/elsewhere/file.swift") == nil)
        #expect(LessonLocator.directory(explicit: "x", environment: [:]) == "x")
    }
}

// LessonLibrary: every lesson in a directory, in teaching order, plus the diagnostics for the files
// that could not be loaded. One broken file never keeps the others from loading.

import Foundation

public struct LessonLibrary: Sendable {
    /// The lessons, ordered by phase, then sequence, then id.
    public var lessons: [Lesson]
    /// Why some files were left out, ordered by file and line.
    public var diagnostics: [LessonDiagnostic]

    /// A library of already-parsed lessons; they are put in teaching order.
    public init(lessons: [Lesson], diagnostics: [LessonDiagnostic] = []) {
        self.lessons = lessons.sorted { ($0.phase, $0.sequence, $0.id) < ($1.phase, $1.sequence, $1.id) }
        self.diagnostics = diagnostics.sortedByLocation()
    }

    /// Loads every `*.md` file directly inside `directory` (not in subdirectories).
    public static func load(directory: String) -> LessonLibrary {
        switch markdownFiles(in: directory) {
        case .success(let files): return load(files: files)
        case .failure(let diagnostic): return LessonLibrary(lessons: [], diagnostics: [diagnostic])
        }
    }

    /// Loads the given files; a path that is a directory contributes its `*.md` files.
    public static func load(paths: [String]) -> LessonLibrary {
        var files: [String] = []
        var diagnostics: [LessonDiagnostic] = []
        for path in paths {
            guard isDirectory(path) else {
                files.append(path)
                continue
            }
            switch markdownFiles(in: path) {
            case .success(let found): files += found
            case .failure(let diagnostic): diagnostics.append(diagnostic)
            }
        }
        var library = load(files: files)
        library.diagnostics = (library.diagnostics + diagnostics).sortedByLocation()
        return library
    }

    /// Loads exactly these files, in this order for the purpose of duplicate ids: the later file
    /// with an id already seen is reported and left out.
    public static func load(files: [String]) -> LessonLibrary {
        var lessons: [Lesson] = []
        var diagnostics: [LessonDiagnostic] = []
        var owners: [String: String] = [:]
        for file in files {
            switch LessonLoader.load(file: file) {
            case .success(let lesson):
                if let owner = owners[lesson.id] {
                    diagnostics.append(LessonDiagnostic(
                        file: file, line: lesson.frontMatterLines["id"] ?? 1,
                        message: "front matter: duplicate id '\(lesson.id)' (already used by \(owner))"))
                } else {
                    owners[lesson.id] = file
                    lessons.append(lesson)
                }
            case .failure(let diagnostic):
                diagnostics.append(diagnostic)
            }
        }
        return LessonLibrary(lessons: lessons, diagnostics: diagnostics)
    }

    /// The lesson named `name`: by id, then by its 1-based number in `lessons`, then by file name
    /// without `.md` (`03-idle-timeout`).
    public func find(_ name: String) -> Lesson? {
        if let lesson = lessons.first(where: { $0.id == name }) { return lesson }
        if let number = Int(name), lessons.indices.contains(number - 1) { return lessons[number - 1] }
        return lessons.first { fileStem($0.path) == name }
    }

    /// The 1-based number of the lesson with `id` in the list.
    public func number(of id: String) -> Int? {
        lessons.firstIndex { $0.id == id }.map { $0 + 1 }
    }

    /// Ids that `name` may have meant: close by edit distance first, then ids that contain it.
    public func suggestions(for name: String) -> [String] {
        let ids = lessons.map(\.id)
        var result = closestMatches(to: name, in: ids)
        let needle = name.lowercased()
        if needle.count >= 3 {
            for id in ids where id.lowercased().contains(needle) && !result.contains(id) {
                result.append(id)
            }
        }
        return result
    }
}

/// The `*.md` files directly inside `directory`, sorted by name, as `directory/name`.
func markdownFiles(in directory: String) -> Result<[String], LessonDiagnostic> {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
        return .failure(LessonDiagnostic(file: directory, line: 0, message: "cannot read the lessons directory"))
    }
    return .success(names.filter { $0.hasSuffix(".md") }.sorted().map { joinPath(directory, $0) }.filter { !isDirectory($0) })
}

func joinPath(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

func isDirectory(_ path: String) -> Bool {
    var flag: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
}

func fileStem(_ path: String) -> String {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    return name.hasSuffix(".md") ? String(name.dropLast(3)) : name
}

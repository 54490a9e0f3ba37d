// Where the lessons live, decided once, in order of who knows best.

import Foundation

public enum LessonLocator {
    /// The lessons directory: `--lessons DIR` when given, then `WIRELAB_LESSONS`, then the package's
    /// own `Lessons/` (found from where this source file was compiled, so `swift run` works from any
    /// directory), then `./Lessons`. Empty values count as not given. It does not check that the
    /// explicit or environment directory exists: a wrong path is reported by the loader.
    public static func directory(explicit: String?, environment: [String: String]) -> String {
        directory(explicit: explicit, environment: environment, sourceFile: sourceFile, isDirectory: LabKit.isDirectory)
    }

    /// This file's path at compile time: `<package>/Sources/LabKit/LessonLocator.swift`.
    static let sourceFile: String = #filePath

    /// The decision with the file system and the source path passed in, for tests.
    static func directory(
        explicit: String?, environment: [String: String], sourceFile: String, isDirectory: (String) -> Bool
    ) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment["WIRELAB_LESSONS"], !fromEnvironment.isEmpty { return fromEnvironment }
        if let root = packageRoot(fromSourceFile: sourceFile) {
            let lessons = joinPath(root, "Lessons")
            if isDirectory(lessons) { return lessons }
        }
        return "Lessons"
    }

    /// The package root three levels above `Sources/LabKit/<file>.swift`, when the path has that shape.
    static func packageRoot(fromSourceFile path: String) -> String? {
        var components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard components.count >= 4,
              components[components.count - 2] == "LabKit",
              components[components.count - 3] == "Sources" else { return nil }
        components.removeLast(3)
        let root = components.joined(separator: "/")
        return root.isEmpty ? "/" : root
    }
}

import Foundation
@testable import LabKit

/// A complete, valid lesson file. `overrides` replace the default front-matter values by key (nil
/// removes the key, a new key is appended); `body` replaces the sections.
func lessonText(
    id: String = "sample-lesson", phase: Int = 1, sequence: Int = 1,
    replacing overrides: [String: String?] = [:], body: String? = nil
) -> String {
    var fields: [(String, String)] = [
        ("id", id),
        ("phase", "\(phase)"),
        ("phase_title", "Connections"),
        ("sequence", "\(sequence)"),
        ("title", "A Sample Lesson"),
        ("difficulty", "beginner"),
        ("tags", "[http, tcp]"),
        ("prerequisites", "[]"),
        ("estimated_minutes", "10"),
    ]
    for (key, value) in overrides.sorted(by: { $0.key < $1.key }) {
        if let index = fields.firstIndex(where: { $0.0 == key }) {
            if let value { fields[index].1 = value } else { fields.remove(at: index) }
        } else if let value {
            fields.append((key, value))
        }
    }
    let frontMatter = fields.map { "\($0.0): \($0.1)" }.joined(separator: "\n")
    return "---\n\(frontMatter)\n---\n\n" + (body ?? standardBody)
}

let standardBody = """
## Concept

A connection can carry **many** requests.

## Experiment

```lab
print "hello"
```

## Expected Output

```
hello
```

## Challenge

1. Predict the number of connections.
2. Pick one:
   more text for two

"""

func parsed(_ text: String, path: String = "Lessons/01-sample.md") throws -> Lesson {
    try LessonLoader.parse(text, path: path).get()
}

func parseError(_ text: String, path: String = "Lessons/02-x.md") -> String? {
    if case .failure(let diagnostic) = LessonLoader.parse(text, path: path) { return diagnostic.description }
    return nil
}

/// A fresh temporary directory holding the given files; the caller removes it with `cleanUp()`.
struct TemporaryDirectory {
    let path: String

    init(files: [String: String]) throws {
        path = NSTemporaryDirectory() + "labkit-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
        }
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

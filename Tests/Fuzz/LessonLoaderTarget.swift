// Fuzz target: the lesson loader (front matter, sections, the lab block, the expected output) and the
// linter, on any bytes read as UTF-8. Built with Sources/LabKit as one module, against LabScript.

import LabScript

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLessonLoader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if case .success(let lesson) = LessonLoader.parse(text, path: "fuzz.md") {
        _ = LessonLinter.lint(library: LessonLibrary(lessons: [lesson])) { _, block in
            _ = try? LabScriptParser.parse(block.code, lineOffset: block.firstLine - 1)
            return []
        }
    }
    return 0
}

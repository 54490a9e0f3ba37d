import Foundation
import LabKit
import LabRun
import LabScript
import Wire

/// What the lesson commands share: where lessons are, the loaded library, the terminal.
struct LessonContext {
    let directory: String
    let library: LessonLibrary
    let terminal: Terminal

    init(explicit: String?, environment: [String: String], terminal: Terminal? = nil) {
        directory = LessonLocator.directory(explicit: explicit, environment: environment)
        library = LessonLibrary.load(directory: directory)
        self.terminal = terminal ?? Terminal.current(environment: environment.isEmpty ? Terminal.processEnvironment : environment)
        progressStore = ProgressStore(environment: environment.isEmpty ? Terminal.processEnvironment : environment)
    }

    /// Where progress and the workspace live.
    let progressStore: ProgressStore

    var style: Style { terminal.style }

    /// The saved progress; a problem with the file is reported on stderr (the file is kept aside).
    func loadProgress(_ console: Console) -> LearnerProgress {
        let (progress, warning) = progressStore.load()
        if let warning { console.errorLine(style.yellow("warning: ") + warning) }
        return progress
    }

    /// Saves progress; a failure is reported on stderr and is not fatal.
    func saveProgress(_ progress: LearnerProgress, _ console: Console) {
        do {
            try progressStore.save(progress)
        } catch {
            console.errorLine(style.yellow("warning: ") + "cannot save progress to \(progressStore.file): \(error.localizedDescription)")
        }
    }

    /// Reports lessons that failed to load (they never stop the others).
    func reportBrokenLessons(_ console: Console) {
        for diagnostic in library.diagnostics { console.errorLine(style.yellow("warning: ") + diagnostic.description) }
    }

    /// The lesson named by id, number or file name; a usage error with suggestions otherwise.
    func lesson(named name: String, command: String) throws(UsageError) -> Lesson {
        if let lesson = library.find(name) { return lesson }
        var message = "No lesson '\(name)' in \(directory)"
        let suggestions = library.suggestions(for: name)
        if !suggestions.isEmpty { message += "\nDid you mean " + suggestions.prefix(3).map { "'\($0)'" }.joined(separator: " or ") + "?" }
        else if !library.lessons.isEmpty { message += "\nSee 'wirelab list' for the lessons." }
        throw UsageError(message, command: command)
    }
}

extension Terminal {
    static var processEnvironment: [String: String] { ProcessEnvironment.all }
}

/// Renders parse and runtime errors like a compiler: `file:line:col: error: ...`, the line, a caret.
enum DiagnosticPrinter {
    static func render(_ diagnostic: ScriptDiagnostic, file: String, fileLines: [String], style: Style) -> String {
        let text = diagnostic.rendered(file: file, lines: fileLines)
        guard style.isEnabled, let first = text.split(separator: "\n", omittingEmptySubsequences: false).first else { return text }
        let rest = text.dropFirst(first.count)
        return style.bold(String(first).replacingOccurrencesOf(": error: ", with: ": " + style.red("error: "))) + rest
    }
}

extension String {
    func replacingOccurrencesOf(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }

    /// The file's lines as the lexer counts them.
    var fileLines: [String] { ScriptDiagnostics.lines(of: self) }
}

/// A lesson by id/number, or a lesson file by path.
func loadLesson(_ name: String, context: LessonContext, command: String) throws(UsageError) -> Lesson {
    if name.hasSuffix(".md") && fileExists(name) {
        switch LessonLoader.load(file: name) {
        case .success(let lesson): return lesson
        case .failure(let diagnostic): throw UsageError("\(diagnostic)", command: command)
        }
    }
    return try context.lesson(named: name, command: command)
}


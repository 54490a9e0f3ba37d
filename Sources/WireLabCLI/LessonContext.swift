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
    }

    var style: Style { terminal.style }

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

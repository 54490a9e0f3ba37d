import LabKit
import LabScript
import Wire

/// `wirelab lint`: validate lesson files without running them.
enum LintCommand {
    static let summary = "Check lesson files: front matter, sections, experiment syntax, prerequisites"
    static let options: [OptionSpec] = [
        OptionSpec(name: "lessons", valueName: "dir", help: "Lessons directory (when no paths are given)"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static func run(_ arguments: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "lint")
        if parsed.has("help") {
            console.out(HelpText.command("lint", summary: summary, usage: "wirelab lint [<path>...]",
                arguments: [("<path>", "Lesson files or directories (default: the lessons directory)")], options: options,
                discussion: "Exit status: 0 no errors (warnings allowed), 2 at least one error."))
            return 0
        }
        let directory = LessonLocator.directory(explicit: parsed.value("lessons"), environment: environment)
        let library = parsed.positionals.isEmpty ? LessonLibrary.load(directory: directory) : LessonLibrary.load(paths: parsed.positionals)
        let style = Terminal.current(environment: environment.isEmpty ? ProcessEnvironment.all : environment).style
        var fileLines: [String: [String]] = [:]
        func lines(_ path: String) -> [String] {
            if let cached = fileLines[path] { return cached }
            let read = (readTextFile(path) ?? "").fileLines
            fileLines[path] = read
            return read
        }
        var scriptErrors: [String: [ScriptDiagnostic]] = [:]
        let diagnostics = LessonLinter.lint(library: library) { lesson, block in
            do throws(ScriptDiagnostics) {
                _ = try LabScriptParser.parse(block.code, lineOffset: block.firstLine - 1)
                return []
            } catch {
                scriptErrors[lesson.path, default: []] += error.diagnostics
                return error.diagnostics.map {
                    LessonDiagnostic(file: lesson.path, line: $0.line, column: $0.column, message: "experiment: \($0.message)")
                }
            }
        }
        var errors = 0, warnings = 0
        for diagnostic in diagnostics {
            if diagnostic.severity == .error { errors += 1 } else { warnings += 1 }
            if let column = diagnostic.column, diagnostic.message.hasPrefix("experiment: "),
               let script = scriptErrors[diagnostic.file]?.first(where: { $0.line == diagnostic.line && $0.column == column }) {
                console.line(DiagnosticPrinter.render(script, file: diagnostic.file, fileLines: lines(diagnostic.file), style: style))
            } else {
                let label = diagnostic.severity == .error ? style.red("error: ") : style.yellow("warning: ")
                let place = "\(diagnostic.file):\(diagnostic.line)" + (diagnostic.column.map { ":\($0)" } ?? "")
                console.line(style.bold(place + ": ") + label + diagnostic.message)
            }
        }
        let idWidth = min(34, library.lessons.map(\.id.count).max() ?? 0)
        for lesson in library.lessons {
            console.line(style.dim("  \(lesson.id.rightPadded(to: idWidth))  \(LessonLinter.challengeSummary(lesson))"))
        }
        let count = library.lessons.count
        console.line((errors == 0 ? style.green("✔ ") : style.red("✘ "))
            + "\(count) lesson\(count == 1 ? "" : "s") checked: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")")
        return errors > 0 ? 2 : 0
    }
}

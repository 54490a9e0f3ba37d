import LabKit
import LabScript
import Wire

/// `wirelab lint`: validate lesson files without running them.
enum LintCommand {
    static let summary = "Check lesson files (front matter, sections, experiment, prerequisites) and .lab scripts"
    static let usage = "wirelab lint [<path>...]"
    static let options: [OptionSpec] = [
        OptionSpec(name: "lessons", valueName: "dir", help: "Lessons directory (when no paths are given)"),
        OptionSpec(name: "help", valueName: nil, help: "Show this help", short: "h"),
    ]

    static func run(_ arguments: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
        let parsed = try parseArguments(arguments, options: options, command: "lint")
        if parsed.has("help") {
            console.out(HelpText.command("lint", summary: summary, usage: usage,
                arguments: [("<path>", "Lesson .md files, directories of them, or .lab scripts (default: the lessons directory)")],
                options: options, discussion: """
                A lesson file outside the lessons directory may name the course's lessons as
                prerequisites. A .lab script is parsed, as an experiment is; neither is run.
                Exit status: 0 no errors (warnings allowed), 2 at least one error, 64 usage error.
                """))
            return 0
        }
        let directory = LessonLocator.directory(explicit: parsed.value("lessons"), environment: environment)
        let scripts = parsed.positionals.filter { $0.hasSuffix(".lab") }
        let lessonPaths = parsed.positionals.filter { !$0.hasSuffix(".lab") }
        for path in parsed.positionals where !fileExists(path) && !isDirectoryPath(path) {
            throw UsageError("No such file or directory: \(path)", command: "lint")
        }
        let library = parsed.positionals.isEmpty ? LessonLibrary.load(directory: directory) : LessonLibrary.load(paths: lessonPaths)
        // Files named one by one are lessons of the course too: their prerequisites may be its lessons.
        let courseIDs = parsed.positionals.isEmpty || lessonPaths.isEmpty ? [] : LessonLibrary.load(directory: directory).lessons.map(\.id)
        let style = Terminal.current(environment: environment.isEmpty ? ProcessEnvironment.all : environment).style
        var fileLines: [String: [String]] = [:]
        func lines(_ path: String) -> [String] {
            if let cached = fileLines[path] { return cached }
            let read = (readTextFile(path) ?? "").fileLines
            fileLines[path] = read
            return read
        }
        var scriptErrors: [String: [ScriptDiagnostic]] = [:]
        let diagnostics = LessonLinter.lint(library: library, otherLessonIDs: courseIDs) { lesson, block in
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
        for path in scripts { errors += lintScript(path, console: console, style: style) }
        let idWidth = min(34, library.lessons.map(\.id.count).max() ?? 0)
        for lesson in library.lessons {
            console.line(style.dim("  \(lesson.id.rightPadded(to: idWidth))  \(LessonLinter.challengeSummary(lesson))"))
        }
        var checked: [String] = []
        let count = library.lessons.count
        if count > 0 || scripts.isEmpty { checked.append("\(count) lesson\(count == 1 ? "" : "s")") }
        if !scripts.isEmpty { checked.append("\(scripts.count) script\(scripts.count == 1 ? "" : "s")") }
        console.line((errors == 0 ? style.green("✔ ") : style.red("✘ ")) + checked.joined(separator: " and ")
            + " checked: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")")
        return errors > 0 ? 2 : 0
    }

    /// Parses the lab script at `path` and prints its errors like a compiler; returns how many.
    static func lintScript(_ path: String, console: Console, style: Style) -> Int {
        guard let source = readTextFile(path) else {
            console.line(style.bold("\(path): ") + style.red("error: ") + "cannot read the file")
            return 1
        }
        do throws(ScriptDiagnostics) {
            _ = try LabScriptParser.parse(source)
            return 0
        } catch {
            for diagnostic in error.diagnostics {
                console.line(DiagnosticPrinter.render(diagnostic, file: path, fileLines: source.fileLines, style: style))
            }
            return error.diagnostics.count
        }
    }
}

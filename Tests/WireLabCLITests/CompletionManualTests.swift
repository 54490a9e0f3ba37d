import Foundation
import Testing
@testable import WireLabCLI

/// Runs `executable` with `arguments`, `input` on its stdin; returns its status and stdout+stderr.
/// Bounded: a program that has not finished after 20 s is stopped and the test fails.
private func runProgram(_ executable: String, _ arguments: [String], input: String = "") throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let stdin = Pipe(), stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stdout
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let finished = DispatchSemaphore(value: 0)
    let data = UncheckedBox<Data>(Data())
    DispatchQueue.global().async {
        data.value = stdout.fileHandleForReading.readDataToEndOfFile()
        finished.signal()
    }
    if finished.wait(timeout: .now() + 20) == .timedOut {
        process.terminate()
        Issue.record("\(executable) did not finish within 20 s")
    }
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data.value, as: UTF8.self))
}

private final class UncheckedBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

private func isInstalled(_ path: String) -> Bool { FileManager.default.isExecutableFile(atPath: path) }

private func script(_ shell: String) throws -> String {
    let dir = try makeLessonsDirectory()
    let result = runLessonCLI(["completion", shell, "--lessons", dir])
    #expect(result.status == 0)
    let path = NSTemporaryDirectory() + "wirelab-completion-\(UUID().uuidString).\(shell)"
    try result.out.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

@Suite("CLI: shell completion and the man page")
struct CompletionManualTests {
    @Test("every shell's script names every command and the lessons directory's ids", arguments: ["bash", "zsh", "fish"])
    func scriptsNameEverything(shell: String) throws {
        let text = try String(contentsOfFile: try script(shell), encoding: .utf8)
        for command in CLI.commands { #expect(text.contains(command.name), "\(shell): \(command.name)") }
        #expect(text.contains("tiny"))          // the test directory's lesson id
        #expect(text.contains("waterfall"))     // an option of run
    }

    @Test("bash: commands, lesson ids, options and option values complete",
          .enabled(if: isInstalled("/bin/bash")))
    func bashCompletes() throws {
        let path = try script("bash")
        let probe = """
            source '\(path)'
            t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _wirelab; echo "${COMPREPLY[*]}"; }
            t wirelab chec
            t wirelab show ti
            t wirelab run tiny --wat
            t wirelab learn --start t
            t wirelab completion fi
            t wirelab help ver
            """
        let result = try runProgram("/bin/bash", ["--norc", "-s"], input: probe)
        #expect(result.status == 0)
        #expect(result.output.split(separator: "\n").map(String.init) == [
            "check", "tiny", "--waterfall= --waterfall", "tiny", "fish", "verify",
        ])
    }

    @Test("zsh: the script parses", .enabled(if: isInstalled("/usr/bin/zsh")))
    func zshParses() throws {
        let result = try runProgram("/usr/bin/zsh", ["-n", try script("zsh")])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("fish: the script parses", .enabled(if: isInstalled("/usr/bin/fish")))
    func fishParses() throws {
        let result = try runProgram("/usr/bin/fish", ["-n", try script("fish")])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("fish: a lesson id completes", .enabled(if: isInstalled("/usr/bin/fish")))
    func fishCompletes() throws {
        let result = try runProgram("/usr/bin/fish", ["-c", "source '\(try script("fish"))'; complete -C 'wirelab show ti'"])
        #expect(result.output.hasPrefix("tiny"))
    }

    @Test("a missing or unknown shell is a usage error, exit 64, with a suggestion")
    func badShell() {
        let missing = runLessonCLI(["completion"])
        #expect(missing.status == 64)
        #expect(missing.err.contains("Missing the shell: one of bash, zsh, fish"))
        let typo = runLessonCLI(["completion", "bsh"])
        #expect(typo.status == 64)
        #expect(typo.err.contains("Did you mean 'bash'?"))
    }

    @Test("the man page has every command's help: its usage and every option, dashes escaped")
    func manualFromHelp() {
        let result = runLessonCLI(["man"])
        #expect(result.status == 0)
        let page = result.out
        #expect(page.hasPrefix(".\\\" wirelab(1)"))
        #expect(page.contains(".TH WIRELAB 1"))
        for command in CLI.commands {
            #expect(page.contains(".SS \(command.name)\n"), "\(command.name)")
            for option in command.options { #expect(page.contains(ManualCommand.escape("--\(option.name)")), "\(command.name) --\(option.name)") }
        }
        #expect(page.contains(".B wirelab run <lesson|file>"))
        #expect(!page.contains("\n-"))   // no line starts with a bare dash
        #expect(!page.unicodeScalars.contains { $0.value > 127 })   // non-ASCII is written as \[uXXXX]
        #expect(runLessonCLI(["man", "extra"]).status == 64)
    }

    @Test("the man page renders without a warning", .enabled(if: isInstalled("/usr/bin/groff")))
    func manualRenders() throws {
        let result = try runProgram("/usr/bin/groff", ["-man", "-Tutf8", "-ww", "-z"], input: runLessonCLI(["man"]).out)
        #expect(result.status == 0)
        #expect(result.output.isEmpty, "\(result.output)")
    }
}

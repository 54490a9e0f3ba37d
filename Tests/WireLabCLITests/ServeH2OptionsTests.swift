import Testing
import Wire
@testable import WireLabCLI

/// `serve`'s HTTP/2 knobs (and `observe`'s, the same options): parsed into the configuration,
/// refused outside RFC 9113 §6.5.2's ranges with the flag and the range named, and listed in the
/// help, the manual and the completion scripts, which are built from the same option list.
@Suite("serve and observe: the HTTP/2 knobs")
struct ServeH2OptionsTests {
    @Test("the defaults: 100 streams, a 65,535-byte window, 16,384-byte frames")
    func defaults() throws {
        let parsed = try parseArguments([], options: ServeCommand.options, command: "serve")
        var config = ServerConfiguration()
        try ServeCommand.applyHTTP2Options(parsed, to: &config, command: "serve")
        #expect(config.h2MaxConcurrentStreams == 100)
        #expect(config.h2InitialWindowSize == 65_535)
        #expect(config.h2MaxFrameSize == 16_384)
    }

    @Test("each flag sets its knob, for serve and for observe")
    func applied() throws {
        let arguments = ["--h2-max-concurrent-streams", "0", "--h2-initial-window-size", "2147483647", "--h2-max-frame-size", "16777215"]
        let parsed = try parseArguments(arguments, options: ServeCommand.options, command: "serve")
        var config = ServerConfiguration()
        try ServeCommand.applyHTTP2Options(parsed, to: &config, command: "serve")
        #expect(config.h2MaxConcurrentStreams == 0)
        #expect(config.h2InitialWindowSize == 2_147_483_647)
        #expect(config.h2MaxFrameSize == 16_777_215)
        let observed = try ObserveCommand.serverConfiguration(try parseArguments(arguments, options: ObserveCommand.options, command: "observe"))
        #expect(observed.h2MaxConcurrentStreams == 0)
        #expect(observed.h2InitialWindowSize == 2_147_483_647)
        #expect(observed.h2MaxFrameSize == 16_777_215)
    }

    @Test("a value outside the RFC's range is a usage error naming the flag and the range", arguments: [
        (["--h2-max-concurrent-streams", "-1"], "Option '--h2-max-concurrent-streams' expects a whole number in 0...4294967295 (SETTINGS_MAX_CONCURRENT_STREAMS, RFC 9113 §6.5.2), got '-1'"),
        (["--h2-max-concurrent-streams", "4294967296"], "in 0...4294967295"),
        (["--h2-initial-window-size", "2147483648"], "Option '--h2-initial-window-size' expects a whole number in 0...2147483647 (SETTINGS_INITIAL_WINDOW_SIZE, RFC 9113 §6.5.2), got '2147483648'"),
        (["--h2-max-frame-size", "16383"], "Option '--h2-max-frame-size' expects a whole number in 16384...16777215 (SETTINGS_MAX_FRAME_SIZE, RFC 9113 §6.5.2), got '16383'"),
        (["--h2-max-frame-size", "16777216"], "in 16384...16777215"),
        (["--h2-max-frame-size", "big"], "got 'big'"),
    ])
    func outOfRange(arguments: [String], message: String) {
        for command in ["serve", "observe"] {
            let console = RecordingConsole()
            #expect(CLI.main([command] + arguments + ["--for", "1ms"], console: console, environment: [:]) == 64, "\(command) \(arguments)")
            #expect(console.stderr.contains(message), "\(command): \(console.stderr)")
        }
    }

    @Test("serve --help, observe --help, the manual and the completion scripts list the flags")
    func listed() {
        let flags = ["--h2-max-concurrent-streams", "--h2-initial-window-size", "--h2-max-frame-size"]
        for arguments in [["serve", "--help"], ["observe", "--help"], ["man"], ["completion", "bash"], ["completion", "zsh"], ["completion", "fish"]] {
            let console = RecordingConsole()
            #expect(CLI.main(arguments, console: console, environment: [:]) == 0, "\(arguments)")
            for flag in flags {
                // The manual escapes dashes (\-); fish names options without them.
                let text = console.stdout.replacingOccurrences(of: "\\-", with: "-")
                #expect(text.contains(flag) || text.contains("-l " + flag.dropFirst(2)), "\(arguments) lacks \(flag)")
            }
        }
    }
}

// swift-tools-version:6.0
// WireLab: a terminal lab for HTTP connection management. No package dependencies, by design:
// the server, agent, codec, script language and terminal UI are all written here.
import PackageDescription

// The server's and agent's hot path (HTTP1, Pooling, Wire, and the bench's driver) is built without
// Swift's dynamic exclusivity checks in release builds. Those checks (swift_beginAccess and its
// thread-local access set) were about 15% of the instructions of a keep-alive request under
// callgrind, and ~550 of the bench driver's own per request. Debug builds,
// which `swift test` uses, keep them, so a conflicting access still traps in every test run.
// `unsafeFlags` is allowed here because this is a root package: no one depends on WireLab.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
// Measured and left out: the hidden frontend option `-Xfrontend -disable-type-layout` saved ~200
// instructions a request on the agent and ~60 on the server (callgrind, 2%), but a compiler that
// drops a hidden option would fail every release build.

let package = Package(
    name: "WireLab",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "wirelab", targets: ["wirelab"]),
    ],
    targets: [
        // The platform seam's C half: epoll, accept4 and TCP options that Glibc does not import.
        .target(name: "CSystem", linkerSettings: [.linkedLibrary("util", .when(platforms: [.linux]))]),   // forkpty (stepper's pty test)
        // HTTP/1.1 message syntax (RFC 9112): parsers and encoder. Pure: no sockets, no clocks.
        .target(name: "HTTP1", swiftSettings: hotPath),
        // HTTP/2 header compression (RFC 7541): integer, string and Huffman coding, the tables, an
        // encoder and a decoder. Pure: no sockets, no clocks.
        .target(name: "HPACK", swiftSettings: hotPath),
        // HTTP/2 framing and connection rules (RFC 9113) as a pure state machine: events in, actions
        // out. The server drives it (Wire's H2ServerConnection).
        .target(name: "HTTP2", dependencies: ["HPACK"], swiftSettings: hotPath),
        // The agent's connection-pool decisions as a pure state machine: events in, actions out.
        .target(name: "Pooling", swiftSettings: hotPath),
        // The network lab: event loop, sockets, loopback server, pooled agent, simulated network.
        .target(name: "Wire", dependencies: ["CSystem", "HTTP1", "HPACK", "HTTP2", "Pooling"], swiftSettings: hotPath),
        // The lab script language: lexer, parser, syntax tree. Pure.
        .target(name: "LabScript"),
        // Lessons (load, lint), expected-output matching, terminal rendering. Pure.
        .target(name: "LabKit", dependencies: ["LabScript"]),
        // Measures a real server's keep-alive behaviour: `wirelab probe` and your-server challenges.
        .target(name: "Probe", dependencies: ["Wire", "HTTP1", "HTTP2", "HPACK", "Pooling"]),
        // `wirelab bench`'s load driver: its own per-request work is part of what is compared with wrk,
        // so it is built like the hot path it drives.
        .target(name: "Bench", dependencies: ["Wire"], swiftSettings: hotPath),
        // The script interpreter on the shared event loop, and the experiment runner.
        .target(name: "LabRun", dependencies: ["Wire", "HTTP1", "LabScript", "LabKit"]),
        // Challenge verification: predict, choice, build and your-server keys, checked by running.
        .target(name: "Challenges", dependencies: ["LabKit", "LabRun", "LabScript", "Probe", "Wire"]),
        // The command-line surface, as a library so tests can drive it.
        .target(name: "WireLabCLI", dependencies: ["Bench", "LabRun", "LabKit", "Wire", "HTTP1", "LabScript", "Probe", "Challenges", "Stepper"]),
        .executableTarget(name: "wirelab", dependencies: ["WireLabCLI"]),
        // The interactive stepper (`wirelab`, `wirelab learn`): a pure state machine, its renderer, the terminal driver.
        .target(name: "Stepper", dependencies: ["LabKit", "LabRun", "Challenges", "CSystem", "Wire"]),

        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1"]),
        .testTarget(name: "HPACKTests", dependencies: ["HPACK"]),
        .testTarget(name: "HTTP2Tests", dependencies: ["HTTP2", "HPACK"]),
        .testTarget(name: "PoolingTests", dependencies: ["Pooling"]),
        .testTarget(name: "WireTests", dependencies: ["Wire", "HTTP1", "HTTP2", "HPACK", "CSystem"]),
        .testTarget(name: "LabScriptTests", dependencies: ["LabScript"]),
        .testTarget(name: "LabKitTests", dependencies: ["LabKit", "LabScript"]),
        .testTarget(name: "LabRunTests", dependencies: ["LabRun", "LabKit", "LabScript", "Wire", "HTTP1"]),
        .testTarget(name: "ChallengesTests", dependencies: ["Challenges", "LabKit", "Wire"], exclude: ["Clients"]),
        .testTarget(name: "WireLabCLITests", dependencies: ["WireLabCLI", "LabKit", "LabRun", "Challenges"]),
        .testTarget(name: "StepperTests", dependencies: ["Stepper", "Challenges", "LabKit", "LabRun", "CSystem", "wirelab"]),
    ],
    swiftLanguageModes: [.v6]
)

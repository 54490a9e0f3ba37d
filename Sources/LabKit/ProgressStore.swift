// ProgressStore: where progress lives on disk and how it is read and written.
//
// The state directory is `$WIRELAB_STATE`, else `$XDG_STATE_HOME/wirelab`, else
// `~/.local/state/wirelab`. `progress.json` is written atomically (a temporary file in the same
// directory, then rename), so a crash mid-write leaves the old file whole. A file that can't be
// read as progress is never silently lost: it is renamed aside with a timestamp and reported.

import Foundation

public struct ProgressStore: Sendable {
    /// The state directory.
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public init(environment: [String: String]) {
        self.init(directory: Self.stateDirectory(environment: environment))
    }

    /// The state directory `environment` names.
    public static func stateDirectory(environment: [String: String]) -> String {
        if let explicit = environment["WIRELAB_STATE"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return xdg + "/wirelab" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/wirelab"
    }

    /// The progress file.
    public var file: String { directory + "/progress.json" }

    /// Where `wirelab edit` puts the learner's copy of a lesson's experiment.
    public func workspaceFile(for lessonID: String) -> String { directory + "/workspace/\(lessonID).lab" }

    /// The saved progress, or a fresh one. `warning` says what went wrong when the file existed but
    /// could not be used, and where it was kept.
    public func load() -> (progress: LearnerProgress, warning: String?) {
        let manager = FileManager.default
        guard manager.fileExists(atPath: file) else { return (LearnerProgress(), nil) }
        guard let data = manager.contents(atPath: file) else {
            return (LearnerProgress(), "cannot read \(file); progress starts empty this time (the file was left as it is)")
        }
        do {
            let progress = try JSONDecoder().decode(LearnerProgress.self, from: data)
            guard progress.version == 1 else { throw CocoaError(.fileReadCorruptFile) }
            return (progress, nil)
        } catch {
            let aside = file + ".corrupt-" + Self.timestamp()
            do {
                try manager.moveItem(atPath: file, toPath: aside)
                return (LearnerProgress(), "\(file) could not be read as progress (\(Self.reason(error))); it was kept as \(aside) and progress starts empty")
            } catch {
                return (LearnerProgress(), "\(file) could not be read as progress and could not be moved aside (\(error.localizedDescription)); progress starts empty this time")
            }
        }
    }

    /// Writes `progress` atomically; creates the state directory when needed.
    public func save(_ progress: LearnerProgress) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var data = try encoder.encode(progress)
        data.append(0x0A)
        try writeAtomically(data, to: file)
    }

    /// Removes the progress file (the workspace is kept).
    public func reset() throws {
        if FileManager.default.fileExists(atPath: file) { try FileManager.default.removeItem(atPath: file) }
    }

    private static func reason(_ error: Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .dataCorrupted: return "not valid JSON"
            case .keyNotFound(let key, _): return "no '\(key.stringValue)'"
            case .typeMismatch(_, let context), .valueNotFound(_, let context):
                return "unexpected value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
            @unknown default: return "unreadable"
            }
        }
        return "an unknown format version"
    }

    static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: Date())
    }
}

/// Writes `data` to a temporary file beside `path`, then renames it over `path` (atomic on POSIX).
public func writeAtomically(_ data: Data, to path: String) throws {
    let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
    guard FileManager.default.createFile(atPath: temporary, contents: data) else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
    }
    guard rename(temporary, path) == 0 else {
        let code = errno
        try? FileManager.default.removeItem(atPath: temporary)
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(code))])
    }
}

/// Now, as an ISO 8601 date and time in UTC.
public func isoNow() -> String {
    ISO8601DateFormatter().string(from: Date())
}

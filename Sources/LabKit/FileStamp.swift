import Foundation

/// FileStamp: what tells that a file was saved: its modification time and its size (a save within
/// the file system's time resolution still changes the size, most of the time). The one change
/// test of the stepper's workspace watch and of `wirelab watch`; no file-system events, no dependency.
public struct FileStamp: Sendable, Equatable {
    public var modified: Date
    public var size: Int

    public init(modified: Date, size: Int) { (self.modified, self.size) = (modified, size) }

    /// The stamp of the file at `path`, or nil when it does not exist or can't be read.
    public static func of(_ path: String) -> FileStamp? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        return FileStamp(modified: attributes[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0),
                         size: (attributes[.size] as? NSNumber)?.intValue ?? 0)
    }
}

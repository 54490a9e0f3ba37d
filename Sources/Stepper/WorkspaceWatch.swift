import Foundation

/// WorkspaceWatch: notices when the learner saves their workspace copy of the lesson on screen, by
/// its modification time (no file-system events, no dependency), as `wirelab watch` does. Pure:
/// the driver reads the time and asks.
struct WorkspaceWatch {
    private var lessonID: String?
    private var stamp: Date?

    /// True when the copy of `lessonID` was modified since the last look at the same lesson. The
    /// first look at a lesson only sets the baseline; a copy that does not exist never fires.
    mutating func changed(lessonID: String, modified: Date?) -> Bool {
        defer {
            self.lessonID = lessonID
            stamp = modified
        }
        guard self.lessonID == lessonID, let modified else { return false }
        return modified != stamp
    }

    /// Takes `modified` as the baseline without firing (after the stepper itself wrote the copy).
    mutating func accept(lessonID: String, modified: Date?) {
        self.lessonID = lessonID
        stamp = modified
    }
}

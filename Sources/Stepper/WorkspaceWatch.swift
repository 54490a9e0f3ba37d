import LabKit

/// WorkspaceWatch: notices when the learner saves their workspace copy of the lesson on screen, by
/// its `FileStamp`, as `wirelab watch` does. Pure: the driver reads the stamp and asks.
struct WorkspaceWatch {
    private var lessonID: String?
    private var stamp: FileStamp?

    /// True when the copy of `lessonID` was saved since the last look at the same lesson. The
    /// first look at a lesson only sets the baseline; a copy that does not exist never fires.
    mutating func changed(lessonID: String, stamp: FileStamp?) -> Bool {
        defer {
            self.lessonID = lessonID
            self.stamp = stamp
        }
        guard self.lessonID == lessonID, let stamp else { return false }
        return stamp != self.stamp
    }

    /// Takes `stamp` as the baseline without firing (after the stepper itself wrote the copy).
    mutating func accept(lessonID: String, stamp: FileStamp?) {
        self.lessonID = lessonID
        self.stamp = stamp
    }
}

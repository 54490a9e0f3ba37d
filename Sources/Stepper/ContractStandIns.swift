// TEMPORARY: stand-ins with the names and shapes of the issue-7 contract (/work/notes/CONTRACT.md)
// until the lead's LabKit `Progress` lands on main. Delete this file after rebasing on it.

public struct Progress: Codable, Equatable, Sendable {
    public var current: String?
    var done: Set<String> = []
    var verified: Set<String> = []
    var hints: [String: Int] = [:]
    public init() {}
    public func isDone(_ lessonID: String) -> Bool { done.contains(lessonID) }
    public func isVerified(_ lessonID: String, _ challenge: Int) -> Bool { verified.contains("\(lessonID)#\(challenge)") }
    public func hintsSeen(_ lessonID: String, _ challenge: Int) -> Int { hints["\(lessonID)#\(challenge)"] ?? 0 }
    public var doneCount: Int { done.count }
    public var verifiedCount: Int { verified.count }
    public mutating func markDone(_ lessonID: String) { done.insert(lessonID) }
    public mutating func markVerified(_ lessonID: String, _ challenge: Int) { verified.insert("\(lessonID)#\(challenge)") }
    public mutating func revealHint(_ lessonID: String, _ challenge: Int) { hints["\(lessonID)#\(challenge)", default: 0] += 1 }
}

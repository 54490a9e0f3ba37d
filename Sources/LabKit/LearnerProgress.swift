// A learner's progress: lessons done, challenges verified or revealed, hints seen, the current
// lesson. A plain value; `ProgressStore` reads and writes it.
//
// A challenge is verified (the learner's answer was right) or revealed (the learner asked for the
// answer), never both: a correct answer after a reveal leaves it revealed, and a reveal after a
// correct answer leaves it verified.

/// What a learner has done, keyed by lesson id (and challenge number).
public struct LearnerProgress: Codable, Equatable, Sendable {
    /// The file format's version; a file with a newer one is kept aside, never misread.
    public var version = 1
    /// The lesson the learner was last on.
    public var current: String?
    /// Lessons whose experiment matched its expected output: id → when (ISO 8601).
    public var lessonsDone: [String: String] = [:]
    /// Verified challenges: "lesson-id/N" → when (ISO 8601).
    public var challengesVerified: [String: String] = [:]
    /// Challenges whose answer the learner asked to see: "lesson-id/N" → when (ISO 8601).
    public var challengesRevealed: [String: String] = [:]
    /// Hints revealed: "lesson-id/N" → how many.
    public var hintsSeen: [String: Int] = [:]

    public init() {}

    static func key(_ lessonID: String, _ challenge: Int) -> String { "\(lessonID)/\(challenge)" }

    public func isDone(_ lessonID: String) -> Bool { lessonsDone[lessonID] != nil }
    public func isVerified(_ lessonID: String, _ challenge: Int) -> Bool {
        let key = Self.key(lessonID, challenge)
        return challengesVerified[key] != nil && challengesRevealed[key] == nil
    }
    public func isRevealed(_ lessonID: String, _ challenge: Int) -> Bool { challengesRevealed[Self.key(lessonID, challenge)] != nil }
    public func hintsSeen(_ lessonID: String, _ challenge: Int) -> Int { hintsSeen[Self.key(lessonID, challenge)] ?? 0 }

    public var doneCount: Int { lessonsDone.count }
    /// Challenges verified (revealed ones are not).
    public var verifiedCount: Int { challengesVerified.keys.filter { challengesRevealed[$0] == nil }.count }
    public var revealedCount: Int { challengesRevealed.count }

    /// Lessons of `lessons` that are done, and challenges of them that are verified or revealed.
    public func counts(in lessons: [Lesson]) -> (done: Int, verified: Int, revealed: Int, challenges: Int) {
        var done = 0, verified = 0, revealed = 0, challenges = 0
        for lesson in lessons {
            if isDone(lesson.id) { done += 1 }
            for challenge in lesson.challenges {
                challenges += 1
                if isVerified(lesson.id, challenge.number) { verified += 1 }
                if isRevealed(lesson.id, challenge.number) { revealed += 1 }
            }
        }
        return (done, verified, revealed, challenges)
    }

    /// Marks `lessonID` done (keeps the first date).
    public mutating func markDone(_ lessonID: String, at date: String = isoNow()) {
        if lessonsDone[lessonID] == nil { lessonsDone[lessonID] = date }
    }

    /// Marks challenge `challenge` of `lessonID` verified (keeps the first date). False when it was
    /// revealed: it stays revealed.
    @discardableResult
    public mutating func markVerified(_ lessonID: String, _ challenge: Int, at date: String = isoNow()) -> Bool {
        let key = Self.key(lessonID, challenge)
        guard challengesRevealed[key] == nil else { return false }
        if challengesVerified[key] == nil { challengesVerified[key] = date }
        return true
    }

    /// Marks challenge `challenge` of `lessonID` revealed (keeps the first date). False when it was
    /// verified already: it stays verified.
    @discardableResult
    public mutating func markRevealed(_ lessonID: String, _ challenge: Int, at date: String = isoNow()) -> Bool {
        let key = Self.key(lessonID, challenge)
        guard !isVerified(lessonID, challenge) else { return false }
        if challengesRevealed[key] == nil { challengesRevealed[key] = date }
        return true
    }

    /// Forgets challenge `challenge` of `lessonID` (verified, revealed, hints seen), or with nil the
    /// whole lesson: its done mark and every challenge's progress. `current` is kept.
    public mutating func reset(_ lessonID: String, challenge: Int? = nil) {
        if let challenge {
            let key = Self.key(lessonID, challenge)
            challengesVerified[key] = nil
            challengesRevealed[key] = nil
            hintsSeen[key] = nil
            return
        }
        lessonsDone[lessonID] = nil
        let prefix = lessonID + "/"
        challengesVerified = challengesVerified.filter { !$0.key.hasPrefix(prefix) }
        challengesRevealed = challengesRevealed.filter { !$0.key.hasPrefix(prefix) }
        hintsSeen = hintsSeen.filter { !$0.key.hasPrefix(prefix) }
    }

    /// Counts one more hint revealed for the challenge.
    public mutating func revealHint(_ lessonID: String, _ challenge: Int) {
        hintsSeen[Self.key(lessonID, challenge), default: 0] += 1
    }

    /// The lesson to open: the current one if it still exists, else the first not done, else the first.
    public func startingLesson(in lessons: [Lesson]) -> Lesson? {
        if let current, let lesson = lessons.first(where: { $0.id == current }) { return lesson }
        return lessons.first(where: { !isDone($0.id) }) ?? lessons.first
    }

    private enum CodingKeys: String, CodingKey {
        case version, current, lessonsDone = "lessons_done", challengesVerified = "challenges_verified"
        case challengesRevealed = "challenges_revealed", hintsSeen = "hints_seen"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        current = try container.decodeIfPresent(String.self, forKey: .current)
        lessonsDone = try container.decodeIfPresent([String: String].self, forKey: .lessonsDone) ?? [:]
        challengesVerified = try container.decodeIfPresent([String: String].self, forKey: .challengesVerified) ?? [:]
        challengesRevealed = try container.decodeIfPresent([String: String].self, forKey: .challengesRevealed) ?? [:]
        hintsSeen = try container.decodeIfPresent([String: Int].self, forKey: .hintsSeen) ?? [:]
    }
}

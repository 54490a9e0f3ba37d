import Challenges

/// StepperLesson: what the stepper shows of one lesson, as plain values. The state machine reads
/// only these (never a file, never the lesson loader), so tests can build lessons by hand;
/// `StepperLesson(_:)` builds one from a loaded `Lesson`.
public struct StepperLesson: Sendable, Equatable {
    public var id: String
    public var title: String
    public var phase: Int
    public var phaseTitle: String
    public var difficulty: String
    public var estimatedMinutes: Int
    public var tags: [String]
    /// The Concept and Key Insight sections as Markdown, each under its own `##` heading.
    public var conceptMarkdown: String
    /// The Deep Dive and Common Mistakes sections as Markdown, each under its own `##` heading.
    public var deepDiveMarkdown: String
    /// The experiment's lab script, or nil when the lesson has none (then `r` explains why not).
    public var experiment: String?
    /// The file line of the experiment's first line, for the line numbers `e` shows.
    public var experimentFirstLine: Int
    /// The numbered items of `## Challenge`, in order.
    public var challenges: [StepperChallenge]
    /// The lesson's file, as a run header names it ("" when built by hand).
    public var path: String

    public init(id: String, title: String, phase: Int = 1, phaseTitle: String = "", difficulty: String = "",
                estimatedMinutes: Int = 0, tags: [String] = [], conceptMarkdown: String = "", deepDiveMarkdown: String = "",
                experiment: String? = nil, experimentFirstLine: Int = 1, challenges: [StepperChallenge] = [], path: String = "") {
        self.path = path
        self.id = id
        self.title = title
        self.phase = phase
        self.phaseTitle = phaseTitle
        self.difficulty = difficulty
        self.estimatedMinutes = estimatedMinutes
        self.tags = tags
        self.conceptMarkdown = conceptMarkdown
        self.deepDiveMarkdown = deepDiveMarkdown
        self.experiment = experiment
        self.experimentFirstLine = experimentFirstLine
        self.challenges = challenges
    }

    /// The challenge numbered `number` (the number the author wrote), if any.
    public func challenge(_ number: Int) -> StepperChallenge? {
        challenges.first { $0.number == number }
    }
}

/// StepperChallenge: one challenge item and what verifying it needs.
public struct StepperChallenge: Sendable, Equatable {
    public var number: Int
    /// The item's Markdown without its key and hints.
    public var prompt: String
    /// The key's kind as the lesson writes it (`predict`, `choice`, `build`, `your-server`), or nil
    /// when the item has no key (it is for exploring, nothing to verify).
    public var kind: String?
    /// The hints, in order, Markdown. `h` reveals them one at a time.
    public var hints: [String]
    /// What the learner must supply to verify it; nil when it has no usable key.
    public var need: ChallengeNeed?
    /// Why a key that is present could not be read (verification then reports a broken key).
    public var keyProblem: String?
    /// For a prediction: the unit its number may carry, when the key is known to want a number
    /// (`ChallengeVerifier.wantsNumber`); a word is then refused before anything runs. `.some(nil)`:
    /// a number without a unit; nil: a number is not known to be wanted.
    public var numberUnit: String??

    public init(number: Int, prompt: String, kind: String? = nil, hints: [String] = [], need: ChallengeNeed? = nil,
                keyProblem: String? = nil, numberUnit: String?? = nil) {
        self.number = number
        self.prompt = prompt
        self.kind = kind
        self.hints = hints
        self.need = need
        self.keyProblem = keyProblem
        self.numberUnit = numberUnit
    }

    /// True when the item carries a key, usable or broken: it counts towards the challenges total.
    public var hasKey: Bool { kind != nil || keyProblem != nil }
}

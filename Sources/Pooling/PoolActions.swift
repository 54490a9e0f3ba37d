// What one event returns: its `PoolAction`s, in order, carried inline in the value.

/// The actions one event asks for, in the order the IO layer must carry them out. A collection:
/// iterate it, index it, compare it with an array literal (`actions == [.close(c, reason)]`).
///
/// Why not simply `[PoolAction]`: a non-empty array is a heap allocation, and the pool returned a
/// fresh one for most events — two or three when a result was built as
/// `[succeed] + assignReleasedSocket(…)`.
/// Almost every event returns one to three actions, so those three are stored in the value itself;
/// only a longer list (destroying an agent with many sockets, a closed socket that lets several
/// waiters start) spills the rest into an array. Measured with callgrind on a sequential
/// keep-alive request: four heap allocations fewer per request (three arrays built by
/// `responseCompleted`, one by `requestSubmitted`), and about 1,800 instructions fewer (5%).
///
/// Why the three are stored as `Step`s, not as `PoolAction`s: a `PoolAction` may carry text (an
/// origin's name, an error, a retry reason), so Swift copies and destroys one through a function
/// that switches on its case and retains or releases what it holds — even for the cases that hold
/// only numbers. A list of three of them was worse: it was destroyed through its type's metadata.
/// The actions of a keep-alive request (`execute`, `succeed`, `scheduleIdleTimeout`,
/// `cancelIdleTimeout`, and `close`) hold only IDs, numbers and flags; as `Step`s they copy as plain
/// bytes and need no destroying, and the few actions that carry text are kept whole in `others`.
/// Measured with callgrind on a sequential keep-alive request: ~120 instructions fewer for the
/// agent, ~380 together with `append` inlined and `responseCompleted` extending one list in place.
///
/// The state machine builds its results with `PoolActions(a, b)` or `append` rather than the
/// literal `[a, b]`: an array literal is an array first, allocated, and only then copied in. Tests
/// use literals freely.
public struct PoolActions: RandomAccessCollection, Equatable, Sendable, ExpressibleByArrayLiteral,
    CustomStringConvertible
{
    /// How many actions fit without an array.
    @usableFromInline static let inlineCapacity = 3

    /// One of the first three actions, as plain values (see above). A `PoolAction` that carries
    /// text is stored whole in `others`, and its step says where.
    @usableFromInline enum Step: Sendable {
        case execute(RequestID, on: ConnectionID, isReused: Bool)
        case succeed(RequestID, on: ConnectionID)
        case scheduleIdleTimeout(ConnectionID, afterMs: Int)
        case cancelIdleTimeout(ConnectionID)
        case close(ConnectionID, CloseReason)
        /// `createConnection`, `fail` or `retrying`: the action is `others[index]`.
        case other(index: Int)
    }

    // The first three actions, in order; nil past `count`. (@usableFromInline and @inlinable on the
    // reading side: the agent, in another module, walks every batch, and would otherwise call out
    // of line for each element.)
    @usableFromInline var step0: Step?
    @usableFromInline var step1: Step?
    @usableFromInline var step2: Step?
    /// The first three actions' text-carrying ones, in order, then every action after the third.
    /// Empty (no allocation) unless one of those is there.
    @usableFromInline var others: [PoolAction] = []

    /// How many actions there are.
    public private(set) var count = 0

    /// No actions.
    public init() {}

    // The initialisers are always inlined, like `append`: the pool passes actions it has just
    // built, and each out-of-line call cost 40 to 64 instructions (callgrind).
    @inline(__always) public init(_ action: PoolAction) {
        append(action)
    }

    @inline(__always) public init(_ action: PoolAction, _ then: PoolAction) {
        append(action)
        append(then)
    }

    @inline(__always) public init(_ action: PoolAction, _ then: PoolAction, _ last: PoolAction) {
        append(action)
        append(then)
        append(last)
    }

    public init(arrayLiteral actions: PoolAction...) {
        append(contentsOf: actions)
    }

    // MARK: Collection

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    @inlinable public subscript(position: Int) -> PoolAction {
        precondition(position >= 0 && position < count, "PoolActions index \(position) out of range 0..<\(count)")
        switch position {
        case 0: return action(step0!)
        case 1: return action(step1!)
        case 2: return action(step2!)
        // Past the third, every action is in `others`, after the text-carrying ones of the first three.
        default: return others[others.count - count + position]
        }
    }

    /// The action `step` stands for.
    @inlinable func action(_ step: Step) -> PoolAction {
        switch step {
        case .execute(let request, let connection, let isReused): .execute(request, on: connection, isReused: isReused)
        case .succeed(let request, let connection): .succeed(request, on: connection)
        case .scheduleIdleTimeout(let connection, let afterMs): .scheduleIdleTimeout(connection, afterMs: afterMs)
        case .cancelIdleTimeout(let connection): .cancelIdleTimeout(connection)
        case .close(let connection, let reason): .close(connection, reason)
        case .other(let index): others[index]
        }
    }

    /// `action` as a step, storing it in `others` if it carries text. (Always inlined, like `append`:
    /// the pool appends actions it has just built, so the switch folds away.)
    @inline(__always) mutating func step(for action: PoolAction) -> Step {
        switch action {
        case .execute(let request, let connection, let isReused): return .execute(request, on: connection, isReused: isReused)
        case .succeed(let request, let connection): return .succeed(request, on: connection)
        case .scheduleIdleTimeout(let connection, let afterMs): return .scheduleIdleTimeout(connection, afterMs: afterMs)
        case .cancelIdleTimeout(let connection): return .cancelIdleTimeout(connection)
        case .close(let connection, let reason): return .close(connection, reason)
        case .createConnection, .fail, .retrying:
            others.append(action)
            return .other(index: others.count - 1)
        }
    }

    // MARK: Building

    /// Adds `action` after the others.
    @inline(__always) public mutating func append(_ action: PoolAction) {
        switch count {
        case 0: step0 = step(for: action)
        case 1: step1 = step(for: action)
        case 2: step2 = step(for: action)
        default: others.append(action)
        }
        count += 1
    }

    /// Adds `actions`, in their order, after the others.
    public mutating func append(contentsOf actions: some Sequence<PoolAction>) {
        for action in actions { append(action) }
    }

    /// Adds `actions`, in their order, after the others. (By index: a `for … in` loop would first
    /// copy the whole list into an iterator.)
    public mutating func append(contentsOf actions: PoolActions) {
        for index in actions.indices { append(actions[index]) }
    }

    /// `lhs`'s actions followed by `rhs`'s: how an event adds what a helper decided after its own.
    /// `lhs` is `consuming`: it is usually a temporary, extended where it is instead of copied.
    public static func + (lhs: consuming PoolActions, rhs: PoolActions) -> PoolActions {
        lhs.append(contentsOf: rhs)
        return lhs
    }

    /// Whether an action satisfies `predicate`. The same answer as `Sequence.contains(where:)`,
    /// without copying the list into an iterator first.
    @inlinable public func contains(where predicate: (PoolAction) throws -> Bool) rethrows -> Bool {
        for index in indices where try predicate(self[index]) { return true }
        return false
    }

    public static func == (lhs: PoolActions, rhs: PoolActions) -> Bool {
        lhs.count == rhs.count && lhs.elementsEqual(rhs)
    }

    /// The actions as a list, like an array's: `[create conn#1 to a, execute req#1 on conn#1 (new)]`.
    public var description: String {
        "[" + map(\.description).joined(separator: ", ") + "]"
    }
}

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
/// The state machine builds its results with `PoolActions(a, b)` rather than the literal `[a, b]`:
/// an array literal is an array first, allocated, and only then copied in. Tests use literals freely.
public struct PoolActions: RandomAccessCollection, Equatable, Sendable, ExpressibleByArrayLiteral,
    CustomStringConvertible
{
    /// How many actions fit without an array.
    @usableFromInline static let inlineCapacity = 3

    // The first three actions, in order; nil past `count`. (@usableFromInline and @inlinable on the
    // reading side: the agent, in another module, walks every batch, and would otherwise call out
    // of line for each element.)
    @usableFromInline var slot0: PoolAction?
    @usableFromInline var slot1: PoolAction?
    @usableFromInline var slot2: PoolAction?
    /// Actions after the third, in order. Empty (no allocation) unless there are more than three.
    @usableFromInline var spilled: [PoolAction] = []

    /// How many actions there are.
    public private(set) var count = 0

    /// No actions.
    public init() {}

    public init(_ action: PoolAction) {
        append(action)
    }

    public init(_ action: PoolAction, _ then: PoolAction) {
        append(action)
        append(then)
    }

    public init(_ action: PoolAction, _ then: PoolAction, _ last: PoolAction) {
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
        case 0: return slot0!
        case 1: return slot1!
        case 2: return slot2!
        default: return spilled[position - Self.inlineCapacity]
        }
    }

    // MARK: Building

    /// Adds `action` after the others.
    public mutating func append(_ action: PoolAction) {
        switch count {
        case 0: slot0 = action
        case 1: slot1 = action
        case 2: slot2 = action
        default: spilled.append(action)
        }
        count += 1
    }

    /// Adds `actions`, in their order, after the others.
    public mutating func append(contentsOf actions: some Sequence<PoolAction>) {
        for action in actions { append(action) }
    }

    /// Adds `actions`, in their order, after the others. (By index: a `for … in` loop would first
    /// copy the whole list into an iterator, and copying one means copying up to three actions.)
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
    /// without copying the list into an iterator first (the agent asks twice per response).
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

// A table keyed by the pool's IDs, which count up from 1 and are never reused.

/// An ID that `IDTable` can index: a whole number handed out in increasing order, never reused.
public protocol SequentialID: Hashable, Comparable {
    var rawValue: Int { get }
    init(_ rawValue: Int)
}

extension RequestID: SequentialID {}
extension ConnectionID: SequentialID {}

/// IDTable: the values of live IDs, in an array indexed by ID instead of a dictionary.
///
/// The agent looks a connection or a request up by ID a dozen times per request; with a dictionary
/// each lookup hashed the ID (SipHash) first, about 11% of a sequential keep-alive request under
/// callgrind. Here a lookup is a subtraction and a bounds check. It works because IDs only grow: a
/// new ID is appended at the end, and slots at the front whose IDs have finished are dropped, so the
/// array spans from the oldest live ID to the newest. (One long-lived connection among many short
/// ones keeps the span, and so the array, growing: one slot per ID handed out since.)
/// Finished slots at the front are passed over at once but removed in batches: removing the one
/// finished slot of a sequential client every time shifted the array through the generic
/// `replaceSubrange`, ~190 instructions per request and table (callgrind), twice per request.
/// Iteration is in ID order, which makes every walk over the table deterministic.
public struct IDTable<ID: SequentialID, Value> {
    // @inlinable and @usableFromInline throughout: the table is generic and used from other
    // modules (the agent), which otherwise call unspecialised code through witness tables (callgrind:
    // slower than the dictionary it replaces).
    @usableFromInline var slots: [Value?] = []
    /// The ID of `slots[0]`.
    @usableFromInline var base = 1
    /// Every slot before this one is finished (nil); they are removed together, later.
    @usableFromInline var front = 0
    @usableFromInline var liveCount = 0
    /// How many IDs have a value.
    @inlinable public var count: Int { liveCount }

    @inlinable public init() {}

    @inlinable public var isEmpty: Bool { liveCount == 0 }

    @inlinable public subscript(id: ID) -> Value? {
        get {
            let index = id.rawValue - base
            return index >= 0 && index < slots.count ? slots[index] : nil
        }
        _modify {
            let index = slot(for: id)
            let wasPresent = slots[index] != nil
            yield &slots[index]
            let isPresent = slots[index] != nil
            if wasPresent != isPresent { liveCount += isPresent ? 1 : -1 }
            if isPresent && index < front { front = index }   // a finished ID written again (see `slot`)
            if !isPresent && index == front { dropFinishedFront() }
        }
    }

    @discardableResult @inlinable
    public mutating func removeValue(forKey id: ID) -> Value? {
        let index = id.rawValue - base
        // Moved out with `take()`: copying the value out and then writing nil over the slot retained
        // and released a class value once more (~40 instructions, callgrind).
        guard index >= 0 && index < slots.count, let value = slots[index].take() else { return nil }
        liveCount -= 1
        if index == front { dropFinishedFront() }
        return value
    }

    /// Live IDs, in increasing order.
    @inlinable public var keys: [ID] {
        slots.indices.compactMap { slots[$0] == nil ? nil : ID(base + $0) }
    }

    /// Live values, in ID order.
    @inlinable public var values: [Value] { slots.compactMap { $0 } }

    /// The slot for `id`, growing the array when `id` is past its end. An ID below `base` finished
    /// long ago: it gets a slot only to read or write nil, and the front is trimmed again after.
    @inlinable mutating func slot(for id: ID) -> Int {
        var index = id.rawValue - base
        if index < 0 {
            slots.insert(contentsOf: repeatElement(nil, count: -index), at: 0)
            base = id.rawValue
            front -= index
            index = 0
        }
        if index == slots.count {
            // The usual case: the next new ID. Appending a run of one nil instead went through the
            // generic append of a `repeatElement` sequence (callgrind: about 200 instructions more
            // per submitted request).
            slots.append(nil)
        } else if index > slots.count {
            slots.append(contentsOf: repeatElement(nil, count: index - slots.count + 1))
        }
        return index
    }

    /// Moves `front` past the finished slots; removes them once they are at least 32 and at least
    /// half the array, so a removal happens at most once per 32 finished IDs and the array stays
    /// within twice its live span.
    @inlinable mutating func dropFinishedFront() {
        while front < slots.count && slots[front] == nil { front += 1 }
        guard front >= 32 && front * 2 >= slots.count else { return }
        slots.removeFirst(front)
        base += front
        front = 0
    }
}

extension IDTable: Sendable where Value: Sendable {}

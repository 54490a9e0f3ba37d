// The list type every event returns: three actions inline, the rest in an array, one order.
import Pooling
import Testing

@Suite("PoolActions")
struct PoolActionsTests {
    /// Five distinct actions, so a misplaced one shows.
    let five: [PoolAction] = [
        .createConnection(c(1), origin: "a"),
        .execute(r(1), on: c(1), isReused: false),
        .succeed(r(1), on: c(1)),
        .scheduleIdleTimeout(c(1), afterMs: 4000),
        .close(c(1), .freeSocketTimeout),
    ]

    @Test("keeps the order, below and past the inline capacity", arguments: 0...5)
    func order(count: Int) {
        var actions = PoolActions()
        for action in five.prefix(count) { actions.append(action) }
        #expect(actions.count == count)
        #expect(actions.isEmpty == (count == 0))
        #expect(Array(actions) == Array(five.prefix(count)))
        #expect(actions.indices.map { actions[$0] } == Array(five.prefix(count)))
        #expect(actions.last == five.prefix(count).last)
    }

    @Test("the initialisers, a literal, append(contentsOf:) and + all build the same list")
    func building() {
        let literal: PoolActions = [five[0], five[1], five[2], five[3], five[4]]
        var appended = PoolActions(five[0], five[1])
        appended.append(contentsOf: five[2...])
        #expect(literal == appended)
        #expect(PoolActions(five[0], five[1], five[2]) + PoolActions(five[3], five[4]) == literal)
        #expect(PoolActions(five[0]) + PoolActions() == [five[0]])
        #expect(PoolActions() + PoolActions() == [])
    }

    @Test("equal only with the same actions in the same order")
    func equality() {
        #expect(PoolActions(five[0], five[1]) != PoolActions(five[1], five[0]))
        #expect(PoolActions(five[0], five[1]) != PoolActions(five[0]))
        let firstThree = PoolActions(five[0], five[1], five[2])
        #expect(firstThree + PoolActions(five[3]) != firstThree + PoolActions(five[4]))
    }

    /// One action of every case, those that carry text (an origin, an error, a reason) among them.
    let everyCase: [PoolAction] = [
        .createConnection(c(7), origin: "example.com:80"),
        .execute(r(3), on: c(7), isReused: true),
        .execute(r(4), on: c(8), isReused: false),
        .succeed(r(3), on: c(7)),
        .fail(r(5), .notRetried(.malformedResponse("bad status line"), because: .notIdempotent(method: "POST"))),
        .retrying(r(6), reason: "connection reset on reused conn#7"),
        .scheduleIdleTimeout(c(7), afterMs: 4000),
        .cancelIdleTimeout(c(8)),
        .close(c(9), .evictedForOtherOrigin),
    ]

    @Test("every case comes back unchanged, stored inline or past the third", arguments: 0...4)
    func roundTrip(position: Int) {
        // `position` actions first, so each case is tried in every inline slot and spilled; the
        // fillers alternate between compact and text-carrying cases, which share the overflow array.
        let fillers: [PoolAction] = [.cancelIdleTimeout(c(1)), .fail(r(1), .reset), .succeed(r(2), on: c(2)), .retrying(r(9), reason: "x")]
        for action in everyCase {
            var actions = PoolActions()
            actions.append(contentsOf: fillers.prefix(position))
            actions.append(action)
            actions.append(.close(c(1), .freeListFull))
            #expect(actions[position] == action)
            #expect(Array(actions) == fillers.prefix(position) + [action, .close(c(1), .freeListFull)])
        }
    }

    @Test("the text-carrying actions of the first three and the spilled ones keep one order")
    func mixedOrder() {
        var actions = PoolActions()
        actions.append(contentsOf: everyCase)
        actions.append(contentsOf: everyCase.reversed())
        #expect(Array(actions) == everyCase + everyCase.reversed())
        let joined = PoolActions(everyCase[0], everyCase[4], everyCase[5]) + actions
        #expect(Array(joined) == [everyCase[0], everyCase[4], everyCase[5]] + Array(actions))
    }

    @Test("reads like an array of actions in a trace")
    func description() {
        #expect(PoolActions().description == "[]")
        #expect(PoolActions(five[0], five[1]).description == "[create conn#1 to a, execute req#1 on conn#1 (new)]")
    }
}

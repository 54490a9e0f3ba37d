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

    @Test("reads like an array of actions in a trace")
    func description() {
        #expect(PoolActions().description == "[]")
        #expect(PoolActions(five[0], five[1]).description == "[create conn#1 to a, execute req#1 on conn#1 (new)]")
    }
}

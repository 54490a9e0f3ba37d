import Testing
@testable import Pooling

@Suite("IDTable: values by ID in an array")
struct IDTableTests {
    @Test("lookups, removals and iteration behave like a dictionary, in ID order")
    func likeADictionary() {
        var table = IDTable<ConnectionID, String>()
        var reference: [ConnectionID: String] = [:]
        // A mix of growth, removals at the front, in the middle and at the end, and re-reads of
        // finished IDs, checked step by step against a dictionary.
        var rng = SystemRandomNumberGenerator()
        var next = 1
        for step in 0..<2_000 {
            let roll = Int.random(in: 0..<10, using: &rng)
            if roll < 4 || reference.isEmpty {
                let id = ConnectionID(next)
                next += 1
                table[id] = "c\(id.rawValue)"
                reference[id] = "c\(id.rawValue)"
            } else if roll < 8 {
                let id = reference.keys.randomElement(using: &rng)!
                #expect(table.removeValue(forKey: id) == reference.removeValue(forKey: id))
            } else {
                let id = ConnectionID(Int.random(in: 1..<next, using: &rng))
                table[id] = nil
                reference[id] = nil
            }
            #expect(table.count == reference.count, "step \(step)")
            let probe = ConnectionID(Int.random(in: 0...next, using: &rng))
            #expect(table[probe] == reference[probe])
        }
        #expect(table.keys == reference.keys.sorted())
        #expect(table.values == reference.keys.sorted().map { reference[$0]! })
    }

    @Test("editing a value in place keeps it; a front that finished is dropped")
    func inPlaceAndFront() {
        var table = IDTable<RequestID, [Int]>()
        table[RequestID(1)] = [1]
        table[RequestID(2)] = [2]
        table[RequestID(3)] = [3]
        table[RequestID(2)]!.append(20)
        #expect(table[RequestID(2)] == [2, 20])
        table.removeValue(forKey: RequestID(1))
        table[RequestID(2)] = nil
        #expect(table.count == 1)
        #expect(table.keys == [RequestID(3)])
        #expect(table[RequestID(1)] == nil && table[RequestID(2)] == nil)
        #expect(table.removeValue(forKey: RequestID(7)) == nil)
        #expect(table.count == 1)
    }

    @Test("a sequential client's finished slots are removed in batches: the array stays small, and finished IDs written again are found")
    func sequentialBatches() {
        var table = IDTable<RequestID, Int>()
        for id in 1...1_000 {
            table[RequestID(id)] = id
            #expect(table[RequestID(id)] == id)
            table[RequestID(id)] = nil
            #expect(table.isEmpty)
            #expect(table.slots.count <= 64, "after \(id): \(table.slots.count) slots")
        }
        // An ID already passed over but not yet removed (between `base` and `front`), and one
        // removed long ago (below `base`): both take a value again, and the front moves back for it.
        #expect(table.front > 0)   // 1,000 = 31 batches of 32 + 8 passed over
        let passedOver = RequestID(table.base + table.front - 1)
        table[passedOver] = -1
        table[RequestID(3)] = -3
        #expect(table[passedOver] == -1 && table[RequestID(3)] == -3)
        #expect(table.keys == [RequestID(3), passedOver])
        table[RequestID(1_001)] = 1_001
        #expect(table.removeValue(forKey: RequestID(3)) == -3)
        #expect(table.removeValue(forKey: passedOver) == -1)
        #expect(table.keys == [RequestID(1_001)] && table[RequestID(1_001)] == 1_001)
    }

    @Test("removeValue hands the value over: the table keeps no reference to it")
    func removeHandsOver() {
        final class Box {}
        var table = IDTable<RequestID, Box>()
        table[RequestID(1)] = Box()
        table[RequestID(2)] = Box()
        var first = table.removeValue(forKey: RequestID(1))!
        #expect(isKnownUniquelyReferenced(&first))
        #expect(table[RequestID(1)] == nil && table.count == 1)
        var second = table.removeValue(forKey: RequestID(2))!
        #expect(isKnownUniquelyReferenced(&second))
        #expect(table.isEmpty && table.removeValue(forKey: RequestID(2)) == nil)
    }
}

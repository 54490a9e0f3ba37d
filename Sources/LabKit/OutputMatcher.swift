// OutputMatcher compares a lesson's expected output with what the experiment printed.
//
// How it decides, in three steps, each bounded so no input can make it hang:
// 1. An alignment by dynamic programming over (expected line, live line) pairs, where a `...` line
//    absorbs live lines for free and a placeholder line matches any live line it fits on its own.
//    A missing or extra line costs 1 and a changed line 2, so the diff keeps lines that agree
//    paired up rather than pairing everything with its neighbour; cost 0 means the shapes line up.
//    O(expected × live) time and memory.
// 2. Walking that alignment, placeholder values are bound in order; a name seen again must take
//    the same text. If the walk has no failure, the outputs match.
// 3. Only when the shapes line up but a repeated name disagreed does a backtracking search (with a
//    memo of failed states and a step budget) look for another alignment that keeps every name
//    consistent. If none exists, the diff from step 2 explains the failure.
// Relations between values ("higher than") are not the matcher's business: they belong in `expect`.

public enum OutputMatcher {
    /// Compares `expected` (the lesson's block) with `actual` (the live output). Given the file
    /// line of the expected block's first line (`CodeBlock.firstLine`), the result also names the
    /// file line of the first difference.
    public static func match(expected: String, actual: String, expectedFirstLine: Int? = nil) -> MatchResult {
        let comparison = Comparison(expected: contentLines(expected), actual: contentLines(actual))
        let (isMatch, bindings, lines) = comparison.run()
        return MatchResult(isMatch: isMatch, bindings: bindings, lines: lines, expectedFirstLine: expectedFirstLine)
    }

    /// The text's lines without the trailing lines that are empty (or only spaces).
    static func contentLines(_ text: String) -> [String] {
        var lines = splitLines(text)
        while let last = lines.last, last.isBlank { lines.removeLast() }
        return lines
    }

    /// Above this many alignment cells (about 24 MB) the matcher skips step 1 and uses a plain
    /// in-order comparison for the diff.
    static let maximumCells = 6_000_000
    /// Step 3 gives up after visiting this many states.
    static let maximumSearchStates = 400_000
}

/// One comparison of an expected text with a live text.
struct Comparison {
    let pattern: [PatternLine]
    let actualText: [String]
    let actual: [[UInt8]]
    /// For literal lines, a number per distinct text, so comparing two lines is comparing two Ints.
    let expectedKeys: [Int]
    let actualKeys: [Int]

    init(expected: [String], actual: [String]) {
        pattern = expected.map(PatternLine.init)
        actualText = actual
        var keys: [String: Int] = [:]
        func key(_ text: String) -> Int {
            if let known = keys[text] { return known }
            keys[text] = keys.count
            return keys.count - 1
        }
        let trimmedActual = actual.map { $0.trimmingTrailingSpaces() }
        self.actual = trimmedActual.map { Array($0.utf8) }
        actualKeys = trimmedActual.map(key)
        expectedKeys = pattern.map { line in line.literalText.map(key) ?? -1 }
    }

    /// One move of an alignment.
    enum Step {
        case pair(Int, Int)        // expected line e matches live line a (so far as its shape goes)
        case elide(Int, count: Int) // `...` line e stands for `count` live lines
        case missing(Int)
        case unexpected(Int)
        case mismatch(Int, Int)
    }

    func run() -> (Bool, [String: String], [DiffLine]) {
        let cells = (pattern.count + 1) * (actual.count + 1)
        let steps = cells <= OutputMatcher.maximumCells ? alignment() : inOrderSteps()
        let (lines, bindings) = diff(steps)
        if !lines.contains(where: \.isFailure) {
            return (true, bindings, lines)
        }
        if cells > OutputMatcher.maximumCells || hasRepeatedNames, let found = search() {
            return (true, found.1, diff(found.0).lines)
        }
        return (false, bindings, lines)
    }

    private var hasRepeatedNames: Bool {
        var seen = Set<String>()
        for name in pattern.flatMap(\.placeholderNames) where !seen.insert(name).inserted { return true }
        return false
    }

    /// True when expected line `e` fits live line `a` on its own (ignoring names bound elsewhere).
    func fits(_ e: Int, _ a: Int) -> Bool {
        if expectedKeys[e] >= 0 { return expectedKeys[e] == actualKeys[a] }
        return !pattern[e].alternatives(for: actual[a], bound: [:], limit: 1).isEmpty
    }

    // MARK: Step 1: the cheapest alignment

    private func alignment() -> [Step] {
        let rows = pattern.count, columns = actual.count
        let width = columns + 1
        // cost[e * width + a]: the cheapest way to align expected[e...] with actual[a...].
        var cost = [Int32](repeating: 0, count: (rows + 1) * width)
        var fitCache = [Int8](repeating: -1, count: rows * max(columns, 1))
        func fitsCached(_ e: Int, _ a: Int) -> Bool {
            let index = e * columns + a
            if fitCache[index] < 0 { fitCache[index] = fits(e, a) ? 1 : 0 }
            return fitCache[index] == 1
        }
        for a in stride(from: columns, through: 0, by: -1) {
            cost[rows * width + a] = Int32(columns - a)
        }
        for e in stride(from: rows - 1, through: 0, by: -1) {
            let isElision = pattern[e].isElision
            cost[e * width + columns] = cost[(e + 1) * width + columns] + (isElision ? 0 : 1)
            for a in stride(from: columns - 1, through: 0, by: -1) {
                let down = cost[(e + 1) * width + a]       // leave a (missing, or end of `...`)
                let right = cost[e * width + a + 1]        // skip a live line (unexpected, or `...` absorbs it)
                let diagonal = cost[(e + 1) * width + a + 1]
                if isElision {
                    cost[e * width + a] = min(down, right)
                } else if fitsCached(e, a) {
                    cost[e * width + a] = diagonal
                } else {
                    cost[e * width + a] = min(diagonal + 2, down + 1, right + 1)
                }
            }
        }

        var steps: [Step] = []
        var e = 0, a = 0
        while e < rows || a < columns {
            if e == rows {
                steps.append(.unexpected(a)); a += 1
            } else if pattern[e].isElision {
                var count = 0
                // Lazily: end the `...` as soon as ending it costs no more than going on.
                while a < columns, cost[e * width + a] != cost[(e + 1) * width + a] {
                    a += 1; count += 1
                }
                steps.append(.elide(e, count: count)); e += 1
            } else if a == columns {
                steps.append(.missing(e)); e += 1
            } else {
                let here = cost[e * width + a]
                if fitsCached(e, a) && here == cost[(e + 1) * width + a + 1] {
                    steps.append(.pair(e, a)); e += 1; a += 1
                } else if here == cost[(e + 1) * width + a + 1] + 2 {
                    steps.append(.mismatch(e, a)); e += 1; a += 1
                } else if here == cost[(e + 1) * width + a] + 1 {
                    steps.append(.missing(e)); e += 1
                } else {
                    steps.append(.unexpected(a)); a += 1
                }
            }
        }
        return steps
    }

    /// The diff for outputs too large to align: lines compared in order, `...` skipping ahead to
    /// the next line that fits the line after it.
    private func inOrderSteps() -> [Step] {
        var steps: [Step] = []
        var e = 0, a = 0
        while e < pattern.count {
            if pattern[e].isElision {
                var count = 0
                let next = e + 1 < pattern.count ? e + 1 : nil
                while a < actual.count, next.map({ !fits($0, a) }) ?? true { a += 1; count += 1 }
                steps.append(.elide(e, count: count))
            } else if a < actual.count {
                steps.append(fits(e, a) ? .pair(e, a) : .mismatch(e, a)); a += 1
            } else {
                steps.append(.missing(e))
            }
            e += 1
        }
        while a < actual.count { steps.append(.unexpected(a)); a += 1 }
        return steps
    }

    // MARK: Step 2: bind names along the alignment

    private func diff(_ steps: [Step]) -> (lines: [DiffLine], bindings: [String: String]) {
        var bindings: [String: String] = [:]
        var lines: [DiffLine] = []
        lines.reserveCapacity(steps.count)
        for step in steps {
            switch step {
            case .pair(let e, let a):
                let line = pattern[e]
                if !line.hasPlaceholders {
                    lines.append(.same(expected: line.text, actual: actualText[a]))
                } else if let fresh = line.alternatives(for: actual[a], bound: bindings, limit: 1).first {
                    bindings.merge(fresh) { old, _ in old }
                    lines.append(.placeholder(expected: line.text, actual: actualText[a]))
                } else {
                    lines.append(.mismatch(expected: line.text, actual: actualText[a]))
                }
            case .elide(_, let count):
                lines.append(.elided(count: count))
            case .missing(let e):
                lines.append(.missing(expected: pattern[e].text))
            case .unexpected(let a):
                lines.append(.unexpected(actual: actualText[a]))
            case .mismatch(let e, let a):
                lines.append(.mismatch(expected: pattern[e].text, actual: actualText[a]))
            }
        }
        return (lines, bindings)
    }

    // MARK: Step 3: search for an alignment that keeps every name consistent

    private struct State: Hashable {
        var e: Int
        var a: Int
        var bindings: Int
    }

    private struct Node {
        var state: State
        var parent: Int
    }

    /// Depth-first, preferring to end a `...` early. Visited states are not visited again (a state
    /// seen once and left has already failed). Nil when there is no consistent alignment or the
    /// budget ran out.
    private func search() -> ([Step], [String: String])? {
        var bindingSets: [[String: String]] = [[:]]
        var bindingIDs: [[String: String]: Int] = [[:]: 0]
        var nodes: [Node] = [Node(state: State(e: 0, a: 0, bindings: 0), parent: -1)]
        var stack: [Int] = [0]
        var visited = Set<State>()

        while let current = stack.popLast() {
            let state = nodes[current].state
            guard visited.insert(state).inserted else { continue }
            if visited.count > OutputMatcher.maximumSearchStates { return nil }
            if state.e == pattern.count {
                if state.a == actual.count { return (steps(to: current, in: nodes), bindingSets[state.bindings]) }
                continue
            }
            func push(_ next: State) {
                guard !visited.contains(next) else { return }
                nodes.append(Node(state: next, parent: current))
                stack.append(nodes.count - 1)
            }
            if pattern[state.e].isElision {
                if state.a < actual.count { push(State(e: state.e, a: state.a + 1, bindings: state.bindings)) }
                push(State(e: state.e + 1, a: state.a, bindings: state.bindings))  // popped first
                continue
            }
            guard state.a < actual.count else { continue }
            if expectedKeys[state.e] >= 0 {
                if expectedKeys[state.e] == actualKeys[state.a] {
                    push(State(e: state.e + 1, a: state.a + 1, bindings: state.bindings))
                }
                continue
            }
            let bound = bindingSets[state.bindings]
            for fresh in pattern[state.e].alternatives(for: actual[state.a], bound: bound).reversed() {
                var merged = bound
                merged.merge(fresh) { old, _ in old }
                let id: Int
                if let known = bindingIDs[merged] {
                    id = known
                } else {
                    id = bindingSets.count
                    bindingSets.append(merged)
                    bindingIDs[merged] = id
                }
                push(State(e: state.e + 1, a: state.a + 1, bindings: id))
            }
        }
        return nil
    }

    /// The steps of the path from the first node to `last`.
    private func steps(to last: Int, in nodes: [Node]) -> [Step] {
        var path: [State] = []
        var index = last
        while index >= 0 {
            path.append(nodes[index].state)
            index = nodes[index].parent
        }
        path.reverse()
        var steps: [Step] = []
        var absorbed = 0
        for (from, to) in zip(path, path.dropFirst()) {
            if pattern[from.e].isElision {
                if to.e == from.e {
                    absorbed += 1
                } else {
                    steps.append(.elide(from.e, count: absorbed))
                    absorbed = 0
                }
            } else {
                steps.append(.pair(from.e, from.a))
            }
        }
        return steps
    }
}

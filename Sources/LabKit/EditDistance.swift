// "Did you mean ...?": how far apart two names are, and which known names are close to a typo.
// Used for lesson ids here and, by the CLI, for unknown commands and options.

/// The number of single-character edits (insert, delete, replace, or swap two neighbours) that turn
/// `a` into `b` — the "optimal string alignment" distance. Compares characters exactly; callers
/// that want case-insensitivity lowercase first.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    // Three rolling rows: two rows back is needed for the swap of neighbours.
    var before = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            var best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                best = min(best, before[j - 2] + 1)
            }
            current[j] = best
        }
        (before, previous, current) = (previous, current, before)
    }
    return previous[b.count]
}

/// The candidates within `maxDistance` edits of `target` (ignoring case), closest first; candidates
/// at the same distance keep their order. When `maxDistance` is nil it grows with the name: 1 for
/// short names, up to 3 for long ones, so "lst" suggests "list" but "x" does not suggest "run".
public func closestMatches(to target: String, in candidates: [String], maxDistance: Int? = nil) -> [String] {
    let needle = target.lowercased()
    let limit = maxDistance ?? min(3, max(1, needle.count / 3))
    return candidates.enumerated()
        .map { (offset: $0.offset, name: $0.element, distance: editDistance(needle, $0.element.lowercased())) }
        .filter { $0.distance <= limit }
        .sorted { ($0.distance, $0.offset) < ($1.distance, $1.offset) }
        .map(\.name)
}

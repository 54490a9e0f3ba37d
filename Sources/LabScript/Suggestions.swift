// "Did you mean ...?" for near-miss words: `prnt` -> `print`, `server.conection` -> `server.connection`.

/// The candidate closest to `word` by edit distance, when it is close enough to be a typo: one
/// edit for words of up to four characters, two for longer ones. Nil for an exact match.
func closestWord(to word: String, among candidates: [String]) -> String? {
    let allowed = word.count <= 4 ? 1 : 2
    var best: (word: String, distance: Int)?
    for candidate in candidates {
        let distance = editDistance(word, candidate)
        guard distance > 0, distance <= allowed else { continue }
        if best == nil || distance < best!.distance { best = (candidate, distance) }
    }
    return best?.word
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbouring characters each cost one (so `repaet` is one edit from `repeat`).
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
            }
        }
    }
    return table[a.count][b.count]
}

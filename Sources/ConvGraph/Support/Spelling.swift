/// Spelling suggestions for unknown keys, ops, node names and `--set` paths.
enum Spelling {
    /// The optimal-string-alignment distance between two strings (case-sensitive),
    /// computed over Unicode scalars: insertions, deletions, substitutions and swaps of
    /// two neighbouring characters each count as one edit (`rleu` → `relu` is 1).
    /// - Complexity: O(`a.count` × `b.count`) time, O(`b.count`) memory (three rows).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = Array(repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                var d = min(previous[j] + 1, current[j - 1] + 1, substitution)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d = min(d, beforePrevious[j - 2] + 1)
                }
                current[j] = d
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }

    /// The candidate closest to `word`, if it is within a third of the word's length
    /// (at least 1, at most 3 edits) or differs only in case; ties go to the first.
    static func closest(to word: String, among candidates: some Sequence<String>) -> String? {
        let limit = min(3, max(1, word.count / 3))
        let length = word.unicodeScalars.count
        var best: (String, Int)?
        for candidate in candidates where candidate != word {
            // Lengths further apart than the limit cannot be within it (and a huge word
            // is not compared cell by cell with every candidate).
            guard abs(candidate.unicodeScalars.count - length) <= limit else { continue }
            let d = candidate.lowercased() == word.lowercased() ? 0 : editDistance(word, candidate)
            if d <= limit, best.map({ d < $0.1 }) ?? true { best = (candidate, d) }
        }
        return best?.0
    }
}

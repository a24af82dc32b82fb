/// Spelling suggestions for unknown keys, ops, node names and `--set` paths.
enum Spelling {
    /// The Levenshtein distance between two strings (case-sensitive), computed over
    /// Unicode scalars with two rows.
    /// - Complexity: O(`a.count` × `b.count`) time, O(`b.count`) memory.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The candidate closest to `word`, if it is within a third of the word's length
    /// (at least 1, at most 3 edits) or differs only in case; ties go to the first.
    static func closest(to word: String, among candidates: some Sequence<String>) -> String? {
        let limit = min(3, max(1, word.count / 3))
        var best: (String, Int)?
        for candidate in candidates where candidate != word {
            let d = candidate.lowercased() == word.lowercased() ? 0 : editDistance(word, candidate)
            if d <= limit, best.map({ d < $0.1 }) ?? true { best = (candidate, d) }
        }
        return best?.0
    }
}

/// How `--set` meets blocks (SPEC §11.1): `nodes.stem.cout=32` sets an argument of the
/// instance `stem` (applied before expansion); `nodes.stem/conv.stride=2` sets an
/// attribute of an inner node (applied after expansion, so it wins).
enum BlockOverrides {
    /// The overrides applied before expansion and those applied after it (a node path
    /// holding `/`), each in command-line order.
    static func split(_ overrides: [Override]) -> (before: [Override], after: [Override]) {
        let isInner = { (o: Override) in o.path.count >= 2 && o.path[0] == "nodes" && o.path[1].contains("/") }
        return (overrides.filter { !isInner($0) }, overrides.filter(isInner))
    }

    /// Diagnostics in file order, each distinct one once: the same error in every
    /// repetition of an instance is reported for the first one only.
    static func ordered(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var seen = Set<String>()
        return diagnostics.enumerated().sorted { a, b in
            let (la, lb) = (a.element.location, b.element.location)
            if let la, let lb, la != lb { return la < lb }
            return a.offset < b.offset
        }.map(\.element).filter { d in
            var at = d.location
            at?.instances = []
            return seen.insert("\(at.map(\.description) ?? "-") \(d.message)").inserted
        }
    }
}

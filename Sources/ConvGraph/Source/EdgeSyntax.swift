/// Parses the edge strings of SPEC §2: `SRC -> DST`, `SRC -> DST.PORT`, and chains
/// `A -> B -> C` (several edges). Each name keeps its own column.
enum EdgeSyntax {
    static func parse(_ text: String, at location: SourceLocation, quoted: Bool) -> Result<[GraphFile.Edge], Diagnostic> {
        // Split on "->", tracking the column (in Unicode scalars) of each segment.
        let scalars = Array(text.unicodeScalars)
        var segments: [(text: String, column: Int)] = []
        var start = 0
        var i = 0
        while i <= scalars.count {
            let atArrow = i + 1 < scalars.count && scalars[i] == "-" && scalars[i + 1] == ">"
            if i == scalars.count || atArrow {
                var lo = start, hi = i
                while lo < hi, scalars[lo] == " " || scalars[lo] == "\t" { lo += 1 }
                while hi > lo, scalars[hi - 1] == " " || scalars[hi - 1] == "\t" { hi -= 1 }
                var segment = String.UnicodeScalarView()
                segment.append(contentsOf: scalars[lo..<hi])
                segments.append((String(segment), location.column + (quoted ? 1 : 0) + lo))
                i += 2
                start = i
                continue
            }
            i += 1
        }
        let wrongArrow = ["=>", "->>", "-->", "→", "<-", "=", ">"].first { arrow in segments.contains { $0.text.contains(arrow) } }
        let arrowNote: [Diagnostic.Note] = wrongArrow.map { [.init("write '->' between nodes, not '\($0)'")] } ?? []
        guard segments.count >= 2 else {
            return .failure(Diagnostic("an edge needs '->' between two nodes, as in 'a -> b'", at: location, notes: arrowNote))
        }
        func loc(_ column: Int) -> SourceLocation {
            location.at(column: column)
        }
        // `a => b -> c` splits into `a => b` and `c`: one malformed edge, not an unknown
        // node called 'a => b'.
        for (segment, column) in segments {
            if let arrow = wrongArrow, segment.contains(arrow) {
                let s = Array(segment.unicodeScalars), a = Array(arrow.unicodeScalars)
                let offset = s.count < a.count ? 0 : (0...(s.count - a.count)).first { s[$0..<($0 + a.count)].elementsEqual(a) } ?? 0
                return .failure(Diagnostic("malformed edge: '\(arrow)' is not an arrow", at: loc(column + offset), notes: arrowNote))
            }
            if segment.unicodeScalars.contains(where: { $0 == " " || $0 == "\t" }) {
                return .failure(Diagnostic("malformed edge: '\(NameRules.printable(segment))' is not a node name", at: loc(column),
                                           notes: [.init("separate nodes with '->', as in 'a -> b -> c'")]))
            }
        }
        var edges: [GraphFile.Edge] = []
        for k in 0..<(segments.count - 1) {
            let (src, srcColumn) = segments[k]
            let (dst, dstColumn) = segments[k + 1]
            guard !src.isEmpty, !dst.isEmpty else {
                return .failure(Diagnostic("an edge has an empty node name", at: loc(src.isEmpty ? srcColumn : dstColumn)))
            }
            // The source of a later link may not carry a port (`a -> b.weight -> c`): the
            // port belongs to the edge into it, and the node itself feeds the next.
            let source = src.split(separator: ".", maxSplits: 1).first.map(String.init) ?? src
            if k == 0 && source != src {
                return .failure(Diagnostic("an edge's source is a node, not a port: '\(src)'", at: loc(srcColumn),
                                           notes: [.init("ports name a destination, as in 'a -> conv.weight'")]))
            }
            let parts = dst.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            var port: GraphFile.Name?
            if parts.count == 2 {
                guard !parts[1].isEmpty, !parts[0].isEmpty else {
                    return .failure(Diagnostic("malformed port reference '\(dst)'", at: loc(dstColumn)))
                }
                port = GraphFile.Name(text: parts[1], location: loc(dstColumn + parts[0].unicodeScalars.count + 1))
            }
            edges.append(GraphFile.Edge(source: GraphFile.Name(text: source, location: loc(srcColumn)),
                                        destination: GraphFile.Name(text: parts[0], location: loc(dstColumn)),
                                        port: port))
        }
        return .success(edges)
    }
}

/// The text `convgraph diff` prints.
extension TensorDiff {
    /// The report: the two runs, the settings that differ (or a line saying there are
    /// none), a table of the tensors in both (`tensor`, `shape`, `dtype`, `max abs`,
    /// `max rel`, `result`), the tensors in one run only, and a closing line. Numbers have 6
    /// significant digits; a shape or dtype that differs shows as `A vs B`.
    public var rendered: String {
        var out = "A: \(Comparison.cell(runA))\nB: \(Comparison.cell(runB))\n\n"
        if settings.isEmpty {
            out += "graph, overrides and inputs: the same\n"
        } else {
            var table = TextTable(headers: ["setting", "A", "B"])
            for s in settings {
                table.append([Comparison.cell(s.key), s.a.map(Self.short) ?? "(absent)", s.b.map(Self.short) ?? "(absent)"])
            }
            out += table.rendered
        }
        out += "\n"
        if !tensors.isEmpty {
            var table = TextTable(headers: ["tensor", "shape", "dtype", "max abs", "max rel", "result"], rightAligned: [3, 4])
            for e in tensors {
                let result: String
                if e.shapeA != e.shapeB { result = "shape differs" }
                else if e.dtypeA != e.dtypeB { result = "dtype differs" }
                else if e.beyondTolerance > 0 { result = "differs (\(e.beyondTolerance) of \(e.shapeA.count))" }
                else if e.maxAbs == 0 { result = "identical" }
                else { result = "within tolerance" }
                table.append([
                    Comparison.cell(e.file),
                    e.shapeA == e.shapeB ? e.shapeA.bracketed : "\(e.shapeA.bracketed) vs \(e.shapeB.bracketed)",
                    e.dtypeA == e.dtypeB ? e.dtypeA : "\(e.dtypeA) vs \(e.dtypeB)",
                    e.maxAbs.map { NumberFormat.significant($0) } ?? "-",
                    e.maxRel.map { NumberFormat.significant($0) } ?? "-",
                    result,
                ])
            }
            out += table.rendered
        }
        for file in onlyInA { out += "only in A: \(Comparison.cell(file))\n" }
        for file in onlyInB { out += "only in B: \(Comparison.cell(file))\n" }
        let failing = tensors.filter { !$0.agrees }.count + onlyInA.count + onlyInB.count
        let tol = NumberFormat.significant(tolerance)
        out += agrees
            ? "\nthe runs agree: \(tensors.count) tensors, |a - b| <= \(tol) everywhere\n"
            : "\nthe runs differ: \(failing) of \(tensors.count + onlyInA.count + onlyInB.count) tensors (tolerance \(tol))\n"
        return out
    }

    /// A setting's value for the table: control characters escaped, at most 60 characters.
    static func short(_ text: String) -> String {
        let cell = Comparison.cell(text)
        return cell.count > 60 ? String(cell.prefix(59)) + "…" : cell
    }
}

/// `convgraph diff RUN_A RUN_B` (SPEC §11.3): how two complete runs differ — their graph,
/// overrides and inputs (from the manifests), and every saved tensor.
///
/// Tensors are matched by the `file` of the manifests' `tensors` records (`values/conv.npy`)
/// and read with the `.npy` reader (``TensorFileLoader``, the limits of SPEC §8): shape and
/// dtype are the files' own. For each tensor in both with the same shape, the largest
/// ``ElementDifference`` over its elements: max abs = max |a − b|, max rel = max
/// |a − b| / max(|a|, |b|) with 0/0 = 0; NaN equals NaN.
///
/// The runs agree (``agrees``, exit 0) when every tensor is in both, with the same shape and
/// dtype, and |a − b| ≤ tolerance for every element (default 0: identical values). The
/// graph, overrides and inputs are reported but do not decide it.
public struct TensorDiff: Sendable {
    /// One setting that differs: the manifest key (`seed`, `config.nodes.conv.stride`,
    /// `--set nodes.conv.stride`, `inputs.image`) and each run's value, nil where absent.
    public struct Setting: Sendable, Hashable {
        /// What differs: a manifest key, `config.PATH`, `--set KEY` or `inputs.NODE`.
        public var key: String
        /// RUN_A's value (JSON text for a non-string), nil when RUN_A lacks it.
        public var a: String?
        /// RUN_B's value, nil when RUN_B lacks it.
        public var b: String?
    }

    /// One tensor present in both runs.
    public struct Entry: Sendable, Hashable {
        /// The file, relative to the run directory (`values/conv.npy`).
        public var file: String
        /// The shape of RUN_A's file.
        public var shapeA: Shape
        /// The shape of RUN_B's file.
        public var shapeB: Shape
        /// The dtype stored in each file (`float32`, `float64`, …).
        public var dtypeA: String
        /// The dtype stored in RUN_B's file.
        public var dtypeB: String
        /// The largest |a − b|; nil when the shapes differ.
        public var maxAbs: Double?
        /// The largest |a − b| / max(|a|, |b|) (0/0 = 0); nil when the shapes differ.
        public var maxRel: Double?
        /// How many elements differ by more than the tolerance (0 when the shapes differ).
        public var beyondTolerance: Int

        /// Same shape and dtype and every element within the tolerance.
        public var agrees: Bool { shapeA == shapeB && dtypeA == dtypeB && beyondTolerance == 0 }
    }

    /// The two run directories, as given.
    public var runA: String
    /// The second run directory, as given.
    public var runB: String
    /// The largest |a − b| accepted.
    public var tolerance: Double
    /// The graph, overrides and inputs that differ, in manifest order.
    public var settings: [Setting]
    /// The tensors in both runs, in RUN_A's manifest order.
    public var tensors: [Entry]
    /// The tensor files only RUN_A lists, and only RUN_B.
    public var onlyInA: [String]
    /// The tensor files only RUN_B lists.
    public var onlyInB: [String]

    /// Every tensor is in both runs with the same shape and dtype, and within the tolerance.
    public var agrees: Bool { onlyInA.isEmpty && onlyInB.isEmpty && tensors.allSatisfy(\.agrees) }

    /// Compares the complete runs in `runA` and `runB`.
    /// - Parameters:
    ///   - runA: the first run directory.
    ///   - runB: the second run directory.
    ///   - tolerance: the largest |a − b| accepted (≥ 0).
    ///   - limits: the limits of SPEC §8 for reading the tensor files.
    /// - Throws: 66 for a directory (or a tensor file it lists) that does not exist; 65 for
    ///   a path that is not a directory, a directory without `manifest.json`, a malformed
    ///   manifest, or a tensor file that is not a valid `.npy`.
    public static func compare(_ runA: String, _ runB: String, tolerance: Double = 0,
                               limits: Limits = .default) throws(ConvGraphError) -> TensorDiff {
        let a = try manifest(runA)
        let b = try manifest(runB)
        let listA = try tensorFiles(a)
        let listB = try tensorFiles(b)
        let setB = Set(listB), setA = Set(listA)
        var entries: [Entry] = []
        for file in listA where setB.contains(file) {
            entries.append(try entry(file, runA, runB, tolerance: tolerance, limits: limits))
        }
        return TensorDiff(runA: runA, runB: runB, tolerance: tolerance, settings: try settings(a, b), tensors: entries,
                          onlyInA: listA.filter { !setB.contains($0) }, onlyInB: listB.filter { !setA.contains($0) })
    }

    /// The manifest of the run at `path`.
    static func manifest(_ path: String) throws(ConvGraphError) -> ManifestFile {
        switch PathKind.of(path) {
        case .missing: throw ConvGraphError(.noInput, Diagnostic("no such directory", file: path))
        case .regularFile, .other: throw ConvGraphError(.invalidInput, Diagnostic("not a run directory (not a directory)", file: path))
        case .directory: break
        }
        guard let manifest = try ManifestFile.read(directory: path) else {
            throw ConvGraphError(.invalidInput, Diagnostic("holds no run: no manifest.json", file: path,
                notes: SweepFile.exists(in: path) ? [.init("it is a sweep directory; name one of its runs")]
                    : RunSummary.isRunDirectory(path) ? [.init("the training did not finish (no manifest); resume it with `convgraph train --resume`")] : []))
        }
        return manifest
    }

    /// The `file` of every `tensors` record, in order (a repeated file once).
    static func tensorFiles(_ manifest: ManifestFile) throws(ConvGraphError) -> [String] {
        func invalid(_ message: String) -> ConvGraphError {
            ConvGraphError(.invalidInput, Diagnostic("not a run manifest: \(message)", file: manifest.path))
        }
        guard case .array(let records)? = manifest["tensors"] else { throw invalid("'tensors' is missing or not a list") }
        var files: [String] = []
        var seen: Set<String> = []
        for record in records {
            guard case .object(let fields) = record, case .string(let file)? = fields.first(where: { $0.0 == "file" })?.1 else {
                throw invalid("a 'tensors' record has no 'file'")
            }
            let parts = file.split(separator: "/", omittingEmptySubsequences: false)
            guard !file.hasPrefix("/"), !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                throw invalid("the tensor file '\(NameRules.printable(file))' is not a path inside the run directory")
            }
            if seen.insert(file).inserted { files.append(file) }
        }
        return files
    }

    /// Reads `file` in both runs and measures it.
    static func entry(_ file: String, _ runA: String, _ runB: String, tolerance: Double,
                      limits: Limits) throws(ConvGraphError) -> Entry {
        let a = try TensorFileLoader.loadFile(file, relativeTo: runA, limits: limits, as: Double.self).get()
        let b = try TensorFileLoader.loadFile(file, relativeTo: runB, limits: limits, as: Double.self).get()
        var entry = Entry(file: file, shapeA: a.tensor.shape, shapeB: b.tensor.shape, dtypeA: a.storedDType,
                          dtypeB: b.storedDType, maxAbs: nil, maxRel: nil, beyondTolerance: 0)
        guard a.tensor.shape == b.tensor.shape else { return entry }
        var maxAbs = 0.0, maxRel = 0.0, beyond = 0
        for (x, y) in zip(a.tensor.scalars, b.tensor.scalars) {
            let d = ElementDifference(x, y)
            maxAbs = max(maxAbs, d.abs)
            maxRel = max(maxRel, d.rel)
            if !(d.abs <= tolerance) { beyond += 1 }
        }
        entry.maxAbs = maxAbs
        entry.maxRel = maxRel
        entry.beyondTolerance = beyond
        return entry
    }

    /// The graph, overrides and inputs that differ between the manifests `a` and `b`.
    static func settings(_ a: ManifestFile, _ b: ManifestFile) throws(ConvGraphError) -> [Setting] {
        func text(_ v: JSONValue?) -> String? {
            guard let v else { return nil }
            if case .string(let s) = v { return s }
            return v.serialized(indent: nil)
        }
        var out: [Setting] = []
        for key in ["graph", "graph_file", "graph_sha256", "seed", "dtype", "mode"] where text(a[key]) != text(b[key]) {
            out.append(Setting(key: key, a: text(a[key]), b: text(b[key])))
        }
        // config, element by element (an explicit stack: the depth is the file's, not ours).
        var stack: [(String, JSONValue?, JSONValue?)] = [("config", a["config"], b["config"])]
        var config: [Setting] = []
        while let (path, x, y) = stack.popLast() {
            switch (x, y) {
            case (.object(let p)?, .object(let q)?):
                var keys = p.map(\.0)
                for (k, _) in q where !keys.contains(k) { keys.append(k) }
                for k in keys.reversed() {
                    stack.append((path + "." + k, p.first { $0.0 == k }?.1, q.first { $0.0 == k }?.1))
                }
            case (.array(let p)?, .array(let q)?) where p.count == q.count:
                for i in p.indices.reversed() { stack.append((path + "." + String(i), p[i], q[i])) }
            default:
                if text(x) != text(y) { config.append(Setting(key: path, a: text(x), b: text(y))) }
            }
        }
        out += config
        // overrides, by key (the last value of a key counts, as --set applies them).
        func pairs(_ m: ManifestFile) throws(ConvGraphError) -> [(String, String)] {
            try m.overrides().map { s in
                guard let eq = s.firstIndex(of: "=") else { return (s, "") }
                return (String(s[..<eq]), String(s[s.index(after: eq)...]))
            }
        }
        let oa = try pairs(a), ob = try pairs(b)
        var keys: [String] = []
        for (k, _) in oa + ob where !keys.contains(k) { keys.append(k) }
        for k in keys {
            let x = oa.last { $0.0 == k }?.1, y = ob.last { $0.0 == k }?.1
            if x != y { out.append(Setting(key: "--set " + k, a: x, b: y)) }
        }
        // inputs: node → file and sha256.
        func inputs(_ m: ManifestFile) -> [(String, String)] {
            guard case .object(let members)? = m["inputs"] else { return [] }
            return members.map { node, record in
                guard case .object(let fields) = record else { return (node, text(record) ?? "") }
                let file = text(fields.first { $0.0 == "file" }?.1) ?? "?"
                let sha = text(fields.first { $0.0 == "sha256" }?.1) ?? "?"
                return (node, "\(file) (sha256 \(sha.prefix(12)))")
            }
        }
        let ia = inputs(a), ib = inputs(b)
        var nodes: [String] = []
        for (n, _) in ia + ib where !nodes.contains(n) { nodes.append(n) }
        for n in nodes {
            let x = ia.first { $0.0 == n }?.1, y = ib.first { $0.0 == n }?.1
            if x != y { out.append(Setting(key: "inputs." + n, a: x, b: y)) }
        }
        return out
    }
}

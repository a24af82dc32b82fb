/// A data set of `train.data` or `train.eval.data` (SPEC §10 "Data"): one array per input
/// node, each holding S samples along its first axis, read once and held in the graph dtype.
///
/// ``load(_:for:limits:requireFullBatch:)`` reads every file and checks it before the first
/// step, each failure an error at the position of the file's path in the graph file:
/// - a missing or unreadable file → 66, anything else the `.npy` reader refuses → 65 (the
///   diagnostics of ``TensorFileLoader``; float and integer files are accepted, an integer
///   beyond the graph dtype's exact range is refused);
/// - each array's shape past its first axis, padded with 1s on the right to 3 dimensions,
///   equals the node's [C, H, W] (so labels [S] fill a [B, 1, 1, 1] node) → else 65;
/// - every array of the set holds the same S ≥ 1, and the nodes share one N, the batch
///   size B → else 65;
/// - with `requireFullBatch` (the training set), ⌊S/B⌋ ≥ 1 → else 65;
/// - an array a `cross_entropy` reads as its index target (one channel) holds class indices:
///   whole numbers in 0..<K, K the logits' channel count → else 65 naming the first bad
///   sample and its value.
public struct TrainingData: Sendable {
    /// One input node's array.
    public struct NodeArray: Sendable {
        /// The input node's index in the graph.
        public let node: Int
        /// The input node's name.
        public let name: String
        /// The samples, shape [S, C, H, W] (the node's shape with N = S), in the graph dtype.
        public let values: AnyTensor
        /// The path as written in the graph file.
        public let path: String
        /// The path as opened (relative paths resolved against the graph file's folder).
        public let resolvedPath: String
        /// The sha256 of the file's bytes.
        public let sha256: String
        /// The dtype stored in the file, as numpy names it (`float32`, `int64`, `uint8`, …).
        public let storedDType: String
    }

    /// The arrays, in the order the files were given.
    public let arrays: [NodeArray]
    /// S: the samples each array holds.
    public let sampleCount: Int
    /// B: the N of the nodes the set feeds.
    public let batchSize: Int

    /// ⌊S/B⌋: the steps of one training epoch (the last S mod B samples are skipped).
    public var stepsPerEpoch: Int { sampleCount / batchSize }

    /// The sha256 of each file, by node name (for the manifest and the checkpoint).
    public var sha256: [String: String] {
        Dictionary(arrays.map { ($0.name, $0.sha256) }, uniquingKeysWith: { first, _ in first })
    }

    /// Loads and checks `files` for `graph`: each names an input node (by index), the path
    /// as written (relative to the graph file's folder, as `{file:}` paths resolve) and
    /// where that path is written. The checks are listed on ``TrainingData``.
    ///
    /// - Parameters:
    ///   - files: the set's files, at least one; each node at most once.
    ///   - graph: the checked graph whose input nodes the files feed.
    ///   - limits: the `.npy` limits every file is read with.
    ///   - requireFullBatch: true for the training set (⌊S/B⌋ ≥ 1); false for an
    ///     evaluation set, whose last batch may be smaller.
    /// - Throws: `.noInput` (66) for a missing or unreadable file; `.invalidInput` (65) for
    ///   every other failure.
    /// - Precondition: every node index is one of `graph`'s.
    public static func load(_ files: [(node: Int, path: String, location: SourceLocation)], for graph: Graph,
                            limits: Limits, requireFullBatch: Bool) throws(ConvGraphError) -> TrainingData {
        switch graph.dtype {
        case .float32: try load(files, for: graph, limits: limits, requireFullBatch: requireFullBatch, as: Float.self)
        case .float64: try load(files, for: graph, limits: limits, requireFullBatch: requireFullBatch, as: Double.self)
        }
    }

    /// The batch of `samples` (indices into the set, in the order given) for every node, by
    /// node name: a tensor of the node's shape with N = `samples.count` (an evaluation set's
    /// last batch may be smaller than B).
    ///
    /// Rows are copied straight from the held arrays into the returned tensors' storage: the
    /// returned tensors are the only allocation (one per node), with no staging buffer.
    /// - Precondition: every sample is in `0..<sampleCount`.
    /// - Complexity: O(`samples.count` · C·H·W) per node.
    public func batch(_ samples: some Collection<Int>) -> [String: AnyTensor] {
        var out: [String: AnyTensor] = [:]
        out.reserveCapacity(arrays.count)
        for array in arrays {
            switch array.values {
            case .float32(let t): out[array.name] = .float32(Self.gather(t, samples, sampleCount: sampleCount))
            case .float64(let t): out[array.name] = .float64(Self.gather(t, samples, sampleCount: sampleCount))
            }
        }
        return out
    }

    /// Rows `samples` of `values` ([S, …]) as a tensor [samples.count, …].
    private static func gather<T: TensorScalar>(_ values: Tensor<T>, _ samples: some Collection<Int>, sampleCount: Int) -> Tensor<T> {
        let row = sampleCount == 0 ? 0 : values.count / sampleCount
        let n = samples.count
        var shape = values.shape
        shape[0] = n
        let scalars = [T](unsafeUninitializedCapacity: n * row) { buffer, initialized in
            values.scalars.withUnsafeBufferPointer { source in
                var offset = 0
                for s in samples {
                    precondition(s >= 0 && s < sampleCount, "sample index \(s) outside the data set of \(sampleCount)")
                    if row > 0 {
                        let from = UnsafeBufferPointer(rebasing: source[(s * row)..<(s * row + row)])
                        _ = UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + row)]).initialize(from: from)
                    }
                    offset += row
                }
            }
            initialized = n * row
        }
        return Tensor(shape: shape, scalars: scalars)
    }
}

// MARK: Loading and checking

extension TrainingData {
    private static func load<T: TensorScalar>(_ files: [(node: Int, path: String, location: SourceLocation)], for graph: Graph,
                                              limits: Limits, requireFullBatch: Bool, as _: T.Type) throws(ConvGraphError) -> TrainingData {
        guard let first = files.first else {
            throw ConvGraphError(.invalidInput, Diagnostic("the data set names no input node", file: graph.path,
                                                           notes: [.init("name each input node's .npy file, as in data: {image: x.npy, label: y.npy}")]))
        }
        let directory = GraphFileDecoder.directory(of: graph.path)
        var arrays: [NodeArray] = []
        var named: [Int: SourceLocation] = [:]
        var sampleCount = 0
        var batchSize = 0
        for (index, (node, path, location)) in files.enumerated() {
            precondition(graph.nodes.indices.contains(node), "data for a node the graph lacks")
            let declared = graph.nodes[node]
            let file = printable(path)
            if let earlier = named[node] {
                throw ConvGraphError(.invalidInput, Diagnostic("input '\(declared.name)' is given data twice", at: location,
                                                               notes: [.init("first given here", at: earlier)]))
            }
            named[node] = location
            guard declared.isFed, declared.shape.rank >= 1 else {
                throw ConvGraphError(.invalidInput, Diagnostic("'\(declared.name)' is a \(declared.op.name) node; data feeds input nodes only", at: location))
            }

            let loaded: TensorFile<T>
            switch TensorFileLoader.loadFile(path, relativeTo: directory, limits: limits, as: T.self, namedAt: location, exactIn: graph.dtype) {
            case .success(let f): loaded = f
            case .failure(let e): throw e
            }

            // The samples' shape: the file's past its first axis, padded to the node's [C, H, W].
            let stored = loaded.tensor.shape
            let sampleDims = Array(declared.shape.dims.dropFirst())
            guard stored.rank >= 1, stored.rank <= declared.shape.rank,
                  Shape(Array(stored.dims.dropFirst())).padded(toRank: sampleDims.count).dims == sampleDims else {
                throw ConvGraphError(.invalidInput, Diagnostic(
                    "'\(file)' has shape \(stored.bracketed), but input '\(declared.name)' takes samples of \(Shape(sampleDims).bracketed)",
                    at: location,
                    notes: [.init("an array holds S samples along its first axis; the rest of its shape, padded with 1s on the right, must equal the node's \(Shape(sampleDims).bracketed), as in \(Shape([stored.dims.first ?? 1] + sampleDims).bracketed)")]))
            }
            let s = stored[0]
            guard s >= 1 else {
                throw ConvGraphError(.invalidInput, Diagnostic("'\(file)' holds no samples (shape \(stored.bracketed))", at: location))
            }
            if index == 0 {
                sampleCount = s
                batchSize = declared.shape[0]
            } else {
                guard s == sampleCount else {
                    throw ConvGraphError(.invalidInput, Diagnostic(
                        "'\(file)' holds \(s) samples, but '\(printable(first.path))' holds \(sampleCount)", at: location,
                        notes: [.init("every array of one data set holds the same number of samples S along its first axis"),
                                .init("'\(printable(first.path))' is named here", at: first.location)]))
                }
                guard declared.shape[0] == batchSize else {
                    throw ConvGraphError(.invalidInput, Diagnostic(
                        "input '\(declared.name)' has N = \(declared.shape[0]), but input '\(graph.nodes[first.node].name)' has N = \(batchSize)", at: location,
                        notes: [.init("the inputs a data set feeds share one batch size B, their N")]))
                }
            }

            let values = loaded.tensor.reshaped(Shape([s] + sampleDims))
            try checkClassIndices(values, node: node, file: file, storedShape: stored, in: graph, at: location)
            arrays.append(NodeArray(node: node, name: declared.name, values: AnyTensor(values), path: path,
                                    resolvedPath: loaded.resolvedPath, sha256: loaded.sha256, storedDType: loaded.storedDType))
        }
        if requireFullBatch, sampleCount < batchSize {
            throw ConvGraphError(.invalidInput, Diagnostic(
                "the training set holds \(sampleCount) samples, fewer than the batch size \(batchSize)", at: first.location,
                notes: [.init("a step takes B = \(batchSize) samples (the N of input '\(graph.nodes[first.node].name)'); an epoch has ⌊S/B⌋ steps, which must be at least 1")]))
        }
        return TrainingData(arrays: arrays, sampleCount: sampleCount, batchSize: batchSize)
    }

    /// Every `cross_entropy` that reads `node` as an index target (one channel) gets whole
    /// numbers in 0..<K; the first value that is not is reported by its sample and index in
    /// the file's own shape.
    private static func checkClassIndices<T: TensorScalar>(_ values: Tensor<T>, node: Int, file: String, storedShape: Shape,
                                                            in graph: Graph, at location: SourceLocation) throws(ConvGraphError) {
        for reader in graph.nodes where reader.op is CrossEntropy && reader.inputs.count == 2 && reader.inputs[1] == node {
            guard graph.nodes[node].shape.rank == 4, graph.nodes[node].shape[1] == 1 else { continue }
            let classes = graph.nodes[reader.inputs[0]].shape[1]
            let limit = Double(classes)
            let perSample = values.count / max(values.shape[0], 1)
            let bad = values.scalars.withUnsafeBufferPointer { p -> Int? in
                for i in 0..<p.count {
                    let d = Double(p[i])
                    if !(d >= 0 && d < limit && d.rounded(.towardZero) == d) { return i }
                }
                return nil
            }
            guard let bad else { continue }
            let index = NPY.multiIndex(bad, dims: storedShape.dims)
            throw ConvGraphError(.invalidInput, Diagnostic(
                "'\(file)' holds \(describe(Double(values.scalars[bad]))) at index \(Shape(index).bracketed) (sample \(bad / max(perSample, 1))), which is not a class index",
                at: location,
                notes: [.init("cross_entropy '\(reader.name)' reads input '\(graph.nodes[node].name)' as class indices: whole numbers 0…\(classes - 1) (K = \(classes) classes)",
                              at: reader.location)]))
        }
    }

    /// A value as a label is written: a whole number without a fraction, else as is.
    private static func describe(_ d: Double) -> String {
        if d.isFinite, d.rounded(.towardZero) == d, d.magnitude < 0x1p53 { return String(Int64(d)) }
        return "\(d)"
    }

    private static func printable(_ path: String) -> String { NameRules.printable(path) }
}

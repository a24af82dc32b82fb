/// A checkpoint of a training (SPEC §10): `checkpoints/epoch-EEEE/` holding `params/`
/// (every `param`, batchnorm statistics included), `optimizer/<node>.<slot>.npy` (the
/// optimizer's state of each trained param) and `state.json` (a `TrainingState` with the
/// sha256 of each tensor file). Written beside its place and renamed into it, so it is
/// complete or absent; only the newest `keep` are kept.
struct Checkpoint {
    /// `checkpoints/epoch-EEEE` (relative to the run directory).
    let relativePath: String
    let directory: TrainDirectory

    /// `epoch-EEEE`: at least four digits.
    static func name(epochs: Int) -> String {
        let digits = String(epochs)
        return "epoch-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The epoch count of a checkpoint folder's name, or `nil` for any other name.
    static func epochs(ofName name: String) -> Int? {
        guard name.hasPrefix("epoch-") else { return nil }
        let digits = name.dropFirst(6)
        guard digits.count >= 4, digits.count <= 18, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }

    /// Writes the checkpoint after `state.epoch` epochs, then removes all but the newest `keep`.
    static func write<T: TensorScalar>(epochs: Int, state: TrainingState, session: Session, params: [String], trained: [String],
                                       optimizer: any Optimizer, slots: [[[T]]], keep: Int, in directory: TrainDirectory) throws(ConvGraphError) {
        var files: [(String, [UInt8])] = []
        for name in params {
            if let value = session.parameters[name] { files.append(("params/\(name).npy", value.npyBytes)) }
        }
        for (j, name) in trained.enumerated() {
            guard let shape = session.graph[name]?.shape else { continue }
            for (k, slot) in optimizer.slotNames.enumerated() {
                files.append(("optimizer/\(name).\(slot).npy", NPY.encode(Tensor(shape: shape, scalars: slots[j][k]))))
            }
        }
        var state = state
        state.files = files.map { TrainingState.Pair(key: $0.0, value: SHA256.hex($0.1)) }
        let stateBytes = Array((state.json.serialized() + "\n").utf8)
        try directory.writeFolder("checkpoints/\(name(epochs: epochs))",
                                  files: files.map { f in (f.0, { f.1 }) } + [("state.json", { stateBytes })])
        let existing = directory.list("checkpoints").compactMap { n in Checkpoint.epochs(ofName: n).map { (n, $0) } }.sorted { $0.1 > $1.1 }
        for (old, _) in existing.dropFirst(keep) { directory.remove("checkpoints/\(old)") }
    }

    /// The newest complete checkpoint in `directory`, or `nil` when there is none.
    static func newest(in directory: TrainDirectory) throws(ConvGraphError) -> Checkpoint? {
        let names = directory.list("checkpoints").compactMap { n in epochs(ofName: n).map { (n, $0) } }
        guard let newest = names.max(by: { $0.1 < $1.1 }) else { return nil }
        return Checkpoint(relativePath: "checkpoints/\(newest.0)", directory: directory)
    }

    private func fail(_ message: String, notes: [Diagnostic.Note] = []) -> ConvGraphError {
        ConvGraphError(.invalidInput, Diagnostic(message, file: "\(directory.path)/\(relativePath)", notes: notes))
    }

    /// Loads the checkpoint into `session`'s params and `slots` after checking it was made
    /// by the same training (`expecting`'s graph, overrides and data) and that each file
    /// has the sha256 its `state.json` records.
    /// - Returns: the checkpoint's state (step, log window) to continue from.
    /// - Throws: `.invalidInput` (65) for any mismatch; no older checkpoint is tried.
    func restore<T: TensorScalar>(into session: Session, slots: inout [[[T]]], optimizer: any Optimizer, trained: [String],
                                  expecting identity: TrainingState) throws(ConvGraphError) -> TrainingState {
        let limits = Limits.default
        guard let bytes = try directory.read("\(relativePath)/state.json", maxBytes: 1 << 24) else {
            throw fail("the checkpoint has no state.json")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw fail("state.json is not valid JSON: \(error)")
        }
        guard let state = TrainingState(json: json) else { throw fail("state.json is not the state of a checkpoint of this version") }
        let note = Diagnostic.Note("start it again without --resume, or train into another --out")
        guard state.graphSHA256 == identity.graphSHA256 else {
            throw fail("the checkpoint was made by another graph file (sha256 \(state.graphSHA256.prefix(12))…, now \(identity.graphSHA256.prefix(12))…)", notes: [note])
        }
        guard state.overrides == identity.overrides else {
            throw fail("the checkpoint was made with the overrides [\(state.overrides.joined(separator: ", "))], not [\(identity.overrides.joined(separator: ", "))]", notes: [note])
        }
        guard state.data == identity.data, state.evalData == identity.evalData else {
            throw fail("the checkpoint was made with other data files (their sha256 differ)", notes: [note])
        }
        var restored = Set<String>()
        for file in state.files {
            guard let data = try directory.read("\(relativePath)/\(file.key)", maxBytes: limits.maxTensorElements * 8 + limits.maxNPYHeaderBytes + 16) else {
                throw fail("the checkpoint lacks '\(file.key)', which its state.json lists")
            }
            guard SHA256.hex(data) == file.value else { throw fail("'\(file.key)' does not have the sha256 its state.json records") }
            let tensor: Tensor<T>
            do {
                tensor = try NPY.decode(data, as: T.self, maxHeaderLength: limits.maxNPYHeaderBytes, maxElements: limits.maxTensorElements)
            } catch {
                throw fail("'\(file.key)': \(error.description)")
            }
            if file.key.hasPrefix("params/"), file.key.hasSuffix(".npy") {
                let name = String(file.key.dropFirst(7).dropLast(4))
                try session.parameters.set(name, AnyTensor(tensor))
                restored.insert(file.key)
            } else if file.key.hasPrefix("optimizer/"), file.key.hasSuffix(".npy") {
                let stem = file.key.dropFirst(10).dropLast(4)
                guard let dot = stem.lastIndex(of: "."), let j = trained.firstIndex(of: String(stem[..<dot])),
                      let k = optimizer.slotNames.firstIndex(of: String(stem[stem.index(after: dot)...])),
                      tensor.count == slots[j][k].count else {
                    throw fail("'\(file.key)' is not a state slot of this optimizer for a trained param")
                }
                slots[j][k] = tensor.scalars
                restored.insert(file.key)
            }
        }
        for (name, slotName) in trained.flatMap({ n in optimizer.slotNames.map { (n, $0) } }) where !restored.contains("optimizer/\(name).\(slotName).npy") {
            throw fail("the checkpoint lacks the optimizer state 'optimizer/\(name).\(slotName).npy'")
        }
        for name in trained where !restored.contains("params/\(name).npy") {
            throw fail("the checkpoint lacks the param 'params/\(name).npy'")
        }
        return state
    }
}

/// `metrics.jsonl` on resume: cut back to the lines of the steps a checkpoint covers.
enum MetricsLog {
    /// Keeps the lines whose step is at most `step` (a half-written last line is dropped)
    /// and returns their records.
    static func truncate(in directory: TrainDirectory, toStep step: Int) throws(ConvGraphError) -> [MetricsRecord] {
        guard let bytes = try directory.read("metrics.jsonl", maxBytes: 1 << 30) else { return [] }
        var kept: [String] = []
        var records: [MetricsRecord] = []
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true) {
            guard let record = try? MetricsRecord(jsonLine: String(line)), record.step <= step else { continue }
            kept.append(String(line))
            records.append(record)
        }
        try directory.write(Array(kept.map { $0 + "\n" }.joined().utf8), to: "metrics.jsonl")
        return records
    }
}

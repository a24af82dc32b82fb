#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One training of a `Trainer` in the graph's scalar type: the loop of SPEC §10, its
/// metrics, evaluations and checkpoints. Kept small on purpose (Caffe's `Solver::Step`):
/// data order, optimizer, evaluation and checkpoint files are each their own file.
struct TrainingLoop<T: TensorScalar> {
    let trainer: Trainer
    let graph: Graph
    let train: Graph.Train
    let loss: String
    let optimizer: any Optimizer
    /// Names of the trained params, in declaration order.
    let trained: [String]
    /// Names of every `param` (trained, batchnorm statistics, frozen), in declaration order.
    let params: [String]

    init(_ trainer: Trainer) {
        self.trainer = trainer
        let graph = trainer.graph
        self.graph = graph
        train = trainer.train
        loss = graph.backward.map { graph.nodes[$0.from].name } ?? ""
        optimizer = trainer.train.section.optimizer.optimizer
        trained = trainer.train.trained.map { graph.nodes[$0].name }
        params = graph.nodes.filter { $0.op.name == "param" }.map(\.name)
    }

    func run(out: String?, resume: Bool) throws(ConvGraphError) -> Trainer.Outcome {
        var outcome = Trainer.Outcome(directory: out, steps: 0, epochs: 0, alreadyFinished: false,
                                      trainMilliseconds: 0, evalMilliseconds: 0)
        if let out, resume, try TrainDirectory.inspect(out) == .finished {
            outcome.alreadyFinished = true
            return outcome
        }
        let directory = try out.map { out throws(ConvGraphError) in try TrainDirectory(target: out, inPlace: resume) }

        let from = graph.backward.map(\.from) ?? 0
        let session = try Session(graph: graph, mode: .train, forwardOnly: false, keepAll: false, parallelism: trainer.parallelism,
                                  fed: [:], computeIn: graph.dtype,
                                  selection: RunPlan.Selection(values: [from], grads: train.trained), keepsBuffers: true)
        let evaluation = try trainer.evalData.map { data throws(ConvGraphError) in
            try Evaluation(graph: graph, data: data, dataNodes: train.data.map(\.node), batchSize: train.batchSize,
                           limits: trainer.limits, parallelism: trainer.parallelism, sharingBuffersWith: session)
        }
        var slots: [[[T]]] = trained.map { name in
            let count = graph[name]?.shape.count ?? 0
            return optimizer.slotNames.map { _ in [T](repeating: 0, count: count) }
        }

        // Where to start: step 0, or the newest checkpoint of the training being resumed.
        var state = freshState()
        var records: [MetricsRecord] = []
        if let directory, resume {
            if let checkpoint = try Checkpoint.newest(in: directory) {
                state = try checkpoint.restore(into: session, slots: &slots, optimizer: optimizer, trained: trained,
                                               expecting: identity)
                records = try MetricsLog.truncate(in: directory, toStep: state.step)
            } else {
                directory.remove("metrics.jsonl")
                directory.remove("checkpoints")
            }
        }

        let order = EpochOrder(seed: train.seed, sampleCount: trainer.trainData.sampleCount, shuffle: train.section.shuffle)
        let spe = trainer.stepsPerEpoch, b = train.batchSize
        var totalSteps = trainer.totalSteps
        var cursor = order.cursor(atEpoch: state.step / spe)
        var epochOrder: [Int] = []
        var epochOfOrder = -1
        var lastTrainLoss: Double? = records.last(where: { if case .train = $0 { true } else { false } }).flatMap {
            if case .train(_, _, _, let l, _) = $0 { l } else { nil }
        }
        var lastEval: (loss: Double, accuracy: Double?)? = records.last(where: { if case .eval = $0 { true } else { false } }).flatMap {
            if case .eval(_, _, let l, let a) = $0 { (l, a) } else { nil }
        }
        var trainMs = 0.0, evalMs = 0.0
        let started = monotonicMilliseconds()
        var windowStart = started
        let firstStep = state.step
        var t = state.step
        while t < totalSteps {
            let stepStart = monotonicMilliseconds()
            let epoch = t / spe
            if epoch != epochOfOrder {
                epochOrder = cursor.next()
                epochOfOrder = epoch
            }
            let within = t % spe
            let feeds = trainer.trainData.batch(epochOrder[(within * b)..<((within + 1) * b)])
            let result = try session.step(feeds: feeds)
            let batchLoss = result.value(loss).map { Double($0.as(T.self).scalars.first ?? .nan) } ?? .nan
            let lr = train.section.schedule.learningRate(base: optimizer.learningRate, step: t, totalSteps: trainer.totalSteps, stepsPerEpoch: spe)
            for (j, name) in trained.enumerated() {
                guard let gradient = result.grad(name)?.as(T.self).scalars, var param = session.parameters[name]?.as(T.self) else { continue }
                optimizer.update(param: &param.scalars, gradient: gradient, slots: &slots[j], step: t + 1, lr: lr)
                try session.parameters.set(name, AnyTensor(param))
            }
            for (name, tensor) in result.stateUpdates { try session.parameters.set(name, tensor) }
            trainMs += monotonicMilliseconds() - stepStart

            t += 1
            state.step = t
            state.windowLossSum += batchLoss
            state.windowSteps += 1
            state.epochLossSum += batchLoss
            state.epochSteps += 1
            let elapsed = monotonicMilliseconds() - started
            let report = Trainer.Step(step: t, totalSteps: totalSteps, epoch: epoch + 1, totalEpochs: trainer.totalEpochs, loss: batchLoss,
                                      lr: lr, samplesPerSecond: Double((t - firstStep) * b) / max(elapsed, 1e-3) * 1000,
                                      secondsLeft: elapsed / Double(t - firstStep) * Double(totalSteps - t) / 1000)
            if trainer.onStep?(report) == .stop { totalSteps = t }

            if t % train.section.logEvery == 0 || t == totalSteps {
                let now = monotonicMilliseconds()
                let record = MetricsRecord.train(step: t, epoch: epoch + 1, lr: lr, loss: state.windowLossSum / Double(state.windowSteps),
                                                 samplesPerSecond: Double(state.windowSteps * b) / max(now - windowStart, 1e-3) * 1000)
                windowStart = now
                lastTrainLoss = state.windowLossSum / Double(state.windowSteps)
                state.windowLossSum = 0
                state.windowSteps = 0
                try log(record, to: directory, &records)
            }
            let epochEnds = t % spe == 0 || t == totalSteps
            guard epochEnds else { continue }
            let epochsDone = (t + spe - 1) / spe
            state.epoch = epochsDone
            let epochLoss = state.epochLossSum / Double(max(state.epochSteps, 1))
            state.epochLossSum = 0
            state.epochSteps = 0
            if let evaluation, epochsDone % train.section.evalEvery == 0 || t == totalSteps {
                let evalStart = monotonicMilliseconds()
                let (evalLoss, accuracy) = try evaluation.run(with: session.parameters, parallelism: trainer.parallelism)
                evalMs += monotonicMilliseconds() - evalStart
                lastEval = (evalLoss, accuracy)
                let record = MetricsRecord.eval(step: t, epoch: epoch + 1, loss: evalLoss, accuracy: accuracy)
                try log(record, to: directory, &records)
                trainer.onEvaluation?(record, epochLoss)
            }
            if let directory, epochsDone % train.section.checkpointEvery == 0 || t == totalSteps {
                try Checkpoint.write(epochs: epochsDone, state: state, session: session, params: params, trained: trained,
                                     optimizer: optimizer, slots: slots, keep: train.section.checkpointKeep, in: directory)
            }
        }

        outcome.steps = t
        outcome.epochs = (t + spe - 1) / spe
        outcome.trainLoss = lastTrainLoss
        outcome.evalLoss = lastEval?.loss
        outcome.evalAccuracy = lastEval?.accuracy
        outcome.trainMilliseconds = trainMs
        outcome.evalMilliseconds = evalMs
        outcome.parameters = params.compactMap { name in session.parameters[name].map { (name, $0) } }
        outcome.baselineResidentBytes = trainer.baselineResidentBytes
        outcome.peakResidentBytes = ResidentMemory.peak
        if let directory {
            try finish(directory, outcome: outcome, records: records, session: session)
        }
        return outcome
    }

    /// The identity a checkpoint must match to be resumed.
    var identity: TrainingState { freshState() }

    func freshState() -> TrainingState {
        func shas(_ data: TrainingData?, _ files: [Graph.Train.DataFile]?) -> [TrainingState.Pair] {
            guard let data, let files else { return [] }
            return files.map { f in
                let name = graph.nodes[f.node].name
                return TrainingState.Pair(key: name, value: data.sha256[name] ?? "")
            }
        }
        return TrainingState(step: 0, epoch: 0, graphSHA256: trainer.graphSHA256, overrides: trainer.overrides,
                             data: shas(trainer.trainData, train.data), evalData: shas(trainer.evalData, train.evalData),
                             windowLossSum: 0, windowSteps: 0, epochLossSum: 0, epochSteps: 0, files: [])
    }

    private func log(_ record: MetricsRecord, to directory: TrainDirectory?, _ records: inout [MetricsRecord]) throws(ConvGraphError) {
        records.append(record)
        trainer.onRecord?(record)
        try directory?.appendMetrics(record.jsonLine)
    }

    /// The final files: `params/`, `params.safetensors`, `curves.svg`, then the manifest.
    private func finish(_ directory: TrainDirectory, outcome: Trainer.Outcome, records: [MetricsRecord], session: Session) throws(ConvGraphError) {
        let tensors = outcome.parameters
        try directory.writeFolder("params", files: tensors.map { p in ("\(p.name).npy", { p.tensor.npyBytes }) })
        let safetensors: [UInt8]
        do {
            safetensors = try Safetensors.encode(tensors.map { ($0.name, $0.tensor) })
        } catch {
            throw ConvGraphError(.cannotCreate, Diagnostic("cannot encode params.safetensors: \(error.description)", file: directory.path))
        }
        try directory.write(safetensors, to: "params.safetensors")
        try directory.write(Array(TrainingCurves.svg(records, title: graph.name, totalSteps: outcome.steps).utf8), to: "curves.svg")

        func record(_ list: [Graph.Train.DataFile], _ data: TrainingData) -> [(node: String, record: RunManifest.FileRecord)] {
            list.map { f in
                let name = graph.nodes[f.node].name
                return (name, RunManifest.FileRecord(file: data.arrays.first { $0.name == name }?.resolvedPath ?? f.path, sha256: data.sha256[name] ?? ""))
            }
        }
        var manifest = RunManifest(
            graph: graph.name, graphFile: graph.path, graphSHA256: trainer.graphSHA256, config: graph.file.tree.json,
            overrides: trainer.overrides, inputs: record(train.data, trainer.trainData),
            files: RunRequest.fileInitRecords(graph), seed: graph.seed, dtype: graph.dtype, mode: .train, params: nil,
            forwardOnly: false,
            tensors: tensors.map { p in
                RunManifest.TensorRecord(name: p.name, kind: "param", file: "params/\(p.name).npy", shape: p.tensor.shape,
                                         dtype: p.tensor.dtype, sha256: SHA256.hex(p.tensor.npyBytes))
            },
            peakTensorBytes: graph.plannedPeakBytes(forwardOnly: false), forwardMilliseconds: 0, backwardMilliseconds: 0)
        manifest.includes = graph.file.includedFiles.map { .init(file: $0, sha256: graph.file.includedFileSHA256[$0] ?? "") }
        let evalFiles: JSONValue = trainer.evalData.map { data in
            .object(record(train.evalData ?? [], data).map { ($0.node, .object([("file", .string($0.record.file)), ("sha256", .string($0.record.sha256))])) })
        } ?? .null
        func number(_ x: Double?) -> JSONValue { x.map { $0.isFinite ? JSONValue.double($0) : .null } ?? .null }
        manifest.training = (summary: .object([
            ("steps", .int(outcome.steps)),
            ("epochs", .int(outcome.epochs)),
            ("train_loss", number(outcome.trainLoss)),
            ("eval_loss", number(outcome.evalLoss)),
            ("eval_accuracy", number(outcome.evalAccuracy)),
            ("eval_data", evalFiles),
            ("data_bytes", .int(trainer.trainData.byteCount + (trainer.evalData?.byteCount ?? 0))),
            ("baseline_rss_bytes", .int(outcome.baselineResidentBytes)),
            ("peak_rss_bytes", .int(ResidentMemory.peak)),
        ]), trainMilliseconds: outcome.trainMilliseconds, evalMilliseconds: outcome.evalMilliseconds)
        try directory.write(manifest.bytes, to: "manifest.json")
        try directory.finish()
    }
}

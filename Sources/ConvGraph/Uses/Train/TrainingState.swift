/// Everything a resumed training needs besides the tensors of its checkpoint: a
/// checkpoint's `state.json` (SPEC §10), in the spirit of PyTorch's `state_dict`: one
/// explicit record, checked whole before anything trains.
///
/// No timing is kept, so two runs' checkpoints are the same bytes. The data order needs no state of its own: epoch e's order is the e-th permutation of
/// a generator seeded afresh, replayed on resume.
struct TrainingState: Equatable {
    /// Steps completed.
    var step: Int
    /// Epochs completed (a part-done last epoch counts as one).
    var epoch: Int
    /// The identity of the training: graph file, overrides, data files.
    var graphSHA256: String
    var overrides: [String]
    /// Node → sha256 of its training data file, in the order of `train.data`.
    var data: [Pair]
    /// The same for `eval.data` (empty without `eval`).
    var evalData: [Pair]
    /// The batch losses since the last `train` line of `metrics.jsonl`: their sum and count.
    var windowLossSum: Double
    var windowSteps: Int
    /// The batch losses of the epoch under way (for the line printed after evaluation).
    var epochLossSum: Double
    var epochSteps: Int
    /// Each tensor file of the checkpoint (relative to it) → its sha256.
    var files: [Pair]

    struct Pair: Equatable {
        var key: String
        var value: String
    }

    static let version = 1

    var json: JSONValue {
        func pairs(_ list: [Pair]) -> JSONValue { .object(list.map { ($0.key, .string($0.value)) }) }
        return .object([
            ("version", .int(Self.version)),
            ("step", .int(step)),
            ("epoch", .int(epoch)),
            ("graph_sha256", .string(graphSHA256)),
            ("overrides", .array(overrides.map { .string($0) })),
            ("data", pairs(data)),
            ("eval_data", pairs(evalData)),
            ("window_loss_sum", .double(windowLossSum)),
            ("window_steps", .int(windowSteps)),
            ("epoch_loss_sum", .double(epochLossSum)),
            ("epoch_steps", .int(epochSteps)),
            ("files", pairs(files)),
        ])
    }

    /// Reads a `state.json`; `nil` when it is not one this version wrote.
    init?(json: JSONValue) {
        func pairs(_ v: JSONValue?) -> [Pair]? {
            guard case .object(let items)? = v else { return nil }
            var out: [Pair] = []
            for (k, value) in items {
                guard case .string(let s) = value else { return nil }
                out.append(Pair(key: k, value: s))
            }
            return out
        }
        func int(_ v: JSONValue?) -> Int? {
            if case .int(let i)? = v { return i }
            return nil
        }
        func double(_ v: JSONValue?) -> Double? {
            switch v {
            case .int(let i)?: Double(i)
            case .double(let d)?: d
            default: nil
            }
        }
        guard case .object(let items) = json else { return nil }
        let fields = Dictionary(items, uniquingKeysWith: { a, _ in a })
        guard int(fields["version"]) == Self.version,
              let step = int(fields["step"]), step >= 0, let epoch = int(fields["epoch"]), epoch >= 0,
              case .string(let sha)? = fields["graph_sha256"],
              case .array(let overrideItems)? = fields["overrides"],
              let data = pairs(fields["data"]), let evalData = pairs(fields["eval_data"]),
              let windowLossSum = double(fields["window_loss_sum"]), let windowSteps = int(fields["window_steps"]), windowSteps >= 0,
              let epochLossSum = double(fields["epoch_loss_sum"]), let epochSteps = int(fields["epoch_steps"]), epochSteps >= 0,
              let files = pairs(fields["files"]) else { return nil }
        var overrides: [String] = []
        for item in overrideItems {
            guard case .string(let s) = item else { return nil }
            overrides.append(s)
        }
        self.init(step: step, epoch: epoch, graphSHA256: sha, overrides: overrides, data: data, evalData: evalData,
                  windowLossSum: windowLossSum, windowSteps: windowSteps, epochLossSum: epochLossSum, epochSteps: epochSteps, files: files)
    }

    init(step: Int, epoch: Int, graphSHA256: String, overrides: [String], data: [Pair], evalData: [Pair],
         windowLossSum: Double, windowSteps: Int, epochLossSum: Double, epochSteps: Int, files: [Pair]) {
        self.step = step
        self.epoch = epoch
        self.graphSHA256 = graphSHA256
        self.overrides = overrides
        self.data = data
        self.evalData = evalData
        self.windowLossSum = windowLossSum
        self.windowSteps = windowSteps
        self.epochLossSum = epochLossSum
        self.epochSteps = epochSteps
        self.files = files
    }
}

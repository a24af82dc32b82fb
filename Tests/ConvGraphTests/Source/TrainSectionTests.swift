import Testing
@testable import ConvGraph

/// Shared pieces of the `train` tests: a small classifier graph to hang a `train` section
/// on, and the position of a piece of text in a YAML file, found by searching the text
/// itself (so every expected LINE:COL comes from the file as written, not from the decoder).
enum TrainFixture {
    /// image [4, 1, 3, 3] → conv with w [3, 1, 3, 3] → logits [4, 3, 1, 1] → cross_entropy
    /// against label [4, 1, 1, 1]; `bias` has no path to the loss.
    static let header = """
        graph: tiny
        seed: 5
        nodes:
          image:  {op: input, shape: [4, 1, 3, 3]}
          label:  {op: input, shape: [4, 1, 1, 1]}
          w:      {op: param, shape: [3, 1, 3, 3], init: randn}
          logits: {op: conv}
          loss:   {op: cross_entropy}
        edges:
          - image -> logits -> loss
          - w -> logits.weight
          - label -> loss.target
        backward:
          from: loss

        """

    static let minimal = """
        train:
          data: {image: x.npy, label: y.npy}
          epochs: 2
          optimizer: {sgd: {lr: 0.1}}
        """

    /// The 1-based line and column where the `occurrence`-th (from 1) `needle` starts,
    /// plus `offset` characters.
    static func position(of needle: String, in text: String, occurrence: Int = 1, offset: Int = 0, from start: Int = 0) -> ConvGraph.SourceLocation {
        let chars = Array(text)
        let n = Array(needle)
        var seen = 0
        var i = start
        while i + n.count <= chars.count {
            if Array(chars[i..<(i + n.count)]) == n {
                seen += 1
                if seen == occurrence {
                    let before = chars[..<(i + offset)]
                    let line = before.filter { $0 == "\n" }.count + 1
                    let column = (before.lastIndex(of: "\n").map { i + offset - $0 } ?? (i + offset + 1))
                    return GT.at(line, column)
                }
            }
            i += 1
        }
        Issue.record("'\(needle)' not found")
        return GT.at(0, 0)
    }
}

/// The `train` section decoded strictly (SPEC §10, issue 13): exact values and defaults,
/// every key's wrong type and wrong range at its LINE:COL (exit 65), unknown keys with a
/// did-you-mean note, several errors reported together, and `--set` reaching every key.
@Suite struct TrainSectionTests {
    typealias F = TrainFixture

    func graph(_ train: String, overrides: [String] = []) throws(ConvGraphError) -> Graph {
        try GT.graph(F.header + train, overrides: overrides)
    }

    /// Expects `train` to fail with exit 65 and a diagnostic containing `fragment` at the
    /// position of `needle` (+ `offset`), searched for in `train`.
    func expectError(_ train: String, _ fragment: String, at needle: String, occurrence: Int = 1, offset: Int = 0,
                     note: String? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let text = F.header + train
        let e = GT.error(text)
        #expect(e?.kind == .invalidInput, "\(train)", sourceLocation: sourceLocation)
        #expect(e?.exitCode == 65, sourceLocation: sourceLocation)
        guard let d = GT.diagnostic(e, containing: fragment) else {
            Issue.record("no diagnostic containing '\(fragment)' in \(e?.diagnostics.map(\.message) ?? [])", sourceLocation: sourceLocation)
            return
        }
        #expect(d.location == F.position(of: needle, in: text, occurrence: occurrence, offset: offset, from: F.header.count),
                "\(d)", sourceLocation: sourceLocation)
        if let note {
            #expect(GT.notes(d).contains(note), "\(GT.notes(d))", sourceLocation: sourceLocation)
        }
    }

    /// `minimal` with the line starting with `key` replaced by `line`, or with `line` added.
    func with(_ line: String, replacing key: String? = nil) -> String {
        var lines = F.minimal.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let key, let i = lines.firstIndex(where: { $0.hasPrefix("  \(key):") }) {
            lines[i] = "  " + line
        } else {
            lines.append("  " + line)
        }
        return lines.joined(separator: "\n")
    }

    // MARK: values

    @Test func fullSectionDecodesToTheWrittenValues() throws {
        let train = """
            train:
              data: {image: data/x.npy, label: data/y.npy}
              steps: 500
              shuffle: false
              seed: 7
              optimizer: {sgd: {lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 5e-4}}
              schedule: {cosine: {warmup: 100, min_lr: 0.001}}
              eval: {data: {image: data/tx.npy, label: data/ty.npy}, every: 2}
              checkpoint: {every: 3, keep: 4}
              log: {every: 25}
            """
        let g = try graph(train)
        let text = F.header + train
        let t = try #require(g.train)
        let s = t.section
        #expect(s.length == .steps(500))
        #expect(s.shuffle == false)
        #expect(s.seed == 7)
        #expect(t.seed == 7)
        #expect(s.optimizer == .sgd(lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4))
        #expect(s.schedule == .cosine(warmup: 100, minLR: 0.001))
        #expect(s.evalEvery == 2)
        #expect(s.checkpointEvery == 3)
        #expect(s.checkpointKeep == 4)
        #expect(s.logEvery == 25)
        #expect(t.data.map { g.nodes[$0.node].name } == ["image", "label"])
        #expect(t.data.map(\.path) == ["data/x.npy", "data/y.npy"])
        #expect(t.evalData?.map { g.nodes[$0.node].name } == ["image", "label"])
        #expect(t.evalData?.map(\.path) == ["data/tx.npy", "data/ty.npy"])
        #expect(t.batchSize == 4)
        #expect(t.trained == [g.index(of: "w")!])
        #expect(g.backward?.wrt == t.trained)
        // Positions, as written: `train:` is line 15 (after the 14 lines of the header).
        #expect(s.location == GT.at(15, 1))
        #expect(s.location == F.position(of: "train:", in: text))
        #expect(s.lengthLocation == F.position(of: "500", in: text))
        #expect(t.data[1].location == F.position(of: "data/y.npy", in: text))
        #expect(s.data[1].node.location == F.position(of: "label: data/y", in: text))
        #expect(s.warmupLocation == F.position(of: "100", in: text))
        #expect(s.evalDataLocation == F.position(of: "{image: data/tx", in: text))
    }

    @Test func defaults() throws {
        let g = try graph(F.minimal)
        let t = try #require(g.train)
        let s = t.section
        #expect(s.length == .epochs(2))
        #expect(s.shuffle == true)
        #expect(s.seed == nil)
        #expect(t.seed == 5)  // the graph's seed
        #expect(s.schedule == .constant)
        #expect(s.evalData == nil && t.evalData == nil)
        #expect(s.evalEvery == 1)
        #expect(s.checkpointEvery == 1)
        #expect(s.checkpointKeep == 2)
        #expect(s.logEvery == 10)
        #expect(s.optimizer == .sgd(lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0))

        let adam = try graph(with("optimizer: {adam: {}}", replacing: "optimizer"))
        #expect(adam.train?.section.optimizer == .adam(lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false))
        let bare = try graph(with("optimizer: {adam: }", replacing: "optimizer"))
        #expect(bare.train?.section.optimizer == .adam(lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false))
        let adamw = try graph(with("optimizer: {adamw: {lr: 0.01}}", replacing: "optimizer"))
        #expect(adamw.train?.section.optimizer == .adam(lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true))
        let custom = try graph(with("optimizer: {adam: {lr: 3e-4, betas: [0.5, 0.99], eps: 1e-6, weight_decay: 0.1}}", replacing: "optimizer"))
        #expect(custom.train?.section.optimizer == .adam(lr: 3e-4, beta1: 0.5, beta2: 0.99, eps: 1e-6, weightDecay: 0.1, decoupled: false))

        #expect(try graph(with("schedule: constant")).train?.section.schedule == .constant)
        #expect(try graph(with("schedule: {constant: }")).train?.section.schedule == .constant)
        #expect(try graph(with("schedule: {multistep: {milestones: [3, 6]}}")).train?.section.schedule == .multistep(milestones: [3, 6], gamma: 0.1))
        #expect(try graph(with("schedule: {multistep: {milestones: [3], gamma: 0.5}}")).train?.section.schedule == .multistep(milestones: [3], gamma: 0.5))
        #expect(try graph(with("schedule: {cosine: {}}")).train?.section.schedule == .cosine(warmup: 0, minLR: 0))
        #expect(try graph(with("checkpoint: {keep: 5}")).train?.section.checkpointEvery == 1)
        #expect(try graph(with("checkpoint: {keep: 5}")).train?.section.checkpointKeep == 5)
        let eval = try graph(with("eval: {data: {label: ty.npy, image: tx.npy}}"))
        #expect(eval.train?.section.evalEvery == 1)
        #expect(eval.train?.evalData?.map { eval.nodes[$0.node].name } == ["label", "image"])
        // A seed of 2^32 − 1 is the largest.
        #expect(try graph(with("seed: 4294967295")).train?.seed == 4294967295)
    }

    @Test func graphsWithoutTrainAreUnchanged() throws {
        let g = try GT.graph(F.header)
        #expect(g.train == nil)
        #expect(g.file.train == nil)
        // Without `train`, `wrt` defaults to every input and param.
        #expect(g.backward?.wrt.map { g.nodes[$0].name } == ["image", "label", "w"])
    }

    // MARK: type and range of every key

    @Test func sectionAndData() {
        expectError("train: [1, 2]", "'train' takes a mapping", at: "[1, 2]")
        expectError(with("data: [x.npy]", replacing: "data"), "'data' takes a mapping", at: "[x.npy]")
        expectError(with("data: {}", replacing: "data"), "not an empty mapping", at: "{}")
        expectError(with("data: {image: x.npy, label: 3}", replacing: "data"), "'data.label' takes a string", at: "3}")
        expectError(with("data: {image: '', label: y.npy}", replacing: "data"), "not an empty string", at: "''")
        expectError(with("steps: 3", replacing: "data"), "'train' needs 'data'", at: "train:")
    }

    @Test func epochsAndSteps() {
        expectError(with("epochs: two", replacing: "epochs"), "'epochs' takes an integer", at: "two")
        expectError(with("epochs: 0", replacing: "epochs"), "'epochs' must be at least 1, not 0", at: "0", occurrence: 1, offset: 0)
        expectError(with("steps: 1.5", replacing: "epochs"), "'steps' takes an integer", at: "1.5")
        expectError(with("steps: -3", replacing: "epochs"), "'steps' must be at least 1, not -3", at: "-3")
        expectError(with("steps: 100"), "'train' takes 'epochs' or 'steps', not both", at: "steps:", note: "'epochs' is written here")
        expectError(with("seed: 1", replacing: "epochs"), "'train' needs 'epochs' or 'steps'", at: "train:")
    }

    @Test func shuffleAndSeed() {
        expectError(with("shuffle: yes"), "'shuffle' takes true or false, not the string 'yes'", at: "yes")
        expectError(with("shuffle: 1"), "'shuffle' takes true or false, not the integer 1", at: "shuffle: 1", offset: 9)
        expectError(with("seed: abc"), "'seed' takes an integer", at: "abc")
        expectError(with("seed: 4294967296"), "'seed' must be below 2^32", at: "4294967296")
        expectError(with("seed: -1"), "'seed' must be at least 0, not -1", at: "-1")
    }

    @Test func optimizer() {
        let opt = "optimizer"
        expectError(with("optimizer: sgd", replacing: opt), "'optimizer' takes a mapping", at: "sgd", note: "write it as a mapping")
        expectError(with("optimizer: {sgdd: {lr: 0.1}}", replacing: opt), "unknown optimizer 'sgdd'", at: "sgdd", note: "did you mean 'sgd'?")
        expectError(with("optimizer: {adamv: {}}", replacing: opt), "unknown optimizer 'adamv'", at: "adamv", note: "did you mean 'adam")
        expectError(with("optimizer: {sgd: {lr: 0.1}, adam: {}}", replacing: opt), "exactly one of sgd, adam, adamw", at: "adam")
        expectError(with("optimizer: {}", replacing: opt), "not an empty mapping", at: "{}")
        expectError(with("shuffle: true", replacing: opt), "'train' needs 'optimizer'", at: "train:")
        // sgd
        expectError(with("optimizer: {sgd: 0.1}", replacing: opt), "'sgd' takes a mapping", at: "0.1}")
        expectError(with("optimizer: {sgd: {momentum: 0.9}}", replacing: opt), "'sgd' needs 'lr'", at: "sgd")
        expectError(with("optimizer: {sgd: {lr: fast}}", replacing: opt), "'lr' takes a number", at: "fast")
        expectError(with("optimizer: {sgd: {lr: 0}}", replacing: opt), "'lr' must be greater than 0, not 0", at: "0}")
        expectError(with("optimizer: {sgd: {lr: -0.5}}", replacing: opt), "'lr' must be greater than 0, not -0.5", at: "-0.5")
        expectError(with("optimizer: {sgd: {lr: .inf}}", replacing: opt), "'lr' must be finite", at: ".inf")
        expectError(with("optimizer: {sgd: {lr: 0.1, momentum: [0.9]}}", replacing: opt), "'momentum' takes a number", at: "[0.9]")
        expectError(with("optimizer: {sgd: {lr: 0.1, momentum: 1}}", replacing: opt), "'momentum' must be in [0, 1), not 1", at: "1}")
        expectError(with("optimizer: {sgd: {lr: 0.1, momentum: -0.1}}", replacing: opt), "'momentum' must be in [0, 1)", at: "-0.1")
        expectError(with("optimizer: {sgd: {lr: 0.1, momentum: 0.9, nesterov: 1}}", replacing: opt), "'nesterov' takes true or false", at: "1}")
        expectError(with("optimizer: {sgd: {lr: 0.1, nesterov: true}}", replacing: opt), "'nesterov: true' needs 'momentum' greater than 0",
                    at: "true", note: "'momentum' defaults to 0")
        expectError(with("optimizer: {sgd: {lr: 0.1, momentum: 0, nesterov: true}}", replacing: opt), "'nesterov: true' needs 'momentum'",
                    at: "true", note: "'momentum' is 0 here")
        expectError(with("optimizer: {sgd: {lr: 0.1, weight_decay: none}}", replacing: opt), "'weight_decay' takes a number", at: "none")
        expectError(with("optimizer: {sgd: {lr: 0.1, weight_decay: -1e-4}}", replacing: opt), "'weight_decay' must be at least 0", at: "-1e-4")
        expectError(with("optimizer: {sgd: {learning_rate: 0.1, lr: 1}}", replacing: opt), "unknown key 'learning_rate' in 'sgd'", at: "learning_rate")
        // adam, adamw
        expectError(with("optimizer: {adam: [0.1]}", replacing: opt), "'adam' takes a mapping", at: "[0.1]")
        expectError(with("optimizer: {adam: {lr: 0}}", replacing: opt), "'lr' must be greater than 0", at: "0}")
        expectError(with("optimizer: {adam: {betas: 0.9}}", replacing: opt), "'betas' takes a list of two numbers", at: "0.9}")
        expectError(with("optimizer: {adam: {betas: [0.9]}}", replacing: opt), "not a list of 1", at: "[0.9]")
        expectError(with("optimizer: {adam: {betas: [0.9, 1.0]}}", replacing: opt), "'betas' must be in [0, 1), not 1", at: "1.0")
        expectError(with("optimizer: {adam: {betas: [x, 0.9]}}", replacing: opt), "'betas' takes a number", at: "x,")
        expectError(with("optimizer: {adam: {eps: 0}}", replacing: opt), "'eps' must be greater than 0", at: "0}")
        expectError(with("optimizer: {adam: {eps: tiny}}", replacing: opt), "'eps' takes a number", at: "tiny")
        expectError(with("optimizer: {adamw: {weight_decay: -0.01}}", replacing: opt), "'weight_decay' must be at least 0", at: "-0.01")
        expectError(with("optimizer: {adamw: {momentum: 0.9}}", replacing: opt), "unknown key 'momentum' in 'adamw'", at: "momentum")
    }

    @Test func schedule() {
        expectError(with("schedule: 3"), "'schedule' takes 'constant' or a mapping", at: "schedule: 3", offset: 10)
        expectError(with("schedule: cosin"), "unknown schedule 'cosin'", at: "cosin", note: "did you mean 'cosine'?")
        expectError(with("schedule: {step: {}}"), "unknown schedule 'step'", at: "step")
        expectError(with("schedule: {constant: {}, cosine: {}}"), "exactly one of constant, multistep, cosine", at: "cosine")
        expectError(with("schedule: {constant: 1}"), "'constant' takes no settings", at: "constant: 1", offset: 10)
        expectError(with("schedule: {multistep: {gamma: 0.5}}"), "'multistep' needs 'milestones'", at: "multistep")
        expectError(with("schedule: {multistep: {milestones: 30}}"), "'milestones' takes a list", at: "30")
        expectError(with("schedule: {multistep: {milestones: [0, 3]}}"), "'milestones' must be at least 1, not 0", at: "0,")
        expectError(with("schedule: {multistep: {milestones: [a]}}"), "'milestones' takes an integer", at: "a]")
        expectError(with("schedule: {multistep: {milestones: [30, 30]}}"), "strictly increasing, but 30 follows 30", at: "30]")
        expectError(with("schedule: {multistep: {milestones: [30, 60, 45]}}"), "strictly increasing, but 45 follows 60", at: "45")
        expectError(with("schedule: {multistep: {milestones: [3], gamma: 0}}"), "'gamma' must be greater than 0", at: "0}")
        expectError(with("schedule: {multistep: {milestones: [3], gamma: big}}"), "'gamma' takes a number", at: "big")
        expectError(with("schedule: {cosine: {warmup: -1}}"), "'warmup' must be at least 0", at: "-1")
        expectError(with("schedule: {cosine: {warmup: 1.5}}"), "'warmup' takes an integer", at: "1.5")
        expectError(with("schedule: {cosine: {min_lr: -0.1}}"), "'min_lr' must be at least 0", at: "-0.1")
        expectError(with("schedule: {cosine: {min_lr: []}}"), "'min_lr' takes a number", at: "[]")
        expectError(with("schedule: {cosine: {warmpu: 3}}"), "unknown key 'warmpu' in 'cosine'", at: "warmpu", note: "did you mean 'warmup'?")
        // W ≥ T with `steps: T`.
        let warm = with("steps: 10", replacing: "epochs") + "\n  schedule: {cosine: {warmup: 10}}"
        expectError(warm, "'warmup' (10 steps) must be less than the 10 training steps", at: "10}")
        #expect(GT.error(F.header + with("steps: 11", replacing: "epochs") + "\n  schedule: {cosine: {warmup: 10}}") == nil)
        // With `epochs`, T is known only once the data is read.
        #expect(GT.error(F.header + F.minimal + "\n  schedule: {cosine: {warmup: 10000}}") == nil)
    }

    @Test func evalCheckpointAndLog() {
        expectError(with("eval: 3"), "'eval' takes a mapping", at: "eval: 3", offset: 6)
        expectError(with("eval: {every: 2}"), "'eval' needs 'data'", at: "{every")
        expectError(with("eval: {data: {image: a.npy, label: b.npy}, every: 0}"), "'every' must be at least 1, not 0", at: "0}")
        expectError(with("eval: {data: {image: a.npy, label: b.npy}, every: often}"), "'every' takes an integer", at: "often")
        expectError(with("eval: {data: [a.npy]}"), "'eval.data' takes a mapping", at: "[a.npy]")
        expectError(with("eval: {dat: {image: a.npy}}"), "unknown key 'dat' in 'train.eval'", at: "dat:", note: "did you mean 'data'?")
        expectError(with("checkpoint: 5"), "'checkpoint' takes a mapping", at: "checkpoint: 5", offset: 12)
        expectError(with("checkpoint: {every: 0}"), "'every' must be at least 1, not 0", at: "0}")
        expectError(with("checkpoint: {keep: 0}"), "'keep' must be at least 1, not 0", at: "0}")
        expectError(with("checkpoint: {keep: two}"), "'keep' takes an integer", at: "two")
        expectError(with("checkpoint: {kep: 3}"), "unknown key 'kep' in 'checkpoint'", at: "kep", note: "did you mean 'keep'?")
        expectError(with("log: [10]"), "'log' takes a mapping", at: "[10]")
        expectError(with("log: {every: 0}"), "'every' must be at least 1, not 0", at: "0}")
        expectError(with("log: {every: 1.5}"), "'every' takes an integer", at: "1.5")
        expectError(with("log: {evry: 5}"), "unknown key 'evry' in 'log'", at: "evry", note: "did you mean 'every'?")
        expectError(with("epoch: 3"), "unknown key 'epoch' in 'train'", at: "epoch:", note: "did you mean 'epochs'?")
    }

    @Test func severalErrorsAreReportedTogether() {
        let train = """
            train:
              data: {image: x.npy, label: y.npy}
              epochs: 0
              shuffle: maybe
              optimizer: {sgd: {lr: -1, nesterov: true}}
              schedule: {multistep: {milestones: [5, 2]}}
              checkpoint: {keep: 0}
              lgo: {every: 1}
            """
        let text = F.header + train
        let e = GT.error(text)
        #expect(e?.kind == .invalidInput)
        let expected: [(String, String)] = [
            ("'epochs' must be at least 1", "0\n"), ("'shuffle' takes true or false", "maybe"),
            ("'lr' must be greater than 0", "-1"), ("'nesterov: true' needs 'momentum'", "true"),
            ("strictly increasing, but 2 follows 5", "2]"), ("'keep' must be at least 1", "0}"),
            ("unknown key 'lgo' in 'train'", "lgo"),
        ]
        #expect(e?.diagnostics.count == expected.count, "\(e?.diagnostics.map(\.message) ?? [])")
        for (fragment, needle) in expected {
            #expect(GT.diagnostic(e, containing: fragment)?.location == F.position(of: needle, in: text), "\(fragment)")
        }
        // In file order.
        let lines = e?.diagnostics.compactMap { $0.location?.line } ?? []
        #expect(lines == lines.sorted())
    }

    @Test func trainNeedsBackward() {
        let text = """
            nodes:
              x: {op: input, shape: [1, 1, 2, 2], init: zeros}
              loss: {op: l2}
            edges: [x -> loss]
            train:
              data: {x: x.npy}
              epochs: 1
              optimizer: {sgd: {lr: 1}}
            """
        let e = GT.error(text)
        #expect(e?.exitCode == 65)
        #expect(GT.diagnostic(e, containing: "'train' needs a 'backward' section")?.location == GT.at(5, 1))
    }

    // MARK: --set

    @Test func setReachesTrainKeys() throws {
        let g = try graph(F.minimal, overrides: ["train.optimizer.sgd.lr=0.05", "train.epochs=3", "train.checkpoint.keep=1",
                                                 "train.optimizer.sgd.momentum=0.9", "train.log.every=4", "train.shuffle=false",
                                                 "train.seed=11", "train.data.image=other.npy"])
        let s = try #require(g.train?.section)
        #expect(s.optimizer == .sgd(lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0))
        #expect(s.length == .epochs(3))
        #expect(s.checkpointKeep == 1)
        #expect(s.checkpointEvery == 1)
        #expect(s.logEvery == 4)
        #expect(s.shuffle == false)
        #expect(g.train?.seed == 11)
        #expect(s.data.map(\.path) == ["other.npy", "y.npy"])
        // The effective tree (for the manifest) holds the added keys.
        #expect(g.file.tree["train"]?["checkpoint"]?["keep"]?.resolved == .int(1))

        let adam = try graph(F.minimal, overrides: ["train.optimizer={adam: {lr: 0.01}}", "train.optimizer.adam.eps=1e-6"])
        #expect(adam.train?.section.optimizer == .adam(lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-6, weightDecay: 0, decoupled: false))
        let cosine = try graph(F.minimal, overrides: ["train.schedule.cosine.warmup=5", "train.schedule.cosine.min_lr=0.01"])
        #expect(cosine.train?.section.schedule == .cosine(warmup: 5, minLR: 0.01))
        let eval = try graph(F.minimal, overrides: ["train.eval.data={image: a.npy, label: b.npy}", "train.eval.every=2"])
        #expect(eval.train?.evalData?.map(\.path) == ["a.npy", "b.npy"])
        #expect(eval.train?.section.evalEvery == 2)
        // An empty subsection may gain keys.
        let bare = try graph(with("optimizer: {adamw: }", replacing: "optimizer"), overrides: ["train.optimizer.adamw.weight_decay=0.5"])
        #expect(bare.train?.section.optimizer == .adam(lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.5, decoupled: true))
        let steps = try graph(F.minimal.replacingAll("  epochs: 2\n", ""), overrides: ["train.steps=40"])
        #expect(steps.train?.section.length == .steps(40))
        // A whole section added to a graph without one.
        let added = try GT.graph(F.header, overrides: ["train={data: {image: x.npy, label: y.npy}, steps: 2, optimizer: {sgd: {lr: 1}}}"])
        #expect(added.train?.section.length == .steps(2))
    }

    @Test func setWithAnUnknownTrainPathIsAUsageError() {
        let cases: [(String, String)] = [
            ("train.epoch=3", "did you mean 'epochs'?"),
            ("train.optimizer.sgd.lrr=1", "did you mean 'lr'?"),
            ("train.optimizer.sdg.lr=1", "did you mean 'sgd'?"),
            ("train.checkpoint.kep=1", "did you mean 'keep'?"),
            ("train.schedule.cosine.warmpu=1", "did you mean 'warmup'?"),
            ("train.data.lable=y.npy", "did you mean 'label'?"),
        ]
        for (set, note) in cases {
            let e = GT.error(F.header + F.minimal, overrides: [set])
            #expect(e?.kind == .usage, "\(set)")
            #expect(e?.exitCode == 64, "\(set)")
            let notes = GT.notes(e?.diagnostics.first)
            #expect(notes.contains(note), "\(set): \(notes)")
        }
        // Without a `train` section, its keys are unknown paths.
        #expect(GT.error(F.header, overrides: ["train.epochs=3"])?.kind == .usage)
    }

    @Test func setValueThatMakesTrainInvalid() {
        let both = GT.error(F.header + F.minimal, overrides: ["train.steps=10"])
        #expect(both?.exitCode == 65)
        #expect(GT.diagnostic(both, containing: "not both") != nil)
        let lr = GT.error(F.header + F.minimal, overrides: ["train.optimizer.sgd.lr=0"])
        #expect(lr?.exitCode == 65)
        #expect(lr?.diagnostics.first?.location?.file == "--set train.optimizer.sgd.lr")
    }
}

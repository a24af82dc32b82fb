import Testing
@testable import ConvGraph

/// The checks a `train` section adds to the graph (SPEC §10): `backward.wrt` (default and
/// listed), batchnorm statistics, `data` and `eval.data` against the nodes, one batch size.
/// Every error is exit 65 at the position of what is at fault.
@Suite struct TrainGraphTests {
    typealias F = TrainFixture

    /// x → conv1 (w1) → norm (gamma, mean, var) → loss; `stray` has no path to the loss.
    static let bnHeader = """
        seed: 3
        nodes:
          x:     {op: input, shape: [2, 3, 4, 4]}
          w1:    {op: param, shape: [4, 3, 3, 3], init: randn}
          gamma: {op: param, shape: [4], init: ones}
          mean:  {op: param, shape: [4], init: zeros}
          var:   {op: param, shape: [4], init: ones}
          stray: {op: param, shape: [1, 1, 1, 1], init: zeros}
          conv1: {op: conv, padding: 1}
          norm:  {op: batchnorm}
          loss:  {op: l2}
        edges:
          - x -> conv1 -> norm -> loss
          - w1 -> conv1.weight
          - gamma -> norm.scale
          - mean -> norm.mean
          - var -> norm.var

        """

    static func bnGraph(wrt: String? = nil, train: String = "train: {data: {x: x.npy}, epochs: 1, optimizer: {sgd: {lr: 0.1}}}") -> String {
        bnHeader + "backward: {from: loss\(wrt.map { ", wrt: \($0)" } ?? "")}\n" + train + "\n"
    }

    func expectError(_ text: String, _ fragment: String, at needle: String, occurrence: Int = 1,
                     sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let e = GT.error(text)
        #expect(e?.exitCode == 65, sourceLocation: sourceLocation)
        guard let d = GT.diagnostic(e, containing: fragment) else {
            Issue.record("no diagnostic containing '\(fragment)' in \(e?.diagnostics.map(\.message) ?? [])", sourceLocation: sourceLocation)
            return
        }
        #expect(d.location == F.position(of: needle, in: text, occurrence: occurrence), "\(d)", sourceLocation: sourceLocation)
    }

    // MARK: wrt

    @Test func defaultWrtIsEveryTrainableParamThatReachesTheLoss() throws {
        let g = try GT.graph(Self.bnGraph())
        let names = g.train?.trained.map { g.nodes[$0].name }
        // Not x (an input), mean and var (batchnorm state), stray (no path to the loss).
        #expect(names == ["w1", "gamma"])
        #expect(g.backward?.wrt == g.train?.trained)
        #expect(g.train?.batchSize == 2)
        #expect(g.train?.seed == 3)
        // The same graph without `train`: every leaf.
        let plain = try GT.graph(Self.bnHeader + "backward: {from: loss}\n")
        #expect(plain.backward?.wrt.map { plain.nodes[$0].name } == ["x", "w1", "gamma", "mean", "var", "stray"])
        #expect(plain.train == nil)
    }

    @Test func listedWrtIsKeptInDeclarationOrder() throws {
        let g = try GT.graph(Self.bnGraph(wrt: "[gamma, w1]"))
        #expect(g.train?.trained.map { g.nodes[$0].name } == ["w1", "gamma"])
        let one = try GT.graph(Self.bnGraph(wrt: "[gamma]"))
        #expect(one.backward?.wrt.map { one.nodes[$0].name } == ["gamma"])
    }

    @Test func wrtNamingAnInputStateOrUnreachableParam() {
        let input = Self.bnGraph(wrt: "[w1, x]")
        expectError(input, "'backward.wrt' names 'x', an input", at: "x]")
        let state = Self.bnGraph(wrt: "[mean, w1]")
        expectError(state, "'backward.wrt' names 'mean', the running 'mean' of batchnorm 'norm'", at: "mean, w1")
        let variance = Self.bnGraph(wrt: "[var]")
        expectError(variance, "the running 'var' of batchnorm 'norm'", at: "var]")
        let stray = Self.bnGraph(wrt: "[w1, stray]")
        expectError(stray, "'backward.wrt' names 'stray', which has no path to the loss 'loss'", at: "stray]")
        // All three at once: each reported.
        let all = GT.error(Self.bnGraph(wrt: "[x, mean, stray]"))
        #expect(all?.diagnostics.count == 3)
    }

    @Test func lossMustBeScalar() {
        let text = """
            nodes:
              x: {op: input, shape: [2, 1, 2, 2]}
              w: {op: param, shape: [1, 1, 1, 1], init: ones}
              y: {op: conv}
            edges: [x -> y, w -> y.weight]
            backward: {from: y}
            train: {data: {x: x.npy}, steps: 3, optimizer: {sgd: {lr: 1}}}
            """
        expectError(text, "'train' needs a scalar loss, but 'backward.from' names 'y' with shape [2, 1, 2, 2]", at: "y}")
    }

    // MARK: batchnorm state

    @Test func batchnormStatisticsMustBeParamsOfTheirOwn() {
        // `mean` fed by an input.
        let input = Self.bnHeader.replacingAll("mean:  {op: param, shape: [4], init: zeros}", "mean:  {op: input, shape: [1, 4, 1, 1], init: zeros}")
            + "backward: {from: loss}\ntrain: {data: {x: x.npy}, epochs: 1, optimizer: {sgd: {lr: 0.1}}}\n"
        expectError(input, "batchnorm 'norm' takes its running 'mean' from 'mean', a input node; with 'train' it must be a param", at: "mean:")
        // `var` also feeding another node.
        let shared = Self.bnHeader.replacingAll("  loss:  {op: l2}\n", "  loss:  {op: l2}\n  side:  {op: relu}\n")
            .replacingAll("  - var -> norm.var\n", "  - var -> norm.var\n  - var -> side\n")
            + "backward: {from: loss}\ntrain: {data: {x: x.npy}, epochs: 1, optimizer: {sgd: {lr: 0.1}}}\n"
        expectError(shared, "param 'var' is the running 'var' of batchnorm 'norm' and must feed only it, but it also feeds 'side'", at: "var:")
        // Without `train` both graphs are fine.
        #expect(GT.error(Self.bnHeader.replacingAll("mean:  {op: param, shape: [4], init: zeros}", "mean:  {op: input, shape: [1, 4, 1, 1], init: zeros}")) == nil)
    }

    @Test func evalNeedsBatchnormStatistics() {
        let text = Self.bnHeader.replacingAll("  - mean -> norm.mean\n  - var -> norm.var\n", "")
            + "backward: {from: loss}\ntrain:\n  data: {x: x.npy}\n  epochs: 1\n  optimizer: {sgd: {lr: 0.1}}\n  eval: {data: {x: t.npy}}\n"
        expectError(text, "'train.eval' runs in inference mode, which needs batchnorm 'norm' to have its 'mean' and 'var' ports wired", at: "{x: t.npy}")
        // Training alone does not need them.
        #expect(GT.error(Self.bnHeader.replacingAll("  - mean -> norm.mean\n  - var -> norm.var\n", "")
                         + "backward: {from: loss}\ntrain: {data: {x: x.npy}, epochs: 1, optimizer: {sgd: {lr: 0.1}}}\n") == nil)
    }

    // MARK: data

    func tiny(_ train: String) -> String { F.header + train }

    @Test func dataNamesInputNodes() {
        let param = tiny("train:\n  data: {image: x.npy, label: y.npy, w: w.npy}\n  epochs: 1\n  optimizer: {sgd: {lr: 1}}")
        expectError(param, "'train.data' names 'w', a param node; only input nodes take data", at: "w: w.npy")
        let unknown = tiny("train:\n  data: {image: x.npy, lable: y.npy}\n  epochs: 1\n  optimizer: {sgd: {lr: 1}}")
        expectError(unknown, "unknown node 'lable' in 'train.data'", at: "lable")
        #expect(GT.notes(GT.diagnostic(GT.error(unknown), containing: "unknown node 'lable'")).contains("did you mean 'label'?"))
        // The misspelling also leaves `label` (no init) without data.
        expectError(unknown, "input 'label' has no 'init' and is not named in 'train.data'", at: "{image: x.npy, lable")
    }

    @Test func everyInputWithoutInitNeedsData() throws {
        let missing = tiny("train:\n  data: {image: x.npy}\n  epochs: 1\n  optimizer: {sgd: {lr: 1}}")
        expectError(missing, "input 'label' has no 'init' and is not named in 'train.data'", at: "{image: x.npy}")
        // An input with `init` may be left out.
        let withInit = F.header.replacingAll("label:  {op: input, shape: [4, 1, 1, 1]}", "label:  {op: input, shape: [4, 1, 1, 1], init: zeros}")
            + "train:\n  data: {image: x.npy}\n  epochs: 1\n  optimizer: {sgd: {lr: 1}}"
        let g = try GT.graph(withInit)
        #expect(g.train?.data.map { g.nodes[$0.node].name } == ["image"])
    }

    @Test func dataNodesShareOneBatchSize() {
        let text = F.header.replacingAll("label:  {op: input, shape: [4, 1, 1, 1]}", "label:  {op: input, shape: [4, 1, 1, 1]}\n  extra:  {op: input, shape: [5, 1, 1, 1]}")
            + "train:\n  data: {image: x.npy, label: y.npy, extra: e.npy}\n  epochs: 1\n  optimizer: {sgd: {lr: 1}}"
        expectError(text, "'train.data' feeds 'extra' with batch size N = 5, but 'image' with N = 4", at: "e.npy")
    }

    @Test func evalDataNamesTheSameNodes() {
        let base = "train:\n  data: {image: x.npy, label: y.npy}\n  epochs: 1\n  optimizer: {sgd: {lr: 1}}\n"
        let fewer = tiny(base + "  eval: {data: {image: tx.npy}}")
        expectError(fewer, "'train.eval.data' lacks 'label', which 'train.data' feeds", at: "{image: tx.npy}")
        let other = F.header.replacingAll("label:  {op: input, shape: [4, 1, 1, 1]}", "label:  {op: input, shape: [4, 1, 1, 1]}\n  extra:  {op: input, shape: [4, 1, 1, 1], init: zeros}")
            + base + "  eval: {data: {image: tx.npy, label: ty.npy, extra: te.npy}}"
        expectError(other, "'train.eval.data' names 'extra', which 'train.data' does not", at: "extra: te")
        let unknown = tiny(base + "  eval: {data: {image: tx.npy, labl: ty.npy}}")
        expectError(unknown, "unknown node 'labl' in 'train.eval.data'", at: "labl")
    }

    @Test func graphAndTrainErrorsAreReportedTogether() {
        let text = F.header.replacingAll("logits: {op: conv}", "logits: {op: conv, strid: 1}")
            + "train:\n  data: {image: x.npy, w: y.npy}\n  epochs: 0\n  optimizer: {sgd: {lr: 1}}"
        let e = GT.error(text)
        #expect(e?.exitCode == 65)
        #expect(GT.diagnostic(e, containing: "unknown attribute 'strid'")?.location == F.position(of: "strid", in: text))
        #expect(GT.diagnostic(e, containing: "'epochs' must be at least 1")?.location == F.position(of: "0\n", in: text))
    }

    // MARK: other commands

    @Test func checkReportWorksOnATrainGraph() throws {
        let g = try GT.graph(Self.bnGraph())
        let report = g.checkReport
        // w1 4·3·3·3 = 108, gamma 4, stray 1 trained; mean and var 4 + 4 state.
        #expect(report.contains("params: 113 trained, 8 state"))
        #expect(report.contains("backward from 'loss' with respect to 'w1', 'gamma'"))
    }
}

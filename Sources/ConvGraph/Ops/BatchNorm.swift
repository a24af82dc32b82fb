/// `batchnorm`: normalizes each channel c of x [N, C, H, W]:
/// y = scale_c·(x − μ_c)/√(σ²_c + eps) + bias_c, with scale 1 and bias 0 when unwired.
///
/// In training mode (the default) μ and σ² are the batch statistics over N, H, W (σ²
/// biased, M = N·H·W ≥ 2), and backward differentiates through them:
/// dx = scale/√(σ²+eps)·(dy − mean(dy) − x̂·mean(dy·x̂)); `mean` and `var` get zero. In
/// inference mode (`eval`) μ and σ² are the `mean` and `var` inputs, which must be wired,
/// and every port gets its true derivative. After a training step the running statistics
/// follow PyTorch (`stateUpdates`). Per-channel inputs take any shape with C elements.
/// Kernels: BatchNorm+Fast.swift.
public struct BatchNorm: Op {
    public static let name = "batchnorm"
    public static let ports = [Port.input, Port("scale", optional: true), Port("bias", optional: true),
                               Port("mean", optional: true), Port("var", optional: true)]
    public static let attributeNames = ["eps", "momentum"]

    /// Port numbers in `ports`.
    enum Slot: Int, CaseIterable { case input = 0, scale, bias, mean, variance }

    public var eps: Double
    public var momentum: Double
    /// The flattened input index of each port (`nil` when unwired), set by `connect`.
    var inputIndex: [Int?] = [0, nil, nil, nil, nil]

    public init(eps: Double = 1e-5, momentum: Double = 0.1) {
        self.eps = eps
        self.momentum = momentum
    }

    public static func decode(_ a: inout AttributeReader) -> BatchNorm? {
        let eps = a.double("eps", default: 1e-5), momentum = a.double("momentum", default: 0.1)
        var ok = eps != nil && momentum != nil
        if let eps, !(eps > 0) {
            a.error("'eps' must be > 0, not \(eps)", key: "eps")
            ok = false
        }
        if let momentum, !(0...1).contains(momentum) {
            a.error("'momentum' must be in [0, 1], not \(momentum)", key: "momentum")
            ok = false
        }
        guard ok, let eps, let momentum else { return nil }
        return BatchNorm(eps: eps, momentum: momentum)
    }

    public mutating func connect(inputPorts: [Int]) {
        inputIndex = Array(repeating: nil, count: Self.ports.count)
        for (k, port) in inputPorts.enumerated() where port < inputIndex.count { inputIndex[port] = k }
    }

    func index(_ slot: Slot) -> Int? { inputIndex[slot.rawValue] }
    var hasRunningStatistics: Bool { index(.mean) != nil && index(.variance) != nil }

    /// The running `mean` and `var` are state (SPEC §3.1), updated after each train step.
    public func holdsState(input k: Int) -> Bool { k == index(.mean) || k == index(.variance) }

    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference {
        let x = inputs[0]
        guard x.rank == 4 else { throw ShapeError("batchnorm needs a 4-D input [N, C, H, W], not \(x.bracketed)", inputs: [0]) }
        let m = x[0] * x[2] * x[3]
        guard m >= 2 else {
            throw ShapeError("batchnorm needs M = N·H·W ≥ 2 values per channel for its batch statistics, but M = \(x[0])·\(x[2])·\(x[3]) = \(m)",
                             inputs: [0])
        }
        for slot in Slot.allCases.dropFirst() {
            guard let k = index(slot), k < inputs.count else { continue }
            guard inputs[k].count == x[1] else {
                throw ShapeError("batchnorm \(Self.ports[slot.rawValue].name) \(inputs[k].bracketed) must have C = \(x[1]) elements (the input's channels), not \(inputs[k].count)",
                                 inputs: [0, k])
            }
        }
        return ShapeInference(x)
    }

    /// Training mode: the mean (an add), the variance (subtract, multiply, add) and the
    /// normalization (subtract, multiply, add) per element.
    public func flops(inputs: [Shape], output: Shape) -> Int { output.count.multipliedReportingOverflow(by: 7).partialValue }

    public func unsupportedReason(in mode: Mode) -> String? {
        guard mode == .eval, !hasRunningStatistics else { return nil }
        let missing = [index(.mean) == nil ? "'mean'" : nil, index(.variance) == nil ? "'var'" : nil].compactMap { $0 }
        return "batchnorm in inference mode needs its 'mean' and 'var' ports wired, and \(missing.joined(separator: " and ")) \(missing.count == 1 ? "is" : "are") not"
    }

    public func backwardReadsInput(_ index: Int) -> Bool { true }

    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> { forward(inputs, parallelism: .serial) }
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], parallelism: Parallelism) -> ForwardResult<T> {
        var context = ForwardContext<T>(parallelism: parallelism)
        return run(inputs, &context)
    }
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], context: inout ForwardContext<T>) throws(OpFailure) -> ForwardResult<T> {
        run(inputs, &context)
    }

    /// New running `mean` and `var` (by input index) after a training step, from the batch
    /// statistics forward saved: mean ← (1 − momentum)·mean + momentum·μ,
    /// var ← (1 − momentum)·var + momentum·σ²·M/(M − 1) (PyTorch's unbiased σ²; the factors
    /// 1 − momentum, momentum and M/(M − 1) are formed in float64, then rounded to the dtype).
    /// Nothing when the ports are unwired or forward ran in inference mode.
    public func stateUpdates<T: TensorScalar>(inputs: [Tensor<T>], result: ForwardResult<T>) -> [Int: Tensor<T>] {
        guard let km = index(.mean), let kv = index(.variance), result.savedTensors.count == 2 else { return [:] }
        let x = inputs[0].shape
        let m = Double(x[0] * x[2] * x[3])
        let keep = T(1 - momentum), take = T(momentum), unbias = T(m / (m - 1))
        let mu = result.savedTensors[0].scalars, sigma2 = result.savedTensors[1].scalars
        var mean = inputs[km], variance = inputs[kv]
        for c in 0..<mu.count {
            mean.scalars[c] = keep * mean.scalars[c] + take * mu[c]
            variance.scalars[c] = keep * variance.scalars[c] + take * (sigma2[c] * unbias)
        }
        return [km: mean, kv: variance]
    }

    public static let reference = OpReference(
        summary: "Batch normalization per channel: batch statistics in training mode, the `mean` and `var` inputs in inference mode (`--eval`).",
        ports: [.init("input", "x, [N, C, H, W] with M = N·H·W ≥ 2"),
                .init("scale", "optional, C elements (any shape); 1 when unwired"),
                .init("bias", "optional, C elements (any shape); 0 when unwired"),
                .init("mean", "optional, C elements: the running mean, used in inference mode (then required) and updated after each `train` step when it is a `param`"),
                .init("var", "optional, C elements: the running variance, as `mean`")],
        attributes: [.init("eps", type: "number > 0", default: "1e-5", "added to the variance under the square root"),
                     .init("momentum", type: "number in [0, 1]", default: "0.1", "weight of the batch statistics in the running statistics' update")],
        output: "the input's shape",
        formula: "y = scale_c·(x − μ_c)/√(σ²_c + eps) + bias_c; training: μ_c, σ²_c the mean and biased variance over N, H, W; inference: μ = mean, σ² = var. After a train step: mean ← (1 − momentum)·mean + momentum·μ, var ← (1 − momentum)·var + momentum·σ²·M/(M − 1)",
        backward: "training: dx = scale/√(σ²+eps)·(dy − mean(dy) − x̂·mean(dy·x̂)), dscale = Σ dy·x̂, dbias = Σ dy, mean and var 0; inference: every port its true derivative (dx = dy·scale/√(var+eps), dmean = −Σ dy·scale/√(var+eps), dvar = −½·Σ dy·scale·(x − mean)·(var+eps)^−3/2)")
}

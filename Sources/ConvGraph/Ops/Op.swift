/// One operation of SPEC §3, as Caffe keeps a layer: its attributes (the conforming
/// type's stored properties), its ports, its shape rule, forward and backward.
///
/// Inputs arrive flattened in port order (`conv`: input, weight, then bias if wired;
/// `add`/`concat`: the variadic edges in the order listed). `backward` returns one
/// gradient per input, `nil` where none is wanted; fan-out sums happen in the executor.
public protocol Op: Sendable {
    /// The YAML `op:` string.
    static var name: String { get }
    static var ports: [Port] { get }
    /// Every YAML attribute key the op accepts (besides `op`).
    static var attributeNames: [String] { get }
    /// The op's documentation: ports, attributes with types and defaults, output shape
    /// and formula (`convgraph ops NAME`).
    static var reference: OpReference { get }

    /// Reads and range-checks the attributes; returns `nil` after reporting errors.
    static func decode(_ attributes: inout AttributeReader) -> Self?

    /// The output shape for `inputs` (in port order), with the arithmetic behind it.
    func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference

    /// Forward FLOPs (a multiply-add counts 2), saturating at `Int.max` (the graph
    /// refuses such a node).
    func flops(inputs: [Shape], output: Shape) -> Int
    /// Elements the node holds as trained parameters (a `param`'s size; 0 otherwise).
    func parameterCount(output: Shape) -> Int

    func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T>
    /// `forward` on up to `parallelism.threads` threads; ops with fast kernels implement it
    /// (the default runs `forward`). Results must not depend on the thread count.
    func forward<T: TensorScalar>(_ inputs: [Tensor<T>], parallelism: Parallelism) -> ForwardResult<T>
    /// `forward` as a session runs it: in a mode, with last step's buffers to reuse, able
    /// to fail on the data (`OpFailure`, reported at the node). The default runs
    /// `forward(_:parallelism:)`.
    func forward<T: TensorScalar>(_ inputs: [Tensor<T>], context: inout ForwardContext<T>) throws(OpFailure) -> ForwardResult<T>
    func backward<T: TensorScalar>(_ context: BackwardContext<T>) -> [Tensor<T>?]

    /// Whether `backward` reads input `index`'s value (otherwise only its shape).
    func backwardReadsInput(_ index: Int) -> Bool
    /// Whether `backward` reads the op's own output.
    var backwardReadsOutput: Bool { get }

    /// How an init reads the fans of the leaf wired to input `index` (SPEC §4).
    func fanLayout(ofInput index: Int) -> FanLayout
    /// Feeds what makes the op's derivative jump (a relu's signs, a max pool's argmax)
    /// into `hasher`: gradcheck skips an entry whose perturbation changes it.
    func hashKinks<T: TensorScalar>(_ result: ForwardResult<T>, into hasher: inout Hasher)

    /// Told which port each flattened input came from (`inputPorts[k]` indexes
    /// `Self.ports`), once, before shape inference: an op with several optional ports
    /// (`batchnorm`) learns which are wired. The default ignores it.
    mutating func connect(inputPorts: [Int])
    /// Whether input `index` can carry a gradient at all (a `cross_entropy` index target
    /// cannot). gradcheck's default `wrt` leaves out leaves whose every path to `from`
    /// passes through such an input.
    func propagatesGradient(toInput index: Int, inputShapes: [Shape]) -> Bool
    /// Why the op cannot run in `mode` as wired (`batchnorm` in `eval` needs `mean` and
    /// `var`), or `nil`. A session refuses such a graph before any step (exit 65).
    func unsupportedReason(in mode: Mode) -> String?
    /// State the op updates after a training step, as new values of some inputs (by
    /// index), computed from the step's inputs and what forward saved (`batchnorm`'s
    /// running statistics). The default updates nothing.
    func stateUpdates<T: TensorScalar>(inputs: [Tensor<T>], result: ForwardResult<T>) -> [Int: Tensor<T>]
    /// Whether input `index` is state the op updates (`batchnorm`'s running `mean` and
    /// `var`): a param wired there counts as state, not trained (`check`, `train`).
    func holdsState(input index: Int) -> Bool
}

extension Op {
    public var name: String { Self.name }
    public func backwardReadsInput(_ index: Int) -> Bool { false }
    public var backwardReadsOutput: Bool { false }
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], parallelism: Parallelism) -> ForwardResult<T> {
        forward(inputs)
    }
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], context: inout ForwardContext<T>) throws(OpFailure) -> ForwardResult<T> {
        forward(inputs, parallelism: context.parallelism)
    }
    public func fanLayout(ofInput index: Int) -> FanLayout { .standard }
    public func hashKinks<T: TensorScalar>(_ result: ForwardResult<T>, into hasher: inout Hasher) {}
    public func parameterCount(output: Shape) -> Int { 0 }
    public mutating func connect(inputPorts: [Int]) {}
    public func propagatesGradient(toInput index: Int, inputShapes: [Shape]) -> Bool { true }
    public func unsupportedReason(in mode: Mode) -> String? { nil }
    public func stateUpdates<T: TensorScalar>(inputs: [Tensor<T>], result: ForwardResult<T>) -> [Int: Tensor<T>] { [:] }
    public func holdsState(input index: Int) -> Bool { false }
}

/// An input port of an op.
public struct Port: Sendable, Hashable {
    public var name: String
    /// Takes any number of edges, in the order listed (`add`, `concat`).
    public var isVariadic: Bool
    /// May stay unconnected (`conv.bias`).
    public var isOptional: Bool

    public init(_ name: String, variadic: Bool = false, optional: Bool = false) {
        self.name = name
        self.isVariadic = variadic
        self.isOptional = optional
    }

    public static let input = Port("input")
}

/// An output shape and, for spatial ops, the arithmetic that produced it
/// (`H = ⌊(6+0+0−3)/2⌋+1 = 2`), shown when a later node disagrees with it.
public struct ShapeInference: Sendable, Hashable {
    public var shape: Shape
    public var explanation: [String]
    public init(_ shape: Shape, explanation: [String] = []) {
        self.shape = shape
        self.explanation = explanation
    }
}

/// A shape rule's failure: the message, the attribute at fault (its value's position is
/// used when known) and notes.
public struct ShapeError: Error, Sendable, Hashable {
    public var message: String
    public var attribute: String?
    public var notes: [String]
    /// Indices of the inputs whose producers should be named in notes.
    public var inputs: [Int]
    public init(_ message: String, attribute: String? = nil, notes: [String] = [], inputs: [Int] = []) {
        self.message = message
        self.attribute = attribute
        self.notes = notes
        self.inputs = inputs
    }
}

public struct ForwardResult<T: TensorScalar>: Sendable {
    public var output: Tensor<T>
    /// Indices kept for backward, such as max pooling's argmax.
    public var saved: [Int32]?
    /// Tensors kept for backward (a softmax, batch statistics).
    public var savedTensors: [Tensor<T>]
    public init(_ output: Tensor<T>, saved: [Int32]? = nil, savedTensors: [Tensor<T>] = []) {
        self.output = output
        self.saved = saved
        self.savedTensors = savedTensors
    }
}

public struct BackwardContext<T: TensorScalar>: Sendable {
    /// Input values, present where `backwardReadsInput` said so.
    public var inputs: [Tensor<T>?]
    public var inputShapes: [Shape]
    /// The op's output, present when `backwardReadsOutput`.
    public var output: Tensor<T>?
    public var saved: [Int32]?
    /// The tensors forward kept.
    public var savedTensors: [Tensor<T>] = []
    /// Train or eval, as in forward.
    public var mode: Mode = .train
    /// dL/d(output).
    public var upstream: Tensor<T>
    /// Which inputs need a gradient.
    public var wants: [Bool]
    /// Threads the op's kernels may use; results must not depend on it.
    public var parallelism: Parallelism = .serial
    /// The node's buffers: `gradient(_:)` takes last step's gradient buffer for an input.
    public var workspace = Workspace<T>()

    /// A tensor shaped like input `k` to write its gradient into (contents unspecified:
    /// write every element).
    public func gradient(_ k: Int) -> Tensor<T> {
        workspace.tensor(.gradient(k), inputShapes[k])
    }

    public init(inputs: [Tensor<T>?], inputShapes: [Shape], output: Tensor<T>?, saved: [Int32]?, upstream: Tensor<T>, wants: [Bool]) {
        self.inputs = inputs
        self.inputShapes = inputShapes
        self.output = output
        self.saved = saved
        self.upstream = upstream
        self.wants = wants
    }

    /// Input `i`'s value; only call for inputs the op declared it reads.
    public func input(_ i: Int) -> Tensor<T> {
        guard let value = inputs[i] else { preconditionFailure("backward read an input it did not declare") }
        return value
    }
}

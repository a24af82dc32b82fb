/// The leaves of a graph: `input` (data, fed by `--input` or the library, or filled by
/// its init) and `param` (weights). They have no ports; the executor fills them.
public protocol LeafOp: Op {
    /// The declared shape, or the shape of the `file`/`values` data.
    var shape: Shape { get }
    /// `nil` only for an `input` that must be fed.
    var initSpec: InitSpec? { get }
    init(shape: Shape, initSpec: InitSpec?)
    /// Whether a leaf of this kind may omit `init`.
    static var initIsOptional: Bool { get }
    /// Whether a run may feed it (`--input`, the library): `input` nodes.
    static var isFed: Bool { get }
    /// The rank every tensor of this kind has (`input`: 4, NCHW), or `nil` for any rank.
    static var requiredRank: Int? { get }
}

/// The two leaf ops, `input` and `param`.
public enum Leaf {
    /// `input`: a tensor fed from outside, or filled by `init`.
    public struct Input: LeafOp {
        public static let name = "input"
        public static let initIsOptional = true
        public static let isFed = true
        public static let requiredRank: Int? = 4
        public var shape: Shape
        public var initSpec: InitSpec?
        public init(shape: Shape, initSpec: InitSpec?) {
            self.shape = shape
            self.initSpec = initSpec
        }
    }

    /// `param`: a weight tensor filled by `init`.
    public struct Param: LeafOp {
        public static let name = "param"
        public static let initIsOptional = false
        public static let isFed = false
        public static let requiredRank: Int? = nil
        public func parameterCount(output: Shape) -> Int { output.count }
        public var shape: Shape
        public var initSpec: InitSpec?
        public init(shape: Shape, initSpec: InitSpec?) {
            self.shape = shape
            self.initSpec = initSpec
        }
    }
}

extension LeafOp {
    public static var ports: [Port] { [] }
    public static var attributeNames: [String] { ["shape", "init"] }

    public static func decode(_ a: inout AttributeReader) -> Self? {
        let declared = a.shape("shape")
        if a.has("shape") && declared == nil { return nil }
        let spec = a.initSpec("init")
        if a.has("init") && spec == nil { return nil }
        if spec == nil && !initIsOptional {
            a.missing("init")
            return nil
        }
        var dataShape = spec?.dataShape
        // A file may leave out trailing 1s (SPEC §6): [N] fills an [N, 1, 1, 1] input.
        if case .file = spec, let rank = requiredRank, declared == nil, let data = dataShape, data.rank >= 1, data.rank < rank {
            dataShape = data.padded(toRank: rank)
        }
        // A wrong rank is reported here, at the shape as written, not at the first op
        // that reads the tensor.
        if let rank = requiredRank, let shape = declared ?? dataShape, shape.rank != rank {
            let written = declared != nil ? "'shape'" : "the data of 'init'"
            a.error("an \(name) must be \(rank)-D (N, C, H, W), but \(written) is \(shape.bracketed)",
                    key: declared != nil ? "shape" : "init",
                    notes: [.init(shape.rank == rank - 1
                                  ? "add the batch size N in front, as in \(Shape([1] + shape.dims).bracketed)"
                                  : "write the shape as [N, C, H, W]: batch size, channels, height, width")])
            return nil
        }
        switch (declared, dataShape) {
        case (let d?, let data?) where !data.fills(d):
            a.error("'shape' \(d.bracketed) does not match the data's shape \(data.bracketed)", key: "shape")
            return nil
        case (let d?, _):
            return Self(shape: d, initSpec: spec)
        case (nil, let data?):
            return Self(shape: data, initSpec: spec)
        case (nil, nil):
            a.missing("shape")
            return nil
        }
    }

    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference { ShapeInference(shape) }
    public func flops(inputs: [Shape], output: Shape) -> Int { 0 }

    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> {
        preconditionFailure("leaves are filled by the executor, not run")
    }

    public func backward<T: TensorScalar>(_ context: BackwardContext<T>) -> [Tensor<T>?] { [] }
}

extension Leaf {
    static let shapeAttribute = OpReference.Attribute(
        "shape", type: "list of ints", default: "required unless init is file or values",
        "the tensor's shape; may be omitted when `init` is `file` or `values` (the data's shape is used), and must equal the data's shape when given")
    static let initKinds = "one of `zeros`, `ones`, `{constant: C}`, `randn`, `{randn: {scale, seed}}`, `{uniform: {low, high, seed}}`, `{he_normal: {}}`, `{xavier_uniform: {}}`, `{file: PATH.npy}`, `{values: [...]}`"
}

extension Leaf.Input {
    public static let reference = OpReference(
        summary: "A data tensor: filled by its `init`, or fed by `convgraph run --input NODE=FILE.npy` or `Executor.feed`.",
        ports: [],
        attributes: [
            OpReference.Attribute("shape", type: "list of 4 ints [N, C, H, W]", default: Leaf.shapeAttribute.defaultValue, Leaf.shapeAttribute.doc + "; an input is always 4-D"),
            .init("init", type: "init spec", default: "none: must be fed",
                  "how the value is made, " + Leaf.initKinds + "; a fed input still consumes its init's random draws"),
        ],
        output: "`shape`",
        formula: "y = the fed array, else the init's value",
        backward: "a leaf: its gradient is dL/dy (saved under `grads/` when listed)")
}

extension Leaf.Param {
    public static let reference = OpReference(
        summary: "A weight tensor, filled by its `init`.",
        ports: [],
        attributes: [
            Leaf.shapeAttribute,
            .init("init", type: "init spec", default: nil, "how the value is made, " + Leaf.initKinds),
        ],
        output: "`shape`",
        formula: "y = the init's value",
        backward: "a leaf: its gradient is dL/dy (saved under `grads/` when listed)")
}

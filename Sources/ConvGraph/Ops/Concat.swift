/// `concat`: joins 4-D inputs along `axis` (0…3, or −4…−1 counted from the end); the
/// other dimensions must match. Backward slices the gradient back into the pieces.
public struct Concat: Op {
    public static let name = "concat"
    public static let ports = [Port("inputs", variadic: true)]
    public static let attributeNames = ["axis"]
    /// The axis in 0…3.
    public var axis: Int

    public init(axis: Int = 1) { self.axis = axis }

    public static func decode(_ a: inout AttributeReader) -> Concat? {
        guard let axis = a.int("axis", default: 1, minimum: -4) else { return nil }
        guard axis <= 3 else {
            a.error("'axis' must be in 0…3 or −4…−1, not \(axis)", key: "axis")
            return nil
        }
        return Concat(axis: axis < 0 ? axis + 4 : axis)
    }

    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference {
        guard !inputs.isEmpty else { throw ShapeError("concat needs at least 1 input") }
        var out = inputs[0]
        try out.requireNCHW("concat input")
        for (i, shape) in inputs.enumerated().dropFirst() {
            try shape.requireNCHW("concat input \(i + 1)", input: i)
            for d in 0..<4 where d != axis && shape[d] != out[d] {
                let names = ["N", "C", "H", "W"]
                throw ShapeError("concat inputs must match except along axis \(axis) (\(names[axis])), but input 1 is \(inputs[0].bracketed) and input \(i + 1) is \(shape.bracketed): \(names[d]) is \(inputs[0][d]) vs \(shape[d])",
                                 inputs: [0, i])
            }
            out[axis] += shape[axis]
        }
        return ShapeInference(out)
    }

    public func flops(inputs: [Shape], output: Shape) -> Int { 0 }

    /// Rows of the flattened view: everything before `axis` is the outer loop; each input
    /// contributes a contiguous block of `shape[axis...]` elements per outer index.
    private func blockSizes(_ shapes: [Shape]) -> (outer: Int, blocks: [Int]) {
        let outer = shapes[0].dims[..<axis].reduce(1, *)
        return (outer, shapes.map { $0.dims[axis...].reduce(1, *) })
    }

    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> {
        forward(inputs, parallelism: .serial)
    }

    /// Copies each input's blocks into one output buffer (memcpy pieces, several threads).
    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], parallelism: Parallelism) -> ForwardResult<T> {
        var context = ForwardContext<T>(parallelism: parallelism)
        return forward(inputs, context: &context)
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], context: inout ForwardContext<T>) -> ForwardResult<T> {
        let parallelism = context.parallelism
        let shapes = inputs.map(\.shape)
        let out = (try? outputShape(inputs: shapes))?.shape ?? shapes[0]
        let (outer, blocks) = blockSizes(shapes)
        let count = out.count, row = blocks.reduce(0, +)
        var scalars = context.workspace.take(.output, count: count)
        scalars.withUnsafeMutableBufferPointer { y in
            let yp = KernelPointer(y.baseAddress)
            var start = 0
            for (k, input) in inputs.enumerated() {
                input.scalars.withUnsafeBufferPointer { xs in
                    let x = KernelPointer(xs.baseAddress)
                    Elementwise.forEachConcatPiece(outer: outer, block: blocks[k], row: row, start: start, parallelism: parallelism) { from, to, n in
                        Elementwise.copy(T.self, to: yp, to, from: x, from, n)
                    }
                }
                start += blocks[k]
            }
        }
        return ForwardResult(Tensor(shape: out, scalars: scalars))
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        // Each wanted gradient: its blocks copied out of the upstream (memcpy pieces).
        let (outer, blocks) = blockSizes(c.inputShapes)
        let row = blocks.reduce(0, +)
        var start = 0
        return c.upstream.scalars.withUnsafeBufferPointer { dys in
            let dy = KernelPointer(dys.baseAddress)
            return c.inputShapes.enumerated().map { k, shape in
                defer { start += blocks[k] }
                guard c.wants[k] else { return nil }
                let count = shape.count
                var dx = c.workspace.take(.gradient(k), count: count)
                dx.withUnsafeMutableBufferPointer { dx in
                    let d = KernelPointer(dx.baseAddress)
                    Elementwise.forEachConcatPiece(outer: outer, block: blocks[k], row: row, start: start, parallelism: c.parallelism) { to, from, n in
                        Elementwise.copy(T.self, to: d, to, from: dy, from, n)
                    }
                }
                return Tensor(shape: shape, scalars: dx)
            }
        }
    }
}

extension Concat: Hashable {
    public static let reference = OpReference(
        summary: "Joins 4-D inputs along one axis.",
        ports: [.init("inputs", "variadic: one or more 4-D edges, in the order listed; every dimension but `axis` must match")],
        attributes: [
            .init("axis", type: "int in 0…3, or −4…−1 counted from the end", default: "1", "the axis to join along (0 = N, 1 = C, 2 = H, 3 = W)"),
        ],
        output: "the inputs' shape with the `axis` sizes summed",
        formula: "y = [x₁ x₂ … xₖ] along `axis`",
        backward: "each input receives its slice of dy")
}

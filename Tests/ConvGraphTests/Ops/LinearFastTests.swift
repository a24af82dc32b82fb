@testable import ConvGraph
import Testing

/// `linear`'s packed GEMM (`cg_gemm_*`) against its reference loop, which sums in the same
/// order (blocks of `cg_gemm_kc`, FMA chains, blocks added in order): the bytes must be
/// equal, for both dtypes, every ISA path and 1, 2 and 8 threads. Shapes hit the edges:
/// batch 1, sizes not divisible by the 8×32 (8×16) tile, several reduction blocks, several
/// row and column tasks.
@Suite(.serialized) struct LinearFastTests {
    /// (N, F, out)
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 7, 3), (3, 257, 5), (9, 600, 300), (130, 33, 17), (2, 513, 257), (200, 40, 9), (16, 1000, 70),
    ]

    static func random<T: TensorScalar>(_ shape: Shape, seed: UInt32) -> Tensor<T> {
        var rng = RandomState(seed: seed)
        return Tensor(shape: shape, scalars: rng.standardNormals(count: shape.count).map { T($0) })
    }

    struct Results<T: TensorScalar>: Equatable { var y, dx, dw: [T] }

    static func fast<T: TensorScalar>(_ x: Tensor<T>, _ w: Tensor<T>, _ b: Tensor<T>, _ dy: Tensor<T>, threads: Int) -> Results<T> {
        let p = Parallelism(threads: threads)
        let n = x.shape[0], out = w.shape[0], f = w.shape[1]
        var y = [T](repeating: 0, count: n * out), dx = [T](repeating: 0, count: n * f), dw = [T](repeating: 0, count: out * f)
        Linear.fastGEMM(m: n, n: out, k: f, a: x.scalars, strides: (f, 1), b: w.scalars, strides: (1, f), bias: b.scalars,
                        parallelism: p, into: &y)
        Linear.fastGEMM(m: n, n: f, k: out, a: dy.scalars, strides: (out, 1), b: w.scalars, strides: (f, 1), bias: nil,
                        parallelism: p, into: &dx)
        Linear.fastGEMM(m: out, n: f, k: n, a: dy.scalars, strides: (1, out), b: x.scalars, strides: (f, 1), bias: nil,
                        parallelism: p, into: &dw)
        return Results(y: y, dx: dx, dw: dw)
    }

    func check<T: TensorScalar>(_: T.Type) {
        for (index, (n, f, out)) in Self.shapes.enumerated() {
            let seed = UInt32(index * 4)
            let x: Tensor<T> = Self.random([n, f, 1, 1], seed: seed)
            let w: Tensor<T> = Self.random([out, f], seed: seed + 1)
            let b: Tensor<T> = Self.random([out], seed: seed + 2)
            let dy: Tensor<T> = Self.random([n, out, 1, 1], seed: seed + 3)
            let y = Linear.referenceForward(input: x, weight: w, bias: b)
            let g = Linear.referenceBackward(input: x, weight: w, upstream: dy)
            let reference = Results(y: y.scalars, dx: g.input.scalars, dw: g.weight.scalars)
            for path in KernelPath.available {
                KernelPath.current = path
                defer { KernelPath.current = .best }
                for threads in [1, 2, 8] {
                    let r = Self.fast(x, w, b, dy, threads: threads)
                    #expect(r.y == reference.y, "y: N \(n) F \(f) out \(out) \(path) \(threads) threads")
                    #expect(r.dx == reference.dx, "dx: N \(n) F \(f) out \(out) \(path) \(threads) threads")
                    #expect(r.dw == reference.dw, "dw: N \(n) F \(f) out \(out) \(path) \(threads) threads")
                }
            }
        }
    }

    @Test func float64SameBytesAsReference() { check(Double.self) }
    @Test func float32SameBytesAsReference() { check(Float.self) }

    /// The reference itself against a plain float64 dot product (the blocked FMA order is
    /// only a reordering): y within 1e-12 relative.
    @Test func referenceIsTheProduct() {
        let x: Tensor<Double> = Self.random([3, 2, 5, 7], seed: 9), w: Tensor<Double> = Self.random([4, 70], seed: 10)
        let b: Tensor<Double> = Self.random([4], seed: 11)
        let y = Linear.referenceForward(input: x, weight: w, bias: b)
        for n in 0..<3 {
            for o in 0..<4 {
                var s = 0.0
                for f in 0..<70 { s += x.scalars[n * 70 + f] * w.scalars[o * 70 + f] }
                #expect(abs(y.scalars[n * 4 + o] - (s + b.scalars[o])) <= 1e-12 * max(1, abs(s)))
            }
        }
    }

    /// By hand: x = [1, 2, 3], W = [[1, 0, −1], [2, 1, 0]], b = [0.5, −1] → y = [−1.5, 3].
    @Test func handChecked() throws {
        let op = try OpCheck.load("linear", [OpCheck.Literal([1, 3, 1, 1], [1, 2, 3]),
                                             OpCheck.Literal("weight", [2, 3], [1, 0, -1, 2, 1, 0]),
                                             OpCheck.Literal("bias", [2], [0.5, -1])])
        let r = OpCheck.run(op, [OpCheck.Literal([1, 3, 1, 1], [1, 2, 3]), OpCheck.Literal("weight", [2, 3], [1, 0, -1, 2, 1, 0]),
                                 OpCheck.Literal("bias", [2], [0.5, -1])], upstream: [1, 10])
        #expect(r.output.shape == [1, 2, 1, 1])
        #expect(r.output.scalars == [-1.5, 3])
        #expect(r.grads[0] == [21, 10, -1])               // dyᵀ·W
        #expect(r.grads[1] == [1, 2, 3, 10, 20, 30])      // dy ⊗ x
        #expect(r.grads[2] == [1, 10])
    }

    /// A session step on fixed shapes allocates nothing after the first (outputs and
    /// gradients come from the node's workspace).
    @Test func workspaceReuse() {
        let workspace = Workspace<Float>()
        let x: Tensor<Float> = Self.random([9, 600, 1, 1], seed: 1), w: Tensor<Float> = Self.random([300, 600], seed: 2)
        let op = Linear()
        for step in 0..<3 {
            workspace.resetCounter()
            var context = ForwardContext<Float>(parallelism: Parallelism(threads: 2), workspace: workspace)
            let result = op.forward([x, w], context: &context)
            var c = BackwardContext<Float>(inputs: [x, w], inputShapes: [x.shape, w.shape], output: nil, saved: nil,
                                           upstream: result.output, wants: [true, true])
            c.workspace = workspace
            let grads = op.backward(c)
            workspace.give(.output, result.output.scalars)
            if let g = grads[0] { workspace.give(.gradient(0), g.scalars) }
            if let g = grads[1] { workspace.give(.gradient(1), g.scalars) }
            if step > 0 { #expect(workspace.allocatedBytes == 0, "step \(step) allocated \(workspace.allocatedBytes)") }
        }
    }

    @Test func pathChoice() {
        #expect(Linear().flops(inputs: [[256, 4096, 1, 1], [1000, 4096]], output: [256, 1000, 1, 1]) == 2 * 256 * 4096 * 1000)
    }
}

@testable import ConvGraph
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The layer kernels (`Sources/CKernels/layers.c`) give the bytes of plain loops that do
/// the same operations in the same order (libm per element, eight-lane channel sums), in
/// float32 and float64, on every kernel path and on 1, 2 and 8 threads, for shapes below
/// and above the task sizes.
@Suite struct LayerKernelTests {
    static let threads = [1, 2, 8]
    /// [N, C, H, W]: tiny, odd, one task, several tasks (≥ 2 · 32768 elements).
    static let shapes: [Shape] = [[1, 2, 1, 1], [2, 3, 3, 5], [1, 5, 7, 9], [3, 4, 1, 13], [2, 8, 64, 65], [4, 3, 100, 90]]

    static func exp<T: TensorScalar>(_ x: T) -> T { T.self == Double.self ? T(Glibc.exp(Double(x))) : T(Glibc.expf(Float(x))) }
    static func log<T: TensorScalar>(_ x: T) -> T { T.self == Double.self ? T(Glibc.log(Double(x))) : T(Glibc.logf(Float(x))) }
    static func tanh<T: TensorScalar>(_ x: T) -> T { T.self == Double.self ? T(Glibc.tanh(Double(x))) : T(Glibc.tanhf(Float(x))) }

    static func values<T: TensorScalar>(_ shape: Shape, seed: UInt32, scale: Double = 2) -> Tensor<T> {
        var rng = RandomState(seed: seed)
        return Tensor(shape: shape, scalars: rng.standardNormals(count: shape.count).map { T(scale * $0) })
    }

    /// Runs `body(threads)` for every kernel path and thread count.
    static func everywhere(_ body: (Int) -> Void) {
        ElementwiseFastTests.onEveryPath { for t in threads { body(t) } }
    }

    static func run<T: TensorScalar>(_ op: any Op, _ inputs: [Tensor<T>], _ upstream: Tensor<T>, threads: Int, mode: Mode = .train)
        -> (output: Tensor<T>, grads: [Tensor<T>?]) {
        OpRunner.run(op, inputs, upstream: upstream, threads: threads, mode: mode)
    }

    func activations<T: TensorScalar>(_: T.Type) {
        for shape in Self.shapes {
            let x: Tensor<T> = Self.values(shape, seed: 1), g: Tensor<T> = Self.values(shape, seed: 2)
            let sig = x.scalars.map { v -> T in v >= 0 ? 1 / (1 + Self.exp(-v)) : Self.exp(v) / (1 + Self.exp(v)) }
            let sigGrad = zip(sig, g.scalars).map { y, g in g * (y * (1 - y)) }
            let th = x.scalars.map(Self.tanh)
            let thGrad = zip(th, g.scalars).map { y, g in g * (1 - y * y) }
            let slope = T(0.2)
            let leaky = x.scalars.map { $0 > 0 ? $0 : slope * $0 }
            let leakyGrad = zip(x.scalars, g.scalars).map { x, g in x > 0 ? g : slope * g }
            Self.everywhere { threads in
                let s = Self.run(Sigmoid(), [x], g, threads: threads)
                #expect(s.output.scalars == sig && s.grads[0]?.scalars == sigGrad, "sigmoid \(shape) on \(threads) threads")
                let t = Self.run(Tanh(), [x], g, threads: threads)
                #expect(t.output.scalars == th && t.grads[0]?.scalars == thGrad, "tanh \(shape) on \(threads) threads")
                let l = Self.run(LeakyRelu(slope: 0.2), [x], g, threads: threads)
                #expect(l.output.scalars == leaky && l.grads[0]?.scalars == leakyGrad, "leaky_relu \(shape) on \(threads) threads")
            }
        }
    }

    @Test func activationsMatchPlainLoops() {
        activations(Float.self)
        activations(Double.self)
    }

    /// Softmax over c at each (n, s): max and sum in increasing c.
    static func softmax<T: TensorScalar>(_ x: Tensor<T>) -> [T] {
        let (n, c, s) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        var y = x.scalars
        for i in 0..<n {
            for p in 0..<s {
                var m = x.scalars[i * c * s + p], sum = T(0)
                for k in 1..<c { let v = x.scalars[(i * c + k) * s + p]; m = v > m ? v : m }
                for k in 0..<c { let e = exp(x.scalars[(i * c + k) * s + p] - m); y[(i * c + k) * s + p] = e; sum += e }
                for k in 0..<c { y[(i * c + k) * s + p] = y[(i * c + k) * s + p] / sum }
            }
        }
        return y
    }

    func softmaxAndCrossEntropy<T: TensorScalar>(_: T.Type) {
        for shape in Self.shapes {
            let (n, c, s) = (shape[0], shape[1], shape[2] * shape[3])
            let x: Tensor<T> = Self.values(shape, seed: 3), g: Tensor<T> = Self.values(shape, seed: 4)
            let y = Self.softmax(x)
            var dx = y
            for i in 0..<n {
                for p in 0..<s {
                    var dot = T(0)
                    for k in 0..<c { let j = (i * c + k) * s + p; dot += g.scalars[j] * y[j] }
                    for k in 0..<c { let j = (i * c + k) * s + p; dx[j] = y[j] * (g.scalars[j] - dot) }
                }
            }
            // Cross entropy against labels (k·7 + p) mod C and against the probabilities y.
            let labels = Tensor<T>(shape: [n, 1, shape[2], shape[3]], scalars: (0..<(n * s)).map { T(($0 * 7 + $0 / s) % c) })
            let probs = Tensor<T>(shape: shape, scalars: Self.softmax(Self.values(shape, seed: 5)))
            let upstream = Tensor<T>(scalar: T(0.75))
            let scale = upstream.scalars[0] / T(n * s)
            var lossIdx = [T](), lossProb = [T]()
            var dxIdx = x.scalars, dxProb = x.scalars, dtProb = x.scalars
            for i in 0..<n {
                for p in 0..<s {
                    var m = x.scalars[i * c * s + p], lse = T(0), tsum = T(0), lp = T(0)
                    for k in 1..<c { let v = x.scalars[(i * c + k) * s + p]; m = v > m ? v : m }
                    for k in 0..<c { lse += Self.exp(x.scalars[(i * c + k) * s + p] - m) }
                    lse = Self.log(lse)
                    let label = Int(labels.scalars[i * s + p])
                    lossIdx.append(-((x.scalars[(i * c + label) * s + p] - m) - lse))
                    for k in 0..<c { tsum += probs.scalars[(i * c + k) * s + p] }
                    for k in 0..<c {
                        let j = (i * c + k) * s + p
                        let logp = (x.scalars[j] - m) - lse
                        lp -= probs.scalars[j] * logp
                        dxIdx[j] = (Self.exp(logp) - (k == label ? 1 : 0)) * scale
                        dxProb[j] = (Self.exp(logp) * tsum - probs.scalars[j]) * scale
                        dtProb[j] = -logp * scale
                    }
                    lossProb.append(lp)
                }
            }
            let meanIdx = Elementwise.pairwiseSum(lossIdx, terms: .values, parallelism: .serial) / T(n * s)
            let meanProb = Elementwise.pairwiseSum(lossProb, terms: .values, parallelism: .serial) / T(n * s)
            Self.everywhere { threads in
                let r = Self.run(Softmax(), [x], g, threads: threads)
                #expect(r.output.scalars == y && r.grads[0]?.scalars == dx, "softmax \(shape) on \(threads) threads")
                let ci = Self.run(CrossEntropy(), [x, labels], upstream, threads: threads)
                #expect(ci.output.scalars == [meanIdx] && ci.grads[0]?.scalars == dxIdx && ci.grads[1] == nil,
                        "cross_entropy \(shape), index target, on \(threads) threads")
                let cp = Self.run(CrossEntropy(), [x, probs], upstream, threads: threads)
                #expect(cp.output.scalars == [meanProb] && cp.grads[0]?.scalars == dxProb && cp.grads[1]?.scalars == dtProb,
                        "cross_entropy \(shape), probability target, on \(threads) threads")
            }
        }
    }

    @Test func softmaxAndCrossEntropyMatchPlainLoops() {
        softmaxAndCrossEntropy(Float.self)
        softmaxAndCrossEntropy(Double.self)
    }

    /// Σ over the channel's planes in eight lanes r[s mod 8], combined as a tree.
    static func laneSum<T: TensorScalar>(_ n: Int, _ c: Int, _ s: Int, channel ch: Int, _ term: (Int) -> T) -> T {
        var r = [T](repeating: 0, count: 8)
        for i in 0..<n { for p in 0..<s { r[p % 8] += term((i * c + ch) * s + p) } }
        return ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    }

    func batchnorm<T: TensorScalar>(_: T.Type) {
        for shape in Self.shapes {
            let (n, c, s) = (shape[0], shape[1], shape[2] * shape[3])
            let x: Tensor<T> = Self.values(shape, seed: 6), g: Tensor<T> = Self.values(shape, seed: 7)
            let scale: Tensor<T> = Self.values([c], seed: 8), bias: Tensor<T> = Self.values([c], seed: 9)
            let mean: Tensor<T> = Self.values([c], seed: 10)
            let variance = Tensor<T>(shape: [c], scalars: (Self.values([c], seed: 11) as Tensor<T>).scalars.map { $0 * $0 + 0.5 })
            var op = BatchNorm(eps: 1e-3)
            op.connect(inputPorts: [0, 1, 2, 3, 4])
            let e = T(1e-3), m = T(n * s)
            for mode in [Mode.train, .eval] {
                var y = x.scalars, dx = x.scalars
                var dscale = scale.scalars, dbias = bias.scalars, dmean = mean.scalars, dvar = variance.scalars
                for ch in 0..<c {
                    var mu = mean.scalars[ch], v = variance.scalars[ch]
                    if mode == .train {
                        mu = Self.laneSum(n, c, s, channel: ch) { x.scalars[$0] } / m
                        v = Self.laneSum(n, c, s, channel: ch) { (x.scalars[$0] - mu) * (x.scalars[$0] - mu) } / m
                    }
                    let inv = 1 / (v + e).squareRoot(), a = scale.scalars[ch] * inv
                    let sdy = Self.laneSum(n, c, s, channel: ch) { g.scalars[$0] }
                    let sdyx = Self.laneSum(n, c, s, channel: ch) { g.scalars[$0] * ((x.scalars[$0] - mu) * inv) }
                    for i in 0..<n {
                        for p in 0..<s {
                            let j = (i * c + ch) * s + p
                            y[j] = (x.scalars[j] - mu) * a + bias.scalars[ch]
                            dx[j] = mode == .train ? a * ((g.scalars[j] - sdy / m) - ((x.scalars[j] - mu) * inv) * (sdyx / m)) : g.scalars[j] * a
                        }
                    }
                    dscale[ch] = sdyx
                    dbias[ch] = sdy
                    dmean[ch] = mode == .train ? 0 : -a * sdy
                    dvar[ch] = mode == .train ? 0 : -(scale.scalars[ch] * (inv * inv)) * sdyx / 2
                }
                Self.everywhere { threads in
                    let r = Self.run(op, [x, scale, bias, mean, variance], g, threads: threads, mode: mode)
                    #expect(r.output.scalars == y, "batchnorm \(shape) \(mode) output on \(threads) threads")
                    #expect(r.grads.map { $0?.scalars } == [dx, dscale, dbias, dmean, dvar], "batchnorm \(shape) \(mode) gradients on \(threads) threads")
                }
            }
        }
    }

    @Test func batchnormMatchesPlainLoops() {
        batchnorm(Float.self)
        batchnorm(Double.self)
    }
}

/// Fills leaves from their init specs (SPEC §4), drawing from the graph's random stream
/// in node declaration order (an init with its own `seed` uses a fresh generator and
/// leaves the stream untouched). Draws are made in float64 with NumPy's order of
/// operations and rounded once to the graph dtype.
struct Initializer {
    var stream: RandomState

    init(seed: UInt32) {
        stream = RandomState(seed: seed)
    }

    /// The values of `spec` for `shape`, in float64.
    /// - Parameter fans: (fan_in, fan_out) for `he_normal` / `xavier_uniform`.
    mutating func values(_ spec: InitSpec, shape: Shape, fans: (Int, Int)) -> [Double] {
        values(spec, shape: shape, fans: fans, as: Double.self)
    }

    /// The values of `spec` for `shape`, drawn in float64 and rounded once to `T`, written
    /// straight into the result (no float64 copy of the whole tensor: a float32 leaf costs
    /// its own bytes only).
    @_specialize(where T == Float) @_specialize(where T == Double)
    mutating func values<T: TensorScalar>(_ spec: InitSpec, shape: Shape, fans: (Int, Int), as _: T.Type) -> [T] {
        let count = shape.count
        func generate(_ seed: UInt32?, _ next: (inout RandomState) -> Double) -> [T] {
            var own = seed.map { RandomState(seed: $0) }
            return [T](unsafeUninitializedCapacity: count) { out, initialized in
                if own != nil {
                    for k in 0..<count { out[k] = T(next(&own!)) }
                } else {
                    for k in 0..<count { out[k] = T(next(&stream)) }
                }
                initialized = count
            }
        }
        switch spec {
        case .zeros: return Array(repeating: 0, count: count)
        case .ones: return Array(repeating: 1, count: count)
        case .constant(let c): return Array(repeating: T(c), count: count)
        case .file(_, _, _, let data), .values(let data):
            if T.self == Double.self, let same = data.scalars as? [T] { return same }
            return data.scalars.map { T($0) }
        case .randn(let scale, let seed):
            return scale == 1 ? generate(seed) { $0.standardNormal() } : generate(seed) { scale * $0.standardNormal() }
        case .uniform(let low, let high, let seed):
            return generate(seed) { $0.uniform(low: low, high: high) }
        case .heNormal(let seed):
            let std = (2.0 / Double(max(fans.0, 1))).squareRoot()
            return generate(seed) { $0.standardNormal() * std }
        case .xavierUniform(let seed):
            let limit = (6.0 / Double(max(fans.0 + fans.1, 1))).squareRoot()
            return generate(seed) { $0.uniform(low: -limit, high: limit) }
        }
    }

    /// Consumes the draws `spec` would make for `shape` without keeping them (a fed input's
    /// init still draws, so the other leaves do not change).
    mutating func skip(_ spec: InitSpec, shape: Shape) {
        let count = shape.count
        switch spec {
        case .randn(_, nil), .heNormal(nil):
            for _ in 0..<count { _ = stream.standardNormal() }
        case .uniform(_, _, nil), .xavierUniform(nil):
            for _ in 0..<count { _ = stream.randomSample() }
        default:
            break  // constants, files and own-seed inits leave the stream untouched
        }
    }

    /// Fans read from a shape as PyTorch does: 4-D `[a, b, kh, kw]` → (b·kh·kw, a·kh·kw);
    /// 2-D `[a, b]` → (b, a); 1-D → (n, n). `iohw` reads a conv weight in IOHW layout in
    /// its OIHW view.
    static func fans(_ shape: Shape, iohw: Bool) -> (Int, Int) {
        let d = shape.dims
        switch d.count {
        case 0: return (1, 1)
        case 1: return (d[0], d[0])
        default:
            let receptive = d.dropFirst(2).reduce(1, *)
            let (a, b) = iohw ? (d[1], d[0]) : (d[0], d[1])
            return (b * receptive, a * receptive)
        }
    }
}

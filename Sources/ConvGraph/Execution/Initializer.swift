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
        let count = shape.count
        switch spec {
        case .zeros: return Array(repeating: 0, count: count)
        case .ones: return Array(repeating: 1, count: count)
        case .constant(let c): return Array(repeating: c, count: count)
        case .file(_, _, let data), .values(let data): return data.scalars
        case .randn(let scale, let seed):
            return draw(seed) { rng in
                let r = rng.standardNormals(count: count)
                return scale == 1 ? r : r.map { scale * $0 }
            }
        case .uniform(let low, let high, let seed):
            return draw(seed) { $0.uniforms(count: count, low: low, high: high) }
        case .heNormal(let seed):
            let std = (2.0 / Double(max(fans.0, 1))).squareRoot()
            return draw(seed) { rng in rng.standardNormals(count: count).map { $0 * std } }
        case .xavierUniform(let seed):
            let limit = (6.0 / Double(max(fans.0 + fans.1, 1))).squareRoot()
            return draw(seed) { $0.uniforms(count: count, low: -limit, high: limit) }
        }
    }

    private mutating func draw(_ seed: UInt32?, _ body: (inout RandomState) -> [Double]) -> [Double] {
        if let seed {
            var own = RandomState(seed: seed)
            return body(&own)
        }
        return body(&stream)
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

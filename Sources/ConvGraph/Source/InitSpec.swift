/// How a leaf (`input`, `param`) or a non-scalar `backward.grad` is filled (SPEC §4).
public enum InitSpec: Sendable, Hashable {
    case zeros
    case ones
    case constant(Double)
    /// `scale`·randn; `seed` draws from a fresh generator instead of the graph stream.
    case randn(scale: Double, seed: UInt32?)
    /// low + (high−low)·u, u the 53-bit uniform (numpy's `uniform(low, high, shape)`).
    case uniform(low: Double, high: Double, seed: UInt32?)
    /// randn·√(2/fan_in).
    case heNormal(seed: UInt32?)
    /// uniform(−l, l) with l = √(6/(fan_in+fan_out)).
    case xavierUniform(seed: UInt32?)
    /// A `.npy` file: the path as written and as resolved against the graph file's folder,
    /// the sha256 of the bytes read (for the manifest, SPEC §6), and its contents, read
    /// while the graph is checked.
    case file(path: String, resolvedPath: String, sha256: String, data: Tensor<Double>)
    /// Literal values (nested lists give the shape).
    case values(Tensor<Double>)

    /// The names accepted as the init's key (or bare string), for messages.
    static let names = ["zeros", "ones", "constant", "randn", "uniform", "he_normal", "xavier_uniform", "file", "values"]

    /// The shape the data itself fixes (`file`, `values`), if any.
    public var dataShape: Shape? {
        switch self {
        case .file(_, _, _, let data), .values(let data): data.shape
        default: nil
        }
    }

    /// Whether filling draws from the graph's random stream.
    public var drawsFromGraphStream: Bool {
        switch self {
        case .randn(_, nil), .uniform(_, _, nil), .heNormal(nil), .xavierUniform(nil): true
        default: false
        }
    }
}

/// The dimensions of a tensor: 4-D NCHW for activations, `[]` for the scalars the
/// reductions and losses produce, any rank for a conv bias.
public struct Shape: Hashable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByArrayLiteral
{
    /// The dimensions, outermost first (N, C, H, W for a 4-D tensor); empty for a scalar.
    public var dims: [Int]

    /// A shape with `dims`.
    public init(_ dims: [Int]) { self.dims = dims }
    public init(arrayLiteral dims: Int...) { self.dims = dims }

    /// The number of dimensions.
    public var rank: Int { dims.count }
    /// Whether the shape has no dimensions (a 0-d scalar, one element).
    public var isScalar: Bool { dims.isEmpty }

    /// The number of elements, or `nil` when a dimension is negative or the product
    /// overflows `Int`. A rank-0 shape has one element.
    public var checkedCount: Int? {
        var total = 1
        for d in dims {
            guard d >= 0 else { return nil }
            let (p, overflow) = total.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            total = p
        }
        return total
    }

    /// The number of elements. Only call on shapes that passed `checkedCount`
    /// (every shape inside a checked graph did).
    public var count: Int { dims.reduce(1, *) }

    /// The size of dimension `axis`.
    public subscript(axis: Int) -> Int {
        get { dims[axis] }
        set { dims[axis] = newValue }
    }

    /// `10×8×4×4`; a scalar prints as `scalar`.
    public var description: String {
        dims.isEmpty ? "scalar" : dims.map(String.init).joined(separator: "×")
    }

    /// `[10, 8, 4, 4]`, as NumPy and the `--input` diagnostics write shapes.
    public var bracketed: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }
}

/// A dense, contiguous, row-major (C order) tensor: NCHW for activations.
///
/// A value type with copy-on-write storage (`[Scalar]`), so tensors can be passed
/// between threads and cached without aliasing surprises.
public struct Tensor<Scalar: TensorScalar>: Sendable, Hashable {
    /// The dimensions; `shape.count == scalars.count`.
    public private(set) var shape: Shape
    /// The elements in row-major order; `scalars.count == shape.count` always.
    public var scalars: [Scalar]

    /// Wraps `scalars` as a tensor of `shape`.
    /// - Precondition: `scalars.count == shape.count` (an internal invariant; callers
    ///   that handle user data check it first and throw).
    public init(shape: Shape, scalars: [Scalar]) {
        precondition(shape.checkedCount == scalars.count, "tensor storage does not match its shape")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of `shape` filled with `value`.
    public init(repeating value: Scalar, shape: Shape) {
        self.shape = shape
        self.scalars = Array(repeating: value, count: shape.count)
    }

    /// A tensor of zeros.
    public init(zeros shape: Shape) { self.init(repeating: 0, shape: shape) }

    /// A 0-d tensor.
    public init(scalar: Scalar) { self.init(shape: [], scalars: [scalar]) }

    /// The number of elements.
    public var count: Int { scalars.count }

    /// Gives the storage another shape of the same element count (no copy).
    mutating func reshape(_ newShape: Shape) {
        precondition(newShape.checkedCount == scalars.count, "reshaping to a different element count")
        shape = newShape
    }

    /// The same elements viewed with another shape of equal count.
    public func reshaped(_ newShape: Shape) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Converts every element to another scalar type (rounding to nearest).
    public func converted<Other: TensorScalar>(to _: Other.Type = Other.self) -> Tensor<Other> {
        Tensor<Other>(shape: shape, scalars: scalars.map { Other($0) })
    }

    /// Element-wise sum; shapes must match.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        precondition(lhs.shape == rhs.shape, "adding tensors of different shapes")
        // One pass into a fresh buffer (the C loop of `add`; same bits as o[i] = l[i] + r[i]).
        return Tensor(shape: lhs.shape, scalars: Elementwise.add([lhs.scalars, rhs.scalars], parallelism: .serial))
    }
}

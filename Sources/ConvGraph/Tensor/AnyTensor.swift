/// A tensor of either graph dtype, for results handed across the library boundary.
public enum AnyTensor: Sendable, Hashable {
    /// A float32 tensor.
    case float32(Tensor<Float>)
    /// A float64 tensor.
    case float64(Tensor<Double>)

    /// Wraps a tensor of either scalar type.
    public init<T: TensorScalar>(_ tensor: Tensor<T>) {
        if let t = tensor as? Tensor<Double> {
            self = .float64(t)
        } else if let t = tensor as? Tensor<Float> {
            self = .float32(t)
        } else {
            self = .float64(tensor.converted(to: Double.self))
        }
    }

    /// The tensor's shape.
    public var shape: Shape {
        switch self {
        case .float32(let t): t.shape
        case .float64(let t): t.shape
        }
    }

    /// The tensor's scalar type.
    public var dtype: DType {
        switch self {
        case .float32: .float32
        case .float64: .float64
        }
    }

    /// The values as float64 (exact for float32).
    public var doubles: Tensor<Double> {
        switch self {
        case .float32(let t): t.converted(to: Double.self)
        case .float64(let t): t
        }
    }

    /// The tensor as `T`, converting when the dtype differs.
    public func `as`<T: TensorScalar>(_: T.Type) -> Tensor<T> {
        switch self {
        case .float32(let t): (t as? Tensor<T>) ?? t.converted(to: T.self)
        case .float64(let t): (t as? Tensor<T>) ?? t.converted(to: T.self)
        }
    }

    /// The `.npy` encoding (little-endian, C order, in the tensor's dtype).
    public var npyBytes: [UInt8] {
        switch self {
        case .float32(let t): NPY.encode(t)
        case .float64(let t): NPY.encode(t)
        }
    }

    /// Count, mean, standard deviation, minimum and maximum (as `convgraph show` prints them).
    public var statistics: Statistics {
        switch self {
        case .float32(let t): Statistics(t.scalars)
        case .float64(let t): Statistics(t.scalars)
        }
    }
}

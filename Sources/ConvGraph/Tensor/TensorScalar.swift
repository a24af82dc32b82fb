/// The scalar types a tensor can hold. Every op is written once, generically over this
/// protocol, and specialised for `Float` and `Double`.
public protocol TensorScalar: BinaryFloatingPoint, Sendable, Codable
where RawSignificand: FixedWidthInteger {
    /// The graph dtype this scalar type implements.
    static var dtype: DType { get }
}

extension Double: TensorScalar {
    public static var dtype: DType { .float64 }
}

extension Float: TensorScalar {
    public static var dtype: DType { .float32 }
}

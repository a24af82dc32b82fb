/// The element type of every tensor in a graph (SPEC §2 `dtype`).
public enum DType: String, Sendable, Hashable, CaseIterable, Codable {
    /// 32-bit IEEE floats (`<f4` in `.npy`).
    case float32
    /// 64-bit IEEE floats (`<f8` in `.npy`), the default.
    case float64

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32: 4
        case .float64: 8
        }
    }

    /// The little-endian NumPy descriptor written to `.npy` files (`<f4`, `<f8`).
    public var npyDescriptor: String {
        switch self {
        case .float32: "<f4"
        case .float64: "<f8"
        }
    }
}

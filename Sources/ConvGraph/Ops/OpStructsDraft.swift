// Attribute structs of the ops whose kernels are written separately (Conv+Reference,
// Pool+Reference, Pad+Reference). Decoding, shape rules and the Op conformance live in
// the op files; these are the checked attributes the kernels read.

/// `conv`: 2-D cross-correlation (no kernel flip), as PyTorch's `conv2d` and ONNX `Conv`.
public struct Conv: Hashable, Sendable {
    public enum WeightLayout: String, Hashable, Sendable, Codable, CaseIterable {
        /// `[out, in/groups, kh, kw]` (PyTorch, ONNX).
        case OIHW
        /// `[in, out, kh, kw]`, the seed notebook's layout (groups = 1 only).
        case IOHW
    }
    public var stride: Spatial = Spatial(1)
    public var padding: PaddingSpec = .explicit(.zero)
    public var dilation: Spatial = Spatial(1)
    public var groups: Int = 1
    public var weightLayout: WeightLayout = .OIHW
    public init() {}
}

/// `pool`: max or average pooling over windows.
public struct Pool: Hashable, Sendable {
    public enum Mode: String, Hashable, Sendable, Codable, CaseIterable {
        case max
        case average
    }
    public var mode: Mode = .max
    public var window: Spatial = Spatial(1)
    public var stride: Spatial = Spatial(1)
    public var padding: PaddingSpec = .explicit(.zero)
    public var dilation: Spatial = Spatial(1)
    public var ceilMode: Bool = false
    public var countIncludePad: Bool = false
    public var global: Bool = false
    public init() {}
}

/// `pad`: pads the two spatial axes.
public struct Pad: Hashable, Sendable {
    public enum Mode: String, Hashable, Sendable, Codable, CaseIterable {
        case constant
        case reflect
        case edge
    }
    public var pads: Pads = .zero
    public var mode: Mode = .constant
    /// The fill value of `constant` mode, as written (rounded to the graph dtype when used).
    public var value: Double = 0
    public init() {}
}

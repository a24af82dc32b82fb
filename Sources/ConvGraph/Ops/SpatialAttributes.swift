/// A pair of per-axis integers (height, width): stride, dilation, window.
/// YAML takes an int (both axes) or a list `[h, w]`.
public struct Spatial: Hashable, Sendable, Codable, CustomStringConvertible {
    public var h: Int
    public var w: Int

    public init(_ h: Int, _ w: Int) { self.h = h; self.w = w }
    public init(_ both: Int) { self.h = both; self.w = both }

    public var description: String { h == w ? "\(h)" : "[\(h), \(w)]" }
}

/// Explicit padding of the four spatial sides, in the SPEC's order
/// `[top, bottom, left, right]` (ONNX orders its four as top, left, bottom, right).
public struct Pads: Hashable, Sendable, Codable, CustomStringConvertible {
    public var top: Int
    public var bottom: Int
    public var left: Int
    public var right: Int

    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top; self.bottom = bottom; self.left = left; self.right = right
    }

    /// The same padding on all four sides.
    public init(_ all: Int) { self.init(top: all, bottom: all, left: all, right: all) }

    public static let zero = Pads(0)

    public var isZero: Bool { self == .zero }

    public var description: String {
        if top == bottom && left == right && top == left { return "\(top)" }
        if top == bottom && left == right { return "[\(top), \(left)]" }
        return "[\(top), \(bottom), \(left), \(right)]"
    }
}

/// The `padding` attribute of conv and pool: explicit sides, or `same` / `valid`,
/// which are resolved against the input size by `resolved(...)`.
public enum PaddingSpec: Hashable, Sendable, Codable, CustomStringConvertible {
    case explicit(Pads)
    /// Output ⌈H/s⌉ per axis; the odd cell of padding goes to the bottom/right
    /// (TensorFlow's SAME, ONNX's SAME_UPPER).
    case same
    /// No padding.
    case valid

    /// The explicit sides for an input of spatial size `height`×`width`.
    ///
    /// For `same`, per axis: out = ⌈H/s⌉, total = max(0, (out−1)·s + d(k−1) + 1 − H),
    /// top = ⌊total/2⌋, bottom = total − top.
    public func resolved(height: Int, width: Int, kernel: Spatial, stride: Spatial, dilation: Spatial) -> Pads {
        switch self {
        case .explicit(let pads): return pads
        case .valid: return .zero
        case .same:
            func axis(_ size: Int, _ k: Int, _ s: Int, _ d: Int) -> (Int, Int) {
                let out = (size + s - 1) / s
                let total = max(0, (out - 1) * s + d * (k - 1) + 1 - size)
                return (total / 2, total - total / 2)
            }
            let (t, b) = axis(height, kernel.h, stride.h, dilation.h)
            let (l, r) = axis(width, kernel.w, stride.w, dilation.w)
            return Pads(top: t, bottom: b, left: l, right: r)
        }
    }

    public var description: String {
        switch self {
        case .explicit(let p): p.description
        case .same: "same"
        case .valid: "valid"
        }
    }
}

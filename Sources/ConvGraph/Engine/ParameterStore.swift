/// The values of a graph's leaves (`param` and `input` nodes) that persist across a
/// session's steps: filled once from their inits, in declaration order, then changed only
/// by whoever owns the session (an optimizer, a loaded checkpoint).
///
/// Values are held in the graph dtype. A leaf that must be fed (an `input` without
/// `init`, or one the session was told is fed) has no stored value.
public struct ParameterStore: Sendable {
    /// By node index; `nil` for a leaf that is fed instead.
    private(set) var values: [AnyTensor?]
    let names: [String: Int]
    let shapes: [Shape]
    let dtype: DType

    init(count: Int, names: [String: Int], shapes: [Shape], dtype: DType) {
        values = Array(repeating: nil, count: count)
        self.names = names
        self.shapes = shapes
        self.dtype = dtype
    }

    /// The value of leaf `name`, or `nil` when it has none (not a leaf, or fed).
    public subscript(name: String) -> AnyTensor? {
        names[name].flatMap { values[$0] }
    }

    /// The names of the leaves that hold a value, in declaration order.
    public var storedNames: [String] {
        names.filter { values[$0.value] != nil }.sorted { $0.value < $1.value }.map(\.key)
    }

    /// Replaces the value of leaf `name` (converted to the graph dtype).
    /// - Throws: `.usage` for a name that is not a leaf of the graph, `.invalidInput` for
    ///   a shape that differs from the node's.
    public mutating func set(_ name: String, _ tensor: AnyTensor) throws(ConvGraphError) {
        guard let i = names[name] else {
            throw ConvGraphError(.usage, Diagnostic("the graph has no leaf '\(NameRules.printable(name))'", file: nil,
                                                    notes: Diagnostic.didYouMean(name, among: Array(names.keys))))
        }
        guard tensor.shape == shapes[i] else {
            throw ConvGraphError(.invalidInput, Diagnostic("the tensor set for '\(name)' has shape \(tensor.shape.bracketed), but the node has shape \(shapes[i].bracketed)", file: nil))
        }
        values[i] = Self.converted(tensor, to: dtype)
    }

    mutating func set(index i: Int, _ tensor: AnyTensor) {
        values[i] = Self.converted(tensor, to: dtype)
    }

    static func converted(_ tensor: AnyTensor, to dtype: DType) -> AnyTensor {
        switch dtype {
        case .float32: tensor.dtype == .float32 ? tensor : AnyTensor(tensor.as(Float.self))
        case .float64: tensor.dtype == .float64 ? tensor : AnyTensor(tensor.as(Double.self))
        }
    }
}

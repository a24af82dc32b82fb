/// Whether a step trains or infers. Only ops with mode-dependent behaviour read it
/// (`batchnorm`: batch statistics in `train`, its `mean`/`var` inputs in `eval`).
public enum Mode: String, Sendable, Hashable, CaseIterable {
    case train, eval
}

/// What an op's `forward` receives besides its inputs: the mode, the threads its kernels
/// may use, the node it runs as (for positioned errors), and last step's output buffer.
///
/// Buffers: a session keeps each node's tensors from one step to the next. `output(_:)`
/// hands back the node's previous output when it has the right element count, so a step
/// on fixed shapes allocates no tensor memory after the first.
public struct ForwardContext<T: TensorScalar>: Sendable {
    public var mode: Mode
    /// Threads the op's kernels may use; results must not depend on it.
    public var parallelism: Parallelism
    /// The node being run (its name, for messages).
    public var node: String
    /// Last step's output of this node, uniquely held, if any.
    var recycled: Tensor<T>?
    /// Last step's saved index buffer of this node, if any.
    var recycledIndices: [Int32]?
    /// Buffers this context had to allocate (a session sums them to prove reuse).
    public private(set) var allocatedBytes = 0

    public init(mode: Mode = .train, parallelism: Parallelism = .serial, node: String = "") {
        self.mode = mode
        self.parallelism = parallelism
        self.node = node
    }

    /// A tensor of `shape` to write the output into. Its contents are unspecified (last
    /// step's values, or zeros): the op must write every element.
    /// - Complexity: O(1) when last step's buffer fits; O(`shape.count`) otherwise.
    public mutating func output(_ shape: Shape) -> Tensor<T> {
        if var t = recycled.take(), t.count == shape.count {
            t.reshape(shape)
            return t
        }
        allocatedBytes += shape.count * MemoryLayout<T>.stride
        return Tensor(zeros: shape)
    }

    /// An index buffer of `count` elements (max pooling's argmax); contents unspecified.
    public mutating func indices(_ count: Int) -> [Int32] {
        if let buffer = recycledIndices.take(), buffer.count == count { return buffer }
        allocatedBytes += count * MemoryLayout<Int32>.stride
        return Array(repeating: 0, count: count)
    }
}

/// A forward failure that depends on the data, not the shapes (a class index out of
/// range): the session reports it at the node's position and stops the step.
public struct OpFailure: Error, Sendable, Hashable {
    public var message: String
    public var notes: [String]
    public init(_ message: String, notes: [String] = []) {
        self.message = message
        self.notes = notes
    }
}

/// How an init reads the fans of a weight (SPEC §4): as its shape says, or a conv weight
/// in IOHW layout read in its OIHW view.
public enum FanLayout: Sendable, Hashable {
    case standard
    case swappedLeadingAxes
}

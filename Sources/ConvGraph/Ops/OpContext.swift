/// Whether a step trains or infers. Only ops with mode-dependent behaviour read it
/// (`batchnorm`: batch statistics in `train`, its `mean`/`var` inputs in `eval`).
public enum Mode: String, Sendable, Hashable, CaseIterable {
    case train, eval
}

/// What an op's `forward` receives besides its inputs: the mode, the threads its kernels
/// may use, the node it runs as (for messages), and the node's `Workspace`, whose buffers
/// a session keeps from one step to the next.
public struct ForwardContext<T: TensorScalar>: Sendable {
    public var mode: Mode
    /// Threads the op's kernels may use; results must not depend on it.
    public var parallelism: Parallelism
    /// The node being run (its name, for messages).
    public var node: String
    /// The node's buffers (a fresh one for a one-off call).
    public var workspace: Workspace<T>

    public init(mode: Mode = .train, parallelism: Parallelism = .serial, node: String = "", workspace: Workspace<T> = Workspace()) {
        self.mode = mode
        self.parallelism = parallelism
        self.node = node
        self.workspace = workspace
    }

    /// A tensor of `shape` to write the output into (contents unspecified: write every
    /// element).
    public func output(_ shape: Shape) -> Tensor<T> {
        workspace.tensor(.output, shape)
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

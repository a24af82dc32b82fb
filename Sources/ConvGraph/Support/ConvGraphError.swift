/// Every failure the library reports to its caller: a kind, which fixes the exit code
/// of the command line (SPEC §7), and the diagnostics to print.
public struct ConvGraphError: Error, Sendable, CustomStringConvertible {
    /// Which kind of failure: it fixes the exit code.
    public enum Kind: Sendable, Hashable {
        /// A bad command line, or a name/path on it the graph lacks. Exit 64.
        case usage
        /// An invalid graph, override value or tensor file. Exit 65.
        case invalidInput
        /// A named file does not exist or cannot be read. Exit 66.
        case noInput
        /// An output cannot be written. Exit 73.
        case cannotCreate
        /// The run was interrupted by a signal. Exit 128 + signal.
        case interrupted(signal: Int32)

        /// The exit code of the command line for this kind (SPEC: 64, 65, 66, 73, 128 + signal).
        public var exitCode: Int32 {
            switch self {
            case .usage: 64
            case .invalidInput: 65
            case .noInput: 66
            case .cannotCreate: 73
            case .interrupted(let signal): 128 + signal
            }
        }
    }

    /// Which kind of failure this is.
    public var kind: Kind
    /// What to print, in order: each prints as `FILE:LINE:COL: error: …` with its notes.
    public var diagnostics: [Diagnostic]

    /// An error of `kind` with every diagnostic found.
    public init(_ kind: Kind, _ diagnostics: [Diagnostic]) {
        self.kind = kind
        self.diagnostics = diagnostics
    }

    /// An error of `kind` with one diagnostic.
    public init(_ kind: Kind, _ diagnostic: Diagnostic) {
        self.init(kind, [diagnostic])
    }

    /// The exit code of the command line for this error.
    public var exitCode: Int32 { kind.exitCode }

    /// Every diagnostic, one after the other, as printed on stderr.
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}

import CKernels

/// The instruction-set path of the fast kernels, chosen at run time from the CPU (no build
/// flags). Every path computes the same FMA chains in the same order, so they give the same
/// bytes; choosing one is for tests and benchmarks.
public enum KernelPath: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case portable = 0
    case avx2 = 1
    case avx512 = 2

    /// The best path this CPU supports.
    public static var best: KernelPath { KernelPath(rawValue: Int(cg_isa_best())) ?? .portable }

    /// The path in use, process-wide. Setting a path the CPU lacks selects the best one below it.
    public static var current: KernelPath {
        get { KernelPath(rawValue: Int(cg_isa())) ?? .portable }
        set { cg_set_isa(Int32(newValue.rawValue)) }
    }

    /// The paths this CPU can run.
    public static var available: [KernelPath] { allCases.filter { $0 <= best } }

    public static func < (a: KernelPath, b: KernelPath) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .portable: "portable"
        case .avx2: "avx2+fma"
        case .avx512: "avx512"
        }
    }
}

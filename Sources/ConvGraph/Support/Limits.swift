#if canImport(Glibc)
import Glibc
#endif

/// Resource limits (SPEC §8). Each is checked before the work it guards: nothing is read,
/// expanded or allocated for what a limit refuses. Exceeding one is an invalid-input error
/// (exit 65).
public struct Limits: Sendable, Hashable {
    /// Largest graph file read, in bytes. Default 16 MiB.
    public var maxGraphFileBytes: Int = 16 << 20
    /// Deepest nesting of YAML collections. Default 256.
    public var maxYAMLDepth: Int = 256
    /// Most YAML nodes after alias expansion (the "billion laughs" guard). Default 1,000,000.
    public var maxYAMLNodes: Int = 1_000_000
    /// Most nodes in one graph. Default 100,000.
    public var maxGraphNodes: Int = 100_000
    /// Deepest chain of `include`s (a file including a file …). Default 32 (SPEC §8).
    public var maxIncludeDepth: Int = 32
    /// Deepest nesting of block instances (a block using a block …). Default 64 (SPEC §8).
    public var maxBlockDepth: Int = 64
    /// Most elements in one tensor. Default 2^31.
    public var maxTensorElements: Int = 1 << 31
    /// Largest planned peak tensor memory of the run a command makes (the plan `check`
    /// prints; `Graph.checkMemoryLimit`), in bytes. Default 3/4 of physical memory.
    public var maxMemoryBytes: Int = Limits.defaultMemoryBytes
    /// Longest `.npy` header, in bytes. Default 64 KiB.
    public var maxNPYHeaderBytes: Int = 64 << 10
    /// Longest `.safetensors` header (its JSON), in bytes. Default 16 MiB (a header of about
    /// 100 bytes per tensor: the 100,000 params of the largest graph fit). Parsing holds the
    /// header as a JSON tree, at most about 20 bytes of memory per header byte.
    public var maxSafetensorsHeaderBytes: Int = 16 << 20

    public init() {}

    public static let `default` = Limits()

    /// Three quarters of physical memory (8 GiB when it cannot be read).
    public static var defaultMemoryBytes: Int {
        #if canImport(Glibc)
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0, pageSize > 0 {
            let (total, overflow) = pages.multipliedReportingOverflow(by: pageSize)
            if !overflow { return total / 4 * 3 }
        }
        #endif
        return 8 << 30
    }
}

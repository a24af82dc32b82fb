// libFuzzer target: the bytes of a graph file, through the YAML reader, the decoder and
// the graph builder to a checked `Graph` (what `Graph.load(contentsOf:)` does after
// reading the file). Every input must end in a `Graph` or a `ConvGraphError`; a trap,
// a sanitizer report, a leak, a timeout or an out-of-memory is a finding.
@_spi(Fuzzing) import ConvGraph
#if canImport(Glibc)
import Glibc
#endif

/// Small limits, so an accepted graph cannot plan gigabytes: the limits themselves are
/// part of what is tested.
let limits: Limits = {
    var l = Limits()
    l.maxGraphFileBytes = 1 << 20
    l.maxYAMLNodes = 100_000
    l.maxGraphNodes = 10_000
    l.maxTensorElements = 1 << 22
    l.maxMemoryBytes = 256 << 20
    return l
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGraphLoader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    // `{file:}` paths resolve against a directory that does not exist.
    _ = try? Graph.parse(bytes: bytes, path: "/nonexistent-fuzz-dir/graph.yaml", limits: limits)
    return 0
}

// SwiftPM gives an executable's entry point its own name (`<module>_main`) and links
// `main` to it, so libFuzzer's own `main` is not used: this top-level code hands the
// command line to libFuzzer's driver instead.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzGraphLoader))

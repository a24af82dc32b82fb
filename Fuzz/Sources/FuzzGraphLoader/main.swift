// libFuzzer target: the bytes of a graph file, through the YAML reader, the decoder and
// the graph builder to a checked `Graph` (what `Graph.load(contentsOf:)` does after
// reading the file). Every input must end in a `Graph` or a `ConvGraphError`; a trap,
// a sanitizer report, a leak, a timeout or an out-of-memory is a finding.
@_spi(Fuzzing) import ConvGraph
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGraphLoader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    // `{file:}` paths resolve against a directory that does not exist.
    _ = try? Graph.parse(bytes: bytes, path: "/nonexistent-fuzz-dir/graph.yaml", limits: fuzzLimits)
    return 0
}

runFuzzer(fuzzGraphLoader)

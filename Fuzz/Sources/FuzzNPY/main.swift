// libFuzzer target: `NPY.decode` on arbitrary bytes, as Float and as Double. Every input
// must give a tensor or an `NPYError`; a decoded tensor must re-encode and decode to
// the same values (the round trip of what `convgraph` writes).
import ConvGraph
#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if let t = try? NPY.decode(bytes, as: Double.self, maxHeaderLength: 4096, maxElements: 1 << 22) {
        let again = try! NPY.decode(NPY.encode(t), as: Double.self)
        precondition(again.shape == t.shape, "round trip changed the shape")
        precondition(zip(again.scalars, t.scalars).allSatisfy { $0.bitPattern == $1.bitPattern }, "round trip changed a value")
    }
    _ = try? NPY.decode(bytes, as: Float.self, maxHeaderLength: 4096, maxElements: 1 << 22)
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
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzNPY))

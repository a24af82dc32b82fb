// What the fuzz targets share: small limits and the hand-off to libFuzzer's driver.
import ConvGraph
#if canImport(Glibc)
import Glibc
#endif

/// Small limits, so an accepted graph cannot plan gigabytes: the limits themselves are
/// part of what is tested.
public let fuzzLimits: Limits = {
    var l = Limits()
    l.maxGraphFileBytes = 1 << 20
    l.maxYAMLNodes = 100_000
    l.maxGraphNodes = 10_000
    l.maxTensorElements = 1 << 22
    l.maxMemoryBytes = 256 << 20
    return l
}()

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// Hands the command line to libFuzzer's driver with `target` and exits with its status.
/// SwiftPM gives an executable's entry point its own name (`<module>_main`) and links
/// `main` to it, so libFuzzer's own `main` is never used; each target's top-level code
/// calls this instead.
public func runFuzzer(_ target: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, target))
}

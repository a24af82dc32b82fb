// libFuzzer target: `Safetensors.decode` on arbitrary bytes (small limits, so a hostile header
// cannot make the harness allocate much). Every input must give tensors or a
// `SafetensorsError`; decoded float tensors must re-encode and decode to the same bits.
import ConvGraph
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    var limits = Limits()
    limits.maxSafetensorsHeaderBytes = 4096
    limits.maxTensorElements = 1 << 22
    guard let tensors = try? Safetensors.decode(bytes, limits: limits, exactIn: .float32) else { return 0 }
    // Integer tensors come back as float64: re-encoding writes F64, which decodes to the same values.
    let again = try! Safetensors.decode(Safetensors.encode(tensors), limits: limits)
    precondition(again.count == tensors.count, "round trip changed the tensor count")
    for (name, tensor) in tensors {
        guard let back = again.first(where: { $0.name == name })?.tensor else { preconditionFailure("round trip lost a tensor") }
        precondition(back.shape == tensor.shape && back.dtype == tensor.dtype, "round trip changed a shape or dtype")
        switch (back, tensor) {
        case (.float32(let a), .float32(let b)):
            precondition(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern), "round trip changed a value")
        case (.float64(let a), .float64(let b)):
            precondition(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern), "round trip changed a value")
        default:
            preconditionFailure("round trip changed a dtype")
        }
    }
    return 0
}

runFuzzer(fuzzSafetensors)

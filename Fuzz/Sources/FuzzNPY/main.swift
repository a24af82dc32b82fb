// libFuzzer target: `NPY.decode` on arbitrary bytes, as Float and as Double. Every input
// must give a tensor or an `NPYError`; a decoded tensor must re-encode and decode to
// the same values (the round trip of what `convgraph` writes).
import ConvGraph
import FuzzSupport

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

runFuzzer(fuzzNPY)

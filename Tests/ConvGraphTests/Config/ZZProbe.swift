import Testing
@testable import ConvGraph
@Test func zzProbe() {
    var bytes = Array("a: 1\nb: 2\nc: x".utf8); bytes.append(0xFF); bytes.append(contentsOf: Array("y\n".utf8))
    for e in [GT.yamlError("nodes:\n  x: 1\n\ty: 2\n"), GT.yamlError(bytes), GT.yamlError("a:\n\tb: 1\n")] { print("PROBE", e?.description ?? "nil") }
}

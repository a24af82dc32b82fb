// libFuzzer target: `--set KEY=VALUE` overrides (SPEC §7) parsed with `Override(parsing:)`
// and applied to the graphs in ../Graphs/ through `Graph.parse(yaml:overrides:)`.
//
// Input: the first byte picks the base graph; the rest, split at newlines, is up to eight
// override strings (the seed corpus in Corpus/overrides/ uses this layout). Every input
// must end in a `Graph` or a `ConvGraphError`.
import ConvGraph
import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif

/// The base graphs: every `.yaml` in the repository's Graphs/ folder, sorted by name.
let bases: [(path: String, yaml: String)] = {
    let root = String(#filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(4).joined(separator: "/"))
    let dir = root + "/Graphs"
    guard let d = opendir(dir) else { fatalError("cannot open \(dir)") }
    defer { closedir(d) }
    var names: [String] = []
    while let entry = readdir(d) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name.hasSuffix(".yaml") { names.append(name) }
    }
    return names.sorted().map { name in
        let path = dir + "/" + name
        guard let f = fopen(path, "rb") else { fatalError("cannot open \(path)") }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n <= 0 { break }
            bytes += buffer[..<n]
        }
        return (path, String(decoding: bytes, as: UTF8.self))
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOverrides(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0, let data else { return 0 }
    let buffer = UnsafeBufferPointer(start: data, count: size)
    let base = bases[Int(buffer[0]) % bases.count]
    let sets = buffer.dropFirst().split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        .prefix(8).map { String(decoding: $0, as: UTF8.self) }
    for text in sets {
        if let o = try? Override(parsing: text) {
            precondition(o.text == text && !o.path.isEmpty, "override lost its text or path")
        }
    }
    _ = try? Graph.parse(yaml: base.yaml, path: base.path, overrides: sets, limits: fuzzLimits)
    return 0
}

runFuzzer(fuzzOverrides)

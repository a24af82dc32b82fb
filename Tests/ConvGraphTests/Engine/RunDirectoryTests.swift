import Foundation
import Testing
@testable import ConvGraph

/// `RunRequest.perform()` writes the run directory of SPEC §6 atomically (§8).
@Suite struct RunDirectoryTests {
    /// A fresh empty directory under /tmp.
    static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/convgraph-rundir-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let path = try #require(made.map { String(cString: $0) })
        return path
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        try readRegularFile(atPath: path, maxBytes: 1 << 30)
    }

    static func manifest(_ dir: String) throws -> [String: Any] {
        let data = Data(try bytes(dir + "/manifest.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func perform(_ graph: String, out: String) throws -> RunOutcome {
        var request = RunRequest(graphPath: graph)
        request.out = out
        return try request.perform()
    }

    static func entries(_ dir: String) -> [String] { (RunDirectory.listDirectory(dir) ?? []).sorted() }

    @Test func manifestListsEveryFileWithItsDigest() throws {
        let tmp = try Self.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        let out = tmp + "/run"
        let outcome = try Self.perform(ET.graphPath("seed.yaml"), out: out)
        #expect(outcome.directory == out)
        #expect(Self.entries(out) == ["grads", "manifest.json", "values"])
        #expect(Self.entries(out + "/values") == ["conv.npy", "pooled.npy"])
        #expect(Self.entries(out + "/grads") == ["bias.npy", "image.npy", "kernel.npy"])
        let m = try Self.manifest(out)
        #expect(m["tool"] as? String == "convgraph")
        #expect(m["graph"] as? String == "seed-convnet")
        #expect(m["dtype"] as? String == "float64")
        #expect((m["seed"] as? NSNumber)?.intValue == 1)
        for key in ["version", "graph_file", "graph_sha256", "config", "overrides", "inputs", "tensors", "timings"] {
            #expect(m[key] != nil, "manifest lacks \(key)")
        }
        #expect(m["graph_sha256"] as? String == SHA256.hex(try Self.bytes(ET.graphPath("seed.yaml"))))
        let tensors = try #require(m["tensors"] as? [[String: Any]])
        #expect(tensors.count == 5)
        for t in tensors {
            let file = try #require(t["file"] as? String)
            #expect(t["sha256"] as? String == SHA256.hex(try Self.bytes(out + "/" + file)), "\(file)")
            #expect(["value", "grad"].contains(t["kind"] as? String ?? ""))
            #expect(t["dtype"] as? String == "float64")
        }
        let conv = try #require(tensors.first { $0["name"] as? String == "conv" && $0["kind"] as? String == "value" })
        #expect((conv["shape"] as? [Int]) == [10, 8, 4, 4])
        let timings = try #require(m["timings"] as? [String: Any])
        #expect(timings["forward_ms"] != nil && timings["backward_ms"] != nil)
        // The .npy of conv holds the run's value.
        let npy = try Self.bytes(out + "/values/conv.npy")
        #expect(npy == outcome.result.value("conv")?.npyBytes)
    }

    @Test func twoRunsAreByteIdenticalExceptTimings() throws {
        let tmp = try Self.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        let a = tmp + "/a", b = tmp + "/nested/b"
        _ = try Self.perform(ET.graphPath("residual.yaml"), out: a)
        _ = try Self.perform(ET.graphPath("residual.yaml"), out: b)
        for folder in ["values", "grads"] {
            let names = Self.entries(a + "/" + folder)
            #expect(!names.isEmpty)
            #expect(names == Self.entries(b + "/" + folder))
            for name in names {
                #expect(try Self.bytes("\(a)/\(folder)/\(name)") == Self.bytes("\(b)/\(folder)/\(name)"), "\(folder)/\(name)")
            }
        }
        var ma = try Self.manifest(a), mb = try Self.manifest(b)
        #expect(ma["timings"] != nil && mb["timings"] != nil)
        ma["timings"] = nil
        mb["timings"] = nil
        #expect(Set(ma.keys) == Set(mb.keys))
        // Compared re-serialised with sorted keys (NSDictionary equality on Linux does not
        // compare JSON booleans by value).
        for key in ma.keys.sorted() {
            let a = try JSONSerialization.data(withJSONObject: [key: ma[key] as Any], options: [.sortedKeys])
            let b = try JSONSerialization.data(withJSONObject: [key: mb[key] as Any], options: [.sortedKeys])
            #expect(a == b, "manifests differ at \(key)")
        }
    }

    @Test func runningAgainReplacesTheEarlierRun() throws {
        let tmp = try Self.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        let out = tmp + "/run"
        _ = try Self.perform(ET.graphPath("seed.yaml"), out: out)
        // Leave a stray file in the earlier run: replacing the run removes it.
        try "stale".write(toFile: out + "/stale.txt", atomically: false, encoding: .utf8)
        _ = try Self.perform(ET.graphPath("pad-modes.yaml"), out: out)
        #expect(Self.entries(out) == ["grads", "manifest.json", "values"])
        #expect(try Self.manifest(out)["graph"] as? String == "pad-modes")
        #expect(Self.entries(out + "/values") == ["joined.npy", "loss.npy"])
        // Nothing else beside it: no temporary or old directories.
        #expect(Self.entries(tmp) == ["run"])
    }

    @Test func emptyDirectoryIsAcceptedAsOut() throws {
        let tmp = try Self.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        _ = try Self.perform(ET.graphPath("seed.yaml"), out: tmp + "/")
        #expect(Self.entries(tmp).contains("manifest.json"))
    }

    @Test func nonEmptyNonRunDirectoryIsRefusedAndUntouched() throws {
        let tmp = try Self.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        let out = tmp + "/precious"
        #expect(mkdir(out, 0o755) == 0)
        try "keep me".write(toFile: out + "/notes.txt", atomically: false, encoding: .utf8)
        #expect(ET.errorKind { _ = try Self.perform(ET.graphPath("seed.yaml"), out: out) } == .cannotCreate)
        #expect(Self.entries(out) == ["notes.txt"])
        #expect(try Self.bytes(out + "/notes.txt") == Array("keep me".utf8))
        #expect(Self.entries(tmp) == ["precious"])
        // A regular file as --out is refused too.
        #expect(ET.errorKind { _ = try Self.perform(ET.graphPath("seed.yaml"), out: out + "/notes.txt") } == .cannotCreate)
        #expect(try Self.bytes(out + "/notes.txt") == Array("keep me".utf8))
    }

    @Test func failingRunLeavesNothingBehind() throws {
        let tmp = try Self.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        let bad = tmp + "/bad.yaml"
        try "nodes:\n  x: {op: input, shape: [1, 1, 2, 2], init: randn}\n  y: {op: conv, strid: 2}\nedges:\n  - x -> y\n"
            .write(toFile: bad, atomically: false, encoding: .utf8)
        #expect(ET.errorKind { _ = try Self.perform(bad, out: tmp + "/out/run") } == .invalidInput)
        #expect(ET.errorKind { _ = try Self.perform(tmp + "/missing.yaml", out: tmp + "/out2") } == .noInput)
        #expect(Self.entries(tmp) == ["bad.yaml"])
    }

    @Test func sha256KnownDigests() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let twoBlocks = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(twoBlocks) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hex(million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Fed in uneven pieces, the digest is the same.
        var hasher = SHA256()
        var offset = 0
        for size in [1, 63, 64, 65, 7, 999_800] {
            hasher.update(Array(million[offset..<min(offset + size, million.count)]))
            offset += size
        }
        let hex = hasher.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        #expect(hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

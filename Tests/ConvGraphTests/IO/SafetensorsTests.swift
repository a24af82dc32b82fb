import Foundation
import Testing

@testable import ConvGraph

/// `Safetensors` (SPEC §7 `--params FILE.safetensors`, §10 `params.safetensors`): the bytes the
/// Python `safetensors` package writes, a round trip, the Python reader on our bytes, every
/// hostile header refused with its own error, and `convgraph run --params x.safetensors`.
@Suite struct SafetensorsTests {
    /// A file: the header length (little-endian u64), `header`, then `buffer`.
    static func file(_ header: String, _ buffer: [UInt8] = []) -> [UInt8] {
        let h = Array(header.utf8)
        return (0..<8).map { UInt8(truncatingIfNeeded: UInt64(h.count) >> UInt64(8 * $0)) } + h + buffer
    }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = hex.makeIterator()
        while let a = chars.next(), let b = chars.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
        return out
    }

    /// The tensors of case "mixed" of Scripts/safetensors-reference.py. Computed, not a
    /// stored global: LeakSanitizer cannot see an `AnyTensor`'s storage through the enum's
    /// tagged pointer, so a global one reads as a leak at exit.
    static var mixed: [(name: String, tensor: AnyTensor)] {
        [
            ("w", AnyTensor(Tensor<Float>(shape: Shape([2, 3]), scalars: (0..<6).map { Float($0) / 4 - 1 }))),
            ("b", AnyTensor(Tensor<Double>(shape: Shape([3]), scalars: [0.1, -2.5, 1e300]))),
            ("e", AnyTensor(Tensor<Float>(shape: Shape([0, 2]), scalars: []))),
        ]
    }

    /// `safetensors.numpy.save` (safetensors 0.8.0) of the cases of Scripts/safetensors-reference.py.
    static let pythonMixed = bytes(hex: "c8000000000000007b225f5f6d657461646174615f5f223a7b22666f726d6174223a226e70227d2c2262223a7b226474797065223a22463634222c227368617065223a5b335d2c22646174615f6f666673657473223a5b302c32345d7d2c2265223a7b226474797065223a22463332222c227368617065223a5b302c325d2c22646174615f6f666673657473223a5b32342c32345d7d2c2277223a7b226474797065223a22463332222c227368617065223a5b322c335d2c22646174615f6f666673657473223a5b32342c34385d7d7d9a9999999999b93f00000000000004c09c7500883ce4377e000080bf000040bf000000bf000080be000000000000803e")
    static let pythonSingle = bytes(hex: "38000000000000007b2278223a7b226474797065223a22463332222c227368617065223a5b325d2c22646174615f6f666673657473223a5b302c385d7d7d2020000000000000803f")

    @Test func encodeWritesThePythonPackagesBytes() throws {
        #expect(try Safetensors.encode(Self.mixed, metadata: ["format": "np"]) == Self.pythonMixed)
        // In any order given.
        #expect(try Safetensors.encode(Self.mixed.reversed(), metadata: ["format": "np"]) == Self.pythonMixed)
        #expect(try Safetensors.encode([("x", AnyTensor(Tensor<Float>(shape: Shape([2]), scalars: [0, 1])))]) == Self.pythonSingle)
        // The header is padded with spaces to a multiple of 8.
        #expect(Self.pythonSingle[8 + 54..<8 + 56] == [0x20, 0x20])
    }

    @Test func decodeReadsThePythonPackagesBytes() throws {
        let header = try Safetensors.decodeHeader(Self.pythonMixed, limits: .default)
        #expect(header.metadata == ["format": "np"])
        #expect(header.entries.map(\.name) == ["b", "e", "w"])
        #expect(header.entries.map(\.dtype) == ["F64", "F32", "F32"])
        #expect(header.dataOffset == 8 + 200)
        let tensors = try Safetensors.decode(Self.pythonMixed, limits: .default)
        #expect(tensors.map(\.name) == ["b", "e", "w"])
        #expect(tensors[0].tensor == AnyTensor(Tensor<Double>(shape: Shape([3]), scalars: [0.1, -2.5, 1e300])))
        #expect(tensors[1].tensor == AnyTensor(Tensor<Float>(shape: Shape([0, 2]), scalars: [])))
        #expect(tensors[2].tensor == AnyTensor(Tensor<Float>(shape: Shape([2, 3]), scalars: [-1, -0.75, -0.5, -0.25, 0, 0.25])))
        let only = try Safetensors.decode(Self.pythonMixed, limits: .default, selecting: { $0 == "w" })
        #expect(only.map(\.name) == ["w"])
    }

    @Test func roundTripKeepsEveryBit() throws {
        let values32: [Float] = [.pi, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .infinity, 1e-30]
        let values64: [Double] = [.pi, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.infinity, 1e-300, 7]
        let tensors: [(name: String, tensor: AnyTensor)] = [
            ("conv_w", AnyTensor(Tensor(shape: Shape([1, 2, 3]), scalars: values32))),
            ("bias", AnyTensor(Tensor(shape: Shape([7]), scalars: values64))),
            ("scalar", AnyTensor(Tensor<Double>(shape: Shape([]), scalars: [42]))),
            ("ünïcode \"q\"\n", AnyTensor(Tensor<Float>(shape: Shape([1]), scalars: [3]))),
        ]
        let bytes = try Safetensors.encode(tensors, metadata: ["b": "2", "a": "\u{1}x"])
        let header = try Safetensors.decodeHeader(bytes, limits: .default)
        #expect((header.dataOffset - 8) % 8 == 0)
        #expect(header.metadata == ["b": "2", "a": "\u{1}x"])
        let back = try Safetensors.decode(bytes, limits: .default)
        #expect(back.count == tensors.count)
        for (name, tensor) in tensors {
            let found = try #require(back.first { $0.name == name }, "\(name)")
            #expect(found.tensor.dtype == tensor.dtype)
            #expect(found.tensor.shape == tensor.shape)
            switch (found.tensor, tensor) {
            case (.float32(let a), .float32(let b)): #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern))
            case (.float64(let a), .float64(let b)): #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern))
            default: Issue.record("dtype changed for \(name)")
            }
        }
        #expect(throws: SafetensorsError.duplicateName("a")) { try Safetensors.encode([("a", tensors[0].tensor), ("a", tensors[1].tensor)]) }
        #expect(throws: SafetensorsError.duplicateName("__metadata__")) { try Safetensors.encode([("__metadata__", tensors[0].tensor)]) }
    }

    static let pythonHasSafetensors: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import safetensors.numpy, numpy"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    /// The Python package's reader (`safetensors.numpy.load_file`) on our bytes: names,
    /// dtypes, shapes and values as numpy sees them. Skipped where the package is missing
    /// (CI installs it: .ci/run).
    @Test(.enabled(if: pythonHasSafetensors, "python3 lacks the safetensors package"))
    func pythonReadsOurFile() throws {
        let tensors: [(name: String, tensor: AnyTensor)] = [
            ("w", AnyTensor(Tensor<Float>(shape: Shape([2, 2]), scalars: [0.5, -1, 3, 1e-3]))),
            ("b", AnyTensor(Tensor<Double>(shape: Shape([3]), scalars: [0.1, 2, -7.25]))),
        ]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cg-st-\(UUID().uuidString).safetensors").path
        try Data(try Safetensors.encode(tensors, metadata: ["by": "convgraph"])).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = """
            import sys, numpy as np
            from safetensors import safe_open
            from safetensors.numpy import load_file
            t = load_file(sys.argv[1])
            assert sorted(t) == ["b", "w"], sorted(t)
            assert t["w"].dtype == np.float32 and t["w"].shape == (2, 2), (t["w"].dtype, t["w"].shape)
            assert (t["w"] == np.array([[0.5, -1], [3, 1e-3]], dtype=np.float32)).all(), t["w"]
            assert t["b"].dtype == np.float64 and t["b"].shape == (3,)
            assert (t["b"] == np.array([0.1, 2, -7.25])).all(), t["b"]
            with safe_open(sys.argv[1], "np") as f:
                assert f.metadata() == {"by": "convgraph"}, f.metadata()
            print("ok")
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(stderr)")
        #expect(stdout == "ok\n")
    }

    @Test func integerAndBooleanTensorsConvertExactly() throws {
        // I64 [-3, 2^53], U8 [0, 255], BOOL [0, 7] (any nonzero byte is true), I16 [-2].
        var buffer: [UInt8] = []
        for v in [Int64(-3), Int64(1) << 53] { withUnsafeBytes(of: v.littleEndian) { buffer += $0 } }
        buffer += [0, 255, 0, 7]
        withUnsafeBytes(of: Int16(-2).littleEndian) { buffer += $0 }
        let bytes = Self.file("""
            {"l":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"u":{"dtype":"U8","shape":[2],"data_offsets":[16,18]},\
            "f":{"dtype":"BOOL","shape":[2],"data_offsets":[18,20]},"s":{"dtype":"I16","shape":[1,1],"data_offsets":[20,22]}}
            """, buffer)
        let t = try Safetensors.decode(bytes, limits: .default)
        #expect(t.map(\.name) == ["l", "u", "f", "s"])
        #expect(t[0].tensor == AnyTensor(Tensor<Double>(shape: Shape([2]), scalars: [-3, 9007199254740992])))
        #expect(t[1].tensor == AnyTensor(Tensor<Double>(shape: Shape([2]), scalars: [0, 255])))
        #expect(t[2].tensor == AnyTensor(Tensor<Double>(shape: Shape([2]), scalars: [0, 1])))
        #expect(t[3].tensor == AnyTensor(Tensor<Double>(shape: Shape([1, 1]), scalars: [-2])))
        // 2^53 is past 2^24: refused for a float32 graph, with the index.
        #expect(throws: SafetensorsError.wholeNumberTooLarge(tensor: "l", index: [1], value: "9007199254740992", bits: 24, dtype: .float32)) {
            try Safetensors.decode(bytes, limits: .default, exactIn: .float32)
        }
        var over = buffer
        withUnsafeBytes(of: ((Int64(1) << 53) + 1).littleEndian) { over.replaceSubrange(8..<16, with: $0) }
        let tooBig = Self.file(String(decoding: bytes[8..<(bytes.count - buffer.count)], as: UTF8.self), over)
        #expect(throws: SafetensorsError.wholeNumberTooLarge(tensor: "l", index: [1], value: "9007199254740993", bits: 53, dtype: .float64)) {
            try Safetensors.decode(tooBig, limits: .default)
        }
    }

    /// A header for one tensor `a` with the given entry text.
    static func one(_ entry: String, _ buffer: [UInt8] = [0, 0, 0, 0]) -> [UInt8] {
        file("{\"a\":\(entry)}", buffer)
    }

    @Test func hostileFilesAreRefusedWithTheirOwnError() throws {
        var huge = [UInt8](repeating: 0xFF, count: 8)
        huge += Array("{}".utf8)
        var over = Self.file("{}")
        over.replaceSubrange(0..<8, with: [0, 0, 0x10, 0x01, 0, 0, 0, 0])  // 0x1100000 = 17 MiB
        let beyond = [100, 0, 0, 0, 0, 0, 0, 0] + Array("{}        ".utf8)
        let cases: [(String, [UInt8], SafetensorsError)] = [
            ("empty", [], .truncated(size: 0)),
            ("three bytes", [1, 2, 3], .truncated(size: 3)),
            ("length 2^64-1", huge, .headerTooLong(length: nil, limit: 16 << 20)),
            ("length 17 MiB", over, .headerTooLong(length: 17 << 20, limit: 16 << 20)),
            ("beyond the file", beyond, .headerBeyondFile(length: 100, available: 10)),
            ("unclosed", Self.file("{"), .invalidJSON(.unexpectedEnd)),
            ("not utf-8", Self.file("{\"\u{FF}\":1}").enumerated().map { $0.offset == 10 ? 0xFF : $0.element }, .invalidJSON(.notUTF8)),
            ("single quotes", Self.file("{'a':1}"), .invalidJSON(.unexpectedCharacter(offset: 1))),
            ("trailing comma", Self.file("{\"a\":{},}"), .invalidJSON(.unexpectedCharacter(offset: 8))),
            ("two values", Self.file("{} {}"), .invalidJSON(.trailingContent(offset: 3))),
            ("too deep", Self.file("{\"a\":{\"shape\":[[1]]}}"), .invalidJSON(.nestingTooDeep(limit: 3))),
            ("array", Self.file("[1]"), .headerNotAnObject),
            ("string", Self.file("\"x\""), .headerNotAnObject),
            ("metadata not strings", Self.file("{\"__metadata__\":{\"k\":1}}"), .invalidMetadata),
            ("metadata not an object", Self.file("{\"__metadata__\":\"k\"}"), .invalidMetadata),
            ("metadata key twice", Self.file("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}"), .invalidMetadata),
            ("entry not an object", Self.file("{\"a\":1}"), .entryNotAnObject(tensor: "a")),
            ("no data_offsets", Self.one("{\"dtype\":\"F32\",\"shape\":[1]}"), .missingKey(tensor: "a", key: "data_offsets")),
            ("no dtype", Self.one("{\"shape\":[1],\"data_offsets\":[0,4]}"), .missingKey(tensor: "a", key: "dtype")),
            ("no shape", Self.one("{\"dtype\":\"F32\",\"data_offsets\":[0,4]}"), .missingKey(tensor: "a", key: "shape")),
            ("extra key", Self.one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":0}"), .unexpectedKey(tensor: "a", key: "x")),
            ("repeated key", Self.one("{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}"), .unexpectedKey(tensor: "a", key: "dtype")),
            ("dtype a number", Self.one("{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}"), .invalidDType(tensor: "a")),
            ("F16", Self.one("{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}"), .unsupportedDType(tensor: "a", dtype: "F16")),
            ("BF16", Self.one("{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}"), .unsupportedDType(tensor: "a", dtype: "BF16")),
            ("negative dimension", Self.one("{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}"), .invalidShape(tensor: "a")),
            ("fractional dimension", Self.one("{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}"), .invalidShape(tensor: "a")),
            ("dimension past Int", Self.one("{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}"), .invalidShape(tensor: "a")),
            ("shape a string", Self.one("{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}"), .invalidShape(tensor: "a")),
            ("count overflows", Self.one("{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}"), .tooManyElements(tensor: "a", count: nil, limit: 1 << 31)),
            ("count over the limit", Self.one("{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,4]}"), .tooManyElements(tensor: "a", count: 1 << 32, limit: 1 << 31)),
            ("one offset", Self.one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}"), .invalidOffsets(tensor: "a")),
            ("reversed offsets", Self.one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}"), .invalidOffsets(tensor: "a")),
            ("negative offset", Self.one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}"), .invalidOffsets(tensor: "a")),
            ("size mismatch", Self.one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,8]}", Array(repeating: 0, count: 8)), .sizeMismatch(tensor: "a", expected: 4, actual: 8)),
            ("past the buffer", Self.one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}"), .offsetsOutOfRange(tensor: "a", end: 8, bufferSize: 4)),
            ("offset past Int", Self.one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[9223372036854775807,9223372036854775811]}"), .invalidOffsets(tensor: "a")),
            ("hole at the start", Self.one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}", Array(repeating: 0, count: 8)), .gap(from: 0, to: 4)),
            ("trailing bytes", Self.one("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", Array(repeating: 0, count: 9)), .trailingBytes(count: 5)),
            ("empty header, data", Self.file("{}", [1]), .trailingBytes(count: 1)),
            ("overlap", Self.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                                  Array(repeating: 0, count: 8)), .overlap(tensor: "b", previous: "a", offset: 4)),
            ("same bytes twice", Self.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}", [0, 0, 0, 0]),
             .overlap(tensor: "b", previous: "a", offset: 0)),
            ("hole between", Self.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                                       Array(repeating: 0, count: 12)), .gap(from: 4, to: 8)),
            ("duplicate name", Self.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", [0, 0, 0, 0]),
             .duplicateName("a")),
        ]
        for (label, bytes, expected) in cases {
            #expect(throws: expected, "\(label)") { try Safetensors.decode(bytes, limits: .default) }
        }
        // A smaller element limit, from Limits.
        var limits = Limits()
        limits.maxTensorElements = 3
        #expect(throws: SafetensorsError.tooManyElements(tensor: "a", count: 4, limit: 3)) {
            try Safetensors.decode(Self.one("{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}"), limits: limits)
        }
        limits.maxSafetensorsHeaderBytes = 8
        #expect(throws: SafetensorsError.headerTooLong(length: 56, limit: 8)) { try Safetensors.decode(Self.pythonSingle, limits: limits) }
    }

    @Test func messagesNameTheProblemWithoutEchoingContent() {
        #expect(SafetensorsError.unsupportedDType(tensor: "w", dtype: "BF16").description
                == "tensor 'w' has the unsupported dtype 'BF16' (accepted: F32 F64 BOOL U8 I8 U16 I16 U32 I32 U64 I64)")
        #expect(SafetensorsError.unexpectedKey(tensor: "a\u{1B}[31m", key: String(repeating: "k", count: 65)).description
                == "the entry of tensor (not shown) has an unexpected or repeated key (not shown)")
        #expect(SafetensorsError.headerTooLong(length: nil, limit: 8).description == "the safetensors header is more than 2^63 bytes, over the limit of 8 bytes")
        #expect(SafetensorsError.gap(from: 0, to: 4).description == "bytes 0..<4 of the data buffer belong to no tensor")
    }

    @Test func jsonParserFollowsRFC8259() throws {
        #expect(try JSONParser.parse(Array(" {\"a\": [1, -2.5e1, true, null, \"\\u00e9\\ud83d\\ude00\\n\"]} ".utf8))
                == .object([("a", .array([.int(1), .double(-25), .bool(true), .null, .string("é😀\n")]))]))
        #expect(try JSONParser.parse(Array("-0".utf8)) == .int(0))
        #expect(try JSONParser.parse(Array("1e400".utf8)) == .double(.infinity))
        let bad: [(String, JSONParseError)] = [
            ("", .empty), ("  ", .empty), ("01", .invalidNumber(offset: 0)), ("1.", .invalidNumber(offset: 0)),
            (".5", .unexpectedCharacter(offset: 0)), ("+1", .unexpectedCharacter(offset: 0)), ("NaN", .unexpectedCharacter(offset: 0)),
            ("\"\\ud83d\"", .invalidString(offset: 1)), ("\"\\x\"", .invalidString(offset: 1)), ("\"a\tb\"", .invalidString(offset: 2)),
            ("tru", .unexpectedEnd), ("[1 2]", .unexpectedCharacter(offset: 3)), ("{\"a\" 1}", .unexpectedCharacter(offset: 5)),
            ("[[[]]]", .nestingTooDeep(limit: 2)),
        ]
        for (text, error) in bad {
            #expect(throws: error, "\(text)") { try JSONParser.parse(Array(text.utf8), maxDepth: 2) }
        }
        // Deep nesting is refused at the limit, not by overflowing the stack.
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.nestingTooDeep(limit: 64)) { try JSONParser.parse(Array(deep.utf8)) }
    }

    // MARK: convgraph run --params FILE.safetensors

    @Test func runStartsParamsFromASafetensorsFile() throws {
        let ones = AnyTensor(Tensor<Float>(shape: Shape([3, 2, 3, 3]), scalars: Array(repeating: 1, count: 54)))
        let file = try Safetensors.encode([("w1", ones), ("gone", AnyTensor(Tensor<Double>(shape: Shape([2]), scalars: [0, 0])))])
        let dir = try FeedCLITests.folder(FeedCLITests.graph(), ["w.safetensors": file])
        let plain = try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/plain"])
        #expect(plain.status == 0)
        let loaded = try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/loaded", "--params", dir + "/w.safetensors"])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        // The float64 graph's w1 holds the file's float32 ones.
        #expect(try FeedCLITests.read(dir + "/loaded/values/w1.npy") == FeedCLITests.npy([3, 2, 3, 3]) { _ in 1 })
        // w2 draws after w1: loading w1 leaves it identical.
        #expect(try FeedCLITests.read(dir + "/loaded/values/w2.npy") == FeedCLITests.read(dir + "/plain/values/w2.npy"))
        let params = try FeedCLITests.manifest(dir + "/loaded")["params"] as? [String: Any]
        #expect(params?["dir"] as? String == dir + "/w.safetensors")
        #expect(params?["files"] as? [String: [String: String]] == ["w1": ["file": dir + "/w.safetensors", "sha256": SHA256.hex(file)]])

        // The library entry gives the same run.
        var request = RunRequest(graphPath: dir + "/graph.yaml")
        request.paramsDirectory = dir + "/w.safetensors"
        request.out = dir + "/library"
        _ = try request.perform()
        #expect(try FeedCLITests.read(dir + "/library/values/w1.npy") == FeedCLITests.read(dir + "/loaded/values/w1.npy"))
    }

    @Test func runParamsSafetensorsErrors() throws {
        let w2 = AnyTensor(Tensor<Double>(shape: Shape([3]), scalars: [1, 2, 3]))
        let half = Self.one("{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}")
        let dir = try FeedCLITests.folder(FeedCLITests.graph(), [
            "shape.safetensors": try Safetensors.encode([("w2", w2)]),
            "half.safetensors": half,
            "cut.safetensors": Array(Self.pythonSingle.dropLast()),
            "dir.safetensors/x": [1],
        ])
        func run(_ file: String) throws -> CLITests.Output {
            try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/r", "--params", dir + "/" + file])
        }
        let shape = try run("shape.safetensors")
        #expect(shape.status == 65)
        #expect(shape.stderr == "\(dir)/shape.safetensors: error: tensor 'w2' has shape [3], but param 'w2' has shape [1, 3, 1, 1]\n")
        let f16 = try run("half.safetensors")
        #expect(f16.status == 65)
        #expect(f16.stderr == "\(dir)/half.safetensors: error: tensor 'a' has the unsupported dtype 'F16' (accepted: F32 F64 BOOL U8 I8 U16 I16 U32 I32 U64 I64)\n")
        let cut = try run("cut.safetensors")
        #expect(cut.status == 65)
        #expect(cut.stderr == "\(dir)/cut.safetensors: error: tensor 'x' ends at byte 8, past the 7-byte data buffer\n")
        let missing = try run("none.safetensors")
        #expect(missing.status == 66)
        #expect(missing.stderr == "\(dir)/none.safetensors: error: no such file\n")
        let folder = try run("dir.safetensors")
        #expect(folder.status == 65)
        #expect(folder.stderr == "\(dir)/dir.safetensors: error: not a regular file\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/r"))
    }
}

import Foundation
import Testing
@testable import ConvGraph

/// SPEC §10 "Data": a data set's files are read once and checked before the first step.
/// Every expected value below is written by hand from the arrays the tests write.
struct TrainingDataTests {
    typealias Files = [(node: Int, path: String, location: ConvGraph.SourceLocation)]

    /// A fresh folder holding `graph.yaml` (written from `yaml`) and the graph built from it;
    /// removed with the fixture.
    final class Fixture {
        let folder: String
        let graph: Graph

        init(_ yaml: String) throws {
            var template = Array("/tmp/convgraph-data-XXXXXX".utf8CString)
            let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
            folder = try #require(made.map { String(cString: $0) })
            try yaml.write(toFile: folder + "/graph.yaml", atomically: true, encoding: .utf8)
            graph = try Graph.parse(yaml: yaml, path: folder + "/graph.yaml")
        }

        deinit { RunDirectory.removeTree(folder) }

        /// Writes `bytes` as `name` in the folder.
        func write(_ name: String, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + name))
        }

        /// The position standing for where a file's path is written: line 20 + its place.
        func location(_ k: Int) -> ConvGraph.SourceLocation {
            ConvGraph.SourceLocation(file: folder + "/graph.yaml", line: 20 + k, column: 9)
        }

        /// `names` (node name, file name) as `load` takes them, each at `location(k)`.
        func files(_ names: [(String, String)]) -> Files {
            names.enumerated().map { k, pair in (graph.index(of: pair.0)!, pair.1, location(k)) }
        }

        func load(_ names: [(String, String)], full: Bool = true) throws(ConvGraphError) -> TrainingData {
            try TrainingData.load(files(names), for: graph, limits: .default, requireFullBatch: full)
        }

        func error(_ names: [(String, String)], full: Bool = true) -> ConvGraphError? {
            do {
                _ = try load(names, full: full)
                return nil
            } catch {
                return error
            }
        }
    }

    /// A classifier with K = 3: logits fed directly, labels as class indices, B = 4.
    static let classifier = """
        graph: tiny
        seed: 1
        nodes:
          image: {op: input, shape: [4, 3, 1, 1]}
          label: {op: input, shape: [4, 1, 1, 1]}
          loss:  {op: cross_entropy}
        edges:
          - image -> loss
          - label -> loss.target
        """

    /// An input of [2, 2, 3, 1] through relu, for the shape rule.
    static let shaped = """
        graph: shaped
        nodes:
          x: {op: input, shape: [2, 2, 3, 1]}
          y: {op: relu}
        edges:
          - x -> y
        """

    /// A version 1.0 `.npy` of little-endian integers (`descr` such as `<i8`, `|u1`).
    static func integerNPY(_ descr: String, shape: [Int], _ values: [Int64]) -> [UInt8] {
        let size = Int(String(descr.last!))!
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(dims), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        for v in values {
            let pattern = UInt64(bitPattern: v)
            for b in 0..<size { bytes.append(UInt8(truncatingIfNeeded: pattern >> UInt64(8 * b))) }
        }
        return bytes
    }

    static func doubles(_ shape: Shape, _ values: [Double]) -> [UInt8] { NPY.encode(Tensor(shape: shape, scalars: values)) }

    /// 5 samples of 3 logits: sample s holds s + 0.25·c in channel c.
    static let images: [Double] = (0..<5).flatMap { s in (0..<3).map { c in Double(s) + 0.25 * Double(c) } }

    // MARK: Loading

    @Test func loadsImagesAndIntegerLabelsAndGathersRows() throws {
        let f = try Fixture(Self.classifier)
        try f.write("x.npy", Self.doubles([5, 3], Self.images))
        try f.write("y.npy", Self.integerNPY("<i8", shape: [5], [2, 0, 1, 1, 2]))
        let data = try f.load([("image", "x.npy"), ("label", "y.npy")])
        #expect(data.sampleCount == 5)
        #expect(data.batchSize == 4)
        #expect(data.stepsPerEpoch == 1)
        #expect(data.arrays.map(\.storedDType) == ["float64", "int64"])
        #expect(data.arrays[0].resolvedPath == f.folder + "/x.npy")
        #expect(data.arrays[0].values.shape == [5, 3, 1, 1])
        #expect(data.arrays[1].values.shape == [5, 1, 1, 1])

        // Samples 3, 0, 4, 3 (a sample may repeat): rows copied in that order.
        let batch = data.batch([3, 0, 4, 3][...])
        #expect(batch["image"]?.shape == [4, 3, 1, 1])
        #expect(batch["image"]?.doubles.scalars == [3, 3.25, 3.5, 0, 0.25, 0.5, 4, 4.25, 4.5, 3, 3.25, 3.5])
        #expect(batch["label"]?.shape == [4, 1, 1, 1])
        #expect(batch["label"]?.doubles.scalars == [1, 2, 2, 1])

        // An evaluation batch may be smaller than B.
        let last = data.batch([4][...])
        #expect(last["image"]?.shape == [1, 3, 1, 1])
        #expect(last["image"]?.doubles.scalars == [4, 4.25, 4.5])
        #expect(last["label"]?.doubles.scalars == [2])
    }

    @Test func recordsTheSha256OfEachFileByNode() throws {
        let f = try Fixture(Self.classifier)
        let x = Self.doubles([4, 3], Array(Self.images.prefix(12)))
        let y = Self.integerNPY("|u1", shape: [4], [0, 1, 2, 0])
        try f.write("x.npy", x)
        try f.write("y.npy", y)
        let data = try f.load([("image", "x.npy"), ("label", "y.npy")])
        #expect(data.sha256 == ["image": SHA256.hex(x), "label": SHA256.hex(y)])
        #expect(data.arrays[1].storedDType == "uint8")
        #expect(data.batch([0, 1, 2, 3][...])["label"]?.doubles.scalars == [0, 1, 2, 0])
    }

    @Test func float32ImagesFillAFloat64GraphExactly() throws {
        let f = try Fixture(Self.classifier)
        let values: [Float] = [0.1, -0.2, 1e-3, 3.7, 2, 5.5, 0.3, 0.7, -1.1, 9, 8, 7]
        try f.write("x.npy", NPY.encode(Tensor(shape: [4, 3, 1, 1], scalars: values)))
        try f.write("y.npy", Self.integerNPY("<i8", shape: [4], [0, 1, 2, 0]))
        let data = try f.load([("image", "x.npy"), ("label", "y.npy")])
        guard case .float64(let held) = data.arrays[0].values else {
            Issue.record("not held in the graph dtype")
            return
        }
        #expect(held.scalars == values.map { Double($0) })
        #expect(data.arrays[0].storedDType == "float32")
    }

    @Test func float64DataIsHeldAsFloat32InAFloat32Graph() throws {
        let f = try Fixture(Self.classifier.replacingOccurrences(of: "seed: 1", with: "seed: 1\ndtype: float32"))
        let values: [Double] = [0.1, -0.2, 1e-3, 3.7, 2, 5.5, 0.3, 0.7, -1.1, 9, 8, 7]
        try f.write("x.npy", Self.doubles([4, 3, 1, 1], values))
        try f.write("y.npy", Self.doubles([4, 1], [0, 1, 2, 0]))
        let data = try f.load([("image", "x.npy"), ("label", "y.npy")])
        guard case .float32(let held) = data.arrays[0].values, case .float32(let batch)? = data.batch([1, 0][...])["image"] else {
            Issue.record("not held in the graph dtype")
            return
        }
        #expect(held.scalars == values.map { Float($0) })
        #expect(batch.scalars == [3.7, 2, 5.5, 0.1, -0.2, 1e-3].map { Float($0) })
    }

    /// [S, C, H, W] past its first axis padded with 1s on the right to [C, H, W] = [2, 3, 1].
    @Test(arguments: [[3, 2, 3], [3, 2, 3, 1]])
    func shapesFillWithTrailingOnes(_ dims: [Int]) throws {
        let f = try Fixture(Self.shaped)
        try f.write("x.npy", Self.doubles(Shape(dims), (0..<18).map(Double.init)))
        let data = try f.load([("x", "x.npy")], full: false)
        #expect(data.arrays[0].values.shape == [3, 2, 3, 1])
        #expect(data.batch([2][...])["x"]?.doubles.scalars == (12..<18).map(Double.init))
    }

    // MARK: Refusals

    @Test(arguments: [[3, 6], [3, 2, 3, 2], [3, 3, 2, 1], [3, 2, 3, 1, 1], [18]])
    func aWrongShapeIsRefusedAtThePath(_ dims: [Int]) throws {
        let f = try Fixture(Self.shaped)
        let count = dims.reduce(1, *)
        try f.write("x.npy", Self.doubles(Shape(dims), (0..<count).map(Double.init)))
        let error = try #require(f.error([("x", "x.npy")], full: false))
        #expect(error.exitCode == 65)
        let first = try #require(error.diagnostics.first)
        #expect(first.location == f.location(0))
        #expect(first.message == "'x.npy' has shape \(Shape(dims).bracketed), but input 'x' takes samples of [2, 3, 1]")
    }

    @Test func setsWhoseArraysDisagreeOnSAreRefused() throws {
        let f = try Fixture(Self.classifier)
        try f.write("x.npy", Self.doubles([5, 3], Self.images))
        try f.write("y.npy", Self.integerNPY("<i8", shape: [6], [0, 1, 2, 0, 1, 2]))
        let error = try #require(f.error([("image", "x.npy"), ("label", "y.npy")]))
        #expect(error.exitCode == 65)
        #expect(error.diagnostics.first?.location == f.location(1))
        #expect(error.diagnostics.first?.message == "'y.npy' holds 6 samples, but 'x.npy' holds 5")
        #expect(error.diagnostics.first?.notes.last?.location == f.location(0))
    }

    @Test func fewerSamplesThanTheBatchAreRefusedForTrainingOnly() throws {
        let f = try Fixture(Self.classifier)
        try f.write("x.npy", Self.doubles([3, 3], Array(Self.images.prefix(9))))
        try f.write("y.npy", Self.integerNPY("<i8", shape: [3], [0, 1, 2]))
        let names = [("image", "x.npy"), ("label", "y.npy")]
        let error = try #require(f.error(names))
        #expect(error.exitCode == 65)
        #expect(error.diagnostics.first?.location == f.location(0))
        #expect(error.diagnostics.first?.message == "the training set holds 3 samples, fewer than the batch size 4")
        // An evaluation set of 3 is one smaller batch.
        let eval = try f.load(names, full: false)
        #expect(eval.sampleCount == 3)
        #expect(eval.stepsPerEpoch == 0)
    }

    @Test func anEmptySetIsRefused() throws {
        let f = try Fixture(Self.classifier)
        try f.write("x.npy", Self.doubles([0, 3], []))
        let error = try #require(f.error([("image", "x.npy")], full: false))
        #expect(error.exitCode == 65)
        #expect(error.diagnostics.first?.message == "'x.npy' holds no samples (shape [0, 3])")
    }

    /// The first value that is not a class index of K = 3, by sample, in the file's shape.
    @Test(arguments: [
        (Int64(3), "3", 1),           // ≥ K
        (Int64(-1), "-1", 1),         // negative
    ])
    func integerLabelsOutsideTheClassesAreRefused(bad: Int64, printed: String, sample: Int) throws {
        let f = try Fixture(Self.classifier)
        try f.write("x.npy", Self.doubles([5, 3], Self.images))
        try f.write("y.npy", Self.integerNPY("<i4", shape: [5], [2, bad, 0, 7, 1]))
        let error = try #require(f.error([("image", "x.npy"), ("label", "y.npy")]))
        #expect(error.exitCode == 65)
        let d = try #require(error.diagnostics.first)
        #expect(d.location == f.location(1))
        #expect(d.message == "'y.npy' holds \(printed) at index [\(sample)] (sample \(sample)), which is not a class index")
        #expect(d.notes.first?.message.contains("whole numbers 0…2 (K = 3 classes)") == true)
        #expect(d.notes.first?.location == f.graph["loss"]?.location)
    }

    @Test func fractionalAndNaNLabelsAreRefused() throws {
        let f = try Fixture(Self.classifier)
        try f.write("x.npy", Self.doubles([5, 3], Self.images))
        try f.write("y.npy", Self.doubles([5, 1], [0, 1, 2, 2.5, 1]))
        let fractional = try #require(f.error([("image", "x.npy"), ("label", "y.npy")]))
        #expect(fractional.exitCode == 65)
        #expect(fractional.diagnostics.first?.message == "'y.npy' holds 2.5 at index [3, 0] (sample 3), which is not a class index")
        try f.write("y.npy", Self.doubles([5, 1], [0, .nan, 2, 2, 1]))
        let nan = try #require(f.error([("image", "x.npy"), ("label", "y.npy")]))
        #expect(nan.diagnostics.first?.message == "'y.npy' holds nan at index [1, 0] (sample 1), which is not a class index")
    }

    /// Labels that no index target reads are not held to class indices.
    @Test func onlyIndexTargetsOfCrossEntropyAreChecked() throws {
        let f = try Fixture(Self.shaped)
        let values: [Double] = [-1.5, 7, 0.25, 3, 2, 1, 0.5, -4, 9, 10, 11, 12]
        try f.write("x.npy", Self.doubles([2, 2, 3], values))
        #expect(try f.load([("x", "x.npy")]).arrays[0].values.doubles.scalars == values)
    }

    @Test func aMissingFileIs66AtThePath() throws {
        let f = try Fixture(Self.classifier)
        try f.write("x.npy", Self.doubles([5, 3], Self.images))
        let error = try #require(f.error([("image", "x.npy"), ("label", "missing.npy")]))
        #expect(error.exitCode == 66)
        #expect(error.diagnostics.first?.location == f.location(1))
        #expect(error.diagnostics.last?.description == "\(f.folder)/missing.npy: error: no such file")
    }

    @Test func aFileThatIsNotATensorIs65() throws {
        let f = try Fixture(Self.classifier)
        try f.write("x.npy", Array("not a tensor".utf8))
        let error = try #require(f.error([("image", "x.npy")]))
        #expect(error.exitCode == 65)
        #expect(error.diagnostics.first?.location == f.location(0))
    }

    @Test func dataForAParamOrTwiceForOneNodeIsRefused() throws {
        let f = try Fixture("""
            graph: p
            nodes:
              x: {op: input, shape: [2, 3, 1, 1]}
              w: {op: param, shape: [2, 3, 1, 1], init: zeros}
              y: {op: add}
            edges:
              - x -> y
              - w -> y
            """)
        try f.write("x.npy", Self.doubles([2, 3], [1, 2, 3, 4, 5, 6]))
        let param = try #require(f.error([("w", "x.npy")]))
        #expect(param.exitCode == 65)
        #expect(param.diagnostics.first?.message == "'w' is a param node; data feeds input nodes only")
        let twice = try #require(f.error([("x", "x.npy"), ("x", "x.npy")]))
        #expect(twice.exitCode == 65)
        #expect(twice.diagnostics.first?.location == f.location(1))
        #expect(twice.diagnostics.first?.notes.first?.location == f.location(0))
    }
}

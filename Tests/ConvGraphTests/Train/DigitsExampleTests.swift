import Foundation
import Testing

@testable import ConvGraph

/// The digits example (Examples/digits): its committed data are what Scripts/make-digits.py
/// promises, and evaluate.py (the network in plain numpy) agrees with `convgraph run --eval`
/// on the logits, the loss and the accuracy over the whole test set.
@Suite struct DigitsExampleTests {
    static let folder = CLIProcess.root + "/Examples/digits"

    /// A `python3` that imports numpy, or nil (the comparison is then skipped).
    static let python: String? = {
        let candidates = [ProcessInfo.processInfo.environment["CONVGRAPH_PYTHON"], "python3"].compactMap { $0 }
        return candidates.first { (try? DigitsExampleTests.shell([$0, "-c", "import numpy"]).status) == 0 }
    }()

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program found on PATH (through /usr/bin/env), capturing its output.
    static func shell(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func load<T: TensorScalar>(_ path: String, as type: T.Type) throws -> Tensor<T> {
        try NPY.decode([UInt8](Data(contentsOf: URL(fileURLWithPath: path))), as: type)
    }

    static func header(_ path: String) throws -> String {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)).prefix(128))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// digits.yaml without its `train:` section (the top-level key and its indented lines),
    /// so that the tool's `run` reads it whether or not it knows `train`.
    static func graphWithoutTrain() throws -> String {
        let text = try String(contentsOfFile: folder + "/digits.yaml", encoding: .utf8)
        var kept: [Substring] = []
        var inTrain = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first != " ", first != "#" { inTrain = line.hasPrefix("train:") }
            if !inTrain { kept.append(line) }
        }
        return kept.joined(separator: "\n")
    }

    @Test func theDataAreTheSplitTheScriptDescribes() throws {
        for (name, count) in [("train", 1437), ("test", 360)] {
            let x = try Self.load("\(Self.folder)/\(name)-x.npy", as: Double.self)
            let y = try Self.load("\(Self.folder)/\(name)-y.npy", as: Double.self)
            #expect(x.shape.dims == [count, 1, 8, 8])
            #expect(y.shape.dims == [count])
            #expect(try Self.header("\(Self.folder)/\(name)-x.npy").contains("'descr': '<f4'"))
            #expect(try Self.header("\(Self.folder)/\(name)-y.npy").contains("'descr': '<i8'"))
            // Pixels are counts 0…16 divided by 16; labels are the digits 0…9, all present.
            #expect(x.scalars.allSatisfy { $0 >= 0 && $0 <= 1 && ($0 * 16).rounded() == $0 * 16 })
            #expect(Set(y.scalars) == Set((0...9).map(Double.init)))
        }
    }

    /// Params with nontrivial values (running means and variances away from 0 and 1, scales and
    /// biases away from 1 and 0), made by the tool from digits.yaml's own params with their
    /// inits overridden; evaluated on all 360 test samples by the tool (`--eval`, N = 360 from
    /// the fed arrays) and by evaluate.py.
    @Test(.enabled(if: DigitsExampleTests.python != nil, "needs python3 with numpy"))
    func evaluatePyAgreesWithTheTool() throws {
        let python = try #require(Self.python)
        let work = try CLIProcess.makeTemporaryDirectory("convgraph-digits")
        defer { RunDirectory.removeTree(work) }
        let graph = work + "/digits.yaml"
        try Self.graphWithoutTrain().write(toFile: graph, atomically: true, encoding: .utf8)
        let testX = Self.folder + "/test-x.npy", testY = Self.folder + "/test-y.npy"
        let feeds = ["--input", "image=\(testX)", "--input", "label=\(testY)"]

        let params = ["w1", "g1", "b1", "m1", "v1", "w2", "g2", "b2", "m2", "v2", "w3", "b3"]
        var overrides: [String] = ["save.values=[\(params.joined(separator: ", "))]"]
        for layer in ["1", "2"] {
            overrides += ["nodes.g\(layer).init={uniform: {low: 0.5, high: 1.5}}",
                          "nodes.b\(layer).init={randn: {scale: 0.2}}",
                          "nodes.m\(layer).init={randn: {scale: 0.3}}",
                          "nodes.v\(layer).init={uniform: {low: 0.3, high: 3}}"]
        }
        overrides.append("nodes.b3.init={randn: {scale: 0.1}}")
        let made = try CLITests.convgraph(["run", graph, "--out", work + "/made", "--forward-only"]
                                          + feeds + overrides.flatMap { ["--set", $0] })
        try #require(made.status == 0, "\(made.stderr)")
        try FileManager.default.createDirectory(atPath: work + "/trained", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: work + "/made/values", toPath: work + "/trained/params")

        // The README's prediction command (backward included).
        let tool = try CLITests.convgraph(["run", graph, "--eval", "--params", work + "/trained", "--out", work + "/test"] + feeds)
        try #require(tool.status == 0, "\(tool.stderr)")
        let toolLogits = try Self.load(work + "/test/values/logits.npy", as: Double.self)
        let toolLoss = try Self.load(work + "/test/values/loss.npy", as: Double.self)
        #expect(toolLogits.shape.dims == [360, 10, 1, 1])

        let numpy = try Self.shell([python, Self.folder + "/evaluate.py", work + "/trained",
                                    "--x", testX, "--y", testY, "--logits", work + "/numpy-logits.npy"])
        try #require(numpy.status == 0, "\(numpy.stderr)")
        let numpyLogits = try Self.load(work + "/numpy-logits.npy", as: Double.self)
        #expect(numpyLogits.shape.dims == [360, 10, 1, 1])
        let worst = zip(toolLogits.scalars, numpyLogits.scalars).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-4, "largest logit difference \(worst)")
        let spread = (toolLogits.scalars.max() ?? 0) - (toolLogits.scalars.min() ?? 0)
        #expect(spread > 1, "the logits should not be nearly constant (spread \(spread))")

        // The accuracy from the tool's logits (first maximum on ties), printed as evaluate.py prints it.
        let labels = try Self.load(testY, as: Double.self).scalars.map { Int($0) }
        var correct = 0
        for (n, label) in labels.enumerated() {
            let row = Array(toolLogits.scalars[n * 10..<(n + 1) * 10])
            if row.firstIndex(of: row.max()!) == label { correct += 1 }
        }
        let accuracy = String(format: "%.1f", 100 * Double(correct) / Double(labels.count))
        // "eval loss L  accuracy A%": L printed to 4 decimals (the tool's loss is float32, so
        // the last printed digit may round the other way), A exactly as the tool's logits give it.
        let words = numpy.stdout.split(separator: " ", omittingEmptySubsequences: false)
        try #require(words.count == 6 && words[0] == "eval" && words[1] == "loss" && words[3] == "" && words[4] == "accuracy",
                     "unexpected output \(numpy.stdout)")
        let printedLoss = try #require(Double(words[2]))
        #expect(abs(printedLoss - toolLoss.scalars[0]) <= 1e-4, "evaluate.py \(printedLoss), the tool \(toolLoss.scalars[0])")
        #expect(words[5] == "\(accuracy)%\n")
    }
}

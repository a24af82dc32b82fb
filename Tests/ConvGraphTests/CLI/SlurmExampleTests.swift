import Foundation
import Testing
@testable import ConvGraph

/// The two cluster examples of `Examples/slurm/` run one and the same sweep (issue 14, item 3):
/// the Kubernetes Indexed Job (which cannot be run here) parses as YAML and its container runs
/// exactly the `convgraph sweep` command of the Slurm array job script, plus `--shard
/// INDEX/N` with N its number of completions, which equals the number of array tasks; and
/// that sweep is one this repository can run (its graph exists, every grid point passes
/// `convgraph check`, and it has one run per array task).
@Suite struct SlurmExampleTests {
    static let sbatchPath = CLIProcess.root + "/Examples/slurm/sweep.sbatch"
    static let manifestPath = CLIProcess.root + "/Examples/slurm/sweep-indexed-job.yaml"

    /// The job script's lines.
    static func sbatchLines() throws -> [String] {
        try String(contentsOfFile: sbatchPath, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The job script's command: the words of its one-line bash array `SWEEP=(…)`.
    static func sbatchSweep() throws -> [String] {
        let lines = try sbatchLines().filter { $0.hasPrefix("SWEEP=(") }
        try #require(lines.count == 1, "sweep.sbatch must have exactly one SWEEP=(…) line")
        let line = lines[0].trimmingCharacters(in: .whitespaces)
        try #require(line.hasSuffix(")"), "the SWEEP=(…) array must close on its line")
        let inner = String(line.dropFirst("SWEEP=(".count).dropLast())
        let words = try #require(ReadmeCommandTests.shellWords(inner), "SWEEP=(…) must hold plain quoted words")
        #expect(words.comment.isEmpty)
        return words.words
    }

    /// The number of array tasks of the job script's `#SBATCH --array=0-K` line.
    static func sbatchTasks() throws -> Int {
        let lines = try sbatchLines().filter { $0.hasPrefix("#SBATCH --array=") }
        try #require(lines.count == 1)
        let range = lines[0].dropFirst("#SBATCH --array=".count).split(separator: "-")
        try #require(range.count == 2 && range[0] == "0", "expected --array=0-K, got \(lines[0])")
        return try #require(Int(range[1])) + 1
    }

    /// The manifest, parsed by the project's YAML parser.
    static func manifest() throws -> YAMLNode {
        let bytes = try readRegularFile(atPath: manifestPath, maxBytes: 1 << 20)
        return try YAMLParser(file: "sweep-indexed-job.yaml").parse(bytes)
    }

    static func text(_ node: YAMLNode?) -> String? {
        guard let node, case .scalar(let text, _, _) = node.content else { return nil }
        return text
    }

    static func strings(_ node: YAMLNode?) -> [String]? {
        guard let elements = node?.elements else { return nil }
        let texts = elements.compactMap { text($0) }
        return texts.count == elements.count ? texts : nil
    }

    @Test func indexedJobRunsTheSbatchSweepWithItsShard() throws {
        let job = try Self.manifest()
        #expect(Self.text(job["apiVersion"]) == "batch/v1")
        #expect(Self.text(job["kind"]) == "Job")
        let spec = try #require(job["spec"])
        #expect(Self.text(spec["completionMode"]) == "Indexed")
        let completions = try #require(spec["completions"]?.resolved)
        let tasks = try Self.sbatchTasks()
        #expect(tasks == 4)
        #expect(completions == .int(tasks))
        #expect(spec["parallelism"]?.resolved == .int(tasks))

        let containers = try #require(spec["template"]?["spec"]?["containers"]?.elements)
        try #require(containers.count == 1)
        let container = containers[0]
        // The argv is `command` followed by `args` (either may be absent).
        let argv = (Self.strings(container["command"]) ?? []) + (Self.strings(container["args"]) ?? [])
        try #require(argv.first == "convgraph", "the container must exec convgraph directly, got \(argv)")
        let sweep = try Self.sbatchSweep()
        #expect(Array(argv.dropFirst()) == sweep + ["--shard", "$(JOB_COMPLETION_INDEX)/\(tasks)"])

        // $(JOB_COMPLETION_INDEX) is expanded from an env var the container declares: the index annotation.
        let env = try #require(container["env"]?.elements)
        let index = try #require(env.first { Self.text($0["name"]) == "JOB_COMPLETION_INDEX" })
        #expect(Self.text(index["valueFrom"]?["fieldRef"]?["fieldPath"])
            == "metadata.annotations['batch.kubernetes.io/job-completion-index']")
    }

    @Test func sbatchScriptRunsItsSweepUnsharded() throws {
        let lines = try Self.sbatchLines()
        #expect(lines.first == "#!/usr/bin/env bash")
        // The sweep takes its shard from SLURM_ARRAY_TASK_ID/COUNT: no --shard on the command.
        #expect(lines.contains { $0.trimmingCharacters(in: .whitespaces) == #""$convgraph" "${SWEEP[@]}" || status=$?"# })
        let sweep = try Self.sbatchSweep()
        #expect(!sweep.contains("--shard"))
        #expect(sweep.first == "sweep")
        #expect(sweep.count(where: { $0 == "--out" }) == 1)
    }

    /// The sweep has exactly one run per array task, and every run is valid for this repository.
    @Test func sweepIsValidForTheRepository() throws {
        let sweep = try Self.sbatchSweep()
        try #require(sweep.count >= 2)
        let graph = sweep[1]
        #expect(FileManager.default.fileExists(atPath: CLIProcess.root + "/" + graph))
        // The grid points, the last grid varying fastest (SPEC §11.2).
        var points: [[String]] = [[]]
        for (option, value) in zip(sweep, sweep.dropFirst()) where option == "--grid" {
            let equals = try #require(value.firstIndex(of: "="))
            let key = value[..<equals]
            let values = try YAMLParser(file: "--grid").parse(Array(value[value.index(after: equals)...].utf8))
            let texts = try #require(Self.strings(values), "\(value): a flow sequence of scalars")
            points = points.flatMap { point in texts.map { point + ["\(key)=\($0)"] } }
        }
        let tasks = try Self.sbatchTasks()
        #expect(points.count == tasks)
        #expect(points.map { $0.joined(separator: " ") } == [
            "seed=1 nodes.pooled.mode=max", "seed=1 nodes.pooled.mode=average",
            "seed=2 nodes.pooled.mode=max", "seed=2 nodes.pooled.mode=average",
        ])
        for point in points {
            let outcome = try CLIProcess.run(["check", graph] + point.flatMap { ["--set", $0] }, in: CLIProcess.root)
            #expect(outcome.status == 0, "\(point): \(outcome.stderr)")
        }
    }
}

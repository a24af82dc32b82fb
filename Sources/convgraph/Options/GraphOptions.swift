import ArgumentParser
import ConvGraph

/// The graph file and its `--set` overrides, shared by the commands that load a graph.
struct GraphOptions: ParsableArguments {
    @Argument(help: "The graph file (YAML).")
    var graph: String

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override a value in the graph file: a dotted path and a YAML value, e.g. --set nodes.conv.stride=1 or --set 'nodes.pooled.window=[2,2]' (quote lists for the shell). Repeatable.",
        valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @OptionGroup var limits: LimitOptions
}

/// The message for a numeric option given a value outside its range (SPEC §8: exit 64).
/// Numeric options parse `.unconditional`ly, so `--threads -1` reaches this check instead
/// of reading `-1` as an unknown option ("Missing value").
func outOfRange(_ option: String, _ rule: String, _ value: some CustomStringConvertible) -> String {
    "\(option) must be \(rule); \(value) is out of range"
}

/// The resource limits of SPEC §8.
struct LimitOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp("Largest planned peak tensor memory of the run (what check prints for a full run and for --forward-only; gradcheck plans in float64), in bytes (suffixes K, M, G allowed). Default: 3/4 of physical memory.", valueName: "BYTES"))
    var maxMemory: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Largest graph file read, in bytes (default 16M).", valueName: "BYTES"))
    var maxGraphBytes: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Most elements in one tensor (default 2^31).", valueName: "N"))
    var maxTensorElements: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Most nodes in one graph (default 100000).", valueName: "N"))
    var maxNodes: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Deepest YAML nesting (default 256).", valueName: "N"))
    var maxYamlDepth: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Most YAML nodes after alias expansion (default 1000000).", valueName: "N"))
    var maxYamlNodes: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Deepest chain of includes (default 32).", valueName: "N"))
    var maxIncludeDepth: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Deepest nesting of block instances (default 64).", valueName: "N"))
    var maxBlockDepth: Int?

    func validate() throws {
        for (name, value) in [("--max-tensor-elements", maxTensorElements), ("--max-nodes", maxNodes),
                              ("--max-yaml-depth", maxYamlDepth), ("--max-yaml-nodes", maxYamlNodes),
                              ("--max-include-depth", maxIncludeDepth), ("--max-block-depth", maxBlockDepth)] {
            if let value, value < 1 { throw ValidationError(outOfRange(name, "an integer ≥ 1", value)) }
        }
        _ = try bytes(maxMemory, "--max-memory")
        _ = try bytes(maxGraphBytes, "--max-graph-bytes")
    }

    private func bytes(_ text: String?, _ name: String) throws -> Int? {
        guard let text else { return nil }
        var digits = Substring(text)
        var scale = 1
        switch digits.last {
        case "K", "k": scale = 1 << 10; digits = digits.dropLast()
        case "M", "m": scale = 1 << 20; digits = digits.dropLast()
        case "G", "g": scale = 1 << 30; digits = digits.dropLast()
        default: break
        }
        guard let n = Int(digits), n >= 1, !n.multipliedReportingOverflow(by: scale).overflow else {
            throw ValidationError("\(name) takes a byte count ≥ 1 such as 4G, not '\(text)'")
        }
        return n * scale
    }

    var resolved: Limits {
        var limits = Limits()
        if let v = try? bytes(maxMemory, "") { limits.maxMemoryBytes = v }
        if let v = try? bytes(maxGraphBytes, "") { limits.maxGraphFileBytes = v }
        if let v = maxTensorElements { limits.maxTensorElements = v }
        if let v = maxNodes { limits.maxGraphNodes = v }
        if let v = maxYamlDepth { limits.maxYAMLDepth = v }
        if let v = maxYamlNodes { limits.maxYAMLNodes = v }
        if let v = maxIncludeDepth { limits.maxIncludeDepth = v }
        if let v = maxBlockDepth { limits.maxBlockDepth = v }
        return limits
    }
}

/// `--threads`: how many threads the kernels use (SPEC §7; results are the same bytes for
/// any count).
struct ThreadOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp("Threads for the kernels (default: every core). The results are the same bytes for any count.", valueName: "N"))
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError(outOfRange("--threads", "an integer ≥ 1", threads)) }
    }

    var parallelism: Parallelism { threads.map { Parallelism(threads: $0) } ?? .allCores }
}

/// `--input`, `--params` and `--eval`, shared by `run`, `gradcheck` and `bench` (SPEC §7).
struct FeedOptions: ParsableArguments {
    @Option(name: .customLong("input"), help: ArgumentHelp("Feed an input node from a .npy file (float, integer or boolean). Its shape, padded with 1s on the right, must match the node's; a different first dimension N runs the graph with that N (every fed input must then agree). Repeatable.", valueName: "NODE=FILE.npy"))
    var inputs: [String] = []

    @Option(name: .customLong("params"), help: ArgumentHelp("Start every param whose DIR/params/<node>.npy exists from that file (e.g. a trained run); the other params keep their init values. A FILE.safetensors instead starts every param named by one of its tensors.", valueName: "DIR|FILE.safetensors"))
    var paramsDirectory: String?

    @Flag(name: .customLong("eval"), help: "Inference mode: batchnorm uses its mean and var inputs instead of the batch statistics.")
    var eval = false

    func validate() throws {
        for input in inputs where !input.contains("=") || input.hasPrefix("=") || input.hasSuffix("=") {
            throw ValidationError("--input takes NODE=FILE.npy, not '\(input)'")
        }
        if let paramsDirectory, paramsDirectory.isEmpty { throw ValidationError("--params takes a directory or a .safetensors file, not an empty string") }
    }

    var feeds: GraphFeeds {
        var feeds = GraphFeeds()
        feeds.inputs = inputs.map { pair in
            let eq = pair.firstIndex(of: "=") ?? pair.endIndex
            return (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
        }
        feeds.paramsDirectory = paramsDirectory
        feeds.mode = eval ? .eval : .train
        return feeds
    }
}

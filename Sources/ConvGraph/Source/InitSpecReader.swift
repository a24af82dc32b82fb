/// Reads an init spec (SPEC §4): a bare name (`zeros`, `ones`, `randn`) or a one-key
/// mapping (`{constant: 0.5}`, `{randn: {scale: 0.01, seed: 7}}`, `{file: x.npy}`, …).
struct InitSpecReader {
    var diagnostics: [Diagnostic]
    var loadFile: ((String, SourceLocation) -> TensorFile<Double>?)?

    mutating func error(_ message: String, at location: SourceLocation, notes: [Diagnostic.Note] = []) {
        diagnostics.append(Diagnostic(message, at: location, notes: notes))
    }

    mutating func read(_ node: YAMLNode, key: String) -> InitSpec? {
        if node.pairs == nil, node.elements == nil, case .string(let word) = node.resolved {
            switch word {
            case "zeros": return .zeros
            case "ones": return .ones
            case "randn": return .randn(scale: 1, seed: nil)
            case "he_normal": return .heNormal(seed: nil)
            case "xavier_uniform": return .xavierUniform(seed: nil)
            case "uniform": return .uniform(low: 0, high: 1, seed: nil)
            default:
                error("unknown init '\(word)'", at: node.location,
                      notes: Diagnostic.didYouMean(word, among: InitSpec.names) + [.init("inits are zeros, ones, {constant: C}, randn, {randn: {scale, seed}}, {uniform: {low, high, seed}}, {he_normal: {}}, {xavier_uniform: {}}, {file: PATH}, {values: [...]}")])
                return nil
            }
        }
        guard let pairs = node.pairs, pairs.count == 1, let pair = pairs.first else {
            error("'\(key)' takes an init such as randn or {constant: 0.5}, not \(node.kindDescription)", at: node.location)
            return nil
        }
        let body = pair.value
        switch pair.key {
        case "zeros", "ones":
            return pair.key == "zeros" ? .zeros : .ones
        case "constant":
            return ValueReader.double(body, key: "constant", into: &diagnostics).map { .constant($0) }
        case "randn":
            guard let options = options(body, allowed: ["scale", "seed"], init: "randn") else { return nil }
            let scale = options["scale"].flatMap { ValueReader.double($0, key: "scale", into: &diagnostics) } ?? 1
            guard let seed = seed(options) else { return nil }
            return .randn(scale: scale, seed: seed)
        case "uniform":
            guard let options = options(body, allowed: ["low", "high", "seed"], init: "uniform") else { return nil }
            let low = options["low"].flatMap { ValueReader.double($0, key: "low", into: &diagnostics) } ?? 0
            let high = options["high"].flatMap { ValueReader.double($0, key: "high", into: &diagnostics) } ?? 1
            guard let seed = seed(options) else { return nil }
            if high < low {
                error("uniform needs low ≤ high, got low \(low) and high \(high)", at: body.location)
                return nil
            }
            return .uniform(low: low, high: high, seed: seed)
        case "he_normal", "xavier_uniform":
            guard let options = options(body, allowed: ["seed"], init: pair.key) else { return nil }
            guard let seed = seed(options) else { return nil }
            return pair.key == "he_normal" ? .heNormal(seed: seed) : .xavierUniform(seed: seed)
        case "file":
            guard let path = ValueReader.string(body, key: "file", into: &diagnostics) else { return nil }
            guard let loaded = loadFile?(path, body.location) else { return nil }
            return .file(path: path, resolvedPath: loaded.resolvedPath, sha256: loaded.sha256, data: loaded.tensor)
        case "values":
            return values(body)
        default:
            error("unknown init '\(pair.key)'", at: pair.keyLocation, notes: Diagnostic.didYouMean(pair.key, among: InitSpec.names))
            return nil
        }
    }

    /// The options mapping of a parameterised init; `{}` or null is empty.
    private mutating func options(_ node: YAMLNode, allowed: [String], init initName: String) -> [String: YAMLNode]? {
        if case .null = node.resolved, node.pairs == nil, node.elements == nil { return [:] }
        guard let pairs = node.pairs else {
            error("'\(initName)' takes a mapping of options (\(allowed.joined(separator: ", "))), not \(node.kindDescription)", at: node.location)
            return nil
        }
        var out: [String: YAMLNode] = [:]
        var ok = true
        for pair in pairs {
            if allowed.contains(pair.key) {
                out[pair.key] = pair.value
            } else {
                error("unknown option '\(pair.key)' of init '\(initName)'", at: pair.keyLocation,
                      notes: Diagnostic.didYouMean(pair.key, among: allowed) + [.init("'\(initName)' takes \(allowed.joined(separator: ", "))")])
                ok = false
            }
        }
        return ok ? out : nil
    }

    /// `.some(nil)` when absent, `nil` on error.
    private mutating func seed(_ options: [String: YAMLNode]) -> UInt32?? {
        guard let node = options["seed"] else { return .some(nil) }
        guard let seed = ValueReader.seed(node, key: "seed", into: &diagnostics) else { return nil }
        return .some(seed)
    }

    /// Nested lists of numbers → a tensor whose shape is the nesting; a number → 0-d.
    /// Walks level by level (no recursion).
    private mutating func values(_ node: YAMLNode) -> InitSpec? {
        var level = [node]
        var dims: [Int] = []
        while let first = level.first, let firstList = first.elements {
            let width = firstList.count
            guard width > 0 else {
                error("'values' has an empty list", at: first.location)
                return nil
            }
            var next: [YAMLNode] = []
            next.reserveCapacity(level.count * width)
            for item in level {
                guard let list = item.elements, list.count == width else {
                    error("'values' is not rectangular: expected a list of \(width) here", at: item.location)
                    return nil
                }
                next.append(contentsOf: list)
            }
            dims.append(width)
            level = next
            if dims.count > 8 {
                error("'values' nests deeper than 8 dimensions", at: node.location)
                return nil
            }
        }
        var scalars: [Double] = []
        scalars.reserveCapacity(level.count)
        for item in level {
            guard let v = ValueReader.double(item, key: "values", into: &diagnostics) else { return nil }
            scalars.append(v)
        }
        return .values(Tensor(shape: Shape(dims), scalars: scalars))
    }
}

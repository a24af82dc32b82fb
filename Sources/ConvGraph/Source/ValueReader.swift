/// Typed reads of single YAML values, each leaving a located diagnostic on failure.
enum ValueReader {
    /// The largest integer a shape dimension or an op attribute (pads, stride, dilation,
    /// window, groups) may take: 2^31 − 1. Larger values cannot describe a tensor within
    /// the limits, and bounding them keeps every shape rule's arithmetic far from
    /// overflowing `Int` (SPEC §7: never a crash, whatever the input).
    static let maximumInteger = Int(Int32.max)

    /// An integer in `minimum ... maximum`.
    static func int(_ node: YAMLNode, key: String, minimum: Int, maximum: Int = maximumInteger,
                    into diagnostics: inout [Diagnostic]) -> Int? {
        guard node.pairs == nil, node.elements == nil, case .int(let value) = node.resolved else {
            diagnostics.append(Diagnostic("'\(key)' takes an integer, not \(node.kindDescription)", at: node.location))
            return nil
        }
        guard value >= minimum else {
            diagnostics.append(Diagnostic("'\(key)' must be at least \(minimum), not \(value)", at: node.location))
            return nil
        }
        guard value <= maximum else {
            diagnostics.append(Diagnostic("'\(key)' must be at most \(maximum), not \(value)", at: node.location))
            return nil
        }
        return value
    }

    /// A finite number (integers are accepted).
    static func double(_ node: YAMLNode, key: String, into diagnostics: inout [Diagnostic]) -> Double? {
        guard node.pairs == nil, node.elements == nil else {
            diagnostics.append(Diagnostic("'\(key)' takes a number, not \(node.kindDescription)", at: node.location))
            return nil
        }
        let value: Double
        switch node.resolved {
        case .int(let i): value = Double(i)
        case .float(let f): value = f
        default:
            diagnostics.append(Diagnostic("'\(key)' takes a number, not \(node.kindDescription)", at: node.location))
            return nil
        }
        guard value.isFinite else {
            diagnostics.append(Diagnostic("'\(key)' must be finite, not \(value)", at: node.location))
            return nil
        }
        return value
    }

    static func string(_ node: YAMLNode, key: String, into diagnostics: inout [Diagnostic]) -> String? {
        guard node.pairs == nil, node.elements == nil, case .string(let s) = node.resolved else {
            diagnostics.append(Diagnostic("'\(key)' takes a string, not \(node.kindDescription)", at: node.location))
            return nil
        }
        return s
    }

    /// A seed: an integer in 0 ..< 2^32.
    static func seed(_ node: YAMLNode, key: String, into diagnostics: inout [Diagnostic]) -> UInt32? {
        guard let value = int(node, key: key, minimum: 0, maximum: .max, into: &diagnostics) else { return nil }
        guard let seed = UInt32(exactly: value) else {
            diagnostics.append(Diagnostic("'\(key)' must be below 2^32 (4294967296), not \(value)", at: node.location))
            return nil
        }
        return seed
    }

    /// A list of integers ≥ 0.
    static func shape(_ node: YAMLNode, key: String, into diagnostics: inout [Diagnostic]) -> Shape? {
        guard let list = node.elements else {
            diagnostics.append(Diagnostic("'\(key)' takes a list of integers such as [10, 3, 4, 4], not \(node.kindDescription)", at: node.location))
            return nil
        }
        guard list.count <= 8 else {
            diagnostics.append(Diagnostic("'\(key)' has \(list.count) dimensions; at most 8 are supported", at: node.location))
            return nil
        }
        let dims = list.map { int($0, key: key, minimum: 1, into: &diagnostics) }
        guard dims.allSatisfy({ $0 != nil }) else { return nil }
        return Shape(dims.compactMap { $0 })
    }

    /// A list of node names (or one name).
    static func names(_ node: YAMLNode, key: String, into diagnostics: inout [Diagnostic]) -> [GraphFile.Name]? {
        let items = node.elements ?? [node]
        var names: [GraphFile.Name] = []
        for item in items {
            guard let s = string(item, key: key, into: &diagnostics) else { return nil }
            names.append(GraphFile.Name(text: s, location: item.location))
        }
        return names
    }
}

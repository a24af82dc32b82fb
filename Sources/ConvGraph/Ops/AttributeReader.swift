/// Typed, located reads of one node's attributes. Every failed read leaves a diagnostic
/// at the value's position and returns `nil`; `AttributeReader` never throws, so one
/// run reports every error of every node.
public struct AttributeReader {
    public let opName: String
    /// Where the node (its name) is written; used for missing attributes.
    public let nodeLocation: SourceLocation
    private let pairs: [String: YAMLNode.Pair]
    public private(set) var diagnostics: [Diagnostic] = []
    /// Loads `{file:}` inits; set by the decoder.
    var loadFile: ((String, SourceLocation) -> TensorFile<Double>?)?

    init(opName: String, nodeLocation: SourceLocation, pairs: [YAMLNode.Pair]) {
        self.opName = opName
        self.nodeLocation = nodeLocation
        self.pairs = Dictionary(pairs.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Whether the attribute is written.
    public func has(_ key: String) -> Bool { pairs[key] != nil }

    /// The raw value of an attribute.
    public func value(_ key: String) -> YAMLNode? { pairs[key]?.value }

    public mutating func error(_ message: String, at location: SourceLocation, notes: [Diagnostic.Note] = []) {
        diagnostics.append(Diagnostic(message, at: location, notes: notes))
    }

    /// An error about attribute `key` at its value.
    public mutating func error(_ message: String, key: String, notes: [Diagnostic.Note] = []) {
        error(message, at: pairs[key]?.value.location ?? nodeLocation, notes: notes)
    }

    public mutating func missing(_ key: String) {
        error("op '\(opName)' requires the attribute '\(key)'", at: nodeLocation)
    }

    /// An integer ≥ `minimum`.
    public mutating func int(_ key: String, default fallback: Int?, minimum: Int) -> Int? {
        guard let node = value(key) else {
            if fallback == nil { missing(key) }
            return fallback
        }
        return ValueReader.int(node, key: key, minimum: minimum, into: &diagnostics)
    }

    /// An int (both axes) or `[h, w]`, each ≥ `minimum`.
    public mutating func spatial(_ key: String, default fallback: Spatial?, minimum: Int) -> Spatial? {
        guard let node = value(key) else {
            if fallback == nil { missing(key) }
            return fallback
        }
        if let list = node.elements {
            guard list.count == 2 else {
                error("'\(key)' takes an integer or a list [h, w], not a list of \(list.count)", key: key)
                return nil
            }
            guard let h = ValueReader.int(list[0], key: key, minimum: minimum, into: &diagnostics),
                let w = ValueReader.int(list[1], key: key, minimum: minimum, into: &diagnostics)
            else { return nil }
            return Spatial(h, w)
        }
        return ValueReader.int(node, key: key, minimum: minimum, into: &diagnostics).map { Spatial($0) }
    }

    /// `p`, `[ph, pw]`, `[top, bottom, left, right]`, and, when `allowKeywords`, `same` / `valid`.
    public mutating func padding(_ key: String, allowKeywords: Bool) -> PaddingSpec? {
        guard let node = value(key) else { return allowKeywords ? .explicit(.zero) : nil }
        if case .string(let word) = node.resolved, node.elements == nil, node.pairs == nil {
            if allowKeywords, word == "same" { return .same }
            if allowKeywords, word == "valid" { return .valid }
            error(allowKeywords
                  ? "'\(key)' takes an integer, [h, w], [top, bottom, left, right], 'same' or 'valid', not \(node.kindDescription)"
                  : "'\(key)' takes an integer, [h, w] or [top, bottom, left, right], not \(node.kindDescription)", key: key,
                  notes: allowKeywords ? Diagnostic.didYouMean(word, among: ["same", "valid"]) : [])
            return nil
        }
        if let list = node.elements {
            let values = list.map { ValueReader.int($0, key: key, minimum: 0, into: &diagnostics) }
            guard values.allSatisfy({ $0 != nil }) else { return nil }
            let v = values.compactMap { $0 }
            switch v.count {
            case 2: return .explicit(Pads(top: v[0], bottom: v[0], left: v[1], right: v[1]))
            case 4: return .explicit(Pads(top: v[0], bottom: v[1], left: v[2], right: v[3]))
            default:
                error("'\(key)' takes 1, 2 or 4 values ([top, bottom, left, right]), not \(v.count)", key: key)
                return nil
            }
        }
        return ValueReader.int(node, key: key, minimum: 0, into: &diagnostics).map { .explicit(Pads($0)) }
    }

    /// One of an enumeration's raw values.
    public mutating func choice<E: RawRepresentable & CaseIterable>(_ key: String, default fallback: E?) -> E? where E.RawValue == String {
        guard let node = value(key) else {
            if fallback == nil { missing(key) }
            return fallback
        }
        let names = E.allCases.map(\.rawValue)
        guard case .string(let word) = node.resolved, node.elements == nil, node.pairs == nil else {
            error("'\(key)' takes one of \(names.map { "'\($0)'" }.joined(separator: ", ")), not \(node.kindDescription)", key: key)
            return nil
        }
        guard let value = E(rawValue: word) else {
            error("'\(key)' takes one of \(names.map { "'\($0)'" }.joined(separator: ", ")), not '\(word)'", key: key,
                  notes: Diagnostic.didYouMean(word, among: names))
            return nil
        }
        return value
    }

    public mutating func bool(_ key: String, default fallback: Bool) -> Bool? {
        guard let node = value(key) else { return fallback }
        guard case .bool(let b) = node.resolved, node.elements == nil, node.pairs == nil else {
            error("'\(key)' takes true or false, not \(node.kindDescription)", key: key)
            return nil
        }
        return b
    }

    /// A finite number.
    public mutating func double(_ key: String, default fallback: Double) -> Double? {
        guard let node = value(key) else { return fallback }
        return ValueReader.double(node, key: key, into: &diagnostics)
    }

    /// A shape: a list of integers ≥ 0.
    public mutating func shape(_ key: String) -> Shape? {
        guard let node = value(key) else { return nil }
        return ValueReader.shape(node, key: key, into: &diagnostics)
    }

    /// An init spec (SPEC §4).
    public mutating func initSpec(_ key: String) -> InitSpec? {
        guard let node = value(key) else { return nil }
        var reader = InitSpecReader(diagnostics: diagnostics, loadFile: loadFile)
        let spec = reader.read(node, key: key)
        diagnostics = reader.diagnostics
        return spec
    }
}

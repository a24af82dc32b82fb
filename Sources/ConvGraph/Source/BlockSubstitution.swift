/// `$NAME` substitution inside a block instance (SPEC §11.1): a plain scalar that is
/// exactly `$NAME` is replaced by that argument's value (any YAML value: a scalar, a
/// list, a mapping). The replacement takes the position of `$NAME` in the block, and every
/// position of the instance's copy is stamped with the instance trail, so each error in
/// it gets the `note:` lines naming the instance. Quoted scalars are never replaced.
struct BlockSubstitution {
    /// The instance's arguments (defaults applied).
    var arguments: [String: YAMLNode]
    /// The instances the copy belongs to, innermost first.
    var trail: [BlockInstanceReference]
    var diagnostics: [Diagnostic] = []

    /// The argument a scalar names, when it is written `$NAME`.
    static func reference(_ node: YAMLNode) -> String? {
        guard case .scalar(let text, let plain, let tag) = node.content, plain, tag == nil, text.hasPrefix("$") else { return nil }
        let name = String(text.dropFirst())
        return NameRules.isValidNodeName(name) ? name : nil
    }

    func stamped(_ location: SourceLocation) -> SourceLocation {
        var copy = location
        copy.instances = trail
        return copy
    }

    /// A copy of `node` with its arguments substituted and its positions stamped.
    /// Recursion is bounded by the YAML depth limit (`Limits.maxYAMLDepth`).
    mutating func apply(_ node: YAMLNode) -> YAMLNode {
        if let name = Self.reference(node) {
            guard let value = arguments[name] else {
                diagnostics.append(Diagnostic("no argument '\(name)' for '$\(name)'", at: stamped(node.location),
                                              notes: Diagnostic.didYouMean(name, among: arguments.keys.sorted())
                                                  + [.init(arguments.isEmpty ? "the block has no arguments" : "the block's arguments are \(arguments.keys.sorted().joined(separator: ", "))")]))
                return YAMLNode(node.content, at: stamped(node.location))
            }
            var replaced = restamp(value)
            replaced.location = stamped(node.location)
            return replaced
        }
        var copy = node
        copy.location = stamped(node.location)
        switch node.content {
        case .scalar: break
        case .sequence(let items): copy.content = .sequence(items.map { apply($0) })
        case .mapping(let pairs):
            copy.content = .mapping(pairs.map { YAMLNode.Pair(key: $0.key, keyLocation: stamped($0.keyLocation), value: apply($0.value)) })
        }
        return copy
    }

    /// `node` with every position stamped, nothing substituted (an argument's value is
    /// inserted as given).
    func restamp(_ node: YAMLNode) -> YAMLNode {
        var copy = node
        copy.location = stamped(node.location)
        switch node.content {
        case .scalar: break
        case .sequence(let items): copy.content = .sequence(items.map { restamp($0) })
        case .mapping(let pairs):
            copy.content = .mapping(pairs.map { YAMLNode.Pair(key: $0.key, keyLocation: stamped($0.keyLocation), value: restamp($0.value)) })
        }
        return copy
    }
}

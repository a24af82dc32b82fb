/// A node of our own small YAML tree: every scalar, sequence, mapping and every mapping
/// key carries the position where it was written. Aliases are already expanded and
/// merge keys (`<<`) already applied, so a consumer never sees either.
public struct YAMLNode: Sendable, Hashable {
    public enum Content: Sendable, Hashable {
        /// A scalar's text, whether it was plain (unquoted, so it resolves by the YAML 1.2
        /// core schema) and its explicit core tag, if any.
        case scalar(String, plain: Bool, tag: CoreTag?)
        case sequence([YAMLNode])
        /// Key–value pairs in the order written. Keys are strings (SPEC §2).
        case mapping([Pair])
    }

    /// A mapping entry; the key keeps its own position.
    public struct Pair: Sendable, Hashable {
        public var key: String
        public var keyLocation: SourceLocation
        public var value: YAMLNode
        public init(key: String, keyLocation: SourceLocation, value: YAMLNode) {
            self.key = key
            self.keyLocation = keyLocation
            self.value = value
        }
    }

    /// The YAML 1.2 core-schema tags honoured by the loader (SPEC §8).
    public enum CoreTag: String, Sendable, Hashable {
        case str, int, float, bool, null, seq, map
    }

    public var content: Content
    public var location: SourceLocation

    public init(_ content: Content, at location: SourceLocation) {
        self.content = content
        self.location = location
    }

    /// The pairs of a mapping, or `nil`.
    public var pairs: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The elements of a sequence, or `nil`.
    public var elements: [YAMLNode]? {
        if case .sequence(let elements) = content { return elements }
        return nil
    }

    /// The value of `key` in a mapping.
    public subscript(key: String) -> YAMLNode? {
        pairs?.first(where: { $0.key == key })?.value
    }

    /// A short name of the node's kind for messages: `a mapping`, `a list`, `the string 'x'`.
    public var kindDescription: String {
        switch content {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar:
            switch resolved {
            case .null: return "null"
            case .bool(let b): return "the boolean \(b)"
            case .int(let i): return "the integer \(i)"
            case .float(let f): return "the number \(f)"
            case .string(let s): return "the string '\(s.count > 40 ? String(s.prefix(40)) + "…" : s)'"
            }
        }
    }
}

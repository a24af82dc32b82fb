/// What an op documents about itself: the text behind `convgraph ops` and the DocC
/// article <doc:OpsReference>. Each op keeps its reference in its own file, next to its attributes,
/// and the tests check that the attribute and port lists agree with ``Op/attributeNames``
/// and ``Op/ports``.
public struct OpReference: Sendable, Hashable {
    /// One input port.
    public struct PortDoc: Sendable, Hashable {
        public var name: String
        /// What the port takes, with its shape.
        public var doc: String
        public init(_ name: String, _ doc: String) {
            self.name = name
            self.doc = doc
        }
    }

    /// One YAML attribute.
    public struct Attribute: Sendable, Hashable {
        /// The YAML key.
        public var name: String
        /// The values it takes (`int or [h, w]`, `max | average`).
        public var type: String
        /// The default as written in YAML, or `nil` when the attribute is required.
        public var defaultValue: String?
        public var doc: String
        public init(_ name: String, type: String, default defaultValue: String?, _ doc: String) {
            self.name = name
            self.type = type
            self.defaultValue = defaultValue
            self.doc = doc
        }

        /// The default as shown in tables: the value, or `required`.
        public var defaultText: String { defaultValue ?? "required" }
    }

    /// One sentence: what the op computes.
    public var summary: String
    /// The ports in order (none for `input` and `param`).
    public var ports: [PortDoc]
    /// The attributes in the order of ``Op/attributeNames``.
    public var attributes: [Attribute]
    /// The output shape rule (`N, C, H+t+b, W+l+r`).
    public var output: String
    /// The formula of the value (`½·Σx²`).
    public var formula: String
    /// What backward sends to each port.
    public var backward: String

    public init(summary: String, ports: [PortDoc], attributes: [Attribute], output: String, formula: String, backward: String) {
        self.summary = summary
        self.ports = ports
        self.attributes = attributes
        self.output = output
        self.formula = formula
        self.backward = backward
    }
}

extension OpRegistry {
    /// The op named `name`, or a usage error (exit 64) with a did-you-mean note.
    public static func op(named name: String) throws(ConvGraphError) -> any Op.Type {
        if let op = byName[name] { return op }
        throw ConvGraphError(.usage, Diagnostic("no op named '\(NameRules.printable(name))'", file: nil,
                                                notes: Diagnostic.didYouMean(name, among: names)
                                                    + [.init("the ops are: \(names.joined(separator: ", "))")]))
    }
}

extension Op {
    /// A bare reference (names only, no text) for an op that does not document itself,
    /// such as a test double. Every op of ``OpRegistry`` documents itself; `OpReferenceTests`
    /// fails for one that falls back to this.
    public static var reference: OpReference {
        OpReference(summary: "", ports: ports.map { .init($0.name, "") },
                    attributes: attributeNames.map { .init($0, type: "", default: nil, "") },
                    output: "", formula: "", backward: "")
    }
}

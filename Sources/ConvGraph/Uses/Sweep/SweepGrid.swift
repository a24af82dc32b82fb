/// One `--grid KEY=VALUES` of `convgraph sweep` (SPEC §11.2): a dotted path as `--set`
/// takes it and a non-empty YAML flow sequence of values.
///
/// Each element is written back as flow YAML text, so that `KEY=TEXT` is the override
/// `--set` would take for it: `--grid 'nodes.p.window=[2, [3, 2]]'` gives the values `2`
/// and `[3, 2]`, that is the overrides `nodes.p.window=2` and `nodes.p.window=[3, 2]`.
/// Quoted strings stay quoted (`["2"]` gives `"2"`, a string) and explicit core tags stay
/// (`[!!str 2]` gives `!!str 2`).
public struct SweepGrid: Sendable, Hashable {
    /// The dotted path (`nodes.p.window`), as written.
    public var key: String
    /// Each element of the sequence as flow YAML text (`2`, `[3, 2]`), in order.
    public var values: [String]
    /// The option's argument as given on the command line.
    public var text: String

    /// A grid from its parts (tests, callers that build a sweep in code); `values` are
    /// taken as `--set` texts as they are.
    public init(key: String, values: [String]) {
        self.key = key
        self.values = values
        self.text = "\(key)=[\(values.joined(separator: ", "))]"
    }

    /// Parses `KEY=VALUES`.
    /// - Throws: `.usage` (64) for a missing `=`, a malformed path, VALUES that are not
    ///   valid YAML, not a flow sequence, or empty.
    public init(parsing text: String, limits: Limits = .default) throws(ConvGraphError) {
        func fail(_ message: String, notes: [Diagnostic.Note] = []) -> ConvGraphError {
            ConvGraphError(.usage, Diagnostic("--grid '\(NameRules.printable(text))': \(message)", file: nil, notes: notes))
        }
        let example = Diagnostic.Note("write --grid KEY=VALUES with a YAML flow sequence, as in --grid 'nodes.p.window=[2, [3, 2]]'")
        guard let eq = text.firstIndex(of: "=") else { throw fail("no '=' between KEY and VALUES", notes: [example]) }
        let key = String(text[..<eq])
        let path = key.split(separator: ".", omittingEmptySubsequences: false)
        guard !key.isEmpty, !path.contains(where: \.isEmpty) else { throw fail("malformed path '\(NameRules.printable(key))'", notes: [example]) }
        let valuesText = String(text[text.index(after: eq)...])
        guard valuesText.trimmingSpaces.first == "[" else { throw fail("VALUES must be a YAML flow sequence in [ ]", notes: [example]) }
        let node: YAMLNode
        do {
            node = try YAMLParser(file: "--grid \(key)", limits: limits).parse(Array(valuesText.utf8))
        } catch {
            throw fail("VALUES are not valid YAML", notes: error.diagnostics.map { Diagnostic.Note($0.message, at: $0.location) })
        }
        guard let elements = node.elements else { throw fail("VALUES must be a YAML flow sequence in [ ]", notes: [example]) }
        guard !elements.isEmpty else { throw fail("VALUES is empty; a grid needs at least one value") }
        self.key = key
        self.values = elements.map(\.flowText)
        self.text = text
    }

    /// `KEY=VALUE` for the value at `index`, as `--set` takes it.
    public func override(_ index: Int) -> String { "\(key)=\(values[index])" }
}

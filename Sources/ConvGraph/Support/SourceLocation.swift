/// A position in a source file. Lines and columns are 1-based; columns count Unicode
/// scalars, as libyaml does. libyaml's 0-based marks are converted in exactly one place,
/// `YAMLParser`.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    /// For a position inside a block (SPEC §11.1), the instances it was expanded for,
    /// innermost first; empty elsewhere. Each error at this position gets a `note:` per
    /// instance.
    public var instances: [BlockInstanceReference] = []

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The same position at another column (a name inside an edge string), keeping its file
    /// and instances.
    func at(column: Int) -> SourceLocation {
        var copy = self
        copy.column = column
        return copy
    }

    /// `FILE:LINE:COL`
    public var description: String { "\(file):\(line):\(column)" }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}

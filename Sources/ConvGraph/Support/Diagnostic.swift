/// One error found in a graph, tensor or command line, with optional notes.
///
/// Printed compiler-style: `FILE:LINE:COL: error: MESSAGE`, then one line per note
/// (`FILE:LINE:COL: note: …`, or `note: …` when the note has no position). A diagnostic
/// about a whole file without a position prints `FILE: error: MESSAGE`.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Note: Hashable, Sendable {
        public var location: SourceLocation?
        public var message: String
        public init(_ message: String, at location: SourceLocation? = nil) {
            self.message = message
            self.location = location
        }
    }

    /// Where the error is; `nil` for errors that have no position.
    public var location: SourceLocation?
    /// The file the error is about when it has no position (a `.npy` file, say).
    public var file: String?
    public var message: String
    public var notes: [Note]

    public init(_ message: String, at location: SourceLocation?, notes: [Note] = []) {
        self.message = message
        self.location = location
        self.file = location?.file
        self.notes = notes + (location?.instances.map(\.note) ?? [])
    }

    public init(_ message: String, file: String?, notes: [Note] = []) {
        self.message = message
        self.location = nil
        self.file = file
        self.notes = notes
    }

    public var description: String {
        var lines: [String] = []
        if let location {
            lines.append("\(location): error: \(message)")
        } else if let file {
            lines.append("\(file): error: \(message)")
        } else {
            lines.append("error: \(message)")
        }
        for note in notes {
            if let at = note.location {
                lines.append("\(at): note: \(note.message)")
            } else {
                lines.append("note: \(note.message)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A note suggesting the closest of `candidates` to `word`, when one is close.
    public static func didYouMean(_ word: String, among candidates: some Sequence<String>) -> [Note] {
        guard let best = Spelling.closest(to: word, among: candidates) else { return [] }
        return [Note("did you mean '\(best)'?")]
    }
}

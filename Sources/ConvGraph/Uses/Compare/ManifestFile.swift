/// A run directory's `manifest.json` as read back by `compare` and `diff` (SPEC §6, §10):
/// parsed with ``JSONParser`` and looked up by key, tolerant of keys it does not know (a newer
/// version may add some) and strict about the ones it reads.
struct ManifestFile {
    /// The largest manifest read (a manifest lists one record per saved tensor: far below).
    static let maxBytes = 64 << 20
    /// The path of the file read (for diagnostics).
    let path: String
    /// The top-level members, in file order.
    let members: [(String, JSONValue)]

    /// Reads `DIRECTORY/manifest.json`; nil when the directory holds none.
    /// - Throws: 65 when the file is not a regular file, is over the size limit or is not a
    ///   JSON object; 66 when it cannot be read.
    static func read(directory: String) throws(ConvGraphError) -> ManifestFile? {
        let path = PathKind.join(directory, "manifest.json")
        guard let members = try JSONObjectFile.read(path, kind: "run manifest", maxBytes: maxBytes, maxDepth: 512) else { return nil }
        return ManifestFile(path: path, members: members)
    }

    /// The value of the first member named `key`.
    subscript(key: String) -> JSONValue? {
        members.first { $0.0 == key }?.1
    }

    /// A string member, or nil when absent or not a string.
    func string(_ key: String) -> String? {
        if case .string(let s)? = self[key] { return s }
        return nil
    }

    /// The `overrides` list (the `--set` strings); empty when absent.
    /// - Throws: 65 when it is present and not a list of strings.
    func overrides() throws(ConvGraphError) -> [String] {
        guard let value = self["overrides"] else { return [] }
        return try Self.strings(value, what: "overrides", file: path)
    }

    /// `value` as a list of strings.
    static func strings(_ value: JSONValue, what: String, file: String) throws(ConvGraphError) -> [String] {
        guard case .array(let items) = value else {
            throw ConvGraphError(.invalidInput, Diagnostic("'\(what)' is not a list of strings", file: file))
        }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else {
                throw ConvGraphError(.invalidInput, Diagnostic("'\(what)' is not a list of strings", file: file))
            }
            out.append(s)
        }
        return out
    }

    /// A JSON number as a double: an integer, a double, `null` (nil) or the strings `nan`,
    /// `inf`, `-inf` that ``JSONValue`` writes for non-finite doubles.
    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let i)?: return Double(i)
        case .double(let d)?: return d
        case .string("nan")?: return .nan
        case .string("inf")?: return .infinity
        case .string("-inf")?: return -.infinity
        default: return nil
        }
    }

    /// The wall time of the run's compute, in milliseconds: `forward_ms + backward_ms` for a
    /// `run`, `train_ms + eval_ms` for a training; nil without `timings`.
    var wallMilliseconds: Double? {
        guard case .object(let timings)? = self["timings"] else { return nil }
        let numbers = timings.compactMap { key, value in
            ["forward_ms", "backward_ms", "train_ms", "eval_ms"].contains(key) ? Self.number(value) : nil
        }
        return numbers.isEmpty ? nil : numbers.reduce(0, +)
    }
}

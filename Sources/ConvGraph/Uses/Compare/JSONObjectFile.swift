/// Reads a JSON file that `compare`, `diff` and `report` expect to hold one object
/// (`manifest.json`, `sweep.json`), with the diagnostics they share.
enum JSONObjectFile {
    /// The top-level members of the object at `path`, in file order; nil when there is no file.
    /// - Parameters:
    ///   - kind: what the file should be, for diagnostics (`run manifest`, `sweep file`).
    /// - Throws: 65 when it is not a regular file, is over `maxBytes`, does not parse (nested
    ///   deeper than `maxDepth`) or is not an object; 66 when it cannot be read.
    static func read(_ path: String, kind: String, maxBytes: Int, maxDepth: Int) throws(ConvGraphError) -> [(String, JSONValue)]? {
        let bytes: [UInt8]
        do {
            bytes = try readRegularFile(atPath: path, maxBytes: maxBytes)
        } catch {
            switch error {
            case .notFound: return nil
            case .unreadable(_, let reason): throw ConvGraphError(.noInput, Diagnostic("cannot read the file: \(reason)", file: path))
            case .notRegularFile: throw ConvGraphError(.invalidInput, Diagnostic("not a regular file", file: path))
            case .tooLarge(_, let size, let limit):
                throw ConvGraphError(.invalidInput, Diagnostic("the file is \(size) bytes, over the limit of \(limit) bytes for a \(kind)", file: path))
            }
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, maxDepth: maxDepth)
        } catch {
            throw ConvGraphError(.invalidInput, Diagnostic("not a \(kind): \(error)", file: path))
        }
        guard case .object(let members) = value else {
            throw ConvGraphError(.invalidInput, Diagnostic("not a \(kind): the json value is not an object", file: path))
        }
        return members
    }
}

/// Loads a `.npy` tensor named by a graph (`{file: …}`), `--input` or `show`, with the
/// limits of SPEC §8 and its diagnostics: `FILE.npy: error: MESSAGE`, preceded by the graph
/// position of the `file:` value when the graph named it.
public enum TensorFileLoader {
    /// Reads the `.npy` file at `path` (relative to `directory` when given) as a tensor of `T`, checking it against `limits`; a failure carries the diagnostics `--input` prints (preceded by `graphLocation`, when given).
    public static func load<T: TensorScalar>(
        _ path: String, relativeTo directory: String? = nil, limits: Limits, as _: T.Type = T.self,
        namedAt graphLocation: SourceLocation? = nil
    ) -> Result<Tensor<T>, ConvGraphError> {
        loadFile(path, relativeTo: directory, limits: limits, as: T.self, namedAt: graphLocation).map(\.tensor)
    }

    /// `load`, also telling the path as resolved and the sha256 of the very bytes decoded
    /// (what the manifest records, SPEC §6).
    public static func loadFile<T: TensorScalar>(
        _ path: String, relativeTo directory: String? = nil, limits: Limits, as _: T.Type = T.self,
        namedAt graphLocation: SourceLocation? = nil
    ) -> Result<TensorFile<T>, ConvGraphError> {
        let resolved = directory.map { path.hasPrefix("/") ? path : $0 + "/" + path } ?? path
        func fail(_ kind: ConvGraphError.Kind, _ message: String) -> Result<TensorFile<T>, ConvGraphError> {
            var diagnostics: [Diagnostic] = []
            if let graphLocation {
                diagnostics.append(Diagnostic("cannot load the tensor file '\(NameRules.printable(path))'", at: graphLocation))
            }
            diagnostics.append(Diagnostic(message, file: resolved))
            return .failure(ConvGraphError(kind, diagnostics))
        }
        let (maxData, overflow) = limits.maxTensorElements.multipliedReportingOverflow(by: 8)
        let maxBytes = overflow ? Int.max : maxData + limits.maxNPYHeaderBytes + 16
        let bytes: [UInt8]
        do {
            bytes = try readRegularFile(atPath: resolved, maxBytes: maxBytes)
        } catch {
            switch error {
            case .notFound: return fail(.noInput, "no such file")
            case .unreadable(_, let reason): return fail(.noInput, "cannot read the file: \(reason)")
            case .notRegularFile: return fail(.invalidInput, "not a regular file")
            case .tooLarge(_, let size, let limit):
                return fail(.invalidInput, "the file is \(size) bytes, larger than any tensor within the limit of \(limit) bytes")
            }
        }
        do {
            let tensor = try NPY.decode(bytes, as: T.self, maxHeaderLength: limits.maxNPYHeaderBytes,
                                        maxElements: limits.maxTensorElements)
            return .success(TensorFile(tensor: tensor, resolvedPath: resolved, sha256: SHA256.hex(bytes)))
        } catch {
            return fail(.invalidInput, error.description)
        }
    }
}

/// A tensor read from a file, with the path it was read from and the sha256 of its bytes.
public struct TensorFile<T: TensorScalar>: Sendable {
    public var tensor: Tensor<T>
    /// The path as opened (resolved against the graph file's folder for `{file:}`).
    public var resolvedPath: String
    public var sha256: String
}

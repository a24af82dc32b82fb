/// Loads a `.npy` tensor named by a graph (`{file: …}`), `--input`, `--params` or `show`,
/// with the limits of SPEC §8 and its diagnostics: `FILE.npy: error: MESSAGE`, preceded by
/// the graph position of the `file:` value when the graph named it. This is the one place
/// that maps a tensor file's read and decode errors to exit kinds (66 missing or unreadable,
/// 65 anything else); the dtype is always the header's, never guessed from the name.
public enum TensorFileLoader {
    /// Reads the `.npy` file at `path` (relative to `directory` when given) as a tensor of `T`, checking it against `limits`; a failure carries the diagnostics `--input` prints (preceded by `graphLocation`, when given).
    public static func load<T: TensorScalar>(
        _ path: String, relativeTo directory: String? = nil, limits: Limits, as _: T.Type = T.self,
        namedAt graphLocation: SourceLocation? = nil, exactIn exactness: DType? = nil
    ) -> Result<Tensor<T>, ConvGraphError> {
        loadFile(path, relativeTo: directory, limits: limits, as: T.self, namedAt: graphLocation, exactIn: exactness).map(\.tensor)
    }

    /// `load`, also telling the path as resolved and the sha256 of the very bytes decoded
    /// (what the manifest records, SPEC §6). An integer file is held to the whole numbers
    /// `exactness` holds exactly (default `T`'s dtype; a graph reading as float64 passes its own).
    public static func loadFile<T: TensorScalar>(
        _ path: String, relativeTo directory: String? = nil, limits: Limits, as _: T.Type = T.self,
        namedAt graphLocation: SourceLocation? = nil, exactIn exactness: DType? = nil
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
                                        maxElements: limits.maxTensorElements, exactIn: exactness)
            let descriptor = (try? NPY.parseHeader(bytes, maxHeaderLength: limits.maxNPYHeaderBytes))?.descriptor ?? ""
            return .success(TensorFile(tensor: tensor, resolvedPath: resolved, sha256: SHA256.hex(bytes),
                                       storedDType: NPY.dtypeName(descriptor)))
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
    /// The dtype stored in the file, as numpy names it (`float32`, `int64`, `bool`, …).
    public var storedDType: String
}

extension Shape {
    /// Whether an array of this shape may fill a node of `shape` (SPEC §6): this shape,
    /// padded with 1s on the right to `shape`'s rank, equals it. An [N] array fills
    /// [N, 1, 1, 1], [N, K] fills [N, K, 1, 1].
    public func fills(_ shape: Shape) -> Bool {
        guard rank <= shape.rank else { return false }
        return dims + Array(repeating: 1, count: shape.rank - rank) == shape.dims
    }

    /// This shape padded with 1s on the right to `rank` (unchanged when already as long).
    public func padded(toRank rank: Int) -> Shape {
        self.rank >= rank ? self : Shape(dims + Array(repeating: 1, count: rank - self.rank))
    }
}

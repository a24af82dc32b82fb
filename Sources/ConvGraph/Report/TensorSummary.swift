/// What `convgraph show` prints for a `.npy` file.
public enum TensorSummary {
    public static func describe(file: String, leading: Int = 8, limits: Limits = .default) throws(ConvGraphError) -> String {
        let bytes: [UInt8]
        do {
            bytes = try readRegularFile(atPath: file, maxBytes: Int.max)
        } catch {
            switch error {
            case .notFound: throw ConvGraphError(.noInput, Diagnostic("no such file", file: file))
            case .unreadable(_, let reason): throw ConvGraphError(.noInput, Diagnostic("cannot read the file: \(reason)", file: file))
            default: throw ConvGraphError(.invalidInput, Diagnostic("not a regular file", file: file))
            }
        }
        // The descriptor tells the stored dtype; values are read exactly as float64.
        let tensor: Tensor<Double>
        do {
            tensor = try NPY.decode(bytes, as: Double.self, maxHeaderLength: limits.maxNPYHeaderBytes, maxElements: limits.maxTensorElements)
        } catch {
            throw ConvGraphError(.invalidInput, Diagnostic(error.description, file: file))
        }
        let stored = String(decoding: bytes.prefix(128), as: UTF8.self).contains("f4") ? "float32" : "float64"
        let s = Statistics(tensor.scalars)
        var out = "\(file): shape \(tensor.shape.bracketed), \(stored), \(tensor.count) elements\n"
        out += "mean \(NumberFormat.significant(s.mean, 10))  std \(NumberFormat.significant(s.std, 10))  min \(NumberFormat.significant(s.min, 10))  max \(NumberFormat.significant(s.max, 10))"
        if s.nanCount > 0 { out += "  nan \(s.nanCount)" }
        out += "\n"
        let head = tensor.scalars.prefix(leading).map { "\($0)" }  // shortest text that reads back exactly
        if !head.isEmpty {
            out += "values: " + head.joined(separator: ", ") + (tensor.count > leading ? ", …" : "") + "\n"
        }
        return out
    }
}

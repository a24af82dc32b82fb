/// What `convgraph show` prints for a `.npy` file.
public enum TensorSummary {
    public static func describe(file: String, leading: Int = 8, limits: Limits = .default) throws(ConvGraphError) -> String {
        // Values are read exactly as float64; the header tells the stored dtype.
        let loaded: TensorFile<Double>
        switch TensorFileLoader.loadFile(file, limits: limits, as: Double.self) {
        case .success(let f): loaded = f
        case .failure(let e): throw e
        }
        let tensor = loaded.tensor
        let stored = loaded.storedDType
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

/// Entry points for the fuzz targets in `Fuzz/` (not part of the supported API).
extension Graph {
    /// Checks and builds a graph from the raw bytes of a graph file, exactly as
    /// `load(contentsOf:)` does after reading the file: the bytes need not be UTF-8.
    @_spi(Fuzzing)
    public static func parse(bytes: [UInt8], path: String, overrides: [String] = [], limits: Limits = .default) throws(ConvGraphError) -> Graph {
        try parse(bytes, path: path, overrides: overrides, limits: limits)
    }
}

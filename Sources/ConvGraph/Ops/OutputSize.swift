/// The output-size rule shared by conv and pool, per axis, with the arithmetic spelled
/// out for messages: `H = ⌊(6+0+0−3)/2⌋+1 = 2`.
struct OutputSize {
    /// The size, below 1 when the window does not fit.
    var size: Int
    /// The arithmetic, e.g. `H = ⌊(6+0+0−3)/2⌋+1 = 2 (ceil_mode would give 3)`.
    var text: String

    /// The one output-size rule of conv, pool and their geometry (every caller uses it):
    /// out = ⌊(n+before+after−d·(k−1)−1)/s⌋+1, or with `ceil` ⌈…⌉+1, minus 1 when
    /// (out−1)·s ≥ n+before (the last window would start in the end padding or past it;
    /// PyTorch's and ONNX's rule). A window larger than the padded input gives 0.
    static func length(size n: Int, before: Int, after: Int, kernel k: Int, stride s: Int, dilation d: Int, ceil: Bool) -> Int {
        let numerator = n + before + after - (d * (k - 1) + 1)
        guard numerator >= 0, s > 0 else { return 0 }
        var out = (ceil ? (numerator + s - 1) / s : numerator / s) + 1
        if ceil && (out - 1) * s >= n + before { out -= 1 }
        return out
    }

    /// `length` with the arithmetic spelled out, e.g. `H = ⌊(6+0+0−3)/2⌋+1 = 2`.
    static func compute(axis: String, size n: Int, before: Int, after: Int, kernel k: Int, stride s: Int,
                        dilation d: Int, ceil: Bool, mentionCeil: Bool) -> OutputSize {
        let spanText = d == 1 ? "\(k)" : "\(d)·(\(k)−1)−1"
        let inner = "(\(n)+\(before)+\(after)−\(spanText))/\(s)"
        if n + before + after - (d * (k - 1) + 1) < 0 {
            return OutputSize(size: 0, text: "\(axis) = ⌊\(inner)⌋+1 < 1")
        }
        let floorOut = length(size: n, before: before, after: after, kernel: k, stride: s, dilation: d, ceil: false)
        let ceilOut = length(size: n, before: before, after: after, kernel: k, stride: s, dilation: d, ceil: true)
        let dropped = ceilOut == (n + before + after - (d * (k - 1) + 1) + s - 1) / s
        if ceil {
            var text = "\(axis) = ⌈\(inner)⌉+1"
            if dropped { text += "−1 = \(ceilOut) (the last window would start in the end padding)" } else { text += " = \(ceilOut)" }
            return OutputSize(size: ceilOut, text: text)
        }
        var text = "\(axis) = ⌊\(inner)⌋+1 = \(floorOut)"
        if mentionCeil && ceilOut != floorOut { text += " (ceil_mode would give \(ceilOut))" }
        return OutputSize(size: floorOut, text: text)
    }
}

extension Shape {
    /// Checks that a shape is 4-D NCHW.
    func requireNCHW(_ what: String, input: Int = 0) throws(ShapeError) {
        guard rank == 4 else {
            throw ShapeError("\(what) must be 4-D (N, C, H, W), but has shape \(bracketed)", inputs: [input])
        }
    }
}

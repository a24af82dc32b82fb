// Reference (plain loop) kernels of `pad` (SPEC §3): the oracle for any faster version.

extension Pad {
    /// N, C, H+t+b, W+l+r.
    public static func outputShape(input: Shape, pads: Pads) -> Shape {
        precondition(input.rank == 4, "pad input must be 4-D (NCHW), got \(input)")
        return [input[0], input[1], input[2] + pads.top + pads.bottom, input[3] + pads.left + pads.right]
    }

    /// For each output index along one axis, the input index it reads, or −1 for a
    /// constant-filled cell. `before` is the padding ahead of the input on this axis.
    ///
    /// - constant: the cell itself when inside the input, else −1.
    /// - reflect: numpy `reflect` (mirror about the edge cell without repeating it:
    ///   [a b c], pad 1 → b a b c b). Written as the period-2(size−1) extension, which
    ///   equals numpy's also for pads ≥ size (the graph checker rejects those anyway).
    /// - edge: numpy `edge` (clamp to the nearest edge cell).
    static func sourceIndices(outputCount: Int, before: Int, size: Int, mode: Mode) -> [Int] {
        (0..<outputCount).map { o in
            let i = o - before
            switch mode {
            case .constant:
                return (i >= 0 && i < size) ? i : -1
            case .edge:
                return min(max(i, 0), size - 1)
            case .reflect:
                if size == 1 { return 0 }
                let period = 2 * (size - 1)
                let r = ((i % period) + period) % period
                return r < size ? r : period - r
            }
        }
    }

    /// Pads the two spatial axes of an N×C×H×W tensor.
    ///
    /// - constant: fills with `value` (the caller rounds the attribute to `T`).
    /// - reflect: numpy `reflect`; requires each pad < its dimension (the caller checks).
    /// - edge: numpy `edge`; requires a non-empty dimension.
    @_specialize(where T == Float) @_specialize(where T == Double)
    public static func referenceForward<T: TensorScalar>(
        input: Tensor<T>, pads: Pads, mode: Mode, value: T
    ) -> Tensor<T> {
        let outShape = outputShape(input: input.shape, pads: pads)
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (oh, ow) = (outShape[2], outShape[3])
        let rows = sourceIndices(outputCount: oh, before: pads.top, size: h, mode: mode)
        let cols = sourceIndices(outputCount: ow, before: pads.left, size: w, mode: mode)
        var out = [T](repeating: value, count: outShape.count)
        input.scalars.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in
                for plane in 0..<(n * c) {
                    let xBase = plane * h * w, yBase = plane * oh * ow
                    for i in 0..<oh {
                        let r = rows[i]
                        if r < 0 { continue }
                        for j in 0..<ow {
                            let s = cols[j]
                            if s < 0 { continue }
                            y[yBase + i * ow + j] = x[xBase + r * w + s]
                        }
                    }
                }
            }
        }
        return Tensor(shape: outShape, scalars: out)
    }

    /// The gradient with respect to the input, given dL/d(output).
    ///
    /// constant: crops the interior; reflect/edge: every output cell's gradient is
    /// scatter-added into the input cell it was read from, visiting output cells in
    /// row-major order.
    @_specialize(where T == Float) @_specialize(where T == Double)
    public static func referenceBackward<T: TensorScalar>(
        upstream: Tensor<T>, inputShape: Shape, pads: Pads, mode: Mode
    ) -> Tensor<T> {
        let outShape = outputShape(input: inputShape, pads: pads)
        precondition(upstream.shape == outShape, "pad upstream gradient must be \(outShape), got \(upstream.shape)")
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let (oh, ow) = (outShape[2], outShape[3])
        let rows = sourceIndices(outputCount: oh, before: pads.top, size: h, mode: mode)
        let cols = sourceIndices(outputCount: ow, before: pads.left, size: w, mode: mode)
        var dx = [T](repeating: 0, count: inputShape.count)
        upstream.scalars.withUnsafeBufferPointer { dy in
            dx.withUnsafeMutableBufferPointer { dxp in
                for plane in 0..<(n * c) {
                    let xBase = plane * h * w, yBase = plane * oh * ow
                    for i in 0..<oh {
                        let r = rows[i]
                        if r < 0 { continue }
                        for j in 0..<ow {
                            let s = cols[j]
                            if s < 0 { continue }
                            dxp[xBase + r * w + s] += dy[yBase + i * ow + j]
                        }
                    }
                }
            }
        }
        return Tensor(shape: inputShape, scalars: dx)
    }
}

import CKernels

// The fast `conv_transpose` kernels: the conv routes of `Conv+Fast.swift` with the roles of
// input and output exchanged. With the weight [in, out/groups, kh, kw] read as the OIHW
// weight of a conv from out to in channels (the "mirror conv", geometry `mirror`):
// - forward is that conv's input-gradient (stride 1: the transposed forward; else col2im);
// - the input-gradient is that conv's forward applied to dy;
// - the weight-gradient is that conv's weight-gradient with dy as its input and x as its
//   output-gradient.

extension ConvTranspose {
    /// Transposed convs with fewer multiply-adds than this run the reference loops.
    static let fastPathMinimumMACs = 1 << 16

    /// Whether these shapes take the fast kernels (by shape alone, never by thread count).
    func usesFastPath(input: Shape, weight: Shape) -> Bool {
        input.count * weight[1] * weight[2] * weight[3] >= ConvTranspose.fastPathMinimumMACs
    }

    /// The mirror conv's geometry: stride, dilation, groups and top/left padding as given;
    /// bottom/right reduced by the output padding, so that the conv maps the N×out×OH×OW
    /// output back to exactly H×W ((OH + t + b − op − d(k−1) − 1)/s = H − 1).
    var mirror: Conv.Geometry {
        Conv.Geometry(stride: stride, dilation: dilation,
                      pads: Pads(top: padding.top, bottom: padding.bottom - outputPadding.h,
                                 left: padding.left, right: padding.right - outputPadding.w),
                      groups: groups)
    }

    /// The mirror conv's kernel dimensions: its input is y (out channels), its output x.
    func mirrorShape(input: Shape, weight: Shape) -> cg_conv {
        let d = Dims(self, input: input, weight: weight)
        return cg_conv(n: d.n, c: d.o, h: d.oh, w: d.ow, o: d.c, cg: d.og, kh: d.kh, kw: d.kw,
                       groups: d.groups, og: d.cg, oh: d.h, ow: d.w,
                       sh: stride.h, sw: stride.w, dh: dilation.h, dw: dilation.w, pt: padding.top, pl: padding.left)
    }

    /// Same contract as `referenceForward`, on the conv kernels; the output comes from
    /// `workspace`'s `.output` slot.
    @_specialize(where T == Float) @_specialize(where T == Double)
    func fastForward<T: TensorScalar>(input: Tensor<T>, weight: Tensor<T>, bias: Tensor<T>?, parallelism: Parallelism,
                                      workspace: Workspace<T> = Workspace()) -> Tensor<T> {
        var d = mirrorShape(input: input.shape, weight: weight.shape)
        let outShape: Shape = [d.n, d.c, d.h, d.w]
        var y: [T]
        if d.sh == 1 && d.sw == 1 {
            y = Conv.transposedForward(weight: weight, upstream: input, inputShape: outShape, d: d, parallelism: parallelism,
                                       workspace: workspace, outputSlot: .output).scalars
        } else {
            let f64: Int32 = T.self == Double.self ? 1 : 0
            let tasks = cg_conv_bwd_data_tasks(&d, f64)
            y = workspace.take(.output, count: outShape.count)
            y.withUnsafeMutableBufferPointer { yp in
                withRawPointers(weight.scalars, input.scalars, []) { w, x, _ in
                    let shared = KernelArguments(d: d, x: w, packed: x, bias: nil, y: UnsafeMutableRawPointer(yp.baseAddress))
                    parallelism.forEach(tasks) { t in
                        var d = shared.d
                        if f64 == 1 {
                            cg_conv_bwd_data_task_f64(&d, shared.x.typed(), shared.packed.typed(), shared.y.typedMutable(), t)
                        } else {
                            cg_conv_bwd_data_task_f32(&d, shared.x.typed(), shared.packed.typed(), shared.y.typedMutable(), t)
                        }
                    }
                }
            }
        }
        if let bias { ConvTranspose.addBias(bias.scalars, to: &y, images: d.n, plane: d.h * d.w) }
        return Tensor(shape: outShape, scalars: y)
    }

    /// Same contract as `referenceBackward`, on the conv kernels: dx is the mirror conv's
    /// forward of dy (slot `.gradient(0)`), dW its weight-gradient with dy and x exchanged
    /// (`.gradient(1)`), db as the reference (`.gradient(2)`).
    @_specialize(where T == Float) @_specialize(where T == Double)
    func fastBackward<T: TensorScalar>(input: Tensor<T>, weight: Tensor<T>, upstream: Tensor<T>,
                                       wantInput: Bool, wantWeight: Bool, wantBias: Bool, parallelism: Parallelism,
                                       workspace: Workspace<T> = Workspace()) -> (input: Tensor<T>?, weight: Tensor<T>?, bias: Tensor<T>?) {
        let g = mirror
        let dx = wantInput
            ? Conv.fastForward(input: upstream, weight: weight, bias: nil, geometry: g, parallelism: parallelism,
                               workspace: workspace, outputSlot: .gradient(0))
            : nil
        let dw = wantWeight
            ? Conv.fastBackward(input: upstream, weight: weight, upstream: input, geometry: g, wantInput: false, wantWeight: true,
                                wantBias: false, parallelism: parallelism, workspace: workspace).weight
            : nil
        let db = wantBias ? Conv.biasGradient(upstream, workspace: workspace) : nil
        return (dx, dw, db)
    }
}

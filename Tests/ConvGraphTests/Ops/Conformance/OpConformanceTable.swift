import ConvGraph

/// The conformance table: every registered op except the leaves has rows here (the first
/// test of `OpConformanceTests` fails otherwise). Expected shapes are worked out by hand
/// from SPEC §3, not from the ops' shape rules. The large rows give the fast conv and
/// pool kernels several tasks, so the thread-count checks mean something.
enum OpConformanceTable {
    private static func x(_ shape: Shape, _ values: OpCase.Values = .uniform, port: String = "input") -> OpCase.Input {
        OpCase.Input(port: port, shape: shape, values: values)
    }

    private static func w(_ shape: Shape) -> OpCase.Input { x(shape, port: "weight") }
    private static func b(_ shape: Shape) -> OpCase.Input { x(shape, port: "bias") }
    private static func many(_ shapes: [Shape], _ values: OpCase.Values = .uniform) -> [OpCase.Input] {
        shapes.map { x($0, values, port: "inputs") }
    }

    static let cases: [OpCase] = pad + conv + pool + elementwise + reductions + linear + convTranspose + layers

    static let pad: [OpCase] = [
        // H 3+1+1, W 4+1+1.
        OpCase("pad", "pads: 1", inputs: [x([1, 2, 3, 4])], expected: [1, 2, 5, 6]),
        OpCase("pad", "pads: 1, value: 0.5", inputs: [x([1, 1, 2, 2])], expected: [1, 1, 4, 4]),
        // [top, bottom, left, right]: H 4+1+2, W 5+0+3; every pad < its dimension.
        OpCase("pad", "pads: [1, 2, 0, 3], mode: reflect", inputs: [x([2, 1, 4, 5])], expected: [2, 1, 7, 8]),
        // [ph, pw]: H 3+2+2, W 2+1+1.
        OpCase("pad", "pads: [2, 1], mode: edge", inputs: [x([1, 3, 3, 2])], expected: [1, 3, 7, 4]),
        // The widest reflect (pad = dim − 1): 3+2+2; edge wider than the input: 2+3+3.
        OpCase("pad", "pads: 2, mode: reflect", inputs: [x([1, 1, 3, 3])], expected: [1, 1, 7, 7]),
        OpCase("pad", "pads: 3, mode: edge", inputs: [x([1, 1, 2, 2])], expected: [1, 1, 8, 8]),
    ]

    static let conv: [OpCase] = [
        // (5−3)/1+1 = 3.
        OpCase("conv", inputs: [x([2, 3, 5, 5]), w([4, 3, 3, 3])], expected: [2, 4, 3, 3]),
        // H ⌊(6+2−3)/2⌋+1 = 3, W ⌊(5+2−2)/2⌋+1 = 3; a 1-D bias.
        OpCase("conv", "stride: 2, padding: 1", inputs: [x([1, 2, 6, 5]), w([3, 2, 3, 2]), b([3])], expected: [1, 3, 3, 3]),
        // same: out = ⌈6/1⌉ = 6; two groups of 2 input channels.
        OpCase("conv", "dilation: 2, groups: 2, padding: same", inputs: [x([1, 4, 6, 6]), w([6, 2, 3, 3])], expected: [1, 6, 6, 6]),
        // IOHW weight [in 3, out 5, 2, 2]: (4−2)/2+1 = 2.
        OpCase("conv", "stride: 2, weight_layout: IOHW", inputs: [x([2, 3, 4, 4]), w([3, 5, 2, 2])], expected: [2, 5, 2, 2]),
        // [t, b, l, r] = [1, 0, 2, 1]: H 4+1+0−2+1 = 4, W 4+2+1−3+1 = 5.
        OpCase("conv", "padding: [1, 0, 2, 1]", inputs: [x([1, 2, 4, 4]), w([2, 2, 2, 3])], expected: [1, 2, 4, 5]),
        // same with stride 2: H ⌈7/2⌉ = 4, W ⌈6/2⌉ = 3 (dilated kernel 5, odd cell at the bottom/right).
        OpCase("conv", "stride: 2, dilation: 2, padding: same", inputs: [x([1, 2, 7, 6]), w([3, 2, 3, 3])], expected: [1, 3, 4, 3]),
        // 1×1 kernel, stride 3 > kernel (skipped cells get no gradient): ⌊(7−1)/3⌋+1 = 3.
        OpCase("conv", "stride: 3", inputs: [x([1, 3, 7, 7]), w([2, 3, 1, 1])], expected: [1, 2, 3, 3]),
        // Fast path (2·8·8·8 outputs × 8·3·3 ≥ 2^16 MACs): 10−3+1 = 8; a 4-D bias.
        OpCase("conv", inputs: [x([2, 8, 10, 10]), w([8, 8, 3, 3]), b([1, 8, 1, 1])], expected: [2, 8, 8, 8]),
        // Fast path, grouped and strided: ⌊(17+2−3)/2⌋+1 = 9.
        OpCase("conv", "stride: 2, padding: 1, groups: 2", inputs: [x([2, 8, 17, 17]), w([16, 4, 3, 3]), b([16])],
               expected: [2, 16, 9, 9]),
        // Fast path in IOHW layout.
        OpCase("conv", "weight_layout: IOHW", inputs: [x([2, 8, 10, 10]), w([8, 8, 3, 3])], expected: [2, 8, 8, 8]),
        // Fast path with a reduction of 32·3·3 = 288 > 256 (two blocks): 6−3+1 = 4.
        OpCase("conv", inputs: [x([2, 32, 6, 6]), w([8, 32, 3, 3])], expected: [2, 8, 4, 4]),
        // Fast path, 4 images (4 weight-gradient chunks), dilated, [t, b, l, r] = [0, 1, 2, 0]:
        // H 12+0+1−4−1+1 = 9, W 12+2+0−4−1+1 = 10.
        OpCase("conv", "dilation: 2, padding: [0, 1, 2, 0]", inputs: [x([4, 4, 12, 12]), w([8, 4, 3, 3]), b([8])],
               expected: [4, 8, 9, 10]),
    ]

    static let pool: [OpCase] = [
        // Stride defaults to the window: ⌊(4−2)/2⌋+1 = 2.
        OpCase("pool", "mode: max, window: 2", inputs: [x([1, 2, 4, 4], .distinct)], expected: [1, 2, 2, 2]),
        // ceil: H ⌈(6+2−3)/2⌉+1 = 4 (3·2 = 6 < 6+1 keeps it), W ⌈(8+2−3)/2⌉+1 = 5 (8 < 9).
        OpCase("pool", "mode: max, window: 3, stride: 2, padding: 1, ceil_mode: true",
               inputs: [x([1, 1, 6, 8], .distinct)], expected: [1, 1, 4, 5]),
        // H 4+2−2+1 = 5, W 5+2−3+1 = 5.
        OpCase("pool", "mode: average, window: [2, 3], stride: 1, padding: 1, count_include_pad: true",
               inputs: [x([1, 2, 4, 5])], expected: [1, 2, 5, 5]),
        OpCase("pool", "mode: average, window: [2, 3], stride: 1, padding: 1",
               inputs: [x([1, 2, 4, 5])], expected: [1, 2, 5, 5]),
        // Dilated taps 2 apart, stride = window 2: ⌊(5−2−1)/2⌋+1 = 2.
        OpCase("pool", "mode: average, window: 2, dilation: 2", inputs: [x([2, 1, 5, 5])], expected: [2, 1, 2, 2]),
        OpCase("pool", "mode: average, global: true", inputs: [x([2, 3, 3, 4])], expected: [2, 3, 1, 1]),
        OpCase("pool", "mode: max, global: true", inputs: [x([1, 2, 3, 3], .distinct)], expected: [1, 2, 1, 1]),
        // ceil: ⌈(5+2−2)/2⌉+1 = 4, minus 1 as (4−1)·2 = 6 ≥ 5+1.
        OpCase("pool", "mode: average, window: 2, padding: 1, ceil_mode: true, count_include_pad: true",
               inputs: [x([1, 2, 5, 5])], expected: [1, 2, 3, 3]),
        // ceil without padding: ⌈(5−2)/2⌉+1 = 3; the last window hangs past the input.
        OpCase("pool", "mode: average, window: 2, ceil_mode: true", inputs: [x([1, 1, 5, 5])], expected: [1, 1, 3, 3]),
        OpCase("pool", "mode: average, window: 2, ceil_mode: true, count_include_pad: true",
               inputs: [x([1, 1, 5, 5])], expected: [1, 1, 3, 3]),
        // Padding up to d·(k−1) = 4: H 5+4−4−1+1 = 5, W 6+4−4−1+1 = 6.
        OpCase("pool", "mode: max, window: 3, stride: 1, dilation: 2, padding: 2", inputs: [x([1, 2, 5, 6], .distinct)],
               expected: [1, 2, 5, 6]),
        // Planes of 130×130 ≥ 16384 cells: one plane per task.
        OpCase("pool", "mode: average, global: true", inputs: [x([1, 2, 130, 130])], expected: [1, 2, 1, 1]),
        OpCase("pool", "mode: max, global: true", inputs: [x([1, 2, 130, 130], .distinct)], expected: [1, 2, 1, 1]),
        // Overlapping windows (stride 1) accumulate: 32−3+1 = 30.
        OpCase("pool", "mode: max, window: 3, stride: 1", inputs: [x([2, 16, 32, 32], .distinct)], expected: [2, 16, 30, 30]),
        // 32 planes of 32×32: 16 planes per task, so two tasks.
        OpCase("pool", "mode: max, window: 2", inputs: [x([2, 16, 32, 32], .distinct)], expected: [2, 16, 16, 16]),
        // ⌊(32+2−3)/2⌋+1 = 16.
        OpCase("pool", "mode: average, window: 3, stride: 2, padding: 1", inputs: [x([2, 16, 32, 32])], expected: [2, 16, 16, 16]),
    ]

    static let elementwise: [OpCase] = [
        OpCase("relu", inputs: [x([2, 3, 4, 5], .awayFromZero)], expected: [2, 3, 4, 5]),
        OpCase("relu", inputs: [x([1, 1, 1, 7], .awayFromZero)], expected: [1, 1, 1, 7]),
        OpCase("add", inputs: many([[2, 3, 4, 4], [2, 3, 4, 4]]), expected: [2, 3, 4, 4]),
        OpCase("add", inputs: many([[1, 2, 3, 3], [1, 2, 3, 3], [1, 2, 3, 3]]), expected: [1, 2, 3, 3]),
        OpCase("concat", inputs: many([[1, 2, 3, 3], [1, 3, 3, 3]]), expected: [1, 5, 3, 3]),
        OpCase("concat", "axis: 0", inputs: many([[1, 2, 2, 2], [2, 2, 2, 2]]), expected: [3, 2, 2, 2]),
        OpCase("concat", "axis: 2", inputs: many([[2, 1, 1, 3], [2, 1, 2, 3], [2, 1, 3, 3]]), expected: [2, 1, 6, 3]),
        OpCase("concat", "axis: -1", inputs: many([[1, 2, 3, 1], [1, 2, 3, 4]]), expected: [1, 2, 3, 5]),
        OpCase("concat", "axis: 3", inputs: many([[2, 2, 2, 2]]), expected: [2, 2, 2, 2]),
    ]

    static let reductions: [OpCase] = [
        OpCase("sum", inputs: [x([2, 3, 4, 5])], expected: []),
        OpCase("sum", inputs: [x([1, 1, 1, 1])], expected: []),
        OpCase("mean", inputs: [x([2, 3, 4, 5])], expected: []),
        OpCase("mean", inputs: [x([1, 1, 1, 1])], expected: []),
        OpCase("l2", inputs: [x([2, 3, 4, 5])], expected: []),
        OpCase("l2", inputs: [x([1, 1, 1, 3])], expected: []),
        OpCase("mse", inputs: [x([1, 2, 3, 4]), x([1, 2, 3, 4], port: "target")], expected: []),
        OpCase("mse", inputs: [x([2, 1, 1, 1]), x([2, 1, 1, 1], port: "target")], expected: []),
    ]

    static let linear: [OpCase] = [
        // F = 3·2·2 = 12.
        OpCase("linear", inputs: [x([2, 3, 2, 2]), w([5, 12]), b([5])], expected: [2, 5, 1, 1]),
        // Batch 1, no bias, F = 4.
        OpCase("linear", inputs: [x([1, 4, 1, 1]), w([3, 4])], expected: [1, 3, 1, 1]),
        // Fast GEMM (9·600·300 MACs): F = 24·5·5 = 600 (three reduction blocks of 200), 300
        // outputs (several column tasks), a 4-D bias.
        OpCase("linear", inputs: [x([9, 24, 5, 5]), w([300, 600]), b([1, 300, 1, 1])], expected: [9, 300, 1, 1]),
    ]

    static let convTranspose: [OpCase] = [
        // H = (4−1)·1 − 0 − 0 + 1·(3−1) + 0 + 1 = 6; out = 2.
        OpCase("conv_transpose", inputs: [x([2, 3, 4, 4]), w([3, 2, 3, 3])], expected: [2, 2, 6, 6]),
        // H = 2·2 − 1 − 1 + 2 + 1 + 1 = 6, W = 3·2 − 2 + 2 + 1 + 1 = 8; output_padding = stride − 1.
        OpCase("conv_transpose", "stride: 2, padding: 1, output_padding: 1", inputs: [x([1, 2, 3, 4]), w([2, 3, 3, 3]), b([3])],
               expected: [1, 3, 6, 8]),
        // Two groups: out = 3·2 = 6; H = 2 + 2·(2−1) + 1 = 5.
        OpCase("conv_transpose", "groups: 2, dilation: 2", inputs: [x([1, 4, 3, 3]), w([4, 3, 2, 2])], expected: [1, 6, 5, 5]),
        // [t, b, l, r] = [1, 0, 2, 1], stride [2, 3], output_padding [1, 2]:
        // H = 2·2 − 1 − 0 + 2 + 1 + 1 = 7, W = 2·3 − 2 − 1 + 2 + 2 + 1 = 8.
        OpCase("conv_transpose", "stride: [2, 3], padding: [1, 0, 2, 1], output_padding: [1, 2]",
               inputs: [x([2, 2, 3, 3]), w([2, 2, 3, 3])], expected: [2, 2, 7, 8]),
        // output_padding 1 ≥ stride 1 but < dilation 2: H = 2 + 2·1 + 1 + 1 = 6.
        OpCase("conv_transpose", "dilation: 2, output_padding: 1", inputs: [x([1, 2, 3, 3]), w([2, 2, 2, 2])], expected: [1, 2, 6, 6]),
        // Fast path, col2im route (stride 2, kernel 2, the U-Net upsampling): H = 7·2 + 1 + 1 = 16.
        OpCase("conv_transpose", "stride: 2", inputs: [x([2, 16, 8, 8]), w([16, 8, 2, 2]), b([8])], expected: [2, 8, 16, 16]),
        // Fast path, stride-1 route: H = 9 − 2 + 2 + 1 = 10.
        OpCase("conv_transpose", "padding: 1", inputs: [x([2, 8, 10, 10]), w([8, 8, 3, 3]), b([8])], expected: [2, 8, 10, 10]),
        // Fast path, grouped and strided: out = 8·2 = 16, H = 8·2 − 2 + 2 + 1 + 1 = 18.
        OpCase("conv_transpose", "stride: 2, padding: 1, output_padding: 1, groups: 2",
               inputs: [x([2, 8, 9, 9]), w([8, 8, 3, 3])], expected: [2, 16, 18, 18]),
        // Fast path, stride 1, dilated, [0, 1, 2, 0], output_padding 1 < dilation 2:
        // H = 7 − 0 − 1 + 4 + 1 + 1 = 12, W = 7 − 2 − 0 + 4 + 1 + 1 = 11.
        OpCase("conv_transpose", "dilation: 2, padding: [0, 1, 2, 0], output_padding: 1",
               inputs: [x([4, 4, 8, 8]), w([4, 8, 3, 3]), b([8])], expected: [4, 8, 12, 11]),
        // Fast path, stride 2 with output_padding 2 = stride but < dilation 3: H = 5·2 + 3·2 + 2 + 1 = 19.
        OpCase("conv_transpose", "stride: 2, dilation: 3, output_padding: 2", inputs: [x([2, 8, 6, 6]), w([8, 8, 3, 3])],
               expected: [2, 8, 19, 19]),
    ]

    private static func port(_ name: String, _ shape: Shape, _ values: OpCase.Values = .uniform) -> OpCase.Input {
        x(shape, values, port: name)
    }

    static let layers: [OpCase] = [
        // batchnorm, training mode: statistics over N, H, W; mean/var (when wired) get zero.
        OpCase("batchnorm", inputs: [x([2, 3, 4, 4])], expected: [2, 3, 4, 4]),
        OpCase("batchnorm", "eps: 0.01", inputs: [x([2, 3, 2, 2]), port("scale", [3]), port("bias", [1, 3, 1, 1]),
                                                 port("mean", [3]), port("var", [3], .positive)], expected: [2, 3, 2, 2]),
        // Batch 1 (M = 1·3·3 = 9) and the smallest M = 2 (two images of 1×1, one image of 1×2),
        // where x̂ = ±1 and only eps makes y depend on x: a large eps gives it a gradient.
        OpCase("batchnorm", inputs: [x([1, 2, 3, 3]), port("scale", [2]), port("bias", [2])], expected: [1, 2, 3, 3]),
        OpCase("batchnorm", "eps: 0.5", inputs: [x([2, 2, 1, 1]), port("scale", [2]), port("bias", [2])], expected: [2, 2, 1, 1]),
        OpCase("batchnorm", "eps: 0.5", inputs: [x([1, 3, 1, 2]), port("scale", [3])], expected: [1, 3, 1, 2]),
        // Several tasks: 16 channels of 2·48·48 = 4608 elements.
        OpCase("batchnorm", inputs: [x([2, 16, 48, 48]), port("scale", [16]), port("bias", [16])], expected: [2, 16, 48, 48],
               checksFiniteDifferences: false),
        // Inference mode: the running statistics, with and without scale and bias.
        OpCase("batchnorm", inputs: [x([2, 3, 3, 3]), port("mean", [3]), port("var", [3], .positive)], expected: [2, 3, 3, 3],
               mode: .eval),
        OpCase("batchnorm", "eps: 0.1", inputs: [x([2, 3, 2, 3]), port("scale", [3]), port("bias", [3]), port("mean", [1, 3, 1, 1]),
                                                port("var", [3], .positive)], expected: [2, 3, 2, 3], mode: .eval),
        OpCase("batchnorm", inputs: [x([2, 16, 48, 48]), port("scale", [16]), port("bias", [16]), port("mean", [16]),
                                     port("var", [16], .positive)], expected: [2, 16, 48, 48], mode: .eval,
               checksFiniteDifferences: false),
        OpCase("sigmoid", inputs: [x([2, 3, 4, 5])], expected: [2, 3, 4, 5]),
        OpCase("sigmoid", inputs: [x([2, 4, 128, 128])], expected: [2, 4, 128, 128]),
        OpCase("tanh", inputs: [x([2, 3, 4, 5])], expected: [2, 3, 4, 5]),
        OpCase("tanh", inputs: [x([2, 4, 128, 128])], expected: [2, 4, 128, 128]),
        OpCase("leaky_relu", inputs: [x([2, 3, 4, 5], .awayFromZero)], expected: [2, 3, 4, 5]),
        OpCase("leaky_relu", "slope: 0.3", inputs: [x([1, 2, 3, 3], .awayFromZero)], expected: [1, 2, 3, 3]),
        OpCase("leaky_relu", "slope: 0", inputs: [x([1, 2, 3, 3], .awayFromZero)], expected: [1, 2, 3, 3]),
        OpCase("leaky_relu", "slope: 0.2", inputs: [x([2, 4, 128, 128], .awayFromZero)], expected: [2, 4, 128, 128]),
        OpCase("softmax", inputs: [x([2, 5, 3, 3])], expected: [2, 5, 3, 3]),
        OpCase("softmax", inputs: [x([1, 2, 1, 1])], expected: [1, 2, 1, 1]),
        // 2 images × 6400 positions: several blocks of positions per image.
        OpCase("softmax", inputs: [x([2, 8, 80, 80])], expected: [2, 8, 80, 80]),
        // cross_entropy: index targets (no gradient) and probability targets; K = 2.
        OpCase("cross_entropy", inputs: [x([2, 4, 3, 3]), port("target", [2, 1, 3, 3], .classIndices(4))], expected: []),
        OpCase("cross_entropy", inputs: [x([3, 2, 1, 1]), port("target", [3, 1, 1, 1], .classIndices(2))], expected: []),
        OpCase("cross_entropy", inputs: [x([2, 3, 2, 2]), port("target", [2, 3, 2, 2], .positive)], expected: []),
        OpCase("cross_entropy", inputs: [x([1, 2, 2, 3]), port("target", [1, 2, 2, 3])], expected: []),
        // Several tasks: blocks of 3264 positions of 10 logits.
        OpCase("cross_entropy", inputs: [x([2, 10, 64, 64]), port("target", [2, 1, 64, 64], .classIndices(10))], expected: [],
               checksFiniteDifferences: false),
        OpCase("cross_entropy", inputs: [x([2, 10, 64, 64]), port("target", [2, 10, 64, 64], .positive)], expected: [],
               checksFiniteDifferences: false),
    ]
}

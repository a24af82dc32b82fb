// Embedding ConvGraph: build the seed graph in code (the same YAML as Graphs/seed.yaml),
// run forward and backward, read values and gradients (saved ones, then every one with
// keepAll), and feed inputs, one from a .npy file.
//
//     swift run embed-example      (from the package root, which holds Examples/data/)
import ConvGraph

let yaml = """
    graph: embedded
    seed: 1
    nodes:
      image:  {op: input, shape: [10, 3, 4, 4], init: randn}
      kernel: {op: param, shape: [3, 8, 2, 2], init: randn}
      bias:   {op: param, shape: [1, 8, 1, 1], init: randn}
      padded: {op: pad, pads: 2}
      conv:   {op: conv, stride: 2, weight_layout: IOHW}
      loss:   {op: l2}
    edges:
      - image -> padded -> conv -> loss
      - kernel -> conv.weight
      - bias -> conv.bias
    backward: {from: loss, wrt: [image, kernel, bias]}
    save: {values: [conv, loss]}
    """

do {
    let graph = try Graph.parse(yaml: yaml, path: "embedded.yaml")
    for node in graph.nodes { print(node.name, node.op.name, node.shape) }

    var executor = Executor(graph: graph)
    let result = try executor.run()
    if let conv = result.value("conv")?.doubles {
        print("conv[0,0,2,2] =", conv.scalars[2 * 4 + 2])   // 4.016909022551844, as SPEC §9
    }
    if let dKernel = result.grad("kernel")?.doubles {
        print("mean dL/dkernel =", pairwiseSum(dKernel.scalars) / Double(dKernel.count))   // 1.597554753756692
    }

    // A value the graph does not save: keepAll keeps every value and gradient.
    let all = try executor.run(keepAll: true)
    if let padded = all.value("padded")?.doubles, let dConv = all.grad("conv")?.doubles {
        print("padded", padded.shape, "dL/dconv", dConv.shape)
    }

    // Feeding an input keeps every other node's values (its init still draws).
    try executor.feed("image", Tensor<Double>(repeating: 0, shape: [10, 3, 4, 4]))
    let fed = try executor.run(forwardOnly: true)
    print("loss with a zero image =", fed.value("loss")?.doubles.scalars[0] ?? .nan)

    // Your own data from a .npy file, with the checks and limits of `--input`.
    let image = try TensorFileLoader.load("Examples/data/image.npy", limits: .default, as: Double.self).get()
    try executor.feed("image", image)
    print("loss with Examples/data/image.npy =", try executor.run(forwardOnly: true).value("loss")?.doubles.scalars[0] ?? .nan)
} catch {
    print(error)
}

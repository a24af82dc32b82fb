/// Maps the YAML `op:` string to its type (Caffe's layer factory, as a literal table).
public enum OpRegistry {
    /// Every op, in the order `convgraph ops` lists them.
    public static let all: [any Op.Type] = [
        Leaf.Input.self, Leaf.Param.self, Pad.self, Conv.self, Pool.self, Relu.self, Add.self, Concat.self,
        Sum.self, Mean.self, L2.self, MSE.self, Linear.self, ConvTranspose.self,
        BatchNorm.self, Sigmoid.self, Tanh.self, LeakyRelu.self, Softmax.self, CrossEntropy.self,
    ]

    /// The ops by their YAML name.
    public static let byName: [String: any Op.Type] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// Every op's YAML name, in registry order.
    public static var names: [String] { all.map { $0.name } }
}

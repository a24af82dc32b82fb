/// Maps the YAML `op:` string to its type (Caffe's layer factory, as a literal table).
public enum OpRegistry {
    public static let all: [any Op.Type] = [
        Leaf.Input.self, Leaf.Param.self, Pad.self, Conv.self, Pool.self, Relu.self, Add.self, Concat.self,
        Sum.self, Mean.self, L2.self, MSE.self,
    ]

    public static let byName: [String: any Op.Type] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static var names: [String] { all.map { $0.name } }
}

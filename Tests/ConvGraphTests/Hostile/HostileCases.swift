/// The hostile inputs: malformed YAML, resource bombs, every graph error kind, names that
/// try to leave the run directory, enormous shapes, broken `.npy` files (fed with `--input`
/// and named by `{file:}`), unwritable outputs, bad `--set` paths and values, bad options.
enum HostileCases {
    static var all: [HostileCase] {
        yaml + graphErrors + names + shapes + npyInputs + npyFiles + outputs + overrides + options
    }

    /// A small valid graph: `x` [1, 1, 2, 2] → relu.
    static let small = """
        nodes:
          x: {op: input, shape: [1, 1, 2, 2], init: zeros}
          r: {op: relu}
        edges: [x -> r]

        """

    /// The seed graph of SPEC §2, for `--set` and `--out` cases.
    static let seed = """
        graph: seed-convnet
        seed: 1
        nodes:
          image:  {op: input, shape: [10, 3, 4, 4], init: randn}
          kernel: {op: param, shape: [3, 8, 2, 2], init: randn}
          bias:   {op: param, shape: [1, 8, 1, 1], init: randn}
          padded: {op: pad, pads: 2}
          conv:   {op: conv, stride: 2, weight_layout: IOHW}
          pooled: {op: pool, mode: max, window: 3, stride: 2}
          loss:   {op: l2}
        edges:
          - image -> padded -> conv -> pooled
          - kernel -> conv.weight
          - bias -> conv.bias
          - conv -> loss
        backward: {from: loss, wrt: [image, kernel, bias]}

        """

    /// 4 KiB of reproducible noise (a linear congruential generator).
    static let garbage: [UInt8] = {
        var state: UInt32 = 12345
        return (0..<4096).map { _ in
            state = state &* 1_103_515_245 &+ 12345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
    }()

    // MARK: Malformed YAML and resource bombs

    static var yaml: [HostileCase] {
        // a0 has 10 items, each further anchor lists the previous one 10 times: 10^12 nodes.
        var laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...11 { laughs += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        laughs += "nodes: *a11\n"
        return [
            .graph("tab indentation", "nodes:\n\tx: {op: relu}\n", at: "g.yaml:2:1", message: "a tab in the indentation"),
            .graph("unclosed bracket", "nodes:\n  x: {op: input, shape: [1, 2\n", at: "g.yaml:2:25", message: "'[' is never closed"),
            .graph("unclosed quote", "graph: \"abc\nnodes: {}\n", at: "g.yaml:3:1", message: "quoted scalar"),
            .graph("duplicate key", small + "nodes: {}\n", at: "g.yaml:5:1", message: "duplicate key 'nodes'"),
            .graph("duplicate node", "nodes:\n  x: {op: relu}\n  x: {op: relu}\n", at: "g.yaml:3:3", message: "g.yaml:2:3: note: 'x' was first defined on line 2"),
            .graphBytes("non-UTF-8 bytes", Array("nodes:\n  x: {op: \"".utf8) + [0xff, 0xfe] + Array("\"}\n".utf8), at: "g.yaml:2:12", message: "UTF-8"),
            .graphBytes("binary garbage", garbage, at: "g.yaml:1:2", message: "invalid trailing UTF-8 octet"),
            .graph("empty file", "", at: "g.yaml:1:1", message: "holds no YAML document"),
            .graph("comments only", "# nothing here\n\n", at: "g.yaml:1:1", message: "holds no YAML document"),
            HostileCase("file over 16 MiB", files: [("g.yaml", .large(prefix: "# ", fill: UInt8(ascii: "x"), count: (16 << 20) + 1))],
                        ["run", "g.yaml"], status: 65, at: "g.yaml:1:1", message: "larger than the limit of 16777216 bytes"),
            .graph("two documents", small + "---\n" + small, at: "g.yaml:5:1", message: "exactly one YAML document"),
            .graph("billion laughs", laughs, at: "g.yaml:6:45", message: "alias expansion budget"),
            .graph("100k open brackets", "nodes: " + String(repeating: "[", count: 100_000) + "\n", at: "g.yaml:1:263", message: "deeper than the limit of 256"),
            .graph("100k nested mappings", "nodes: " + String(repeating: "{a: ", count: 100_000) + "1" + String(repeating: "}", count: 100_000) + "\n",
                   at: "g.yaml:1:1028", message: "deeper than the limit of 256"),
            .graph("deep block nesting", (0..<2000).map { String(repeating: " ", count: $0) + "a:\n" }.joined(), at: "g.yaml:257:257"),
            .graph("unknown alias", "nodes: *missing\n", at: "g.yaml:1:8", message: "unknown alias '*missing'"),
            .graph("foreign tag", "nodes: !!python/object:os.system {}\n", at: "g.yaml:1:8", message: "unsupported YAML tag"),
            .graph("root is a list", "- a\n- b\n", at: "g.yaml:1:1", message: "a graph file is a mapping"),
            .graph("nodes is a scalar", "nodes: 7\nedges: [a -> b]\n", at: "g.yaml:1:8", message: "'nodes' takes a mapping"),
        ]
    }

    // MARK: Graph errors (Source/ and Graph/ diagnostics)

    static var graphErrors: [HostileCase] {
        let x = "  x: {op: input, shape: [1, 3, 4, 4], init: randn}\n"
        return [
            .graph("unknown op", "nodes:\n" + x + "  y: {op: frobnicate}\nedges: [x -> y]\n", at: "g.yaml:3:11", message: "unknown op 'frobnicate'"),
            .graph("unknown attribute", "nodes:\n" + x + "  y: {op: relu, strid: 2}\nedges: [x -> y]\n", at: "g.yaml:3:17", message: "unknown attribute 'strid'"),
            .graph("unknown top-level key", small + "edgs: []\n", at: "g.yaml:5:1", message: "did you mean 'edges'?"),
            .graph("no nodes section", "edges: []\n", at: "g.yaml:1:1", message: "no 'nodes' section"),
            .graph("unknown port", "nodes:\n" + x + "  c: {op: conv}\nedges: [x -> c.wieght]\n", at: "g.yaml:4:16", message: "did you mean 'weight'?"),
            .graph("edge to missing node", "nodes:\n" + x + "edges: [x -> y]\n", at: "g.yaml:3:14", message: "unknown node 'y' in edge"),
            .graph("two sources into one port", "nodes:\n" + x + "  z: {op: input, shape: [1, 3, 4, 4], init: randn}\n  r: {op: relu}\nedges: [x -> r, z -> r]\n",
                   at: "g.yaml:5:17", message: "has two sources"),
            .graph("cycle", "nodes:\n  a: {op: relu}\n  b: {op: relu}\nedges: [a -> b -> a]\n", at: "g.yaml:2:3", message: "cycle: a -> b -> a"),
            .graph("self-loop", "nodes:\n  a: {op: relu}\nedges: [a -> a]\n", at: "g.yaml:2:3", message: "cycle: a -> a"),
            .graph("missing required input", "nodes:\n" + x + "  c: {op: conv}\nedges: [x -> c]\n", at: "g.yaml:3:3", message: "no edge into its port 'weight'"),
            .graph("add shape mismatch", "nodes:\n" + x + "  y: {op: input, shape: [1, 2, 4, 4], init: randn}\n  s: {op: add}\nedges: [x -> s, y -> s]\n",
                   at: "g.yaml:4:11", message: "must have the same shape"),
            .graph("conv weight mismatch", "nodes:\n" + x + "  w: {op: param, shape: [2, 4, 3, 3], init: randn}\n  c: {op: conv}\nedges: [x -> c, w -> c.weight]\n",
                   at: "g.yaml:4:11", message: "does not fit an input with 3 channels"),
            .graph("kernel larger than input", "nodes:\n" + x + "  w: {op: param, shape: [2, 3, 9, 9], init: randn}\n  c: {op: conv}\nedges: [x -> c, w -> c.weight]\n",
                   at: "g.yaml:4:11"),
            .graph("reflect pad too wide", "nodes:\n" + x + "  p: {op: pad, pads: 4, mode: reflect}\nedges: [x -> p]\n", at: "g.yaml:3:22", message: "reflect padding"),
            .graph("bad dtype", "dtype: float16\n" + small, at: "g.yaml:1:8", message: "did you mean 'float64'?"),
            .graph("negative seed", "seed: -1\n" + small, at: "g.yaml:1:7", message: "'seed' must be at least 0"),
            .graph("seed of 2^32", "seed: 4294967296\n" + small, at: "g.yaml:1:7", message: "below 2^32"),
            .graph("seed not a number", "seed: yes\n" + small, at: "g.yaml:1:7", message: "'seed' takes an integer"),
            .graph("backward.from unknown", small + "backward: {from: lss}\n", at: "g.yaml:5:18", message: "unknown node 'lss' in 'backward.from'"),
            .graph("wrt not a leaf", small + "backward: {from: r, wrt: [r]}\n", at: "g.yaml:5:27", message: "only input and param leaves"),
            .graph("grad for a scalar from", "nodes:\n" + x + "  l: {op: l2}\nedges: [x -> l]\nbackward: {from: l, grad: ones}\n",
                   at: "g.yaml:5:27", message: "only for a non-scalar 'from'"),
            .graph("save.grads without backward", small + "save: {grads: [x]}\n", at: "g.yaml:5:8", message: "needs a 'backward' section"),
            .graph("unknown init", "nodes:\n  x: {op: input, shape: [1, 1, 2, 2], init: gaussian}\n", at: "g.yaml:2:45", message: "unknown init 'gaussian'"),
            .graph("values not rectangular", "nodes:\n  x: {op: input, init: {values: [[[[1, 2], [3]]]]}}\n", at: "g.yaml:2:44", message: "not rectangular"),
            .graph("non-finite pad value", "nodes:\n" + x + "  p: {op: pad, pads: 1, value: .nan}\nedges: [x -> p]\n", at: "g.yaml:3:32",
                   message: "'value' must be finite"),
            .graph("concat axis 5", "nodes:\n" + x + "  c: {op: concat, axis: 5}\nedges: [x -> c]\n", at: "g.yaml:3:25"),
            .graph("unknown init option", "nodes:\n  x: {op: input, shape: [1, 1, 2, 2], init: {randn: {sigma: 2}}}\n", at: "g.yaml:2:54",
                   message: "unknown option 'sigma' of init 'randn'"),
            .graph("input without init", "nodes:\n  x: {op: input, shape: [1, 1, 2, 2]}\n  r: {op: relu}\nedges: [x -> r]\n", status: 64,
                   at: "g.yaml:2:3", message: "has no init and was not fed"),
        ]
    }

    // MARK: Names that try to leave the run directory

    static var names: [HostileCase] {
        func node(_ name: String) -> String { "nodes:\n  \(name): {op: input, shape: [1, 1, 2, 2], init: zeros}\n" }
        return [
            .graph("node ../evil", node("../evil"), at: "g.yaml:2:3", message: "invalid node name '../evil'"),
            .graph("node /abs", node("/tmp/evil"), at: "g.yaml:2:3", message: "invalid node name"),
            .graph("node with a slash", node("\"a/b\""), at: "g.yaml:2:3", message: "invalid node name 'a/b'"),
            .graph("node ..", node("\"..\""), at: "g.yaml:2:3", message: "invalid node name '..'"),
            .graph("node with NUL", node("\"a\\0b\""), at: "g.yaml:2:3", message: "invalid node name 'a\\u{0}b'"),
            .graph("node of 200 characters", node(String(repeating: "a", count: 200)), at: "g.yaml:2:3", message: "at most 128 characters"),
            .graph("node with a non-ASCII name", node("é"), at: "g.yaml:2:3", message: "invalid node name 'é'"),
            .graph("node of 5000 characters", node(String(repeating: "a", count: 5000)), at: "g.yaml:2:5003"),
            .graph("nodes differing in case", node("Conv") + "  conv: {op: relu}\nedges: [Conv -> conv]\n", at: "g.yaml:3:3", message: "only in case"),
            .graph("graph name ../../etc", "graph: ../../etc\n" + small, at: "g.yaml:1:8", message: "invalid graph name"),
            .graph("graph name with slash", "graph: a/b\n" + small, at: "g.yaml:1:8", message: "invalid graph name 'a/b'"),
            .graph("edge naming ../x", "nodes:\n  r: {op: relu}\nedges:\n  - ../x -> r\n", at: "g.yaml:4:5"),
        ]
    }

    // MARK: Enormous shapes and attributes

    static var shapes: [HostileCase] {
        func leaf(_ shape: String) -> String { "nodes:\n  x: {op: input, shape: \(shape), init: randn}\n" }
        func op(_ body: String, shape: String = "[1, 1, 4, 4]") -> String {
            "nodes:\n  x: {op: input, shape: \(shape), init: randn}\n  y: \(body)\nedges: [x -> y]\n"
        }
        return [
            .graph("2^40 elements", leaf("[1024, 1024, 1024, 1024]"), at: "g.yaml:2:25", message: "more than the limit of 2147483648 elements"),
            .graph("element count overflowing Int64", leaf("[4294967296, 4294967296, 4294967296, 1]"), at: "g.yaml:2:26", message: "at most 2147483647"),
            .graph("dimension beyond Int64", leaf("[99999999999999999999, 1, 1, 1]"), at: "g.yaml:2:26", message: "'shape' takes an integer"),
            .graph("zero dimension", leaf("[0, 1, 2, 2]"), at: "g.yaml:2:26", message: "at least 1"),
            .graph("nine dimensions", leaf("[1, 1, 1, 1, 1, 1, 1, 1, 1]"), at: "g.yaml:2:25", message: "at most 8 are supported"),
            .graph("memory limit", "nodes:\n  a: {op: input, shape: [1, 1, 1024, 1024], init: randn}\n  b: {op: relu}\nedges: [a -> b]\n",
                   ["run", "g.yaml", "--max-memory", "1M"], at: "g.yaml:1:1", message: "exceeds --max-memory 1,048,576 bytes"),
            .graph("pads of 2^63-1", op("{op: pad, pads: 9223372036854775807}"), at: "g.yaml:3:22", message: "'pads' must be at most 2147483647"),
            .graph("padding growing past the limit", op("{op: pad, pads: 2147483647}"), at: "g.yaml:3:3",
                   message: "more than the limit of 2147483648 elements"),
            .graph("stride of 2^63-1", op("{op: pool, mode: max, window: 2, stride: 9223372036854775807}"), at: "g.yaml:3:47", message: "'stride' must be at most"),
            .graph("dilation of 2^63-1", op("{op: pool, mode: max, window: 3, dilation: 9223372036854775807}"), at: "g.yaml:3:49", message: "'dilation' must be at most"),
            .graph("pool window FLOPs overflow", op("{op: pool, mode: max, window: 1048576, stride: 32, padding: 1048575}", shape: "[1, 1, 1, 1]"),
                   at: "g.yaml:3:36", message: "FLOPs"),
            .graph("groups of 2^62", op("{op: conv, groups: 4611686018427387904}"), at: "g.yaml:3:25", message: "'groups' must be at most"),
        ]
    }

    // MARK: Broken .npy files

    /// Each broken `.npy` kind: name, bytes (nil: a special file), expected message.
    static let brokenNPY: [(name: String, file: HostileCase.File, status: Int32, message: String)] = {
        let h = NPYBytes.header()
        let data = NPYBytes.doubles(4)
        let full = NPYBytes.make(header: h, data: data)
        return [
            ("truncated data", .bytes(Array(full.dropLast(3))), 65, "the .npy data is 29 bytes but the shape and dtype need 32"),
            ("extra data", .bytes(full + [0, 0]), 65, "the .npy data is 34 bytes but the shape and dtype need 32"),
            ("truncated header", .bytes(Array(full.prefix(30))), 65, "the file ends inside the .npy header"),
            ("bad magic", .bytes([0x93] + Array("NUMPZ".utf8) + full.dropFirst(6)), 65, "bad magic string"),
            ("bad version", .bytes(NPYBytes.make(header: h, version: 9, data: data)), 65, "unsupported .npy format version 9.0"),
            ("header length 4 GiB", .bytes([0x93] + Array("NUMPY".utf8) + [2, 0, 0xf0, 0xff, 0xff, 0xff] + Array("{".utf8)), 65,
             "over the limit of 65536 bytes"),
            ("header of 70 KB", .bytes(NPYBytes.make(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 2, 2), '"
                                                     + String(repeating: "x", count: 70_000) + "': 1}", version: 2, data: data)), 65,
             "over the limit of 65536 bytes"),
            ("dtype <f2", .bytes(NPYBytes.make(header: NPYBytes.header(descr: "<f2"), data: Array(repeating: 0, count: 8))), 65, "unsupported dtype '<f2'"),
            ("dtype <c8", .bytes(NPYBytes.make(header: NPYBytes.header(descr: "<c8"), data: Array(repeating: 0, count: 32))), 65, "unsupported dtype '<c8'"),
            ("dtype <i3", .bytes(NPYBytes.make(header: NPYBytes.header(descr: "<i3"), data: Array(repeating: 0, count: 12))), 65, "unsupported dtype '<i3'"),
            ("dtype object", .bytes(NPYBytes.make(header: NPYBytes.header(descr: "|O"), data: [])), 65, "unsupported dtype '|O'"),
            ("fortran_order 2", .bytes(NPYBytes.make(header: NPYBytes.header(fortran: "2"), data: data)), 65, "fortran_order in the .npy header is not True or False"),
            ("fortran_order 'yes'", .bytes(NPYBytes.make(header: NPYBytes.header(fortran: "'yes'"), data: data)), 65, "fortran_order"),
            ("shape of 2^40 elements", .bytes(NPYBytes.make(header: NPYBytes.header(shape: "(1099511627776, 1, 1, 1)"), data: data)), 65,
             "over the limit of 2147483648"),
            ("shape overflowing Int64", .bytes(NPYBytes.make(header: NPYBytes.header(shape: "(9223372036854775807, 9223372036854775807, 1, 1)"), data: data)), 65,
             "overflows"),
            ("nested header", .bytes(NPYBytes.make(header: "{'descr': '<f8', 'fortran_order': False, 'shape': "
                                                   + String(repeating: "(", count: 5000) + String(repeating: ")", count: 5000) + "}", data: [])), 65,
             "nests too deeply"),
            ("empty file", .bytes([]), 65, "the file is empty"),
            ("binary garbage", .bytes(garbage), 65, "bad magic string"),
            ("a directory", .directory, 65, "not a regular file"),
            ("a FIFO", .fifo, 65, "not a regular file"),
        ]
    }()

    static var npyInputs: [HostileCase] {
        brokenNPY.map { c in
            HostileCase("--input: \(c.name)", files: [("g.yaml", .text(small)), ("t.npy", c.file)],
                        ["run", "g.yaml", "--input", "x=t.npy"], status: c.status, messages: ["t.npy: error: ", c.message])
        } + [
            HostileCase("--input: shape mismatch", files: [("g.yaml", .text(small)),
                                                           ("t.npy", .bytes(NPYBytes.make(header: NPYBytes.header(shape: "(1, 1, 2, 3)"), data: NPYBytes.doubles(6))))],
                        ["run", "g.yaml", "--input", "x=t.npy"], status: 65, message: "t.npy: error: has shape [1, 1, 2, 3], but input 'x' has shape [1, 1, 2, 2]"),
            HostileCase("--input: missing file", files: [("g.yaml", .text(small))], ["run", "g.yaml", "--input", "x=t.npy"], status: 66,
                        message: "t.npy: error: no such file"),
            HostileCase("--input: unknown node", files: [("g.yaml", .text(small)), ("t.npy", .bytes(NPYBytes.good))],
                        ["run", "g.yaml", "--input", "y=t.npy"], status: 64, message: "--input names 'y', which the graph lacks"),
            HostileCase("--input: not NODE=FILE", files: [("g.yaml", .text(small))], ["run", "g.yaml", "--input", "x"], status: 64,
                        message: "--input takes NODE=FILE.npy"),
            HostileCase("show: a FIFO", files: [("t.npy", .fifo)], ["show", "t.npy"], status: 65, message: "t.npy: error: not a regular file"),
            HostileCase("show: garbage", files: [("t.npy", .bytes(garbage))], ["show", "t.npy"], status: 65, message: "t.npy: error: not a numpy .npy file"),
        ]
    }

    static var npyFiles: [HostileCase] {
        let graph = "nodes:\n  x: {op: input, shape: [1, 1, 2, 2], init: {file: t.npy}}\n  r: {op: relu}\nedges: [x -> r]\n"
        return brokenNPY.map { c in
            .graph("{file:}: \(c.name)", graph, status: c.status, at: "g.yaml:2:52",
                   messages: ["t.npy: error: ", c.message], also: [("t.npy", c.file)])
        } + [
            .graph("{file:}: shape mismatch", graph, at: "g.yaml:2:25", message: "does not match the data's shape [1, 1, 2, 3]",
                   also: [("t.npy", .bytes(NPYBytes.make(header: NPYBytes.header(shape: "(1, 1, 2, 3)"), data: NPYBytes.doubles(6))))]),
            .graph("{file:}: missing file", graph, status: 66, at: "g.yaml:2:52", message: "t.npy: error: no such file"),
            .graph("{file:}: zero-size array with a huge axis", "nodes:\n  x: {op: input, init: {file: t.npy}}\n  r: {op: relu}\nedges: [x -> r]\n",
                   at: "g.yaml:2:24", message: "every dimension must be between 1 and 2147483647",
                   also: [("t.npy", .bytes(NPYBytes.make(header: NPYBytes.header(shape: "(0, 1099511627776, 1, 1)"), data: [])))]),
        ]
    }

    // MARK: Outputs that cannot be written

    static var outputs: [HostileCase] {
        func out(_ name: String, _ path: String, also files: [(path: String, file: HostileCase.File)] = [], message: String) -> HostileCase {
            HostileCase("--out \(name)", files: [("g.yaml", .text(small))] + files, ["run", "g.yaml", "--out", path], status: 73, message: message)
        }
        return [
            out("at a regular file", "file.txt", also: [("file.txt", .text("keep me\n"))], message: "file.txt: error: exists and is not a directory"),
            out("at a non-run directory", "dir", also: [("dir", .directory), ("dir/notes.txt", .text("keep me\n"))], message: "not an earlier run"),
            out("under a regular file", "file.txt/sub", also: [("file.txt", .text("keep me\n"))], message: "file.txt/sub: error: cannot be created"),
            out("deep under a regular file", "file.txt/a/b/c", also: [("file.txt", .text("keep me\n"))], message: "is not a directory"),
            out("under /proc", "/proc/convgraph-hostile/run", message: "cannot create"),
            out("at /proc/self/status", "/proc/self/status", message: "exists and is not a directory"),
            out("at /dev/null", "/dev/null", message: "exists and is not a directory"),
            out("at a dangling symlink", "link", also: [("link", .symlink(to: "nowhere"))], message: "exists and is not a directory"),
            out("empty", "", message: "the run directory path is empty"),
            out("at the working directory", ".", message: "not an earlier run"),
            out("at /", "/", message: "not an earlier run"),
            HostileCase("default runs/ is a regular file", files: [("g.yaml", .text(small)), ("runs", .text("keep me\n"))], ["run", "g.yaml"],
                        status: 73, message: "runs/g: error: cannot be created: a component of the path is not a directory"),
        ]
    }

    // MARK: --set

    static var overrides: [HostileCase] {
        func set(_ name: String, _ value: String, status: Int32, at position: String? = nil, message: String) -> HostileCase {
            .graph("--set \(name)", seed, ["run", "g.yaml", "--set", value], status: status, at: position, message: message)
        }
        return [
            set("unknown path", "nodes.conv.strid=1", status: 64, message: "did you mean 'stride'?"),
            set("unknown node", "nodes.cnov.stride=1", status: 64, message: "the graph has no 'nodes.cnov'"),
            set("malformed path", "nodes..stride=1", status: 64, message: "malformed path"),
            set("without =", "seed", status: 64, message: "--set takes KEY=VALUE"),
            set("index out of range", "edges.9=a -> b", status: 64, message: "is not an index in 0..<4"),
            set("path through a scalar", "seed.x=1", status: 64, message: "is a single value"),
            set("stride 0", "nodes.conv.stride=0", status: 65, at: "--set nodes.conv.stride:1:1", message: "'stride' must be at least 1"),
            set("dtype float16", "dtype=float16", status: 65, at: "--set dtype:1:1", message: "'dtype' takes 'float64' or 'float32'"),
            set("malformed value", "nodes.pooled.window=[2, 2", status: 65, at: "--set nodes.pooled.window:1:1", message: "'[' is never closed"),
            set("alias in value", "seed=*a", status: 65, at: "--set seed:1:1", message: "unknown alias"),
            set("deep value", "nodes.pooled.window=" + String(repeating: "[", count: 10_000), status: 65, at: "--set nodes.pooled.window:1:257",
                message: "deeper than the limit"),
            set("nodes replaced by a scalar", "nodes=7", status: 65, at: "--set nodes:1:1", message: "'nodes' takes a mapping"),
            set("edge making a cycle", "edges.3=loss -> image", status: 65, message: "is an input and takes no inputs"),
        ]
    }

    // MARK: Options

    static var options: [HostileCase] {
        func option(_ name: String, _ arguments: [String], status: Int32 = 64, files: [(path: String, file: HostileCase.File)] = [("g.yaml", .text(seed))],
                    message: String) -> HostileCase {
            HostileCase(name, files: files, arguments, status: status, message: message)
        }
        return [
            option("no subcommand", [], files: [], message: "USAGE"),
            option("unknown subcommand", ["frobnicate"], files: [], message: "Unexpected argument"),
            option("unknown option", ["run", "g.yaml", "--bogus"], message: "Unknown option '--bogus'"),
            option("--eps=-1", ["gradcheck", "g.yaml", "--eps=-1"], message: "--eps must be finite and > 0"),
            option("--eps inf", ["gradcheck", "g.yaml", "--eps", "inf"], message: "--eps must be finite and > 0"),
            option("--tol nan", ["gradcheck", "g.yaml", "--tol", "nan"], message: "--tol must be finite and > 0"),
            option("--max-memory 0", ["run", "g.yaml", "--max-memory", "0"], message: "--max-memory takes a byte count"),
            option("--max-memory overflowing", ["run", "g.yaml", "--max-memory", "99999999999G"], message: "--max-memory takes a byte count"),
            option("--max-yaml-depth 0", ["run", "g.yaml", "--max-yaml-depth", "0"], message: "--max-yaml-depth must be an integer ≥ 1"),
            option("missing graph file", ["run", "nope.yaml"], status: 66, message: "nope.yaml: error: no such file"),
            option("graph is a directory", ["run", "dir"], status: 65, files: [("dir", .directory)], message: "dir: error: not a regular file"),
            option("graph is a FIFO", ["run", "fifo"], status: 65, files: [("fifo", .fifo)], message: "fifo: error: not a regular file"),
            option("graph is /dev/zero", ["check", "/dev/zero"], status: 65, files: [], message: "/dev/zero: error: not a regular file"),
        ]
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import ConvGraph

/// Blocks and includes (SPEC §11.1, issue 14 items 1 and 6).
@Suite struct BlocksTests {
    /// A fresh folder holding `files` (relative path → text; folders made on the way).
    static func folder(_ files: [String: String]) throws -> String {
        let dir = try CLIProcess.makeTemporaryDirectory("cg-blocks")
        for (relative, text) in files {
            var prefix = dir
            for part in relative.split(separator: "/").dropLast() {
                prefix += "/\(part)"
                mkdir(prefix, 0o755)
            }
            try Array(text.utf8).write(to: "\(dir)/\(relative)")
        }
        return dir
    }

    /// The diagnostics of loading `path`, or nil when it loads.
    static func failure(_ path: String, overrides: [String] = [], limits: Limits = .default) -> (code: Int32, text: String)? {
        do {
            _ = try Graph.load(contentsOf: path, overrides: overrides, limits: limits)
            return nil
        } catch {
            return (error.exitCode, error.diagnostics.map(\.description).joined(separator: "\n"))
        }
    }

    /// `FILE:LINE:COL` of the first occurrence of `text` on line `line` of `source`
    /// (1-based, counted here from the text, independently of the parser).
    static func at(_ file: String, _ source: String, line: Int, _ text: String) -> String {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let l = String(lines[line - 1])
        guard let r = l.range(of: text) else { return "\(file):\(line):?" }
        return "\(file):\(line):\(l.distance(from: l.startIndex, to: r.lowerBound) + 1)"
    }

    static func run(_ arguments: [String], in directory: String) throws -> CLIProcess.Outcome {
        try CLIProcess.run(arguments, in: directory, timeout: 120)
    }

    static let convRelu = """
    blocks:
      cr:
        inputs: [x]
        args: {cin: ~, cout: 4, stride: 1}
        output: act
        nodes:
          w:    {op: param, shape: [$cout, $cin, 3, 3], init: randn}
          conv: {op: conv, stride: $stride, padding: 1}
          act:  {op: relu}
        edges: [x -> conv -> act, w -> conv.weight]

    """

    // MARK: Names, ports, arguments

    @Test func namesDefaultsAndRepeatChain() throws {
        let yaml = Self.convRelu + """
        nodes:
          image: {op: input, shape: [1, 2, 8, 8], init: randn}
          stem:  {block: cr, cin: 2}
          body:  {block: cr, cin: 4, stride: 2, repeat: 2}
        edges: [image -> stem -> body]
        """
        let graph = try Graph.parse(yaml: yaml)
        #expect(graph.nodes.map(\.name) == ["image", "stem/w", "stem/conv", "stem/act",
                                            "body/0/w", "body/0/conv", "body/0/act", "body/1/w", "body/1/conv", "body/1/act"])
        func inputs(_ n: String) -> [String] { graph.nodes[graph.index(of: n)!].inputs.map { graph.nodes[$0].name } }
        #expect(inputs("stem/conv") == ["image", "stem/w"])
        #expect(inputs("body/0/conv") == ["stem/act", "body/0/w"])
        #expect(inputs("body/1/conv") == ["body/0/act", "body/1/w"])   // repetition 0's output feeds repetition 1
        // cout defaulted to 4; stride 2 twice: 8 → 4 → 2.
        #expect(graph.nodes[graph.index(of: "stem/w")!].shape.dims == [4, 2, 3, 3])
        #expect(graph.nodes[graph.index(of: "body/1/act")!].shape.dims == [1, 4, 2, 2])
        #expect(graph.file.blockInstances.map(\.name) == ["stem", "body", "body/0", "body/1"])
    }

    @Test func portsOutputsAndInnerNames() throws {
        // A block with two ports: `skip` named as INSTANCE.PORT; `r/conv` names an inner
        // node in an edge, in save and in backward.wrt; `r` alone is the output in save.
        let yaml = """
        blocks:
          res:
            inputs: [x, skip]
            output: sum
            nodes:
              w:    {op: param, shape: [2, 2, 1, 1], init: ones}
              conv: {op: conv}
              sum:  {op: add}
            edges: [x -> conv -> sum, skip -> sum, w -> conv.weight]
        nodes:
          a:    {op: input, shape: [1, 2, 3, 3], init: randn}
          b:    {op: input, shape: [1, 2, 3, 3], init: randn}
          r:    {block: res}
          tap:  {op: relu}
          loss: {op: l2}
        edges: [a -> r, b -> r.skip, r/conv -> tap, r -> loss]
        backward: {from: loss, wrt: [a, r/w]}
        save: {values: [r, tap]}
        """
        let graph = try Graph.parse(yaml: yaml)
        func inputs(_ n: String) -> [String] { graph.nodes[graph.index(of: n)!].inputs.map { graph.nodes[$0].name } }
        #expect(inputs("r/conv") == ["a", "r/w"])
        #expect(inputs("r/sum") == ["r/conv", "b"])
        #expect(inputs("tap") == ["r/conv"])
        #expect(inputs("loss") == ["r/sum"])
        #expect(graph.backward.map { $0.wrt.map { graph.nodes[$0].name } } == ["a", "r/w"])
    }

    @Test func substitutionInEveryValuePosition() throws {
        // An attribute ($pad), a shape list element ($c), an init spec ($init, a mapping),
        // a whole node body ($bias, a mapping), a scalar in a nested block's argument ($c).
        let yaml = """
        blocks:
          inner:
            inputs: [x]
            args: {c: ~, pad: 0, init: {constant: 0.5}, bias: ~}
            output: conv
            nodes:
              w:    {op: param, shape: [$c, 1, 1, 1], init: $init}
              b:    $bias
              conv: {op: conv, padding: $pad}
            edges: [x -> conv, w -> conv.weight, b -> conv.bias]
          outer:
            inputs: [x]
            args: {c: ~}
            output: i
            nodes:
              i: {block: inner, c: $c, pad: 1, bias: {op: param, shape: [$c], init: zeros}}
            edges: [x -> i]
        nodes:
          image: {op: input, shape: [1, 1, 2, 2], init: ones}
          o:     {block: outer, c: 3}
        edges: [image -> o]
        """
        let graph = try Graph.parse(yaml: yaml)
        #expect(graph.nodes.map(\.name) == ["image", "o/i/w", "o/i/b", "o/i/conv"])
        #expect(graph.nodes[1].shape.dims == [3, 1, 1, 1])
        #expect(graph.nodes[2].shape.dims == [3])        // `$c` in outer's argument value is outer's c
        #expect(graph.nodes[3].shape.dims == [1, 3, 4, 4]) // padding 1 around 2×2
    }

    // MARK: Errors

    @Test func errorsInsideAnInstanceNameItWithANote() throws {
        let source = Self.convRelu.replacingOccurrences(of: "stride: $stride", with: "stride: $strde") + """
        nodes:
          image: {op: input, shape: [1, 2, 6, 6], init: randn}
          stem:  {block: cr, cin: 2}
        edges: [image -> stem]
        """
        let dir = try Self.folder(["g.yaml": source])
        let f = try #require(Self.failure("\(dir)/g.yaml"))
        let g = "\(dir)/g.yaml"
        #expect(f.code == 65)
        #expect(f.text == """
        \(Self.at(g, source, line: 8, "$strde")): error: no argument 'strde' for '$strde'
        note: did you mean 'stride'?
        note: the block's arguments are cin, cout, stride
        \(Self.at(g, source, line: 13, "stem")): note: in instance 'stem' of block 'cr'
        """)
    }

    @Test func shapeErrorsInANestedInstanceCarryOneNotePerLevel() throws {
        // `b` lacks `cin`: the error is at its line in block `two`, with a note naming the
        // instance `p` of `two` at the top level.
        let source = Self.convRelu + """
          two:
            inputs: [x]
            output: b
            nodes:
              a: {block: cr, cin: 5}
              b: {block: cr}
            edges: [x -> a -> b]
        nodes:
          image: {op: input, shape: [1, 2, 6, 6], init: randn}
          p:     {block: two}
        edges: [image -> p]
        """
        let dir = try Self.folder(["g.yaml": source])
        let g = "\(dir)/g.yaml"
        let f = try #require(Self.failure(g))
        #expect(f.code == 65)
        // `b` lacks the required `cin` too: reported at its line in `two`, inside `p`.
        #expect(f.text.contains("""
        \(Self.at(g, source, line: 16, "b:")): error: instance 'b' of block 'cr' lacks the required argument 'cin'
        \(Self.at(g, source, line: 4, "cin")): note: 'cin' is declared here
        \(Self.at(g, source, line: 20, "p:")): note: in instance 'p' of block 'two'
        """), "\(f.text)")
    }

    @Test func unknownArgumentsBlocksAndPortsHaveSuggestions() throws {
        let source = Self.convRelu + """
        nodes:
          image: {op: input, shape: [1, 2, 6, 6], init: randn}
          stem:  {block: cr, cin: 2, strid: 2}
          s2:    {block: cr}
          s3:    {block: cx, cin: 2}
          s4:    {block: cr, cin: 2}
        edges: [image -> stem, image -> s4.y, s4 -> stm]
        """
        let dir = try Self.folder(["g.yaml": source])
        let g = "\(dir)/g.yaml"
        let f = try #require(Self.failure(g))
        #expect(f.code == 65)
        #expect(f.text == """
        \(Self.at(g, source, line: 13, "strid")): error: unknown argument 'strid' for block 'cr'
        note: did you mean 'stride'?
        note: block 'cr' takes cin, cout, stride
        \(Self.at(g, source, line: 14, "s2")): error: instance 's2' of block 'cr' lacks the required argument 'cin'
        \(Self.at(g, source, line: 4, "cin")): note: 'cin' is declared here
        \(Self.at(g, source, line: 15, "cx")): error: unknown block 'cx'
        note: did you mean 'cr'?
        note: blocks are cr
        \(Self.at(g, source, line: 16, "s4")): error: port 'x' of instance 's4' has no edge into it
        note: add an edge such as 'SOURCE -> s4'
        \(Self.at(g, source, line: 17, "y, s4")): error: block 'cr' has no port 'y'
        note: did you mean 'x'?
        note: its ports are x
        \(Self.at(g, source, line: 17, "stm")): error: unknown node 'stm'
        note: did you mean 'stem'?
        """)
    }

    @Test func anErrorInARepeatedBlockIsReportedOnce() throws {
        let source = Self.convRelu.replacingOccurrences(of: "padding: 1", with: "paddng: 1") + """
        nodes:
          image: {op: input, shape: [1, 2, 6, 6], init: randn}
          body:  {block: cr, cin: 2, repeat: 50}
        edges: [image -> body]
        """
        let dir = try Self.folder(["g.yaml": source])
        let g = "\(dir)/g.yaml"
        let f = try #require(Self.failure(g))
        #expect(f.code == 65)
        #expect(f.text == """
        \(Self.at(g, source, line: 8, "paddng")): error: unknown attribute 'paddng' for op 'conv'
        note: did you mean 'padding'?
        note: op 'conv' takes stride, padding, dilation, groups, weight_layout
        \(Self.at(g, source, line: 13, "body")): note: in instance 'body/0' of block 'cr'
        """)
    }

    @Test func shapeErrorsOfTheCheckerNameTheInstance() throws {
        // cin 5 does not fit the 2-channel image: the checker's error is at a position in
        // block `cr`, with the note naming instance `stem` at its line.
        let source = Self.convRelu + """
        nodes:
          image: {op: input, shape: [1, 2, 6, 6], init: randn}
          stem:  {block: cr, cin: 5}
        edges: [image -> stem]
        """
        let dir = try Self.folder(["g.yaml": source])
        let g = "\(dir)/g.yaml"
        let f = try #require(Self.failure(g))
        #expect(f.code == 65)
        let lines = f.text.split(separator: "\n").map(String.init)
        let first = try #require(lines.first)
        let line = Int(first.dropFirst(g.count + 1).prefix { $0 != ":" }) ?? 0
        #expect((7...10).contains(line), "\(f.text)")
        #expect(lines.contains("\(Self.at(g, source, line: 13, "stem")): note: in instance 'stem' of block 'cr'"), "\(f.text)")
    }

    @Test func cyclesAreNamed() throws {
        let blockCycle = """
        blocks:
          a: {inputs: [x], output: n, nodes: {n: {block: b}}, edges: [x -> n]}
          b: {inputs: [x], output: n, nodes: {n: {block: a}}, edges: [x -> n]}
        nodes:
          i: {op: input, shape: [1], init: ones}
          u: {block: a}
        edges: [i -> u]
        """
        let dir = try Self.folder(["g.yaml": blockCycle,
                                   "inc.yaml": "include: [lib/one.yaml]\nnodes: {i: {op: input, shape: [1], init: ones}}\n",
                                   "lib/one.yaml": "include: [two.yaml]\n",
                                   "lib/two.yaml": "include: [one.yaml]\n"])
        let f = try #require(Self.failure("\(dir)/g.yaml"))
        #expect(f.code == 65)
        #expect(f.text.hasPrefix("\(Self.at("\(dir)/g.yaml", blockCycle, line: 3, "a}}")): error: block cycle: a -> b -> a"), "\(f.text)")
        let i = try #require(Self.failure("\(dir)/inc.yaml"))
        #expect(i.code == 65)
        #expect(i.text == "\(dir)/lib/two.yaml:1:11: error: include cycle: \(dir)/lib/one.yaml -> \(dir)/lib/two.yaml -> \(dir)/lib/one.yaml")
    }

    // MARK: Includes

    @Test func includesResolveAgainstTheIncludingFile() throws {
        // main.yaml includes lib/blocks.yaml, which includes more/deep.yaml (relative to
        // lib/), whose block reads {file: w.npy} beside itself (lib/more/w.npy).
        let w = NPY.encode(Tensor<Double>(shape: Shape([1, 1, 1, 1]), scalars: [3]))
        let dir = try Self.folder([
            "main.yaml": """
            include: [lib/blocks.yaml]
            nodes:
              image: {op: input, shape: [1, 1, 2, 2], init: ones}
              t:     {block: triple}
            edges: [image -> t]
            """,
            "lib/blocks.yaml": "include: [more/deep.yaml]\nblocks: {}\n",
            "lib/more/deep.yaml": """
            blocks:
              triple:
                inputs: [x]
                output: conv
                nodes:
                  w:    {op: param, init: {file: w.npy}}
                  conv: {op: conv}
                edges: [x -> conv, w -> conv.weight]
            """,
        ])
        try w.write(to: "\(dir)/lib/more/w.npy")
        let graph = try Graph.load(contentsOf: "\(dir)/main.yaml")
        #expect(graph.file.includedFiles == ["\(dir)/lib/blocks.yaml", "\(dir)/lib/more/deep.yaml"])
        #expect(graph.nodes.map(\.name) == ["image", "t/w", "t/conv"])
        // The run's manifest records each included file with the sha256 of its bytes.
        let run = try Self.run(["run", "main.yaml", "--out", "r"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let manifest = String(decoding: try readRegularFile(atPath: "\(dir)/r/manifest.json", maxBytes: 1 << 20), as: UTF8.self)
        let digest = SHA256.hex(try readRegularFile(atPath: "\(dir)/lib/more/deep.yaml", maxBytes: 1 << 20))
        let includes = try #require(manifest.range(of: "\"includes\": ["))
        let tail = manifest[includes.upperBound...]
        #expect(tail.contains("\"file\": \"lib/more/deep.yaml\""), "\(manifest)")
        #expect(tail.contains("\"sha256\": \"\(digest)\""), "\(manifest)")
        // Errors in an included file name it.
        try Array("blocks:\n  triple: {inputs: [x], output: conv, nodes: {conv: {op: conv, strde: 1}}, edges: [x -> conv]}\n".utf8)
            .write(to: "\(dir)/lib/more/deep.yaml")
        let f = try #require(Self.failure("\(dir)/main.yaml"))
        let deep = "blocks:\n  triple: {inputs: [x], output: conv, nodes: {conv: {op: conv, strde: 1}}, edges: [x -> conv]}\n"
        #expect(f.text.hasPrefix("\(Self.at("\(dir)/lib/more/deep.yaml", deep, line: 2, "strde")): error: unknown attribute 'strde' for op 'conv'"), "\(f.text)")
        #expect(f.text.contains("\(dir)/main.yaml:4:3: note: in instance 't' of block 'triple'"), "\(f.text)")
    }

    @Test func includedFilesHoldOnlyBlocksAndBlocksAreDefinedOnce() throws {
        let dir = try Self.folder([
            "g.yaml": """
            include: [a.yaml, missing.yaml]
            blocks:
              r: {inputs: [x], output: n, nodes: {n: {op: relu}}, edges: [x -> n]}
            nodes:
              i: {op: input, shape: [1], init: ones}
            """,
            "a.yaml": """
            blocks:
              r: {inputs: [x], output: n, nodes: {n: {op: relu}}, edges: [x -> n]}
            nodes: {}
            """,
        ])
        let f = try #require(Self.failure("\(dir)/g.yaml"))
        #expect(f.code == 66)  // a missing include is a missing file
        #expect(f.text == """
        \(dir)/a.yaml:3:1: error: an included file holds only 'blocks' and 'include', not 'nodes'
        \(dir)/g.yaml:1:19: error: no such file '\(dir)/missing.yaml' to include
        \(dir)/g.yaml:3:3: error: block 'r' is defined twice
        \(dir)/a.yaml:2:3: note: first defined here
        """)
    }

    // MARK: Limits

    @Test func hugeRepeatsAreRefusedBeforeExpanding() throws {
        let source = """
        blocks:
          r: {inputs: [x], output: n, nodes: {n: {op: relu}}, edges: [x -> n]}
          rmany: {inputs: [x], output: n, nodes: {n: {block: r, repeat: 100000}}, edges: [x -> n]}
        nodes:
          i: {op: input, shape: [1], init: ones}
          big: {block: r, repeat: 1000000000}
        edges: [i -> big]
        """
        let dir = try Self.folder(["g.yaml": source,
                                   "nested.yaml": source.replacingOccurrences(of: "{block: r, repeat: 1000000000}", with: "{block: rmany, repeat: 100000}")])
        for file in ["g.yaml", "nested.yaml"] {
            let start = CLIProcess.now()
            let f = try #require(Self.failure("\(dir)/\(file)"))
            // 10⁹ and 10⁵ × 10⁵ nodes could never be expanded: an answer at all, within a
            // bound generous for a loaded machine, shows the count came first.
            #expect(CLIProcess.now() - start < 30)
            #expect(f.code == 65)
            #expect(f.text == """
            \(dir)/\(file):6:3: error: block expansion makes more than 100000 nodes, the limit
            note: instance 'big' alone expands to more than 100000 nodes
            note: raise it with --max-nodes
            """)
        }
        // The count is exact: 1 + 3 × 2 nodes pass a limit of 7 and fail one of 6.
        let small = Self.convRelu.replacingOccurrences(of: "stride: $stride, ", with: "") + "nodes:\n  i: {op: input, shape: [1, 4, 3, 3], init: ones}\n  c: {block: cr, cin: 4, repeat: 2}\nedges: [i -> c]\n"
        try Array(small.utf8).write(to: "\(dir)/small.yaml")
        var limits = Limits()
        limits.maxGraphNodes = 7
        #expect(Self.failure("\(dir)/small.yaml", limits: limits) == nil)
        limits.maxGraphNodes = 6
        #expect(Self.failure("\(dir)/small.yaml", limits: limits)?.text.hasPrefix("\(dir)/small.yaml:13:3: error: block expansion makes more than 6 nodes") == true)
    }

    @Test func includeAndBlockDepthsAreLimited() throws {
        let dir = try Self.folder([
            "g.yaml": """
            include: [a.yaml]
            blocks:
              r:  {inputs: [x], output: n, nodes: {n: {op: relu}}, edges: [x -> n]}
              r2: {inputs: [x], output: n, nodes: {n: {block: r}}, edges: [x -> n]}
              r3: {inputs: [x], output: n, nodes: {n: {block: r2}}, edges: [x -> n]}
            nodes:
              i: {op: input, shape: [1, 1, 1, 1], init: ones}
              u: {block: r3}
            edges: [i -> u]
            """,
            "a.yaml": "include: [b.yaml]\n",
            "b.yaml": "include: [c.yaml]\n",
            "c.yaml": "blocks: {}\n",
        ])
        var limits = Limits()
        #expect(Self.failure("\(dir)/g.yaml", limits: limits) == nil)
        limits.maxIncludeDepth = 2
        #expect(Self.failure("\(dir)/g.yaml", limits: limits)?.text.hasPrefix("\(dir)/b.yaml:1:11: error: includes nest more than 2 deep") == true)
        limits = Limits()
        limits.maxBlockDepth = 2
        let f = Self.failure("\(dir)/g.yaml", limits: limits)
        #expect(f?.code == 65)
        let g = try String(contentsOfFile: "\(dir)/g.yaml", encoding: .utf8)
        #expect(f?.text.hasPrefix("\(Self.at("\(dir)/g.yaml", g, line: 4, "n: {block")): error: blocks nest more than 2 deep") == true, "\(f?.text ?? "")")
    }

    // MARK: Overrides, dot, files

    @Test func setReachesArgumentsAndInnerAttributes() throws {
        let yaml = Self.convRelu + """
        nodes:
          image: {op: input, shape: [1, 2, 8, 8], init: randn}
          stem:  {block: cr, cin: 2}
        edges: [image -> stem]
        """
        let byArgument = try Graph.parse(yaml: yaml, overrides: ["nodes.stem.cout=6", "nodes.stem.stride=2"])
        #expect(byArgument.nodes.last?.shape.dims == [1, 6, 4, 4])
        // The inner attribute is applied after expansion, so it wins over the argument.
        let inner = try Graph.parse(yaml: yaml, overrides: ["nodes.stem/conv.stride=4", "nodes.stem.stride=2"])
        #expect(inner.nodes.last?.shape.dims == [1, 4, 2, 2])
        do {
            _ = try Graph.parse(yaml: yaml, overrides: ["nodes.stem.cuot=6"])
            Issue.record("an unknown argument path must fail")
        } catch {
            #expect(error.exitCode == 64)
            #expect(error.diagnostics.first?.notes.first?.message == "did you mean 'cout'?")
        }
        do {
            _ = try Graph.parse(yaml: yaml, overrides: ["nodes.stem/cnv.stride=2"])
            Issue.record("an unknown inner node must fail")
        } catch {
            #expect(error.exitCode == 64)
            #expect(error.diagnostics.first?.notes.first?.message == "did you mean 'stem/conv'?")
        }
    }

    @Test func dotDrawsInstancesAsClusters() throws {
        let yaml = Self.convRelu + """
        nodes:
          image: {op: input, shape: [1, 2, 8, 8], init: randn}
          body:  {block: cr, cin: 2, repeat: 2}
        edges: [image -> body]
        """
        // Repetition 1 takes 4 channels: its cin is set after expansion.
        let graph = try Graph.parse(yaml: yaml, overrides: ["nodes.body/1/w.shape=[4, 4, 3, 3]"])
        let dot = graph.dot
        #expect(dot.contains("""
          subgraph cluster_0 {
            label="body (cr ×2)";
            subgraph cluster_1 {
              label="body/0 (cr)";
              "body/0/w" [label="body/0/w\\nparam 4×2×3×3", style=rounded];
        """), "\(dot)")
        #expect(dot.contains("""
              "body/1/act" [label="body/1/act\\nrelu 1×4×8×8"];
            }
          }
          "image" -> "body/0/conv"
        """), "\(dot)")
    }

    /// The same network written with blocks and by hand: every saved value and gradient
    /// has the same bytes (init draws follow the expanded declaration order), and the
    /// block version's files sit in subdirectories.
    @Test func blocksAndHandWrittenGraphsGiveIdenticalBytes() throws {
        let blocks = """
        seed: 3
        blocks:
          cr:
            inputs: [x]
            args: {cin: ~, cout: ~}
            output: act
            nodes:
              w:    {op: param, shape: [$cout, $cin, 3, 3], init: randn}
              conv: {op: conv, padding: 1}
              act:  {op: relu}
            edges: [x -> conv -> act, w -> conv.weight]
        nodes:
          image: {op: input, shape: [2, 2, 5, 5], init: randn}
          stem:  {block: cr, cin: 2, cout: 3}
          body:  {block: cr, cin: 3, cout: 3, repeat: 2}
          loss:  {op: l2}
        edges: [image -> stem -> body -> loss]
        backward: {from: loss}
        save: {values: [body/1/act, stem/conv, stem]}
        """
        let hand = """
        seed: 3
        nodes:
          image:      {op: input, shape: [2, 2, 5, 5], init: randn}
          stem_w:     {op: param, shape: [3, 2, 3, 3], init: randn}
          stem_conv:  {op: conv, padding: 1}
          stem_act:   {op: relu}
          body0_w:    {op: param, shape: [3, 3, 3, 3], init: randn}
          body0_conv: {op: conv, padding: 1}
          body0_act:  {op: relu}
          body1_w:    {op: param, shape: [3, 3, 3, 3], init: randn}
          body1_conv: {op: conv, padding: 1}
          body1_act:  {op: relu}
          loss:       {op: l2}
        edges:
          - image -> stem_conv -> stem_act -> body0_conv -> body0_act -> body1_conv -> body1_act -> loss
          - stem_w -> stem_conv.weight
          - body0_w -> body0_conv.weight
          - body1_w -> body1_conv.weight
        backward: {from: loss}
        save: {values: [body1_act, stem_conv, stem_act]}
        """
        let dir = try Self.folder(["blocks.yaml": blocks, "hand.yaml": hand])
        let a = try Self.run(["run", "blocks.yaml", "--out", "a"], in: dir)
        let b = try Self.run(["run", "hand.yaml", "--out", "b"], in: dir)
        #expect(a.status == 0, "\(a.stderr)")
        #expect(b.status == 0, "\(b.stderr)")
        let pairs = [("values/body/1/act.npy", "values/body1_act.npy"), ("values/stem/conv.npy", "values/stem_conv.npy"),
                     ("values/stem.npy", "values/stem_act.npy"),  // an instance in `save` is saved under its name
                     ("grads/image.npy", "grads/image.npy"), ("grads/stem/w.npy", "grads/stem_w.npy"),
                     ("grads/body/0/w.npy", "grads/body0_w.npy"), ("grads/body/1/w.npy", "grads/body1_w.npy")]
        for (x, y) in pairs {
            let bx = try readRegularFile(atPath: "\(dir)/a/\(x)", maxBytes: 1 << 20)
            let by = try readRegularFile(atPath: "\(dir)/b/\(y)", maxBytes: 1 << 20)
            #expect(bx == by, "\(x) differs from \(y)")
            #expect(bx.count > 128)
        }
    }

    /// Benchmarks/Graphs/resnet18.yaml: torchvision's ResNet-18 in under 80 lines, with
    /// its parameter count (11,689,512 trained; 2 × 4,800 batchnorm running statistics).
    @Test func resnet18ChecksAndRunsForward() throws {
        let text = String(decoding: try readRegularFile(atPath: CLIProcess.root + "/Benchmarks/Graphs/resnet18.yaml", maxBytes: 1 << 20), as: UTF8.self)
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count <= 80)
        let check = try Self.run(["check", "Benchmarks/Graphs/resnet18.yaml"], in: CLIProcess.root)
        #expect(check.status == 0)
        #expect(check.stdout.contains("\nparams: 11,689,512 trained, 9,600 state\n"))
        #expect(check.stdout.hasPrefix("graph resnet18: 171 nodes, float32, seed 0\n"))
        // One forward pass, at 64×64 (224×224 takes about 30 s in a debug build): the
        // logits come out 1×1000, finite.
        let out = try CLIProcess.makeTemporaryDirectory("cg-resnet18")
        let run = try Self.run(["run", "Benchmarks/Graphs/resnet18.yaml", "--forward-only", "--set", "nodes.image.shape=[1, 3, 64, 64]",
                                "--out", out + "/run"], in: CLIProcess.root)
        #expect(run.status == 0, "\(run.stderr)")
        let logits = try readRegularFile(atPath: out + "/run/values/fc.npy", maxBytes: 1 << 20)
        #expect(logits.count == 128 + 4 * 1000)
        RunDirectory.removeTree(out)
    }
}

import Foundation
import Testing
@testable import ConvGraph

/// The op reference (`convgraph ops`, the DocC article) is generated from the ops themselves;
/// these tests keep it complete and keep the committed article equal to the generated text.
@Suite struct OpReferenceTests {
    static let article = CLIProcess.root + "/Sources/ConvGraph/ConvGraph.docc/OpsReference.md"

    @Test("every op documents exactly its ports and attributes, in order", arguments: OpRegistry.names)
    func referenceMatchesDeclarations(name: String) throws {
        let op = try #require(OpRegistry.byName[name])
        #expect(op.reference.ports.map(\.name) == op.ports.map(\.name))
        #expect(op.reference.attributes.map(\.name) == op.attributeNames)
        // Empty text means the op fell back to the protocol's bare default.
        #expect(!op.reference.summary.isEmpty && !op.reference.output.isEmpty && !op.reference.formula.isEmpty
                && !op.reference.backward.isEmpty, "\(name) does not document itself (static let reference)")
        for port in op.reference.ports { #expect(!port.doc.isEmpty, "\(name).\(port.name)") }
        for attribute in op.reference.attributes {
            #expect(!attribute.type.isEmpty && !attribute.doc.isEmpty, "\(name).\(attribute.name)")
        }
    }

    @Test("the committed DocC article is what `convgraph ops --markdown` prints")
    func articleIsGenerated() throws {
        let committed = try String(contentsOfFile: Self.article, encoding: .utf8)
        #expect(committed == OpReference.markdown(),
                "Sources/ConvGraph/ConvGraph.docc/OpsReference.md is stale: regenerate it with `swift run convgraph ops --markdown > Sources/ConvGraph/ConvGraph.docc/OpsReference.md`")
        let printed = try CLIProcess.run(["ops", "--markdown"], in: CLIProcess.root)
        #expect(printed.status == 0)
        #expect(printed.stdout == committed)
    }

    @Test("`convgraph ops` shows every op, port, attribute and default")
    func overviewCoversRegistry() throws {
        let outcome = try CLIProcess.run(["ops"], in: CLIProcess.root)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        for op in OpRegistry.all {
            #expect(outcome.stdout.contains("\n\(op.name): \(op.reference.summary)"), "\(op.name)")
            for port in op.ports { #expect(outcome.stdout.contains(port.name), "\(op.name).\(port.name)") }
            for a in op.reference.attributes {
                #expect(outcome.stdout.contains(a.name) && outcome.stdout.contains(a.defaultText), "\(op.name).\(a.name)")
            }
        }
    }

    @Test("`convgraph ops NAME` shows that op's ports, attributes with types and defaults, shape and formula",
          arguments: OpRegistry.names)
    func detailCoversOp(name: String) throws {
        let op = try #require(OpRegistry.byName[name])
        let outcome = try CLIProcess.run(["ops", name], in: CLIProcess.root)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let r = op.reference
        for port in r.ports { #expect(outcome.stdout.contains("  \(port.name)"), "\(port.name)") }
        for a in r.attributes {
            #expect(outcome.stdout.contains(a.type) && outcome.stdout.contains(a.defaultText) && outcome.stdout.contains("\(a.name): \(a.doc)"),
                    "\(name).\(a.name)")
        }
        #expect(outcome.stdout.contains(r.output) && outcome.stdout.contains(r.formula) && outcome.stdout.contains(r.backward))
    }

    @Test("an unknown op name exits 64 with a did-you-mean note")
    func unknownOp() throws {
        let outcome = try CLIProcess.run(["ops", "cnov"], in: CLIProcess.root)
        #expect(outcome.status == 64)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.contains("error: no op named 'cnov'"))
        let close = try CLIProcess.run(["ops", "pol"], in: CLIProcess.root)
        #expect(close.status == 64)
        #expect(close.stderr.contains("note: did you mean 'pool'?"))
    }

    /// The graph around one node of `op` with `attributes`, fed by `x` [1, 2, 6, 6].
    static func decoded(_ op: String, _ attributes: String) throws -> AnyHashable {
        let extra = op == "conv" ? "  w: {op: param, shape: [2, 2, 1, 1], init: ones}\n" : ""
        let edges = op == "conv" ? "[x -> n, w -> n.weight]" : "[x -> n]"
        let yaml = """
            nodes:
              x: {op: input, shape: [1, 2, 6, 6], init: zeros}
            \(extra)  n: {op: \(op)\(attributes.isEmpty ? "" : ", " + attributes)}
            edges: \(edges)
            """
        let graph = try Graph.parse(yaml: yaml)
        return try #require(graph.nodes.first { $0.name == "n" }?.op as? any Hashable).asAnyHashable
    }

    @Test("each documented default is the value an omitted attribute gets", arguments: ["conv", "pool", "pad", "concat"])
    func defaultsAreTheDecodedDefaults(name: String) throws {
        let required = ["pool": "mode: average, window: 2", "pad": "pads: 1"][name] ?? ""
        let op = try #require(OpRegistry.byName[name])
        for a in op.reference.attributes {
            guard let value = a.defaultValue, !value.contains(" "), !required.contains("\(a.name):") else { continue }
            let implicit = try Self.decoded(name, required)
            let explicit = try Self.decoded(name, [required, "\(a.name): \(value)"].filter { !$0.isEmpty }.joined(separator: ", "))
            #expect(implicit == explicit, "\(name).\(a.name): documented default \(value)")
        }
    }
}

private extension Hashable {
    var asAnyHashable: AnyHashable { AnyHashable(self) }
}

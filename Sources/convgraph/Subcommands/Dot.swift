import ArgumentParser
import ConvGraph

extension ConvGraphCommand {
    struct Dot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the graph as Graphviz DOT, with tensor shapes on the edges.",
            discussion: "Render it with: convgraph dot GRAPH | dot -Tsvg > graph.svg")

        @OptionGroup var options: GraphOptions

        func run() throws {
            try reportingErrors { () throws(ConvGraphError) in
                let graph = try Graph.load(contentsOf: options.graph, overrides: options.overrides, limits: options.limits.resolved)
                printOutput(graph.dot)
            }
        }
    }
}

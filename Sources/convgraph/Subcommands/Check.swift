import ArgumentParser
import ConvGraph

extension ConvGraphCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a graph and print each node's op, inputs, output shape, parameters, FLOPs and bytes, then the planned peak tensor memory of a full and of a --forward-only run.",
            discussion: "Nothing is computed. Every error in the file is reported as FILE:LINE:COL: error: MESSAGE.")

        @OptionGroup var options: GraphOptions

        func run() throws {
            try reportingErrors { () throws(ConvGraphError) in
                let graph = try Graph.load(contentsOf: options.graph, overrides: options.overrides, limits: options.limits.resolved)
                printOutput(graph.checkReport)
            }
        }
    }
}

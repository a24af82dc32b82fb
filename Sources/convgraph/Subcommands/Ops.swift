import ArgumentParser
import ConvGraph

extension ConvGraphCommand {
    struct Ops: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the reference of every op, or of one: ports, attributes with types and defaults, output shape, formula.",
            discussion: "An unknown NAME exits 64 with a did-you-mean note. --markdown prints the DocC article OpsReference.md.")

        @Argument(help: "One op to describe in full (conv, pool, …).")
        var name: String?

        @Flag(help: "Print the whole reference as Markdown (the DocC article Sources/ConvGraph/ConvGraph.docc/OpsReference.md).")
        var markdown = false

        func validate() throws {
            if markdown && name != nil { throw ValidationError("--markdown prints every op; leave out NAME") }
        }

        func run() throws {
            try reportingErrors { () throws(ConvGraphError) in
                if markdown {
                    printOutput(OpReference.markdown())
                } else if let name {
                    printOutput(OpReference.detail(of: try OpRegistry.op(named: name)))
                } else {
                    printOutput(OpReference.overview())
                }
            }
        }
    }
}

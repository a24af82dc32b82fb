#if canImport(Glibc)
import Glibc
#endif

/// The batch size N a `run` actually used. An `--input` array whose first dimension differs
/// from its node's makes `run` infer every shape again with that N (SPEC §7); the report
/// draws those shapes, so it reads N from the header of each fed file the manifest names.
/// Only the `.npy` header is read. When a file is gone, unreadable, or the inputs disagree,
/// the graph is left as the config gives it.
enum FedBatch {
    /// `graph` with the N of the fed inputs in `inputs` (the manifest's `inputs` of a
    /// `run`), or `graph` itself when nothing changes it.
    static func adjusted(_ graph: Graph, inputs: JSONValue?, limits: Limits) -> Graph {
        var batch: Int?
        var fed: [Int] = []
        for (node, record) in inputs?.members ?? [] {
            guard let index = graph.index(of: node), graph.nodes[index].isFed,
                  case .string(let file)? = record.members.first(where: { $0.0 == "file" })?.1,
                  let dims = headerDims(file, limits: limits), let n = dims.first else { return graph }
            if let batch, batch != n { return graph }
            batch = n
            fed.append(index)
        }
        guard let batch, fed.contains(where: { graph.nodes[$0].shape.dims.first != batch }) else { return graph }
        return (try? graph.resized(batch: batch, inputs: fed, limits: limits)) ?? graph
    }

    /// The shape in a `.npy` file's header, or nil.
    static func headerDims(_ path: String, limits: Limits) -> [Int]? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: limits.maxNPYHeaderBytes + 12)
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            filled += n
        }
        return (try? NPY.parseHeader(Array(bytes[..<filled]), maxHeaderLength: limits.maxNPYHeaderBytes))?.dims
    }
}

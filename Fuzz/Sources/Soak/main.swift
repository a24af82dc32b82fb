// Embedding for hours: parses and runs one graph many times in one process and prints the
// resident set size (from /proc/self/statm) at checkpoints. Exits 1 when RSS grew by
// 2 MiB or more between the first checkpoint and the end.
//
//   soak [ITERATIONS (10000)] [GRAPH (Graphs/seed.yaml)] [CHECKPOINT EVERY (1000)]
//
// Build in release (Scripts/soak.sh does): a debug or sanitized build measures the
// instrumentation, not the library.
import ConvGraph
#if canImport(Glibc)
import Glibc
#endif

func residentBytes() -> Int {
    guard let f = fopen("/proc/self/statm", "r") else { return -1 }
    defer { fclose(f) }
    var buffer = [CChar](repeating: 0, count: 256)
    guard fgets(&buffer, Int32(buffer.count), f) != nil else { return -1 }
    let fields = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: " ")
    guard fields.count >= 2, let pages = Int(fields[1]) else { return -1 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func seconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

let args = CommandLine.arguments
let iterations = args.count > 1 ? Int(args[1]) ?? 10_000 : 10_000
let root = String(#filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(4).joined(separator: "/"))
let path = args.count > 2 ? args[2] : root + "/Graphs/seed.yaml"
let every = args.count > 3 ? Int(args[3]) ?? 1_000 : 1_000

guard let f = fopen(path, "rb") else { print("soak: cannot open \(path)"); exit(66) }
var bytes: [UInt8] = []
var chunk = [UInt8](repeating: 0, count: 65536)
while case let n = fread(&chunk, 1, chunk.count, f), n > 0 { bytes += chunk[..<n] }
fclose(f)
let yaml = String(decoding: bytes, as: UTF8.self)

let first: RunResult
do { first = try Executor(graph: Graph.parse(yaml: yaml, path: path)).run() } catch { print(error); exit(error.exitCode) }

print("soak: \(path), \(iterations) parse+run iterations, RSS at start \(residentBytes() / 1024) KiB")
let start = seconds()
var baseline: Int?
for i in 1...iterations {
    let result: RunResult
    do {
        let graph = try Graph.parse(yaml: yaml, path: path)
        result = try Executor(graph: graph).run()
    } catch { print(error); exit(error.exitCode) }
    if i == iterations {
        guard result.values.map(\.tensor) == first.values.map(\.tensor), result.grads.map(\.tensor) == first.grads.map(\.tensor) else {
            print("soak: iteration \(i) gave different bytes"); exit(1)
        }
    }
    if i % every == 0 || i == iterations {
        let rss = residentBytes()
        if baseline == nil { baseline = rss }
        print("  \(i)\t\(rss / 1024) KiB\t\(String(Int((seconds() - start) * 1000))) ms")
    }
}
let growth = residentBytes() - baseline!
let perRun = (seconds() - start) / Double(iterations) * 1e6
print("soak: RSS growth after the first checkpoint \(growth) bytes; \(Int(perRun)) µs per parse+run")
exit(growth < 2 << 20 ? 0 : 1)

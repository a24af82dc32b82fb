extension BenchmarkReport {
    /// The stdout table: per node and in total, forward and backward medians, GFLOP/s,
    /// then memory.
    public var table: String {
        var table = TextTable(headers: ["node", "op", "forward ms", "backward ms", "GFLOP/s", "of peak"], rightAligned: [2, 3, 4, 5])
        func ms(_ x: Double) -> String { x < 0.0005 && x > 0 ? "<0.001" : fixed(x, 3) }
        for node in nodes {
            table.append([node.name, node.op, ms(node.forwardMilliseconds), ms(node.backwardMilliseconds),
                          node.flops > 0 ? fixed(node.gflops, 1) : "-", node.efficiency.map { fixed($0 * 100, 1) + " %" } ?? "-"])
        }
        table.append(["total", "", ms(forwardMilliseconds), ms(backwardMilliseconds), fixed(gflops, 1),
                      peakGFLOPS > 0 ? fixed(gflops / peakGFLOPS * 100, 1) + " %" : "-"])
        let mib = { (b: Int) in fixed(Double(b) / 1_048_576, 1) + " MiB" }
        return table.rendered + """
            graph \(graph.name), \(graph.dtype.rawValue), \(threads) thread\(threads == 1 ? "" : "s"), \
            kernels \(kernelPath), median of \(repeatCount) run\(repeatCount == 1 ? "" : "s") after a warm-up
            FMA peak \(fixed(peakGFLOPS, 1)) GFLOP/s (\(graph.dtype.rawValue), \(threads) thread\(threads == 1 ? "" : "s"), probed around the runs)
            peak resident memory \(mib(peakResidentBytes)) (before loading \(mib(baselineResidentBytes))); \
            planned tensor peak \(mib(plannedPeakBytes)), measured \(mib(peakTensorBytes))

            """
    }

    /// One JSON object (SPEC §7 `bench --json`; fields documented in the README).
    public var json: JSONValue {
        .object([
            ("graph", .string(graph.name)),
            ("dtype", .string(graph.dtype.rawValue)),
            ("threads", .int(threads)),
            ("repeat", .int(repeatCount)),
            ("mode", .string(mode.rawValue)),
            ("kernels", .string(kernelPath.description)),
            ("forward_ms", .double(forwardMilliseconds)),
            ("backward_ms", .double(backwardMilliseconds)),
            ("gflops", .double(gflops)),
            ("peak_gflops", .double(peakGFLOPS)),
            ("peak_bytes", .int(peakResidentBytes)),
            ("baseline_bytes", .int(baselineResidentBytes)),
            ("planned_peak_bytes", .int(plannedPeakBytes)),
            ("tensor_peak_bytes", .int(peakTensorBytes)),
            ("nodes", .array(nodes.map { node in
                .object([("name", .string(node.name)), ("op", .string(node.op)),
                         ("forward_ms", .double(node.forwardMilliseconds)), ("backward_ms", .double(node.backwardMilliseconds)),
                         ("flops", .int(node.flops)), ("gflops", .double(node.gflops)),
                         ("efficiency", node.efficiency.map { .double($0) } ?? .null)])
            })),
        ])
    }
}

/// `x` with `digits` decimals (no Foundation).
func fixed(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return "\(x)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (abs(x) * scale).rounded()
    guard rounded < 9e15 else { return "\(x)" }
    let whole = Int(rounded) / Int(scale), fraction = Int(rounded) % Int(scale)
    var text = "\(whole)"
    if digits > 0 {
        let f = String(fraction)
        text += "." + String(repeating: "0", count: digits - f.count) + f
    }
    return (x < 0 && rounded > 0 ? "-" : "") + text
}

/// The DAG of a checked graph as inline SVG (for the HTML report), laid out by
/// ``GraphLayout``: each node a rounded box (`<g class="node">` holding one `<rect>`) with
/// its name and op, coloured by kind (input, param, loss, other); each edge one
/// `<path class="edge">` from producer to consumer with an arrowhead (a `<polygon>`, so no
/// `url(#…)` reference is needed) and the producer's inferred shape as its label
/// (`<text class="edge-label">`, `10×8×3×3`). A hover title on each box gives the output
/// shape, parameters and FLOPs. Every name is escaped; the drawing is deterministic.
enum GraphDrawing {
    /// Graphs with more nodes than this are not drawn (the page would be unreadable anyway).
    static let maxNodes = 2_000

    /// Colours of a box: fill, stroke, and the op label's colour.
    struct Palette {
        var fill: String
        var stroke: String
        var accent: String
    }

    static func palette(op: String) -> Palette {
        switch op {
        case "input": Palette(fill: "#EAF3FB", stroke: "#0072B2", accent: "#005A8C")
        case "param": Palette(fill: "#FFF6E5", stroke: "#E69F00", accent: "#9A6700")
        case "l2", "mse", "cross_entropy": Palette(fill: "#FCEDE6", stroke: "#D55E00", accent: "#A84A00")
        default: Palette(fill: "#F6F7F9", stroke: "#8C95A3", accent: "#5B6472")
        }
    }

    /// `[10, 8, 3, 3]` as `10×8×3×3`; a scalar as `scalar`.
    static func shapeLabel(_ shape: Shape) -> String {
        shape.dims.isEmpty ? "scalar" : shape.dims.map(String.init).joined(separator: "×")
    }

    /// The `<svg>` element for `graph`, or nil when it has more than ``maxNodes`` nodes.
    static func svg(_ graph: Graph) -> String? {
        guard graph.nodes.count <= maxNodes else { return nil }
        let f = HTMLText.coordinate
        let boxes = graph.nodes.map { node in
            let text = max(7.4 * Double(node.name.count), 6.4 * Double(node.op.name.count))
            return GraphLayout.Box(width: max(88, (text + 28).rounded()), height: 44)
        }
        var edges: [(from: Int, to: Int)] = []
        for (to, node) in graph.nodes.enumerated() {
            for from in node.inputs { edges.append((from, to)) }
        }
        let layout = GraphLayout(boxes: boxes, edges: edges)
        var out = "<svg class=\"dag\" width=\"\(f(layout.width))\" height=\"\(f(layout.height))\""
        out += " viewBox=\"0 0 \(f(layout.width)) \(f(layout.height))\" role=\"img\""
        out += " aria-label=\"\(HTMLText.escape(graph.name)): \(graph.nodes.count) nodes, \(edges.count) edges\">\n"

        // Edges first, so boxes sit on top of their ends.
        out += "<g class=\"edges\" fill=\"none\" stroke=\"#9AA3AF\" stroke-width=\"1.4\">\n"
        for route in layout.routes {
            var d = "M\(f(route[0].x)) \(f(route[0].y))"
            for (a, b) in zip(route, route.dropFirst()) {
                let bend = (b.y - a.y) / 2
                d += " C\(f(a.x)) \(f(a.y + bend)) \(f(b.x)) \(f(b.y - bend)) \(f(b.x)) \(f(b.y))"
            }
            out += "<path class=\"edge\" d=\"\(d)\"/>\n"
        }
        out += "</g>\n<g class=\"arrows\" fill=\"#9AA3AF\">\n"
        for route in layout.routes {
            let end = route[route.count - 1]
            out += "<polygon points=\"\(f(end.x - 4)),\(f(end.y - 7)) \(f(end.x + 4)),\(f(end.y - 7)) \(f(end.x)),\(f(end.y))\"/>\n"
        }
        out += "</g>\n"

        // Shape labels: at the middle of a direct edge, at the first waypoint of a long one;
        // where a node feeds several, lower down, where the branches have spread apart.
        var fanOut = Array(repeating: 0, count: graph.nodes.count)
        for e in edges { fanOut[e.from] += 1 }
        out += "<g class=\"edge-labels\" font-size=\"11\" text-anchor=\"middle\">\n"
        for (k, route) in layout.routes.enumerated() {
            let label = shapeLabel(graph.nodes[edges[k].from].shape)
            let at = route.count > 2 ? route[1] : point(from: route[0], to: route[1], at: fanOut[edges[k].from] > 1 ? 0.68 : 0.5)
            let w = 6.3 * Double(label.count) + 10
            out += "<rect x=\"\(f(at.x - w / 2))\" y=\"\(f(at.y - 8))\" width=\"\(f(w))\" height=\"16\" rx=\"8\" fill=\"#FFFFFF\" stroke=\"#E1E5EA\"/>\n"
            out += "<text class=\"edge-label\" x=\"\(f(at.x))\" y=\"\(f(at.y + 4))\" fill=\"#4B5563\">\(HTMLText.escape(label))</text>\n"
        }
        out += "</g>\n"

        out += "<g class=\"nodes\" text-anchor=\"middle\">\n"
        for (k, node) in graph.nodes.enumerated() {
            let frame = layout.frames[k], colours = palette(op: node.op.name)
            var tip = "\(node.name) (\(node.op.name)): output \(node.shape.bracketed)"
            if node.parameterCount > 0 { tip += ", \(NumberFormat.grouped(node.parameterCount)) parameters" }
            if node.flops > 0 { tip += ", \(NumberFormat.grouped(node.flops)) FLOPs" }
            out += "<g class=\"node\" data-name=\"\(HTMLText.escape(node.name))\"><title>\(HTMLText.escape(tip))</title>"
            out += "<rect x=\"\(f(frame.x))\" y=\"\(f(frame.y))\" width=\"\(f(frame.width))\" height=\"\(f(frame.height))\" rx=\"9\""
            out += " fill=\"\(colours.fill)\" stroke=\"\(colours.stroke)\" stroke-width=\"1.5\"/>"
            out += "<text x=\"\(f(frame.midX))\" y=\"\(f(frame.y + 19))\" font-size=\"13\" font-weight=\"600\" fill=\"#1F2933\">\(HTMLText.escape(node.name))</text>"
            out += "<text x=\"\(f(frame.midX))\" y=\"\(f(frame.y + 35))\" font-size=\"11\" fill=\"\(colours.accent)\">\(HTMLText.escape(node.op.name))</text>"
            out += "</g>\n"
        }
        out += "</g>\n</svg>"
        return out
    }

    /// The point at parameter `t` of the edge curve from `a` to `b` (a cubic whose tangents
    /// are vertical at both ends, as drawn above).
    static func point(from a: (x: Double, y: Double), to b: (x: Double, y: Double), at t: Double) -> (x: Double, y: Double) {
        let s = t * t * (3 - 2 * t)
        return (a.x + (b.x - a.x) * s, a.y + (b.y - a.y) * t)
    }
}

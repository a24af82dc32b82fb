/// A layered drawing of a DAG (Sugiyama's method, kept simple), top to bottom:
///
/// 1. **Layers** by longest path from the sources: a node sits one layer below its deepest
///    producer. A source (a leaf: `input`, `param`) is then pulled down to just above its
///    highest consumer, so a param sits beside the op it feeds instead of at the top.
/// 2. **Long edges** (spanning several layers) get one invisible waypoint per layer crossed,
///    so they route between boxes rather than through them — unless that would add more
///    than `maxWaypoints` waypoints in all; such edges are then drawn straight.
/// 3. **Order within a layer**: declaration order, then `sweeps` barycenter passes (down,
///    up, down, …): each box moves to the mean position of its neighbours in the layer
///    just swept from (stable sort, so ties keep their order).
/// 4. **x coordinates**: each layer packed left to right with `gap` between boxes, then a
///    few passes pull each box toward the mean x of its neighbours while keeping the order
///    and the gaps; finally everything is shifted so the leftmost box starts at `margin`.
///
/// Every loop is over nodes, edges and waypoints; nothing recurses, so a deep graph is safe.
/// - Complexity: O(sweeps · (V + E + W) · log V), W the number of waypoints.
public struct GraphLayout: Sendable {
    /// A box to place: its size in pixels.
    public struct Box: Sendable, Hashable {
        /// In pixels.
        public var width: Double
        /// In pixels.
        public var height: Double
        /// A box of `width` × `height` pixels.
        public init(width: Double, height: Double) {
            self.width = width
            self.height = height
        }
    }

    /// A placed box: its top-left corner and size.
    public struct Frame: Sendable, Hashable {
        /// The left edge.
        public var x: Double
        /// The top edge.
        public var y: Double
        /// In pixels.
        public var width: Double
        /// In pixels.
        public var height: Double
        /// The centre's x.
        public var midX: Double { x + width / 2 }
    }

    /// The layer (0 = top) of each node.
    public private(set) var layers: [Int] = []
    /// Each node's frame.
    public private(set) var frames: [Frame] = []
    /// Each edge as a polyline from the producer's bottom to the consumer's top, in the
    /// order the edges were given.
    public private(set) var routes: [[(x: Double, y: Double)]] = []
    /// The size of the whole drawing, margins included.
    public private(set) var width: Double = 0
    /// The size of the whole drawing, margins included.
    public private(set) var height: Double = 0

    /// Lays out `boxes` joined by `edges` (producer index, consumer index).
    ///
    /// Edges naming an index outside `boxes` or a box itself are ignored.
    /// - Parameters:
    ///   - boxes: the sizes of the nodes' boxes, by node index.
    ///   - edges: producer and consumer indices, in the order `routes` keeps.
    ///   - gap: the horizontal space between boxes of a layer.
    ///   - layerGap: the vertical space between layers.
    ///   - margin: the space around the drawing.
    ///   - sweeps: barycenter passes over the layers.
    ///   - maxWaypoints: above this many, long edges are drawn straight.
    /// - Precondition: the edges form a DAG over `boxes.indices` (a checked ``Graph`` does);
    ///   on a cycle, the nodes on it keep layer 0.
    public init(boxes: [Box], edges: [(from: Int, to: Int)], gap: Double = 28, layerGap: Double = 64,
                margin: Double = 16, sweeps: Int = 8, maxWaypoints: Int = 50_000) {
        let n = boxes.count
        guard n > 0 else { width = 2 * margin; height = 2 * margin; return }
        let valid = edges.filter { $0.from >= 0 && $0.from < n && $0.to >= 0 && $0.to < n && $0.from != $0.to }

        // 1. Longest-path layers, in a topological order (Kahn; declaration order on ties).
        var producers = Array(repeating: [Int](), count: n), consumers = Array(repeating: [Int](), count: n)
        for e in valid { producers[e.to].append(e.from); consumers[e.from].append(e.to) }
        var indegree = producers.map(\.count)
        var queue = (0..<n).filter { indegree[$0] == 0 }, head = 0
        var layer = Array(repeating: 0, count: n)
        while head < queue.count {
            let v = queue[head]; head += 1
            for c in consumers[v] {
                layer[c] = max(layer[c], layer[v] + 1)
                indegree[c] -= 1
                if indegree[c] == 0 { queue.append(c) }
            }
        }
        for v in 0..<n where producers[v].isEmpty && !consumers[v].isEmpty {
            layer[v] = max(0, (consumers[v].map { layer[$0] }.min() ?? 1) - 1)
        }
        layers = layer

        // 2. Waypoints: vertices n… of the layered graph stand for long edges' crossings.
        let span = valid.reduce(0) { $0 + max(0, layer[$1.to] - layer[$1.from] - 1) }
        let useWaypoints = span <= maxWaypoints
        var vertexLayer = layer
        var chains: [[Int]] = []  // per edge: the vertices it passes, ends included
        var up = Array(repeating: [Int](), count: n), down = Array(repeating: [Int](), count: n)
        for e in valid {
            var chain = [e.from]
            if useWaypoints, layer[e.to] - layer[e.from] > 1 {
                for l in (layer[e.from] + 1)..<layer[e.to] {
                    chain.append(vertexLayer.count)
                    vertexLayer.append(l)
                    up.append([]); down.append([])
                }
            }
            chain.append(e.to)
            for (a, b) in zip(chain, chain.dropFirst()) { down[a].append(b); up[b].append(a) }
            chains.append(chain)
        }

        // 3. Order: rows[l] lists the vertices of layer l left to right.
        let layerCount = (vertexLayer.max() ?? 0) + 1
        var rows = Array(repeating: [Int](), count: layerCount)
        for v in vertexLayer.indices { rows[vertexLayer[v]].append(v) }
        var position = Array(repeating: 0.0, count: vertexLayer.count)
        func index(_ row: [Int]) { for (k, v) in row.enumerated() { position[v] = Double(k) } }
        rows.forEach(index)
        for sweep in 0..<sweeps {
            let downward = sweep % 2 == 0
            for l in (downward ? Array(1..<layerCount) : Array((0..<max(0, layerCount - 1)).reversed())) {
                let keyed = rows[l].map { v -> (Int, Double) in
                    let neighbours = downward ? up[v] : down[v]
                    guard !neighbours.isEmpty else { return (v, position[v]) }
                    return (v, neighbours.reduce(0) { $0 + position[$1] } / Double(neighbours.count))
                }
                rows[l] = keyed.enumerated().sorted { ($0.element.1, $0.offset) < ($1.element.1, $1.offset) }.map(\.element.0)
                index(rows[l])
            }
        }

        // 4. x: packed rows, then pulled toward neighbours (order and gaps kept).
        func boxWidth(_ v: Int) -> Double { v < n ? boxes[v].width : 0 }
        var x = Array(repeating: 0.0, count: vertexLayer.count)  // centres
        for row in rows {
            var cursor = 0.0
            for v in row { x[v] = cursor + boxWidth(v) / 2; cursor += boxWidth(v) + gap }
        }
        func separation(_ a: Int, _ b: Int) -> Double { (boxWidth(a) + boxWidth(b)) / 2 + (a < n && b < n ? gap : gap / 2) }
        for pass in 0..<12 {
            for row in rows {
                var want = row.map { v -> Double in
                    let neighbours = pass % 2 == 0 ? up[v] + down[v] : (pass % 4 == 1 ? up[v] : down[v])
                    guard !neighbours.isEmpty else { return x[v] }
                    return neighbours.reduce(0) { $0 + x[$1] } / Double(neighbours.count)
                }
                // Keep the order and the gaps: left to right, then right to left, then average.
                var left = want, right = want
                for k in 1..<max(1, row.count) { left[k] = max(left[k], left[k - 1] + separation(row[k - 1], row[k])) }
                for k in stride(from: row.count - 2, through: 0, by: -1) { right[k] = min(right[k], right[k + 1] - separation(row[k], row[k + 1])) }
                for k in row.indices { want[k] = (left[k] + right[k]) / 2 }
                for k in 1..<max(1, row.count) { want[k] = max(want[k], want[k - 1] + separation(row[k - 1], row[k])) }
                for (k, v) in row.enumerated() { x[v] = want[k] }
            }
        }

        // y: each layer as tall as its tallest box.
        var layerHeight = Array(repeating: 0.0, count: layerCount)
        for v in 0..<n { layerHeight[layer[v]] = max(layerHeight[layer[v]], boxes[v].height) }
        var top = Array(repeating: margin, count: layerCount)
        for l in 1..<max(1, layerCount) { top[l] = top[l - 1] + layerHeight[l - 1] + layerGap }

        let minX = (0..<vertexLayer.count).map { x[$0] - boxWidth($0) / 2 }.min() ?? 0
        let shift = margin - minX
        frames = (0..<n).map { v in
            let y = top[layer[v]] + (layerHeight[layer[v]] - boxes[v].height) / 2
            return Frame(x: x[v] - boxes[v].width / 2 + shift, y: y, width: boxes[v].width, height: boxes[v].height)
        }

        // Routes: the bottom centre of the producer, waypoints at mid-layer, and the
        // consumer's top, its inputs spread along the top edge in left-to-right order.
        var arrivals = Array(repeating: [(edge: Int, fromX: Double)](), count: n)
        for (k, chain) in chains.enumerated() {
            let last = chain[chain.count - 2]
            arrivals[chain[chain.count - 1]].append((k, x[last] + shift))
        }
        var endX = Array(repeating: 0.0, count: chains.count)
        for v in 0..<n {
            let sorted = arrivals[v].enumerated().sorted { ($0.element.fromX, $0.offset) < ($1.element.fromX, $1.offset) }
            let f = frames[v], count = Double(sorted.count), inset = min(f.width * 0.3, 12 * count)
            for (k, a) in sorted.map(\.element).enumerated() {
                endX[a.edge] = count == 1 ? f.midX : f.midX - inset + 2 * inset * Double(k) / (count - 1)
            }
        }
        routes = chains.enumerated().map { k, chain in
            let from = frames[chain[0]], to = frames[chain[chain.count - 1]]
            var points = [(x: from.midX, y: from.y + from.height)]
            for w in chain.dropFirst().dropLast() {
                points.append((x[w] + shift, top[vertexLayer[w]] + layerHeight[vertexLayer[w]] / 2))
            }
            points.append((endX[k], to.y))
            return points
        }
        width = ((0..<vertexLayer.count).map { x[$0] + boxWidth($0) / 2 }.max() ?? 0) + shift + margin
        height = top[layerCount - 1] + layerHeight[layerCount - 1] + margin
    }
}

/// Kahn's algorithm with a min-heap: among ready nodes the one declared first goes first,
/// so the order is stable. A cycle comes back as the node names around it.
enum TopologicalOrder {
    /// - Parameter inputs: each node's producers.
    /// - Returns: the order, or one cycle as node indices (first repeated at the end).
    /// - Complexity: O((V + E) log V).
    static func sort(_ inputs: [[Int]]) -> Result<[Int], CycleError> {
        let n = inputs.count
        var indegree = Array(repeating: 0, count: n)
        var consumers = Array(repeating: [Int](), count: n)
        for (node, producers) in inputs.enumerated() {
            for p in producers {
                indegree[node] += 1
                consumers[p].append(node)
            }
        }
        var heap = MinHeap()
        for i in 0..<n where indegree[i] == 0 { heap.push(i) }
        var order: [Int] = []
        order.reserveCapacity(n)
        while let next = heap.pop() {
            order.append(next)
            for c in consumers[next] {
                indegree[c] -= 1
                if indegree[c] == 0 { heap.push(c) }
            }
        }
        if order.count == n { return .success(order) }
        // Every remaining node has a remaining producer: walk producers until a repeat.
        guard let start = (0..<n).first(where: { indegree[$0] > 0 }) else { return .success(order) }
        var seenAt: [Int: Int] = [:]
        var path: [Int] = []
        var current = start
        while seenAt[current] == nil {
            seenAt[current] = path.count
            path.append(current)
            guard let producer = inputs[current].first(where: { indegree[$0] > 0 }) else { break }
            current = producer
        }
        let cycle = Array(path[(seenAt[current] ?? 0)...]).reversed()
        // Rotate so the earliest-declared node leads.
        var nodes = Array(cycle)
        if let first = nodes.indices.min(by: { nodes[$0] < nodes[$1] }) {
            nodes = Array(nodes[first...] + nodes[..<first])
        }
        return .failure(CycleError(nodes: nodes + [nodes[0]]))
    }

    struct CycleError: Error {
        var nodes: [Int]
    }
}

/// A binary min-heap of node indices.
struct MinHeap {
    private var items: [Int] = []

    mutating func push(_ x: Int) {
        items.append(x)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if items[parent] <= items[i] { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> Int? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && items[l] < items[m] { m = l }
                if r < items.count && items[r] < items[m] { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}

/// A node's buffers: its output, the gradients it returns, its saved indices and its
/// kernels' scratch space, drawn from pools its session shares among all nodes (by element
/// count), so a session keeps about the plan's peak of live tensor bytes and a step on
/// fixed shapes allocates no tensor memory after the first.
///
/// An op takes a buffer (`take`), fills every element (its contents are unspecified), and
/// the session gives it back once nobody reads it; a later request of its size, by any
/// node, reuses it. A slot gets the same buffer as last step whenever it is free, so a repeated
/// step reuses every address. A buffer still referenced elsewhere (a result handed out) goes
/// only back to its own slot, whose first write copies it (copy-on-write), so reuse never
/// changes a result handed out earlier.
/// Used by one thread at a time.
public final class Workspace<T: TensorScalar>: @unchecked Sendable {
    /// What a buffer holds.
    public enum Slot: Hashable, Sendable {
        case output
        /// The gradient returned for input `k`.
        case gradient(Int)
        /// Kernel scratch space, numbered by the op.
        case scratch(Int)
    }

    private let pool: BufferPool<T>
    private let indexPool: BufferPool<Int32>
    /// The buffer number each slot had last, preferred by its next request.
    private var last: [Slot: Int] = [:]
    private var lastIndices: [Slot: Int] = [:]
    /// Slots whose buffer is out (taken, not yet given back), with its number. Only those
    /// are kept when given back: an op that returns another tensor's storage (an input
    /// passed through) must not have it pooled.
    private var out: [Slot: Int] = [:]
    private var indicesOut: [Slot: Int] = [:]
    /// Bytes this workspace's pools had to allocate since the counter was last reset.
    public var allocatedBytes: Int { pool.allocatedBytes + indexPool.allocatedBytes }

    /// A workspace with pools of its own (kept across calls).
    public convenience init() { self.init(pool: BufferPool(), indexPool: BufferPool()) }

    /// A workspace drawing from shared pools.
    init(pool: BufferPool<T>, indexPool: BufferPool<Int32>) {
        self.pool = pool
        self.indexPool = indexPool
    }

    /// A buffer of `count` elements: a free pooled one of that count (last step's for this
    /// slot when free; no allocation), else a new one. Its contents are unspecified (some
    /// earlier tensor's values, or whatever the allocator returned): the caller must write
    /// every element before reading it.
    /// - Complexity: O(free buffers).
    public func take(_ slot: Slot, count: Int) -> [T] {
        let (id, buffer) = pool.take(count: count, preferring: last[slot])
        last[slot] = id
        out[slot] = id
        return buffer
    }

    /// A buffer of `count` zeros (for kernels that accumulate into their output), as `take`.
    public func takeZeroed(_ slot: Slot, count: Int) -> [T] {
        var buffer = take(slot, count: count)
        buffer.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        return buffer
    }

    /// A tensor of `shape` on the buffer of `slot` (see `take`).
    public func tensor(_ slot: Slot, _ shape: Shape) -> Tensor<T> {
        Tensor(shape: shape, scalars: take(slot, count: shape.count))
    }

    /// An index buffer of `count` elements (max pooling's argmax), as `take`.
    public func takeIndices(_ slot: Slot, count: Int) -> [Int32] {
        let (id, buffer) = indexPool.take(count: count, preferring: lastIndices[slot])
        lastIndices[slot] = id
        indicesOut[slot] = id
        return buffer
    }

    /// Gives back the buffer taken for `slot` once nobody reads it, for any later request
    /// (ignored for a slot that is not out).
    public func give(_ slot: Slot, _ buffer: [T]) {
        if let id = out.removeValue(forKey: slot) { pool.give(id: id, buffer) }
    }

    public func giveIndices(_ slot: Slot, _ buffer: [Int32]) {
        if let id = indicesOut.removeValue(forKey: slot) { indexPool.give(id: id, buffer) }
    }

    /// Resets the allocation counter (of the pools, shared with the session's other nodes).
    func resetCounter() {
        pool.resetCounter()
        indexPool.resetCounter()
    }
}

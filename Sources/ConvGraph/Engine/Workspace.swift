/// A node's buffers, kept from one step of a session to the next so that a step on fixed
/// shapes allocates no tensor memory after the first: its output, the gradients it
/// returns, its saved indices and its kernels' scratch space.
///
/// An op takes a buffer (`take`), fills every element (its contents are last step's or
/// zeros), and the session gives it back once nobody reads it. A buffer still referenced
/// elsewhere when written is copied by Swift's copy-on-write, so reuse never changes a
/// result handed out earlier. Used by one thread at a time.
public final class Workspace<T: TensorScalar>: @unchecked Sendable {
    /// What a buffer holds.
    public enum Slot: Hashable, Sendable {
        case output
        /// The gradient returned for input `k`.
        case gradient(Int)
        /// Kernel scratch space, numbered by the op.
        case scratch(Int)
    }

    private var buffers: [Slot: [T]] = [:]
    private var indexBuffers: [Slot: [Int32]] = [:]
    /// Slots whose buffer is out (taken, not yet given back). Only those are kept when
    /// given back: an op that returns another tensor's storage (an input passed through)
    /// must not have it kept here, or that tensor's owner would copy on its next write.
    private var out: Set<Slot> = []
    private var indicesOut: Set<Slot> = []
    /// Bytes this workspace had to allocate since the counter was last reset.
    public private(set) var allocatedBytes = 0

    /// Whether given-back buffers are kept (a one-shot run drops them, so memory is
    /// returned as soon as a tensor dies, as the plan assumes).
    let keepsBuffers: Bool

    public init() { keepsBuffers = true }

    init(keepsBuffers: Bool) { self.keepsBuffers = keepsBuffers }

    /// A buffer of `count` elements: last step's when it has that count (no allocation),
    /// else a new one. Its contents are unspecified (last step's values, or whatever the
    /// allocator returned): the caller must write every element before reading it.
    /// - Complexity: O(1).
    public func take(_ slot: Slot, count: Int) -> [T] {
        out.insert(slot)
        if let buffer = buffers.removeValue(forKey: slot), buffer.count == count { return buffer }
        allocatedBytes += count * MemoryLayout<T>.stride
        // Floating-point scalars are trivial types: any bit pattern is a valid value.
        return [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
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
        indicesOut.insert(slot)
        if let buffer = indexBuffers.removeValue(forKey: slot), buffer.count == count { return buffer }
        allocatedBytes += count * MemoryLayout<Int32>.stride
        return [Int32](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// Returns a buffer for the next step.
    /// Returns the buffer taken for `slot`, for the next step (ignored for a slot that is
    /// not out).
    public func give(_ slot: Slot, _ buffer: [T]) {
        if out.remove(slot) != nil, keepsBuffers { buffers[slot] = buffer }
    }

    public func giveIndices(_ slot: Slot, _ buffer: [Int32]) {
        if indicesOut.remove(slot) != nil, keepsBuffers { indexBuffers[slot] = buffer }
    }

    func resetCounter() { allocatedBytes = 0 }
}

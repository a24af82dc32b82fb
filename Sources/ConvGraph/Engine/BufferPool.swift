/// A session's free buffers of element type `E`, shared by every node's `Workspace` (and
/// by the sessions that share it: a training's evaluation sessions run on its pool). A
/// buffer given back when the plan frees its tensor (after its last reader, or a gradient
/// once propagated) serves the next request of its element count, from any node. So a
/// session keeps about the plan's peak of live bytes, not the sum of every node's buffers.
/// (Serving a smaller request from a larger buffer was measured and dropped: a small tensor
/// kept for backward then pins a large buffer for the whole step, and the digits training
/// kept 12 % more.)
///
/// Each buffer has a number; a request names the number its slot had last step and gets
/// that buffer when it is free. A step repeating the last one's requests therefore gets
/// every buffer it got then: it allocates nothing, and every tensor keeps its address.
///
/// Soundness does not rest on the pool: a buffer is an Array, and every write to it goes
/// through a mutating access, which copies storage that is still referenced elsewhere
/// (copy-on-write). So a buffer handed out while a result the caller kept (or a tensor an op
/// passed through) still holds it is copied on its first write, and the holder's values
/// never change. The pool only avoids such copies: a free buffer still referenced elsewhere
/// goes only to the slot that had it last step (as before pooling), never to another
/// request. Used by one thread at a time.
final class BufferPool<E: ExpressibleByIntegerLiteral>: @unchecked Sendable {
    private struct Entry {
        var id: Int
        var buffer: [E]
    }

    /// Free buffers, in the order given back.
    private var free: [Entry] = []
    private var nextID = 0
    /// Bytes allocated since the counter was last reset.
    private(set) var allocatedBytes = 0
    /// Whether given-back buffers are kept (a one-shot run drops them, so memory is
    /// returned as soon as a tensor dies, as the plan assumes).
    let keepsBuffers: Bool
    /// Whether `isUnique` tells a shared buffer from an unshared one on this platform
    /// (checked once per pool); when it does not, only a slot's own buffer is reused.
    private let checksUniqueness: Bool

    init(keepsBuffers: Bool = true) {
        self.keepsBuffers = keepsBuffers
        checksUniqueness = Self.uniquenessProbe()
    }

    /// A buffer of `count` elements and its number: the free buffer numbered `preferred`
    /// when it has `count` elements (even if still referenced elsewhere: its first write
    /// copies it), else the free one of `count` elements given back last that nobody else
    /// references, else a new one. Its contents are unspecified; write it through a
    /// mutating access.
    /// - Complexity: O(free buffers).
    func take(count: Int, preferring preferred: Int?) -> (id: Int, buffer: [E]) {
        if count > 0, !free.isEmpty {
            var pick: Int?
            if let preferred, let j = free.firstIndex(where: { $0.id == preferred }), free[j].buffer.count == count {
                pick = j
            } else if checksUniqueness {
                for j in free.indices.reversed() where free[j].buffer.count == count && Self.isUnique(&free[j].buffer) {
                    pick = j
                    break
                }
            }
            if let pick { return Self.unpack(free.remove(at: pick)) }
        }
        allocatedBytes += count * MemoryLayout<E>.stride
        nextID += 1
        // Floating-point scalars and indices are trivial types: any bit pattern is valid.
        return (nextID, [E](unsafeUninitializedCapacity: count) { _, initialized in initialized = count })
    }

    private static func unpack(_ entry: Entry) -> (id: Int, buffer: [E]) { (entry.id, entry.buffer) }

    /// Takes back buffer `id` (possibly a copy made on write) for later requests.
    func give(id: Int, _ buffer: [E]) {
        guard keepsBuffers, !buffer.isEmpty else { return }
        free.append(Entry(id: id, buffer: buffer))
    }

    /// Bytes of the free buffers.
    var freeBytes: Int {
        free.reduce(0) { $0 + $1.buffer.count * MemoryLayout<E>.stride }
    }

    func resetCounter() { allocatedBytes = 0 }

    /// Whether `buffer`'s storage is referenced by nobody but `buffer`: `isKnownUniquely-
    /// Referenced` on the single reference an Array is on this platform, seen as a class
    /// (the standard library has no public uniqueness test for an Array, and the storage of
    /// a `Tensor` is an Array, so no box of ours sees its holders). Used only when
    /// `uniquenessProbe` confirmed it; a wrong answer would cost a copy, never a value
    /// (see the type's comment).
    private static func isUnique(_ buffer: inout [E]) -> Bool {
        guard MemoryLayout<[E]>.size == MemoryLayout<AnyObject>.size else { return false }
        return withUnsafeMutablePointer(to: &buffer) { pointer in
            UnsafeMutableRawPointer(pointer).withMemoryRebound(to: StorageReference.self, capacity: 1) {
                isKnownUniquelyReferenced(&$0.pointee)
            }
        }
    }

    /// Whether `isUnique` answers right here: true for a fresh buffer, false while a copy
    /// of it lives, true again once that copy is gone.
    private static func uniquenessProbe() -> Bool {
        var buffer = [E](repeating: 0, count: 1)
        guard isUnique(&buffer) else { return false }
        var shared = false
        do {
            // The copy's scope ends here in a debug build too (which keeps a value until
            // the end of its scope, where an optimised build may release it at last use).
            let copy = buffer
            shared = !isUnique(&buffer)
            withExtendedLifetime(copy) {}
        }
        return shared && isUnique(&buffer)
    }
}

/// A stand-in class type for an Array's storage reference: only its reference count is read.
private final class StorageReference {}

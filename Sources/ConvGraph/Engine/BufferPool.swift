/// A session's free buffers of element type `E`, shared by every node's `Workspace`, keyed
/// by element count: a buffer given back when the plan frees its tensor (after its last
/// reader, or a gradient once propagated) is taken by the next request of that count from
/// any node. So a session keeps about the plan's peak of live bytes, not the sum of every
/// node's buffers.
///
/// Each buffer has a number; a request names the number its slot had last step and gets
/// that buffer when it is free. A step repeating the last one's requests therefore gets
/// every buffer it got then: it allocates nothing, and every tensor keeps its address.
///
/// A free buffer whose storage is still referenced elsewhere (a result the caller holds,
/// or a tensor an op passed through) is handed only to the slot that had it last step,
/// whose first write copies it (copy-on-write): reuse never changes a value someone still
/// reads. Used by one thread at a time.
final class BufferPool<E>: @unchecked Sendable {
    private struct Entry {
        var id: Int
        var buffer: [E]
    }

    /// Free buffers by element count.
    private var free: [Int: [Entry]] = [:]
    private var nextID = 0
    /// Bytes allocated since the counter was last reset.
    private(set) var allocatedBytes = 0
    /// Whether given-back buffers are kept (a one-shot run drops them, so memory is
    /// returned as soon as a tensor dies, as the plan assumes).
    let keepsBuffers: Bool

    init(keepsBuffers: Bool = true) {
        precondition(MemoryLayout<[E]>.size == MemoryLayout<AnyObject>.size, "an Array is expected to be one reference")
        self.keepsBuffers = keepsBuffers
    }

    /// A buffer of `count` elements and its number: the free buffer numbered `preferred`
    /// when there is one, else another free one of that count held by nobody else, else a
    /// new one. Its contents are unspecified; write it through a mutating access (which
    /// copies a buffer still held elsewhere).
    /// - Complexity: O(free buffers of that count).
    func take(count: Int, preferring preferred: Int?) -> (id: Int, buffer: [E]) {
        if count > 0, var entries = free.removeValue(forKey: count) {
            var pick: Int?
            if let preferred, let j = entries.firstIndex(where: { $0.id == preferred }) {
                // Last step's buffer for this slot, even when a result the caller kept
                // still holds it: the first write then copies it, as it always did.
                pick = j
            } else {
                var j = entries.count - 1
                while j >= 0 {
                    if Self.isUnique(&entries[j].buffer) { pick = j; break }
                    j -= 1
                }
            }
            if let pick {
                let entry = entries.remove(at: pick)
                if !entries.isEmpty { free[count] = entries }
                return (entry.id, entry.buffer)
            }
            free[count] = entries
        }
        allocatedBytes += count * MemoryLayout<E>.stride
        nextID += 1
        // Floating-point scalars and indices are trivial types: any bit pattern is valid.
        return (nextID, [E](unsafeUninitializedCapacity: count) { _, initialized in initialized = count })
    }

    /// Takes back buffer `id` (possibly a copy made on write) for later requests.
    func give(id: Int, _ buffer: [E]) {
        guard keepsBuffers, !buffer.isEmpty else { return }
        free[buffer.count, default: []].append(Entry(id: id, buffer: buffer))
    }

    /// Bytes of the free buffers.
    var freeBytes: Int {
        free.reduce(0) { sum, pair in sum + pair.key * pair.value.count * MemoryLayout<E>.stride }
    }

    func resetCounter() { allocatedBytes = 0 }

    /// Whether `buffer`'s storage is referenced by nobody but `buffer`. An Array is a single
    /// reference to its native storage object (checked in `init`), so this is
    /// `isKnownUniquelyReferenced` on that reference, seen as a concrete class (an
    /// `AnyObject` would be opened into a copy, which is never unique).
    private static func isUnique(_ buffer: inout [E]) -> Bool {
        withUnsafeMutablePointer(to: &buffer) { pointer in
            UnsafeMutableRawPointer(pointer).withMemoryRebound(to: StorageReference.self, capacity: 1) {
                isKnownUniquelyReferenced(&$0.pointee)
            }
        }
    }
}

/// A stand-in class type for an Array's storage reference: only its reference count is read.
private final class StorageReference {}

import Testing
@testable import ConvGraph

/// The pool behind a session's workspaces: a request takes a free buffer of its count, its
/// own slot's buffer first, never a buffer someone else still references, and a slot's
/// buffer shared with a holder is copied on write, not changed under it.
@Suite struct BufferPoolTests {
    /// Takes a buffer and gives it straight back, keeping no reference: its number.
    static func takeAndGive(_ pool: BufferPool<Float>, _ count: Int, preferring: Int? = nil) -> Int {
        var (id, buffer) = pool.take(count: count, preferring: preferring)
        pool.give(id: id, buffer)
        buffer = []
        return id
    }

    @Test func aRequestReusesAFreeBufferOfItsCountFromAnySlot() {
        let pool = BufferPool<Float>()
        let a = Self.takeAndGive(pool, 100)
        let b = Self.takeAndGive(pool, 60)
        #expect(a != b)
        #expect(pool.allocatedBytes == 160 * 4)
        #expect(pool.freeBytes == 160 * 4)
        pool.resetCounter()
        // No preference: the free buffer of that count, whatever slot had it.
        #expect(Self.takeAndGive(pool, 60) == b)
        #expect(Self.takeAndGive(pool, 100) == a)
        #expect(pool.allocatedBytes == 0)
        // A count no free buffer has is a new buffer (a larger one is not cut down).
        let c = Self.takeAndGive(pool, 50)
        #expect(c != a && c != b)
        #expect(pool.allocatedBytes == 50 * 4)
        #expect(pool.freeBytes == 210 * 4)
    }

    @Test func aSlotGetsItsOwnBufferBack() {
        let pool = BufferPool<Float>()
        var (first, firstBuffer) = pool.take(count: 8, preferring: nil)
        var (second, secondBuffer) = pool.take(count: 8, preferring: nil)
        pool.give(id: first, firstBuffer)
        pool.give(id: second, secondBuffer)
        firstBuffer = []
        secondBuffer = []
        // Without a preference the last given back comes first; with one, the preferred.
        #expect(pool.take(count: 8, preferring: first).id == first)
        #expect(pool.take(count: 8, preferring: second).id == second)
    }

    @Test func aBufferStillHeldGoesOnlyToItsOwnSlotAndIsCopiedOnWrite() {
        let pool = BufferPool<Float>()
        var (id, buffer) = pool.take(count: 8, preferring: nil)
        buffer.withUnsafeMutableBufferPointer { $0.update(repeating: 1) }
        let held = buffer                     // a result the caller keeps
        pool.give(id: id, buffer)
        buffer = []
        pool.resetCounter()
        // Another request does not get it while `held` lives.
        let (other, _) = pool.take(count: 8, preferring: nil)
        #expect(other != id)
        #expect(pool.allocatedBytes == 8 * 4)
        // Its own slot does, and writing it copies: the holder keeps its values.
        var (own, ownBuffer) = pool.take(count: 8, preferring: id)
        #expect(own == id)
        ownBuffer.withUnsafeMutableBufferPointer { $0.update(repeating: 2) }
        #expect(held == [Float](repeating: 1, count: 8))
        #expect(ownBuffer == [Float](repeating: 2, count: 8))
    }

    @Test func aBufferNoLongerHeldIsReusedByAnyRequest() {
        let pool = BufferPool<Float>()
        var (id, buffer) = pool.take(count: 8, preferring: nil)
        var held = buffer
        pool.give(id: id, buffer)
        buffer = []
        #expect(pool.take(count: 8, preferring: nil).id != id)
        held = []
        #expect(held.isEmpty)
        #expect(pool.take(count: 8, preferring: nil).id == id)
    }

    @Test func aPoolThatKeepsNothingAlwaysAllocates() {
        let pool = BufferPool<Float>(keepsBuffers: false)
        let a = Self.takeAndGive(pool, 8)
        #expect(pool.freeBytes == 0)
        #expect(pool.take(count: 8, preferring: a).id != a)
        #expect(pool.allocatedBytes == 16 * 4)
    }
}

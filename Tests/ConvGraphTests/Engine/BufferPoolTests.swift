import Testing
@testable import ConvGraph

/// The pool behind a session's workspaces: a request takes the smallest free buffer that
/// holds it, its own slot's buffer first, never a buffer someone else still references,
/// and a slot's buffer shared with a holder is copied on write, not changed under it.
@Suite struct BufferPoolTests {
    /// Takes a buffer and gives it straight back, keeping no reference: its number.
    static func takeAndGive(_ pool: BufferPool<Float>, _ count: Int, preferring: Int? = nil) -> Int {
        var (id, buffer) = pool.take(count: count, preferring: preferring)
        pool.give(id: id, buffer)
        buffer = []
        return id
    }

    @Test func aSmallerRequestReusesTheSmallestFreeBufferThatHoldsIt() {
        let pool = BufferPool<Float>()
        let big = Self.takeAndGive(pool, 100)
        // Taken while the first is free: the 100-element buffer is reused (count 60) ...
        #expect(Self.takeAndGive(pool, 60) == big)
        // ... so make a second buffer by holding the first.
        var (bigID, bigBuffer) = pool.take(count: 100, preferring: big)
        let middle = Self.takeAndGive(pool, 60)
        #expect(middle != big)
        pool.give(id: bigID, bigBuffer)
        bigBuffer = []
        #expect(pool.freeBytes >= 160 * 4)
        pool.resetCounter()
        // 50 fits both; the 60-element buffer is the smaller.
        var (a, aBuffer) = pool.take(count: 50, preferring: nil)
        #expect(a == middle)
        #expect(aBuffer.count == 50)
        // 70 fits only the 100-element one.
        let (b, bBuffer) = pool.take(count: 70, preferring: nil)
        #expect(b == bigID)
        #expect(bBuffer.count == 70)
        #expect(pool.allocatedBytes == 0)
        #expect(pool.freeBytes == 0)
        // Nothing free holds 101.
        let (c, _) = pool.take(count: 101, preferring: nil)
        #expect(c != bigID && c != middle)
        #expect(pool.allocatedBytes == 101 * 4)
        aBuffer = []
    }

    @Test func aShrunkBufferGrowsBackWithinItsCapacity() {
        let pool = BufferPool<Float>()
        let first = Self.takeAndGive(pool, 100)
        #expect(Self.takeAndGive(pool, 10) == first)
        pool.resetCounter()
        let (again, buffer) = pool.take(count: 100, preferring: first)
        #expect(again == first && buffer.count == 100)
        #expect(pool.allocatedBytes == 0)
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

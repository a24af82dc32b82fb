/// numpy's legacy integer draws behind `RandomState.permutation` and `shuffle` (SPEC §10
/// "Order"): bit-for-bit the same stream as `np.random.RandomState(seed)`.
///
/// Contract:
/// - `randomInterval(max)` is numpy's `random_interval(bitgen, max)`: 0 for `max == 0`, else
///   rejection sampling under the smallest all-ones mask ≥ `max`, drawing one 32-bit word per
///   try when `max ≤ 2^32 − 1` and one 64-bit word per try otherwise, the 64-bit word being
///   `(first << 32) | second` of two consecutive words (numpy's `mt19937_next64`). For
///   `max > 2^32 − 1` this is also what `randint(0, max + 1, dtype=np.int64)` draws.
/// - `shuffle(_:)` is the legacy `RandomState.shuffle` of a 1-D array: for i from n − 1 down
///   to 1, swap elements i and `randomInterval(i)`.
/// - `permutation(n)` is `RandomState.permutation(n)`: `0..<n`, shuffled.
/// - None of them uses or clears the Gaussian kept by ``standardNormal()``.
extension RandomState {
    /// A uniform integer in `0...max` (numpy's `random_interval`).
    public mutating func randomInterval(_ max: UInt64) -> UInt64 {
        if max == 0 { return 0 }
        var mask = max
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        mask |= mask >> 32
        if max <= 0xFFFF_FFFF {
            let mask32 = UInt32(truncatingIfNeeded: mask), max32 = UInt32(truncatingIfNeeded: max)
            var value: UInt32
            repeat { value = nextWord() & mask32 } while value > max32
            return UInt64(value)
        }
        var value: UInt64
        repeat {
            let high = UInt64(nextWord())
            value = (high << 32 | UInt64(nextWord())) & mask
        } while value > max
        return value
    }

    /// Shuffles `values` in place as numpy's legacy `RandomState.shuffle` does a 1-D array.
    /// - Complexity: O(n) draws.
    public mutating func shuffle<C: MutableCollection & RandomAccessCollection>(_ values: inout C) where C.Index == Int {
        let n = values.count
        guard n > 1 else { return }
        let start = values.startIndex
        for i in stride(from: n - 1, through: 1, by: -1) {
            let j = Int(randomInterval(UInt64(i)))
            values.swapAt(start + i, start + j)
        }
    }

    /// `np.random.RandomState.permutation(n)`: the integers `0..<n` in shuffled order.
    /// - Precondition: `n >= 0`.
    /// - Complexity: O(n) time and memory.
    public mutating func permutation(_ n: Int) -> [Int] {
        precondition(n >= 0, "negative permutation length")
        var values = Array(0..<n)
        shuffle(&values)
        return values
    }

    /// Advances the stream exactly as `permutation(n)` would, without building it: the
    /// draws of a shuffle depend on the positions alone, never on the values moved.
    /// - Precondition: `n >= 0`.
    /// - Complexity: O(n) time, O(1) memory.
    public mutating func skipPermutation(_ n: Int) {
        precondition(n >= 0, "negative permutation length")
        guard n > 1 else { return }
        for i in stride(from: n - 1, through: 1, by: -1) { _ = randomInterval(UInt64(i)) }
    }
}

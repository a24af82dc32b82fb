/// The 32-bit Mersenne Twister (MT19937), bit-compatible with the generator behind
/// `numpy.random.RandomState` (SPEC §5).
///
/// Contract:
/// - `init(seed:)` is Matsumoto–Nishimura `init_genrand(seed)`, which is exactly what
///   `np.random.seed(seed)` / `np.random.RandomState(seed)` does for an integer
///   `0 ≤ seed < 2^32` (numpy's `mt19937_seed`; the state key equals
///   `RandomState(seed).get_state()[1]`).
/// - `next()` returns the next tempered 32-bit word, the same sequence as
///   `RandomState(seed).randint(0, 2**32, size=n, dtype=np.uint64)`.
///
/// The 624-word state lives inline (no heap storage, no per-call allocation); copying the
/// struct forks the stream.
public struct MT19937: Sendable {
    private static let n = 624
    private static let m = 397
    private static let matrixA: UInt32 = 0x9908_B0DF
    private static let upperMask: UInt32 = 0x8000_0000
    private static let lowerMask: UInt32 = 0x7FFF_FFFF

    private var key: InlineArray<624, UInt32>
    private var pos: Int

    /// Seeds the state with `init_genrand(seed)` (numpy's `np.random.seed(int)`).
    public init(seed: UInt32) {
        var key = InlineArray<624, UInt32>(repeating: 0)
        key[0] = seed
        var previous = seed
        for i in 1..<Self.n {
            previous = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(truncatingIfNeeded: i)
            key[i] = previous
        }
        self.key = key
        self.pos = Self.n
    }

    /// The next tempered 32-bit output.
    public mutating func next() -> UInt32 {
        if pos >= Self.n { regenerate() }
        var y = key[pos]
        pos &+= 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// Refills all 624 words (numpy's `mt19937_gen`) and rewinds the read position.
    private mutating func regenerate() {
        let n = Self.n
        let m = Self.m
        for i in 0..<(n - m) {
            key[i] = twist(key[i], key[i + 1], key[i + m])
        }
        for i in (n - m)..<(n - 1) {
            key[i] = twist(key[i], key[i + 1], key[i + m - n])
        }
        key[n - 1] = twist(key[n - 1], key[0], key[m - 1])
        pos = 0
    }

    @inline(__always)
    private func twist(_ current: UInt32, _ following: UInt32, _ shifted: UInt32) -> UInt32 {
        let y = (current & Self.upperMask) | (following & Self.lowerMask)
        return shifted ^ (y >> 1) ^ ((0 &- (y & 1)) & Self.matrixA)
    }
}

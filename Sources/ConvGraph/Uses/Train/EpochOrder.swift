/// The order in which training visits the samples of its data set (SPEC §10 "Order").
///
/// Epoch e (0-based) visits the samples in the order of the e-th call of `permutation(S)` on
/// `np.random.RandomState(seed)`, a generator of its own (not the graph's init stream); with
/// `shuffle` false, in file order `0..<S`. Bit-for-bit numpy's: see
/// ``RandomState/permutation(_:)`` and `Scripts/epoch-order-reference.py`.
///
/// Deterministic and cheap to resume: the order of any epoch is a function of
/// (seed, S, shuffle, e) alone. Reaching epoch e replays the draws of the e permutations
/// before it without building them (``RandomState/skipPermutation(_:)``): O(e·S) time,
/// O(S) memory for the one order returned.
///
/// ```swift
/// let order = EpochOrder(seed: 7, sampleCount: 1437, shuffle: true)
/// var cursor = order.cursor(atEpoch: resumedEpoch)     // O(resumedEpoch · S) once
/// let samples = cursor.next()                          // then O(S) per epoch
/// ```
public struct EpochOrder: Sendable, Hashable {
    /// The shuffling generator's seed (`train.seed`, default the graph's seed).
    public let seed: UInt32
    /// S, the number of samples in the training set.
    public let sampleCount: Int
    /// `train.shuffle`: false visits every epoch in file order.
    public let shuffle: Bool

    /// The order of a set of `sampleCount` samples.
    /// - Precondition: `sampleCount >= 0`.
    public init(seed: UInt32, sampleCount: Int, shuffle: Bool = true) {
        precondition(sampleCount >= 0, "negative sample count")
        self.seed = seed
        self.sampleCount = sampleCount
        self.shuffle = shuffle
    }

    /// The sample indices epoch `epoch` visits, in order: a permutation of `0..<S`.
    /// - Precondition: `epoch >= 0`.
    /// - Complexity: O((epoch + 1) · S) time, O(S) memory.
    public func order(ofEpoch epoch: Int) -> [Int] {
        var cursor = cursor(atEpoch: epoch)
        return cursor.next()
    }

    /// A cursor whose first ``Cursor/next()`` returns the order of `epoch`, and each later
    /// call that of the epoch after.
    /// - Precondition: `epoch >= 0`.
    /// - Complexity: O(epoch · S) time (the draws of the epochs before), O(1) memory.
    public func cursor(atEpoch epoch: Int = 0) -> Cursor {
        precondition(epoch >= 0, "negative epoch")
        var state: RandomState? = nil
        if shuffle {
            var generator = RandomState(seed: seed)
            for _ in 0..<epoch { generator.skipPermutation(sampleCount) }
            state = generator
        }
        return Cursor(epoch: epoch, sampleCount: sampleCount, state: state)
    }

    /// Walks the epochs in turn, each in O(S): one generator, one `permutation(S)` per epoch.
    /// Copying a cursor forks it.
    public struct Cursor: Sendable {
        /// The epoch whose order the next call of ``next()`` returns.
        public private(set) var epoch: Int
        let sampleCount: Int
        /// `nil` when not shuffling (file order).
        var state: RandomState?

        /// The order of ``epoch``; then moves on to the next epoch.
        /// - Complexity: O(S).
        public mutating func next() -> [Int] {
            epoch += 1
            guard var generator = state else { return Array(0..<sampleCount) }
            let order = generator.permutation(sampleCount)
            state = generator
            return order
        }
    }
}

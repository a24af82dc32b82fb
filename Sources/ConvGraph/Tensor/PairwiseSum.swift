/// NumPy's summation order (`np.sum`, `np.add.reduce` over a contiguous array): below 8
/// elements a plain loop; up to 128, eight running sums combined as
/// ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) and the remainder added in order; above that,
/// split at a multiple of 8 near the half and recurse.
///
/// Using it where the seed notebook used `np.sum` reproduces the notebook's numbers to the
/// last bit, and makes `sum`/`mean` agree with NumPy's. The order depends only on `n`, never
/// on threads.
/// - Complexity: O(n) time; O(log n) stack.
@inlinable
public func pairwiseSum<T: TensorScalar>(_ a: UnsafeBufferPointer<T>) -> T {
    let n = a.count
    guard let base = a.baseAddress else { return 0 }
    if n < 8 {
        var sum: T = 0
        for i in 0..<n { sum += base[i] }
        return sum
    }
    if n <= 128 {
        var r0 = base[0], r1 = base[1], r2 = base[2], r3 = base[3]
        var r4 = base[4], r5 = base[5], r6 = base[6], r7 = base[7]
        var i = 8
        let whole = n - n % 8
        while i < whole {
            r0 += base[i]; r1 += base[i + 1]; r2 += base[i + 2]; r3 += base[i + 3]
            r4 += base[i + 4]; r5 += base[i + 5]; r6 += base[i + 6]; r7 += base[i + 7]
            i += 8
        }
        var sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n {
            sum += base[i]
            i += 1
        }
        return sum
    }
    var half = n / 2
    half -= half % 8
    return pairwiseSum(UnsafeBufferPointer(rebasing: a[0..<half]))
        + pairwiseSum(UnsafeBufferPointer(rebasing: a[half..<n]))
}

/// `pairwiseSum` of an array.
@inlinable
public func pairwiseSum<T: TensorScalar>(_ a: [T]) -> T {
    a.withUnsafeBufferPointer { pairwiseSum($0) }
}

#!/usr/bin/env python3
"""Reference values for Tests/ConvGraphTests/Train/EpochOrderTests.swift (SPEC §10 "Order").

Epoch e visits the samples in the order of the e-th call of permutation(S) on
np.random.RandomState(seed). This prints, as Swift literals, numpy's own output:
  - whole permutations for small S, three consecutive calls on one generator;
  - for big S a checksum: the first 20 elements and sum(i * perm[i]) mod 2**61;
  - randint(0, max + 1, dtype=int64) for max > 2**32 - 1, which numpy draws with the same
    random_interval routine (64-bit words, rejection under a mask) as shuffle.
Run with numpy 2.x:  /root/anchors/bin/python Scripts/epoch-order-reference.py
"""
import numpy as np

MOD = 2**61


def checksum(p):
    return sum(i * int(v) for i, v in enumerate(p)) % MOD


print(f"// numpy {np.__version__}")
print("// Small S: three consecutive permutation(S) calls on one RandomState(seed).")
print("static let small: [(seed: UInt32, count: Int, calls: [[Int]])] = [")
for seed in (0, 7, 2**32 - 1):
    for s in (0, 1, 2, 3, 10):
        rs = np.random.RandomState(seed)
        calls = [rs.permutation(s).tolist() for _ in range(3)]
        print(f"    ({seed}, {s}, {calls}),")
print("]")

print("// Big S: three consecutive calls; each call's first 20 elements and sum(i*perm[i]) mod 2^61.")
print("static let big: [(seed: UInt32, count: Int, calls: [(first: [Int], checksum: UInt64)])] = [")
for seed in (0, 7, 2**32 - 1):
    for s in (1437, 100000):
        rs = np.random.RandomState(seed)
        calls = []
        for _ in range(3):
            p = rs.permutation(s)
            calls.append(f"({p[:20].tolist()}, {checksum(p)})")
        print(f"    ({seed}, {s}, [{', '.join(calls)}]),")
print("]")

print("// randint(0, max + 1, size=8, dtype=np.int64): random_interval(max) with 64-bit words.")
print("static let wide: [(seed: UInt32, max: UInt64, draws: [UInt64])] = [")
for seed in (0, 7):
    for mx in (2**40 + 5, 2**32, 3 * 2**40, 2**63 - 1):
        rs = np.random.RandomState(seed)
        d = rs.randint(0, mx + 1, size=8, dtype=np.int64).tolist()
        print(f"    ({seed}, {mx}, {d}),")
print("]")

print("// A permutation after other draws: RandomState(5); randint(0, 2**40 + 6) then permutation(10).")
rs = np.random.RandomState(5)
rs.randint(0, 2**40 + 6, dtype=np.int64)
print(f"static let afterWide: [Int] = {rs.permutation(10).tolist()}")

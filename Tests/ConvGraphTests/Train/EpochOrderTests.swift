import Testing
@testable import ConvGraph

/// SPEC §10 "Order": epoch e visits the samples in the order of numpy's e-th
/// `RandomState(seed).permutation(S)` call. The reference values below are numpy's own
/// output, printed by `Scripts/epoch-order-reference.py` (pasted unchanged).
struct EpochOrderTests {
    /// sum(i · perm[i]) mod 2^61, as the script computes it.
    static func checksum(_ p: [Int]) -> UInt64 {
        let mod: UInt64 = 1 << 61
        var total: UInt64 = 0
        for (i, v) in p.enumerated() {
            total = (total + UInt64(i).multipliedFullWidth(by: UInt64(v)).low % mod) % mod
        }
        return total
    }

    static func isPermutation(_ p: [Int], of n: Int) -> Bool {
        p.count == n && Set(p) == Set(0..<n)
    }

    @Test func smallPermutationsMatchNumpyCallAfterCall() {
        for (seed, count, calls) in NumpyEpochReference.small {
            var state = RandomState(seed: seed)
            for (call, expected) in calls.enumerated() {
                #expect(state.permutation(count) == expected, "seed \(seed), S = \(count), call \(call)")
            }
        }
    }

    @Test func bigPermutationsMatchNumpyChecksums() {
        for (seed, count, calls) in NumpyEpochReference.big {
            var state = RandomState(seed: seed)
            for (call, expected) in calls.enumerated() {
                let p = state.permutation(count)
                #expect(Array(p.prefix(20)) == expected.first, "seed \(seed), S = \(count), call \(call)")
                #expect(Self.checksum(p) == expected.checksum, "seed \(seed), S = \(count), call \(call)")
                #expect(Self.isPermutation(p, of: count))
            }
        }
    }

    /// `randint(0, max + 1, dtype=int64)` draws with `random_interval` for a max past 32 bits:
    /// 64-bit words built high word first, rejection under the mask (3·2^40 rejects often).
    @Test func wideIntervalsMatchNumpyRandint() {
        for (seed, max, draws) in NumpyEpochReference.wide {
            var state = RandomState(seed: seed)
            #expect((0..<draws.count).map { _ in state.randomInterval(max) } == draws, "seed \(seed), max \(max)")
        }
        var state = RandomState(seed: 5)
        _ = state.randomInterval((1 << 40) + 5)
        #expect(state.permutation(10) == NumpyEpochReference.afterWide)
    }

    @Test func intervalOfZeroDrawsNothing() {
        var a = RandomState(seed: 3), b = RandomState(seed: 3)
        #expect(a.randomInterval(0) == 0)
        #expect(a.permutation(10) == b.permutation(10))
    }

    /// The kept Gaussian of `randn` survives a permutation (numpy's shuffle never touches it).
    @Test func permutationLeavesTheKeptGaussianAlone() {
        var a = RandomState(seed: 0)
        _ = a.standardNormal()
        _ = a.permutation(5)
        // seed 0 → randn(5)[1] = 0.4001572083672233 (SPEC §5): the kept half of the first pair.
        #expect(a.standardNormal() == 0.4001572083672233)
    }

    @Test func skippingDrawsWhatAPermutationDraws() {
        for count in [0, 1, 2, 10, 1437] {
            var a = RandomState(seed: 11), b = RandomState(seed: 11)
            _ = a.permutation(count)
            b.skipPermutation(count)
            #expect(a.randomSample() == b.randomSample(), "S = \(count)")
        }
    }

    /// Epoch e is numpy's (e+1)-th call, whether reached by `order(ofEpoch:)`, by a cursor
    /// resumed there, or by walking a cursor from epoch 0.
    @Test func epochsAreNumpysConsecutiveCallsAndResumeAnywhere() {
        for (seed, count, calls) in NumpyEpochReference.small where count == 10 {
            let order = EpochOrder(seed: seed, sampleCount: count, shuffle: true)
            var walk = order.cursor()
            for (e, expected) in calls.enumerated() {
                #expect(order.order(ofEpoch: e) == expected, "seed \(seed), epoch \(e)")
                #expect(walk.epoch == e)
                #expect(walk.next() == expected, "seed \(seed), epoch \(e)")
                var resumed = order.cursor(atEpoch: e)
                #expect(resumed.next() == expected, "seed \(seed), resumed at epoch \(e)")
            }
            #expect(walk.epoch == 3)
        }
        for (seed, count, calls) in NumpyEpochReference.big where count == 1437 {
            let order = EpochOrder(seed: seed, sampleCount: count)
            let third = order.order(ofEpoch: 2)
            #expect(Array(third.prefix(20)) == calls[2].first)
            #expect(Self.checksum(third) == calls[2].checksum)
        }
    }

    @Test func withoutShuffleEveryEpochIsFileOrder() {
        let order = EpochOrder(seed: 0, sampleCount: 7, shuffle: false)
        #expect(order.order(ofEpoch: 0) == [0, 1, 2, 3, 4, 5, 6])
        #expect(order.order(ofEpoch: 5) == [0, 1, 2, 3, 4, 5, 6])
        var cursor = order.cursor(atEpoch: 2)
        #expect(cursor.next() == Array(0..<7))
        #expect(cursor.epoch == 3)
    }
}

/// numpy's output, from `Scripts/epoch-order-reference.py`.
enum NumpyEpochReference {
    // numpy 2.4.6
    // Small S: three consecutive permutation(S) calls on one RandomState(seed).
    static let small: [(seed: UInt32, count: Int, calls: [[Int]])] = [
        (0, 0, [[], [], []]),
        (0, 1, [[0], [0], [0]]),
        (0, 2, [[1, 0], [0, 1], [0, 1]]),
        (0, 3, [[2, 1, 0], [2, 0, 1], [0, 2, 1]]),
        (0, 10, [[2, 8, 4, 9, 1, 6, 7, 3, 0, 5], [3, 5, 1, 2, 9, 8, 0, 6, 7, 4], [2, 3, 8, 4, 5, 1, 0, 6, 9, 7]]),
        (7, 0, [[], [], []]),
        (7, 1, [[0], [0], [0]]),
        (7, 2, [[0, 1], [1, 0], [0, 1]]),
        (7, 3, [[2, 1, 0], [0, 1, 2], [2, 1, 0]]),
        (7, 10, [[8, 5, 0, 2, 1, 9, 7, 3, 6, 4], [1, 3, 2, 5, 9, 0, 4, 6, 7, 8], [2, 4, 1, 9, 6, 8, 7, 0, 5, 3]]),
        (4294967295, 0, [[], [], []]),
        (4294967295, 1, [[0], [0], [0]]),
        (4294967295, 2, [[0, 1], [1, 0], [1, 0]]),
        (4294967295, 3, [[1, 0, 2], [1, 2, 0], [1, 0, 2]]),
        (4294967295, 10, [[6, 9, 5, 1, 8, 0, 7, 4, 2, 3], [9, 0, 3, 4, 1, 5, 8, 7, 6, 2], [3, 5, 2, 6, 9, 1, 8, 7, 0, 4]]),
    ]
    // Big S: three consecutive calls; each call's first 20 elements and sum(i*perm[i]) mod 2^61.
    static let big: [(seed: UInt32, count: Int, calls: [(first: [Int], checksum: UInt64)])] = [
        (0, 1437, [([52, 34, 987, 1334, 517, 233, 487, 1273, 1364, 1224, 798, 333, 657, 1381, 31, 1401, 795, 988, 1317, 302], 738637840), ([853, 704, 70, 352, 118, 124, 886, 298, 180, 780, 783, 435, 341, 701, 940, 467, 1109, 104, 1110, 536], 736410983), ([585, 1023, 127, 339, 1280, 59, 1355, 1311, 1197, 697, 630, 1145, 1202, 499, 827, 867, 108, 1284, 1345, 636], 743813713)]),
        (0, 100000, [([3582, 60498, 53227, 21333, 3885, 51521, 84261, 10685, 59948, 41032, 25747, 44303, 83813, 61991, 49392, 37116, 65942, 2216, 81749, 77996], 249937372929313), ([10655, 29762, 63784, 10594, 20934, 22540, 38438, 4988, 17380, 97537, 51037, 71904, 74646, 90518, 7521, 35663, 77953, 56735, 60462, 50362], 250181126427952), ([16037, 17477, 92520, 48861, 47878, 29793, 85555, 23375, 26790, 653, 42608, 27573, 47807, 39969, 57971, 61506, 16186, 94430, 83476, 36123], 250057800261623)]),
        (7, 1437, [([1167, 1124, 1409, 620, 1110, 650, 985, 1022, 668, 1151, 308, 649, 533, 658, 416, 204, 1330, 1070, 1346, 354], 742187666), ([239, 1253, 597, 661, 1350, 482, 571, 472, 690, 599, 126, 523, 34, 1035, 280, 514, 346, 684, 1051, 750], 739993794), ([1413, 49, 245, 255, 162, 1140, 964, 660, 1058, 1086, 1350, 209, 567, 1341, 1212, 350, 1073, 985, 1394, 594], 729335988)]),
        (7, 100000, [([33909, 92307, 89107, 9538, 31008, 71305, 71012, 62938, 20435, 3703, 68285, 77770, 94649, 40173, 12074, 15416, 91381, 71030, 74826, 83678], 250316905599413), ([25599, 84447, 2902, 60358, 13154, 86439, 60964, 53436, 86894, 80122, 19784, 61763, 24951, 71246, 40509, 34156, 52176, 55697, 75549, 74273], 249903316994228), ([47609, 89846, 92141, 99378, 36009, 12110, 15461, 37154, 30735, 97409, 2529, 6158, 92102, 34793, 13902, 58375, 39157, 98363, 87557, 19168], 250135654923484)]),
        (4294967295, 1437, [([1268, 818, 475, 1144, 1328, 687, 1114, 1420, 1355, 1269, 167, 112, 972, 632, 284, 99, 791, 350, 655, 982], 735542812), ([555, 1167, 850, 1375, 1370, 1396, 803, 1109, 242, 192, 874, 220, 530, 459, 263, 1298, 1390, 199, 556, 602], 739136059), ([1427, 1253, 1099, 843, 1114, 540, 367, 309, 1224, 1094, 235, 1045, 1173, 321, 1143, 1146, 1303, 744, 1298, 371], 732710709)]),
        (4294967295, 100000, [([85117, 19600, 4648, 56853, 35772, 22343, 76167, 23775, 27230, 34000, 89532, 91476, 74975, 38776, 12024, 8406, 5950, 45865, 7517, 28832], 250219665212733), ([97539, 77205, 75013, 6246, 65848, 17943, 8555, 77557, 35593, 34438, 86508, 26111, 58174, 69823, 61737, 61487, 47570, 6139, 37606, 92595], 249901442175457), ([76737, 64819, 75463, 47185, 93803, 26681, 81450, 21233, 624, 84745, 11175, 37560, 42499, 47684, 62222, 13729, 36334, 47588, 8309, 93650], 250094224817656)]),
    ]
    // randint(0, max + 1, size=8, dtype=np.int64): random_interval(max) with 64-bit words.
    static let wide: [(seed: UInt32, max: UInt64, draws: [UInt64])] = [
        (0, 1099511627781, [741280623151, 506137267392, 841157541223, 41332891347, 300891291096, 379128171916, 375723641006, 379644119889]),
        (0, 4294967296, [2546248239, 1277901399, 243580376, 1171049868, 2051556033, 3488238119, 1686997841, 602801999]),
        (0, 3298534883328, [2940303878703, 2705160522944, 3040180796775, 41332891347, 1191356847858, 300891291096, 2578151427468, 1350671286977]),
        (0, 9223372036854775807, [900450186894289455, 3969543146641149120, 1895649597198586619, 827948490035658087, 7815051614634499795, 2691271404617651954, 8072059273656089175, 7226936298635050456]),
        (7, 1099511627781, [752595690692, 108744157686, 291964244179, 309610205529, 936371205000, 719526270950, 295789249968, 325018774327]),
        (7, 4294967296, [1322904761, 1133316631, 372560217, 1801189930, 68334472, 3731473840, 1687674368, 2887580678]),
        (7, 3298534883328, [752595690692, 2307767413238, 2490987499731, 1495971523769, 1710530300439, 2508633461081, 1573759220266, 3135394460552]),
        (7, 9223372036854775807, [1407639518939636932, 5163590386780219894, 8087222774582268115, 4122204982959224423, 8817350276967689401, 710123494352685591, 20668929189138777, 1329108821600893482]),
    ]
    // A permutation after other draws: RandomState(5); randint(0, 2**40 + 6) then permutation(10).
    static let afterWide: [Int] = [2, 3, 9, 5, 1, 4, 8, 6, 0, 7]
}

import Testing
@testable import ConvGraph

/// `--shard I/N` and the Slurm array variables (SPEC §11.2).
@Suite struct SweepShardTests {
    /// For every N ≤ 5 and sweep sizes 1…23: the shards' runs are disjoint and cover all,
    /// and shard I holds exactly the indices ≡ I (mod N).
    @Test func shardsPartitionTheRuns() throws {
        for n in 1...5 {
            for total in 1...23 {
                var seen = [Int](repeating: 0, count: total)
                for i in 0..<n {
                    let shard = try SweepShard(index: i, count: n)
                    let mine = Array(shard.indices(of: total))
                    #expect(mine == (0..<total).filter { $0 % n == i })
                    #expect(mine.allSatisfy(shard.contains))
                    for k in mine { seen[k] += 1 }
                }
                #expect(seen.allSatisfy { $0 == 1 }, "N = \(n), \(total) runs")
            }
        }
    }

    @Test func shardTextIsParsedAndChecked() throws {
        #expect(try SweepShard(parsing: "3/4") == SweepShard(index: 3, count: 4))
        #expect(try SweepShard(parsing: "0/1") == .all)
        for bad in ["4/4", "-1/4", "1/0", "0/0", "a/b", "1", "1/2/3", "", "/", " 1/2", "1/99999999999999999999"] {
            do {
                _ = try SweepShard(parsing: bad)
                Issue.record("accepted '\(bad)'")
            } catch {
                #expect(error.kind == .usage, "'\(bad)'")
            }
        }
    }

    /// Both variables set: that task of that many; either missing: every run.
    @Test func slurmVariablesChooseTheDefaultShard() throws {
        #expect(try SweepShard(environment: [:]) == .all)
        #expect(try SweepShard(environment: ["SLURM_ARRAY_TASK_ID": "2"]) == .all)
        #expect(try SweepShard(environment: ["SLURM_ARRAY_TASK_COUNT": "4"]) == .all)
        #expect(try SweepShard(environment: ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"]) == SweepShard(index: 2, count: 4))
        // sbatch --array=1-4: task IDs 1…4, minimum 1.
        #expect(try SweepShard(environment: ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"]) == SweepShard(index: 3, count: 4))
        for bad in [["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"], ["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "4"],
                    ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "0"]] {
            #expect(throws: ConvGraphError.self, "\(bad)") { try SweepShard(environment: bad) }
        }
    }
}

#!/usr/bin/env bash
# The Slurm check of issue 14 (item 3): starts a one-node Slurm cluster on this machine
# (Scripts/slurm-cluster.sh: slurm-wlm and munge from Debian, no systemd), submits the array
# job Examples/slurm/sweep.sbatch (4 tasks, each running its shard of the same
# `convgraph sweep`), waits for it, runs the same sweep locally with `--jobs 1`, and compares
# every tensor file (`**/*.npy`: values, grads, params) of the two sweep directories byte for
# byte. Exits 0 only when all 4 array tasks succeeded, both sweeps hold the same runs and the
# same list of tensor files, and every file is identical. The daemons are stopped on exit.
#
#   Scripts/slurm-check.sh
#
# Must run as root. Environment:
#   CONVGRAPH                  the binary to test (default .build/release/convgraph, built
#                              with `swift build -c release` first; with CONVGRAPH set, no build)
#   CONVGRAPH_SLURM_DIR        the cluster's directory (default /var/tmp/convgraph-slurm)
#   CONVGRAPH_SLURM_WAIT       seconds to wait for the array job (default 600)
#   CONVGRAPH_SLURM_KEEP=1     leave the cluster running at the end
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
script=Examples/slurm/sweep.sbatch
wait_seconds=${CONVGRAPH_SLURM_WAIT:-600}
began=$SECONDS

say() { echo "slurm-check: $*"; }
fail() { echo "slurm-check: FAILED: $*" >&2; exit 1; }

if [[ -z ${CONVGRAPH:-} ]]; then
    say "swift build -c release"
    swift build -c release --product convgraph 2>&1 | tail -n 3
    CONVGRAPH=$repo/.build/release/convgraph
fi
[[ -x $CONVGRAPH ]] || fail "no executable convgraph at $CONVGRAPH"
CONVGRAPH=$(realpath "$CONVGRAPH")
export CONVGRAPH

# The sweep command of the job script: the one-line SWEEP=(…) array.
line=$(grep -m 1 '^SWEEP=(' "$script") || fail "$script has no SWEEP=(…) line"
eval "$line"
out=""
for ((i = 0; i < ${#SWEEP[@]} - 1; i++)); do
    [[ ${SWEEP[i]} == --out ]] && out=${SWEEP[i + 1]}
done
[[ -n $out && ${SWEEP[0]} == sweep ]] || fail "the SWEEP of $script is not 'sweep … --out DIR'"
tasks=$(sed -n 's/^#SBATCH --array=0-\([0-9]*\)$/\1/p' "$script")
[[ -n $tasks ]] || fail "$script has no '#SBATCH --array=0-K' line"
tasks=$((tasks + 1))

# Two working directories, each with a copy of Graphs/: one for the cluster, one local.
work=$(mktemp -d /var/tmp/convgraph-slurm-check.XXXXXX)
cleanup() {
    local rc=$?
    if [[ ${CONVGRAPH_SLURM_KEEP:-} != 1 ]]; then Scripts/slurm-cluster.sh stop || rc=1; fi
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for side in slurm local; do
    mkdir "$work/$side"
    cp -R Graphs "$work/$side/Graphs"
done

Scripts/slurm-cluster.sh start
export SLURM_CONF=${CONVGRAPH_SLURM_DIR:-/var/tmp/convgraph-slurm}/slurm.conf

say "sbatch $script ($tasks array tasks), waiting at most ${wait_seconds} s"
submitted=$SECONDS
job=$(sbatch --parsable --chdir="$work/slurm" "$script") || fail "sbatch refused $script"
job=${job%%;*}
# Poll (bounded) rather than `sbatch --wait`, so a stuck job fails the check instead of hanging it.
deadline=$((SECONDS + wait_seconds))
while [[ -n $(squeue -h -j "$job" -o %i 2> /dev/null) ]]; do
    if ((SECONDS >= deadline)); then
        squeue -j "$job" >&2 || true
        scancel "$job" || true
        fail "array job $job still queued or running after ${wait_seconds}s"
    fi
    sleep 1
done
say "array job $job done in $((SECONDS - submitted)) s"

# Every task succeeded: Slurm's record (kept MinJobAge seconds) and the task's own output line.
failures=0
for ((i = 0; i < tasks; i++)); do
    record=$(scontrol -o show job "${job}_$i" 2> /dev/null) || record=""
    state=$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<< "$record")
    code=$(sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p' <<< "$record")
    output=$work/slurm/slurm-${job}_$i.out
    if [[ $state == COMPLETED && $code == 0:0 ]] && grep -qx "convgraph-sweep-task $i exit 0" "$output" 2> /dev/null; then
        say "task $i: COMPLETED, exit 0"
    else
        echo "slurm-check: task $i: state '${state:-?}', exit code '${code:-?}'; its output:" >&2
        cat "$output" >&2 2> /dev/null || echo "(no output file $output)" >&2
        failures=$((failures + 1))
    fi
done
((failures == 0)) || fail "$failures of $tasks array tasks failed"

say "the same sweep locally with --jobs 1"
(cd "$work/local" && env -u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_COUNT -u SLURM_ARRAY_JOB_ID \
    "$CONVGRAPH" "${SWEEP[@]}" --jobs 1 > "$work/local.out" 2>&1) \
    || { cat "$work/local.out" >&2; fail "the local sweep failed"; }

# Same runs (sweep.json: index, directory, overrides), each complete (manifest.json) on both sides.
a=$work/slurm/$out
b=$work/local/$out
python3 - "$a" "$b" <<'PY' || fail "the two sweeps do not hold the same complete runs"
import json, os, sys
def runs(root):
    with open(os.path.join(root, "sweep.json")) as f:
        sweep = json.load(f)
    listed = [(r["index"], r["dir"], r["overrides"]) for r in sweep["runs"]]
    for _, d, _ in listed:
        if not os.path.isfile(os.path.join(root, d, "manifest.json")):
            sys.exit(f"{root}/{d}: no manifest.json (not a complete run)")
    return listed
a, b = runs(sys.argv[1]), runs(sys.argv[2])
if a != b:
    sys.exit(f"different runs:\n  slurm {a}\n  local {b}")
if not a:
    sys.exit("the sweep has no runs")
print(f"slurm-check: {len(a)} runs in both sweeps, each complete")
PY

# Byte-for-byte comparison of every tensor file.
(cd "$a" && find . -name '*.npy' -type f | LC_ALL=C sort) > "$work/slurm.files"
(cd "$b" && find . -name '*.npy' -type f | LC_ALL=C sort) > "$work/local.files"
diff -u "$work/local.files" "$work/slurm.files" >&2 || fail "the two sweeps hold different tensor files"
count=$(wc -l < "$work/slurm.files")
((count > 0)) || fail "no tensor files in $a"
differing=0
while IFS= read -r file; do
    cmp -s "$a/$file" "$b/$file" || { echo "slurm-check: differs: $out/${file#./}" >&2; differing=$((differing + 1)); }
done < "$work/slurm.files"
((differing == 0)) || fail "$differing of $count tensor files differ"

say "OK $(date -u '+%Y-%m-%d %H:%M UTC'), $(sinfo -V), $tasks/$tasks array tasks exit 0, $count tensor files identical (Slurm array vs --jobs 1), $((SECONDS - began)) s"

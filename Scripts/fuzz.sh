#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (ConvGraph instrumented too) and runs each for a
# bounded time, one after the other, in one process at low priority.
#
#   Scripts/fuzz.sh [SECONDS] [TARGET...]     SECONDS per target (default 60);
#                                             TARGET: graph-loader npy overrides safetensors (default all)
#
# Environment: SCRATCH (build directory, default .build-fuzz), FUZZ_ARGS (extra libFuzzer
# flags), NO_BUILD=1 (reuse the last build). The growing corpus is kept in
# $SCRATCH/corpus/TARGET (seeded from Fuzz/Corpus/TARGET), logs and crash inputs in
# $SCRATCH/runs/TARGET/. Exits 1 when a target crashed, leaked, timed out or ran out of
# memory; the input is printed and left in $SCRATCH/runs/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_EACH=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(graph-loader npy overrides safetensors)
for target in "${TARGETS[@]}"; do
    case $target in
        graph-loader|npy|overrides|safetensors) ;;
        *) echo "unknown target '$target' (graph-loader, npy, overrides, safetensors)" >&2; exit 64 ;;
    esac
done
SCRATCH=${SCRATCH:-$ROOT/.build-fuzz}
case $SCRATCH in /*) ;; *) SCRATCH=$ROOT/$SCRATCH ;; esac

if [ "${NO_BUILD:-0}" != 1 ]; then
    echo "== building fuzz targets in $SCRATCH"
    mkdir -p "$SCRATCH"
    for target in "${TARGETS[@]}"; do
        if ! nice -n 15 swift build -c release --package-path Fuzz --scratch-path "$SCRATCH" --product "fuzz-$target" \
            -Xswiftc -sanitize=fuzzer,address -Xswiftc -g >"$SCRATCH/fuzz-build.log" 2>&1; then
            grep -E 'error' "$SCRATCH/fuzz-build.log" | grep -v "Cannot export local symbol" | head -20 >&2
            echo "build of fuzz-$target failed (log $SCRATCH/fuzz-build.log)" >&2
            exit 2
        fi
        tail -1 "$SCRATCH/fuzz-build.log"
    done
fi
BIN=$(swift build -c release --package-path Fuzz --scratch-path "$SCRATCH" --show-bin-path)

# Swift's backtracer would hang the crashing process; ASan and libFuzzer report instead.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0:symbolize=1}

status=0
for target in "${TARGETS[@]}"; do
    case $target in
        graph-loader) maxlen=4096; extra=(-dict="$ROOT/Fuzz/yaml.dict") ;;
        npy) maxlen=2048; extra=() ;;
        overrides) maxlen=512; extra=(-dict="$ROOT/Fuzz/yaml.dict") ;;
        safetensors) maxlen=2048; extra=(-dict="$ROOT/Fuzz/safetensors.dict") ;;
    esac
    corpus=$SCRATCH/corpus/$target
    out=$SCRATCH/runs/$target
    mkdir -p "$corpus" "$out"
    log=$out/fuzz-$(date -u +%Y%m%dT%H%M%SZ).log
    echo "== $target: ${SECONDS_EACH}s, log $log"
    set +e
    # One process (no -jobs/-fork), single-threaded, bounded input, memory and time per input.
    nice -n 15 "$BIN/fuzz-$target" "$corpus" "$ROOT/Fuzz/Corpus/$target" \
        -max_total_time="$SECONDS_EACH" -max_len=$maxlen -rss_limit_mb=2048 -malloc_limit_mb=2048 \
        -timeout=10 -print_final_stats=1 -artifact_prefix="$out/" "${extra[@]}" ${FUZZ_ARGS:-} >"$log" 2>&1
    rc=$?
    set -e
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    echo "   runs: ${runs:-?}; last status: ${last:-none}"
    if [ $rc -ne 0 ]; then
        status=1
        echo "   FAILED (exit $rc):" >&2
        grep -E 'ERROR:|SUMMARY:|Fatal error|Test unit written|artifact_prefix' "$log" | head -10 >&2
    fi
done
exit $status

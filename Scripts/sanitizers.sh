#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer (with LeakSanitizer), then ThreadSanitizer,
# one after the other at low priority, each in its own build directory.
#
#   Scripts/sanitizers.sh [address|thread ...] [-- EXTRA swift test ARGUMENTS]
#
# The whole suite runs, HostileInputTests included (under a sanitizer it drops its
# address-space limit and memory bound, which a sanitized binary cannot meet). Leaks in
# toolchain libraries are suppressed by Scripts/sanitizers/lsan.supp. Exits non-zero when
# any run fails.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
kinds=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do kinds+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#kinds[@]} -gt 0 ] || kinds=(address thread)

export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/Scripts/sanitizers/lsan.supp:print_suppressions=0}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0:second_deadlock_stack=1}

status=0
for kind in "${kinds[@]}"; do
    case $kind in
        address) scratch=.build-asan ;;
        thread) scratch=.build-tsan ;;
        *) echo "unknown sanitizer '$kind' (address, thread)" >&2; exit 64 ;;
    esac
    log=$ROOT/$scratch/sanitizer-test.log
    mkdir -p "$ROOT/$scratch"
    echo "== $kind: swift test --sanitize=$kind --scratch-path $scratch (log $log)"
    start=$(date +%s)
    if ! nice -n 15 swift build --build-tests --sanitize="$kind" --scratch-path "$scratch" >"$log.build" 2>&1; then
        echo "   build failed:" >&2; grep -E 'error:' "$log.build" | head -10 >&2
        status=1; continue
    fi
    nice -n 15 swift test --skip-build --sanitize="$kind" --scratch-path "$scratch" "$@" >"$log" 2>&1
    rc=$?
    reports=$(grep -cE '^(==[0-9]+==ERROR|WARNING: ThreadSanitizer|SUMMARY: (Address|Thread|Leak)Sanitizer)' "$log")
    echo "   exit $rc, $((${reports:-0})) sanitizer report lines, $(( $(date +%s) - start )) s"
    grep -E 'Test run with [0-9]+ tests' "$log" | tail -1 | sed 's/^/   /'
    if [ $rc -ne 0 ] || [ "${reports:-0}" -ne 0 ]; then
        status=1
        grep -E '^==[0-9]+==ERROR|^WARNING: ThreadSanitizer|^SUMMARY|✘' "$log" | head -20 | sed 's/^/   /'
    fi
done
exit $status

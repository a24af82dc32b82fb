#!/usr/bin/env bash
# The slow checks that are not part of the 20-minute CI gate (.ci/run): each libFuzzer
# target for SECONDS (default 60), then the whole test suite under AddressSanitizer (with
# LeakSanitizer) and under ThreadSanitizer. About 35 minutes on two cores, most of it the
# two sanitized builds and test runs. Run it before a release, after touching unsafe code
# (kernels, the .npy/safetensors/YAML readers, the engine's buffers or threads), or set
# CONVGRAPH_DEEP_CHECK=1 to have .ci/run run it at its end.
#
#   Scripts/deep-check.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash Scripts/fuzz.sh "${1:-60}"
bash Scripts/sanitizers.sh address
# ThreadSanitizer skips the hostile-input suite: single-threaded parsing, which the
# AddressSanitizer pass covers, and the slowest suite under TSan.
bash Scripts/sanitizers.sh thread -- --skip HostileInputTests
echo "deep check passed in $(( $(date +%s) - start )) s"

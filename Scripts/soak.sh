#!/usr/bin/env bash
# Parses and runs a graph ITERATIONS times in one release process and prints the RSS curve
# (Fuzz/Sources/Soak); exits 1 when RSS grew by 2 MiB or more after the first checkpoint.
#
#   Scripts/soak.sh [ITERATIONS (10000)] [GRAPH (Graphs/seed.yaml)] [CHECKPOINT EVERY (1000)]
#
# SCRATCH sets the build directory (default .build-soak-release).
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-$PWD/.build-soak-release}
nice -n 15 swift build -c release --package-path Fuzz --scratch-path "$SCRATCH" --product soak 2>&1 | tail -1
BIN=$(swift build -c release --package-path Fuzz --scratch-path "$SCRATCH" --show-bin-path)
"$BIN/soak" "$@"

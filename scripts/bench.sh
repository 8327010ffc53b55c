#!/usr/bin/env bash
# Runs the benchmarks and prints their figures (not part of the test run:
# speed is measured here, never asserted in tests).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo bench -p shipshape --bench fleet
cargo bench -p shipshape --bench checks
cargo bench -p shipshape --bench day2
cargo bench -p shipshape --bench export

#!/usr/bin/env bash
# Runs the benchmarks and prints their figures (not part of the test run:
# speed is measured here, never asserted in tests).
#
#   scripts/bench.sh              on SQLite (the embedded default)
#   scripts/bench.sh --postgres   the read-model benchmarks again on a throwaway
#                                 PostgreSQL with durable settings (fsync on),
#                                 writers on two replicas of it, and
#                                 migrate-store of a 100k-row SQLite install
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
if [ "${1:-}" = "--postgres" ]; then
  pg_dir="$(mktemp -d)/pg"
  BENCH_POSTGRES_URL="$(PG_DURABLE=1 scripts/pg.sh start "$pg_dir")"
  export BENCH_POSTGRES_URL
  trap 'scripts/pg.sh stop "$pg_dir"; rm -rf "$(dirname "$pg_dir")"' EXIT
  cargo bench -p shipshape --bench replicas
  cargo bench -p shipshape --bench migrate_store
  cargo bench -p shipshape --bench fleet
  cargo bench -p shipshape --bench day2
  cargo bench -p shipshape --bench export
  exit 0
fi
cargo bench -p shipshape --bench fleet
cargo bench -p shipshape --bench checks
cargo bench -p shipshape --bench day2
cargo bench -p shipshape --bench export

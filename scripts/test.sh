#!/usr/bin/env bash
# Runs every test: formatting and lints, unit and integration tests (the real
# server on random ports against temp SQLite files), the integration tests
# again on a throwaway PostgreSQL, then the release build driven by
# Playwright in Debian's headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# A one-off run gains nothing from incremental caches, which are the largest
# part of target/ (tens of GB here); a developer may turn them back on.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# Each step says how long the one before it took, and the end sums them up,
# so a slow CI run shows where its minutes went.
timings=()
step_name=""
step_start=$SECONDS
end_step() {
  if [ -n "$step_name" ]; then
    timings+=("$(printf '%5ds  %s' $((SECONDS - step_start)) "$step_name")")
  fi
  step_start=$SECONDS
}
step() {
  end_step
  step_name="$*"
  printf '\n\033[1m==> %s\033[0m\n' "$*"
}
report_timings() {
  end_step
  step_name=""
  printf '\n\033[1m==> time per step (total %ds)\033[0m\n' "$SECONDS"
  printf '%s\n' "${timings[@]}"
}
trap report_timings EXIT

step "setup (what is missing)"
scripts/setup.sh --test

step "format"
cargo fmt --all -- --check

step "lints"
cargo clippy --workspace --exclude shipshape-frontend --exclude shipshape-site --all-targets -- -D warnings
# The site builder lints in its own target directory, where its release
# build goes too (its dependencies are not the server's).
cargo clippy -p shipshape-site --all-targets --profile=tool --target-dir=target/tools -- -D warnings

step "a throwaway PostgreSQL (Debian's, on a loopback port, as an unprivileged user)"
pg_dir="$(mktemp -d)/pg"
TEST_POSTGRES_URL="$(scripts/pg.sh start "$pg_dir")"
export TEST_POSTGRES_URL
trap 'scripts/pg.sh stop "$pg_dir"; rm -rf "$(dirname "$pg_dir")"; report_timings' EXIT

step "compile the tests"
cargo test --workspace --exclude shipshape-frontend --exclude shipshape-site --no-run

step "unit and integration tests (SQLite; the replica and migration tests use PostgreSQL)"
cargo test --workspace --exclude shipshape-frontend --exclude shipshape-site --no-fail-fast

step "the integration tests again, every server on PostgreSQL"
# Not the tests that reach into the SQLite file itself (tampering with it,
# hot backups of it, its schema's history), nor those that run on
# PostgreSQL already.
TEST_DATABASE=postgres cargo test --no-fail-fast -p shipshape-backend -p shipshape \
  --test services --test read_model \
  --test api --test accounts --test checks --test cli --test day2 --test drift \
  --test export --test gate --test metrics --test notify --test runbook_import \
  --test bundle --test waivers --test trust --test ldap --test oidc --test static_files \
  --test security --test server_fn_status --test page_answers \
  --test faults --test config_push

step "release build (the server and the wasm at once), and the Trino simulator the browser tests check"
scripts/build-release.sh --test
cargo build -p trino-sim
# The site builder's unit tests, on the dependencies its build just compiled.
cargo test -p shipshape-site --profile=tool --target-dir=target/tools

step "end-to-end tests (Playwright + Chromium)"
(cd end2end && npx playwright test)

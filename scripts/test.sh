#!/usr/bin/env bash
# Runs every test: formatting and lints, unit and integration tests (the real
# server on random ports against temp SQLite files), then the release build
# driven by Playwright in Debian's headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# A one-off run gains nothing from incremental caches, which are the largest
# part of target/ (tens of GB here); a developer may turn them back on.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
scripts/setup.sh --test

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "lints"
cargo clippy --workspace --exclude shipshape-frontend --all-targets -- -D warnings

step "unit and integration tests"
cargo test --workspace --exclude shipshape-frontend

step "release build (server + wasm), and the Trino simulator the browser tests check"
cargo leptos build --release --precompress --split
scripts/gzip-site.sh
cargo build -p trino-sim

step "end-to-end tests (Playwright + Chromium)"
(cd end2end && npx playwright test)

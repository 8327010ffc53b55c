#!/usr/bin/env bash
# Builds the release site: the server binary (target/release/shipshape) and
# the wasm, JS and CSS under target/site, as `cargo leptos build --release
# --precompress --split` does, but without the two waiting for each other.
#
# With hashed file names cargo-leptos builds the wasm first and only then the
# server, and the wasm's last step (LTO into one codegen unit) keeps one core
# busy and the other idle for minutes. So the server is built here at the
# same time, in the background: it goes to target/ while the wasm goes to
# target/front, so the two cargo runs do not lock each other out, and with
# the one variable leptos reads at compile time set as cargo-leptos sets it,
# cargo-leptos then finds the server built. On a new machine the server
# starts building before the build tools are installed (setup.sh), which
# keeps both cores busy while they compile.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

mkdir -p target
server_log=target/server-build.log
LEPTOS_OUTPUT_NAME=shipshape cargo build --package=shipshape --bin=shipshape \
  --no-default-features --release >"$server_log" 2>&1 &
server_pid=$!
# Whatever ends this script ends the background build too.
trap 'kill "$server_pid" 2>/dev/null || true' EXIT

scripts/setup.sh "$@"
# cargo-leptos builds the server itself as its last step; cargo waits for the
# background build's lock and then has nothing left to do. A failure shows
# in that step with the compiler's own messages.
cargo leptos build --release --precompress --split
if ! wait "$server_pid"; then
  echo "the background server build failed (cargo-leptos's own build passed):" >&2
  tail -n 40 "$server_log" >&2
  exit 1
fi
trap - EXIT
scripts/gzip-site.sh

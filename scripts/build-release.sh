#!/usr/bin/env bash
# Builds the release site: the server binary (target/release/shipshape) and
# the wasm, JS and CSS under target/site, as `cargo leptos build --release
# --precompress --split` would, without installing cargo-leptos (its own
# build took 18 of the 35 minutes a fresh machine needed to its first page).
#
# Three builds run at once, each in its own target directory so none waits
# for another's lock: the server (target/), the site builder (tools/site,
# target/tools, quick to compile) and the wasm (target/front, whose last
# step, LTO into one codegen unit, keeps one core busy for minutes). The site
# builder then splits the wasm into lazily loaded modules, generates the JS
# bindings, optimises and minifies, names the files by content hash (and
# writes target/release/hash.txt for the server) and precompresses them.
#
# Arguments go to setup.sh (--test installs what the tests need too).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

mkdir -p target
pids=()
# Whatever ends this script ends the background builds still running.
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

server_log=target/server-build.log
cargo build --package=shipshape --bin=shipshape --no-default-features --release \
  >"$server_log" 2>&1 &
server_pid=$!
tool_log=target/site-tool-build.log
cargo build --package=shipshape-site --profile=tool --target-dir=target/tools \
  >"$tool_log" 2>&1 &
tool_pid=$!
pids=("$server_pid" "$tool_pid")

# The wasm target and the npm tools (binaryen, esbuild); with --test the
# test tools too.
scripts/setup.sh "$@"

# The wasm, with relocations kept for the split (as cargo-leptos builds it).
RUSTFLAGS="-Clink-args=--emit-relocs" cargo build --package=shipshape-frontend --lib \
  --target=wasm32-unknown-unknown --no-default-features --profile=wasm-release \
  --target-dir=target/front

failed() {
  echo "$1 failed:" >&2
  tail -n 40 "$2" >&2
  exit 1
}
wait "$tool_pid" || failed "the site builder's build (tools/site)" "$tool_log"
pids=("$server_pid")
# The new site is built beside the served one, and put in place (with the
# hash.txt naming its files) only once the server built too: a failed
# build leaves the previous site and server as they were.
target/tools/tool/shipshape-site --stage
wait "$server_pid" || failed "the server's build" "$server_log"
pids=()
target/tools/tool/shipshape-site --swap
trap - EXIT

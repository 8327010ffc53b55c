#!/usr/bin/env bash
# After `cargo leptos build --release --precompress`: rewrites the .gz copy of
# each built file with gzip -9, which is about 15% smaller for the wasm
# than the one cargo-leptos writes (the .br copies are already at brotli's
# best). The server sends them to browsers that do not ask for brotli (as
# Chromium over plain http does).
set -euo pipefail
cd "$(dirname "$0")/.."
for f in target/site/pkg/*.wasm target/site/pkg/*.js target/site/pkg/*.css; do
  [ -f "$f" ] || continue
  gzip -9 -n -c "$f" > "$f.gz.tmp"
  mv "$f.gz.tmp" "$f.gz"
done

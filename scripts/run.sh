#!/usr/bin/env bash
# Builds the release site and serves the dashboard on http://127.0.0.1:3000
# (data in ./data). Extra arguments go to `shipshape serve`, e.g. --bind 0.0.0.0:3000.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup.sh
cargo leptos build --release --precompress --split
scripts/gzip-site.sh
exec target/release/shipshape serve "$@"

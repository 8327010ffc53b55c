#!/usr/bin/env bash
# Builds the release site and serves the dashboard on http://127.0.0.1:3000
# (data in ./data). Extra arguments go to `shipshape serve`, e.g. --bind 0.0.0.0:3000.
# Installs what is missing first (scripts/setup.sh, called by build-release.sh,
# while the server already compiles).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-release.sh
exec target/release/shipshape serve "$@"

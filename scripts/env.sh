# Sourced by the scripts: puts npm's wasm-opt (binaryen 132) ahead of any
# other on PATH; Debian's older binaryen produces wasm that fails to hydrate.
SHIPSHAPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$SHIPSHAPE_ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

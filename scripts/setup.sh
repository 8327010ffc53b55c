#!/usr/bin/env bash
# Installs what building (and, with --test, testing) Shipshape needs, and only
# what is missing: the wasm32 target, cargo-leptos, wasm-bindgen-cli at the
# version Cargo.lock pins, binaryen's wasm-opt from npm, and for tests Debian's
# Chromium, slapd, openssl and prometheus, Playwright and oidc-provider from npm, and the
# trino Python client. Safe to run again; fast when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
want_test=false
[ "${1:-}" = "--test" ] && want_test=true

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The build tools are compiled with a quick profile: no LTO, many codegen
# units, light optimisation. They orchestrate cargo and rewrite a few MB of
# wasm, so their own speed hardly shows, while a full release build of
# cargo-leptos alone took 16 minutes on two cores.
quick_profile=(--config 'profile.release.lto=false' --config 'profile.release.codegen-units=256'
  --config 'profile.release.opt-level=1' --config 'profile.release.debug=false'
  --config 'profile.release.incremental=false')

if ! cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (a few minutes the first time)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked "${quick_profile[@]}"
fi

# cargo-leptos calls the wasm-bindgen CLI, which must match the crate exactly.
wbg_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wbg_version\$"; then
  say "installing wasm-bindgen-cli $wbg_version"
  # not --locked: its lock file names a crate version the registry lacks
  cargo install wasm-bindgen-cli --version "$wbg_version" "${quick_profile[@]}"
fi

if [ ! -x tools/node_modules/.bin/wasm-opt ]; then
  say "installing binaryen (wasm-opt) from npm"
  (cd tools && npm ci --no-audit --no-fund)
fi

# Debian packages, installed only when one is missing (one apt run).
apt_install() {
  local SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  say "installing Debian packages: $*"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if $want_test; then
  # Chromium for the browser tests; slapd (a throwaway directory per test,
  # never the system service) and openssl for the LDAP login tests.
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  [ -x /usr/sbin/slapd ] || missing+=(slapd)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  # curl sends the uploads of the full-disk tests (Expect: 100-continue).
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  # Prometheus (and promtool) scrape /metrics and check the example rules.
  command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
  # The official Trino Python client referees the simulator's protocol.
  if ! .venv/bin/python -c "import trino" >/dev/null 2>&1; then
    say "creating .venv with the trino Python client"
    python3 -m venv .venv
    .venv/bin/pip install --quiet "trino==0.340.0"
  fi
  # A local OpenID provider (the certified oidc-provider package) for the
  # single sign-on tests.
  if [ ! -d tests/oidc/node_modules/oidc-provider ]; then
    say "installing the test OpenID provider (oidc-provider from npm)"
    (cd tests/oidc && npm ci --no-audit --no-fund)
  fi
  if [ ! -d end2end/node_modules/@playwright/test ] || [ ! -d end2end/node_modules/@axe-core/playwright ]; then
    say "installing Playwright (the test runner only; it uses Debian's chromium) and axe-core"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
fi

#!/usr/bin/env bash
# Installs what building (and, with --test, testing) Shipshape needs, and only
# what is missing: the wasm32 target, binaryen and esbuild from npm, and for tests Debian's
# Chromium, slapd, openssl and prometheus, Playwright and oidc-provider from npm, and the
# trino Python client. Safe to run again; fast when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=false
[ "${1:-}" = "--test" ] && want_test=true

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The site builder's tools from npm: binaryen (its JS build optimises the
# wasm; Debian's binaryen is too old to produce wasm that hydrates) and
# esbuild (minifies the JS and CSS). Nothing is compiled here: the site
# builder itself is a crate of this workspace (tools/site), built by
# build-release.sh beside the server.
if [ ! -f tools/node_modules/binaryen/index.js ] || [ ! -x tools/node_modules/.bin/esbuild ]; then
  say "installing binaryen and esbuild from npm"
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

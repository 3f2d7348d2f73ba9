#!/usr/bin/env bash
# Installs what building, serving and testing Spanorama needs, skipping whatever is already
# installed at the right version (so a second run takes a second or two).
#
#   bash tools/setup.sh          Rust wasm target, clippy/rustfmt, trunk, wasm-bindgen, binaryen
#   bash tools/setup.sh --e2e    the same, plus Chromium and the e2e tests' node modules
#   source tools/setup.sh ...    the same, and puts the tools on the calling shell's PATH
#
# Why each tool, and why this way (see ../shared/TOOLCHAIN.md; the machines reach only the
# package registries, so nothing may be downloaded from anywhere else):
# - trunk 0.21.14: the newest that builds with the machine's Rust 1.95.
# - wasm-bindgen-cli at exactly Cargo.lock's wasm-bindgen version: otherwise Trunk tries to
#   download it. Installed WITHOUT --locked: its lock file names a crate the registry lacks.
# - binaryen 132 from npm (wasm-opt compiled to wasm, run by node) into ./.tools: Trunk's
#   release build runs wasm-opt (index.html: data-wasm-opt="3"; Trunk.toml pins version_132)
#   and would otherwise download it.
# - Chromium from Debian and playwright-core from npm, for tests/e2e (`npx playwright install`
#   cannot download its own browser here).
#
# Prints the PATH addition at the end; tools/serve.sh and tools/test.sh source this file.

_spanorama_setup() {
  set -euo pipefail
  local root e2e=0 arg
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  for arg in "$@"; do
    case "$arg" in
      --e2e) e2e=1 ;;
      -h | --help)
        sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        return 0
        ;;
      *)
        echo "setup: unknown argument: $arg" >&2
        return 2
        ;;
    esac
  done

  local TRUNK_VERSION=0.21.14
  local BINARYEN_VERSION=132
  local cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
  local tools_dir="$root/.tools"
  local binaryen_bin="$tools_dir/node_modules/binaryen/bin"

  step() { printf '==> setup: %s\n' "$*"; }
  ok() { printf '    ok: %s\n' "$*"; }

  # First, so that these win over any other trunk/wasm-bindgen/wasm-opt on PATH.
  export PATH="$cargo_bin:$PATH"

  for cmd in cargo rustup; do
    if ! command -v "$cmd" >/dev/null 2>&1; then
      echo "setup: '$cmd' not found: install Rust with rustup first" >&2
      return 1
    fi
  done

  # --- Rust target and components ------------------------------------------------------------
  step "Rust target wasm32-unknown-unknown"
  # (grep without -q: with pipefail, -q can make the writer die of SIGPIPE and fail the test.)
  if rustup target list --installed | grep -x wasm32-unknown-unknown >/dev/null; then
    ok "already installed"
  else
    rustup target add wasm32-unknown-unknown
  fi

  step "Rust components clippy, rustfmt"
  local comp missing=()
  for comp in clippy rustfmt; do
    if ! rustup component list --installed | grep "^$comp" >/dev/null; then missing+=("$comp"); fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    ok "already installed"
  else
    rustup component add "${missing[@]}"
  fi

  # --- trunk ---------------------------------------------------------------------------------
  step "trunk $TRUNK_VERSION"
  local have
  have="$(trunk --version 2>/dev/null | awk '{print $2}' || true)"
  if [ "$have" = "$TRUNK_VERSION" ]; then
    ok "trunk $have"
  else
    echo "    installing trunk $TRUNK_VERSION (found: ${have:-none}); takes about 8-15 minutes on 2 cores"
    cargo install --locked --force "trunk@$TRUNK_VERSION"
  fi

  # --- wasm-bindgen-cli ----------------------------------------------------------------------
  local wb_version
  wb_version="$(awk '
    /^\[\[package\]\]/ { name = "" }
    /^name = / { name = $3; gsub(/"/, "", name) }
    /^version = / && name == "wasm-bindgen" { v = $3; gsub(/"/, "", v); print v; exit }
  ' "$root/Cargo.lock")"
  if [ -z "$wb_version" ]; then
    echo "setup: no wasm-bindgen entry in Cargo.lock" >&2
    return 1
  fi
  step "wasm-bindgen-cli $wb_version (the version in Cargo.lock)"
  have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  if [ "$have" = "$wb_version" ]; then
    ok "wasm-bindgen $have"
  else
    echo "    installing wasm-bindgen-cli $wb_version (found: ${have:-none}); takes about 4-8 minutes"
    # Not --locked: the CLI's own lock file names a crate version the registry does not serve.
    cargo install --force "wasm-bindgen-cli@$wb_version"
  fi

  # --- binaryen (wasm-opt) -------------------------------------------------------------------
  step "binaryen $BINARYEN_VERSION (wasm-opt) in .tools/"
  if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    _spanorama_apt nodejs npm
  fi
  have="$("$binaryen_bin/wasm-opt" --version 2>/dev/null | awk '{print $3}' || true)"
  if [ "$have" = "$BINARYEN_VERSION" ]; then
    ok "wasm-opt version $have"
  else
    mkdir -p "$tools_dir"
    [ -f "$tools_dir/package.json" ] ||
      printf '{\n  "private": true,\n  "description": "local build tools (tools/setup.sh)"\n}\n' >"$tools_dir/package.json"
    (cd "$tools_dir" && npm install --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION")
    have="$("$binaryen_bin/wasm-opt" --version 2>/dev/null | awk '{print $3}' || true)"
    if [ "$have" != "$BINARYEN_VERSION" ]; then
      echo "setup: $binaryen_bin/wasm-opt reports version '${have}', wanted $BINARYEN_VERSION" >&2
      return 1
    fi
    ok "wasm-opt version $have"
  fi
  export PATH="$binaryen_bin:$PATH"

  if [ "$e2e" = 1 ]; then
    # --- Chromium ----------------------------------------------------------------------------
    step "Chromium (Debian's chromium, chromium-driver)"
    if [ -x /usr/bin/chromium ]; then
      ok "$(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
    else
      _spanorama_apt chromium chromium-driver
      ok "$(/usr/bin/chromium --version 2>/dev/null)"
    fi

    # --- node modules of the end-to-end tests ------------------------------------------------
    step "node modules of tests/e2e (playwright-core)"
    local e2e_dir="$root/tests/e2e" stamp lock_sum
    stamp="$e2e_dir/node_modules/.spanorama-lock.sha256"
    lock_sum="$(sha256sum "$e2e_dir/package-lock.json" | awk '{print $1}')"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ] && [ -d "$e2e_dir/node_modules/playwright-core" ]; then
      ok "up to date with package-lock.json"
    else
      (cd "$e2e_dir" && npm ci --no-audit --no-fund --loglevel=error)
      echo "$lock_sum" >"$stamp"
      ok "installed"
    fi
  fi

  step "done; tools on PATH:"
  echo "    trunk $(trunk --version | awk '{print $2}'), wasm-bindgen $(wasm-bindgen --version | awk '{print $2}'), wasm-opt $(wasm-opt --version | awk '{print $3}') ($(command -v wasm-opt))"
  echo "    to use them in your shell: export PATH=\"$binaryen_bin:$cargo_bin:\$PATH\""
}

# Installs Debian packages, as root or through sudo; `apt-get update` first (only once).
_spanorama_apt() {
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
      echo "setup: need root (or sudo) to install: $*" >&2
      return 1
    fi
  fi
  echo "    apt-get install $*"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# Puts the installed tools first on PATH (idempotent).
_spanorama_path() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  local add="$root/.tools/node_modules/binaryen/bin:${CARGO_HOME:-$HOME/.cargo}/bin"
  case ":$PATH:" in
    "$add:"*) ;;
    *) export PATH="$add:$PATH" ;;
  esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  _spanorama_setup "$@"
else
  # Sourced: run in a subshell so that `set -e` and friends do not leak into the caller, then
  # give the caller the PATH additions. (Not `(...) && ...`: bash ignores `set -e` inside the
  # left side of `&&`/`||`, even in a subshell.) A caller with `set -e` stops on a failure.
  (_spanorama_setup "$@")
  _spanorama_path
fi

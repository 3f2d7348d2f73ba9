#!/usr/bin/env bash
# README command 1: build Spanorama and serve it at http://127.0.0.1:8080/ (rebuilds on change).
#
#   bash tools/serve.sh              dev build (the default)
#   bash tools/serve.sh --release    optimized build, as deployed (LTO + wasm-opt: slower to build)
#   PORT=9000 bash tools/serve.sh    another port
#
# Extra arguments go to `trunk serve`. The first run installs the tools (tools/setup.sh), which
# takes 10-20 minutes on a fresh 2-core machine; later runs skip that.
#
# Why a dev build by default: it compiles in a fraction of the time of the release profile
# (no fat LTO, codegen-units=1 nor wasm-opt), and Cargo.toml's [profile.dev.package."*"]
# still optimizes the dependencies. Use --release to check size or speed on big traces.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=tools/setup.sh
source "$root/tools/setup.sh"

# No online version check; the tools above are on PATH, so Trunk downloads nothing.
export TRUNK_SKIP_VERSION_CHECK=true
# Trunk reads NO_COLOR as a boolean and refuses the usual `NO_COLOR=1`.
if [ -n "${NO_COLOR:-}" ]; then export NO_COLOR=true; fi

echo "==> serve: http://127.0.0.1:${PORT:-8080}/  (Ctrl-C stops)"
exec trunk serve --address 127.0.0.1 --port "${PORT:-8080}" "$@"

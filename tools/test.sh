#!/usr/bin/env bash
# README command 2: run every test of Spanorama.
#
#   bash tools/test.sh              everything (what CI runs)
#   bash tools/test.sh --e2e-only   skip `cargo test`: build the site and run the browser tests
#   bash tools/test.sh --no-build   reuse the site already built in dist-e2e/ (implies --e2e-only)
#
# Steps:
#   1. tools/setup.sh --e2e: installs what is missing (Rust wasm target, trunk, wasm-bindgen,
#      binaryen, Chromium, the e2e tests' node modules)
#   2. cargo test --all-targets, then cargo test --doc (native)
#   3. trunk build --release --public-url /spanorama/ --dist dist-e2e: the site as deployed,
#      but to be served from the sub-path /spanorama/ (as on GitHub Pages)
#   4. node --test tests/e2e/: headless Chromium against that site (tests/e2e/README.md)
#
# Every step runs even if an earlier one failed (except the browser tests, which need the
# build); the script exits non-zero if any failed. The trace corpus is read from
# ../shared/corpus (SPANORAMA_CORPUS overrides).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

run_cargo=1
run_build=1
for arg in "$@"; do
  case "$arg" in
    --e2e-only) run_cargo=0 ;;
    --no-build) run_cargo=0 run_build=0 ;;
    -h | --help)
      sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "test: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

failed=()
timings=()
t_all=$SECONDS

# Output of the test runners, to add up their counts at the end.
log="$(mktemp "${TMPDIR:-/tmp}/spanorama-test.XXXXXX")"
trap 'rm -f "$log"' EXIT
steps_failed_silently=0

# run_step NAME COMMAND...: runs the command, records its time and whether it failed.
run_step() {
  local name="$1" t0=$SECONDS rc=0 before
  shift
  printf '\n==> test: %s\n    $ %s\n' "$name" "$*"
  before="$(count_results)"
  "$@" 2>&1 | tee -a "$log" || rc=${PIPESTATUS[0]}
  # A step that failed without a failing test (a build error, a crash) still counts as one.
  if [ "$rc" != 0 ] && [ "$(count_results | cut -d' ' -f2)" = "$(echo "$before" | cut -d' ' -f2)" ]; then
    steps_failed_silently=$((steps_failed_silently + 1))
  fi
  local dt=$((SECONDS - t0))
  timings+=("$(printf '%-28s %4ds  %s' "$name" "$dt" "$([ "$rc" = 0 ] && echo ok || echo "FAILED (exit $rc)")")")
  if [ "$rc" != 0 ]; then
    failed+=("$name")
    printf '==> test: %s FAILED (exit %s) after %ss\n' "$name" "$rc" "$dt"
    return 1
  fi
  printf '==> test: %s ok (%ss)\n' "$name" "$dt"
}

# Prints "PASSED FAILED SKIPPED" added up from the runners' own summary lines in the log:
# cargo's `test result: ok. 3 passed; 0 failed; 1 ignored; ...` and node's `ℹ pass 3` etc.
count_results() {
  awk '
    /^test result: / {
      for (i = 1; i <= NF; i++) {
        v = $i; sub(/[;,.]$/, "", v)
        if ($(i+1) ~ /^passed/) p += v
        if ($(i+1) ~ /^failed/) f += v
        if ($(i+1) ~ /^ignored/) s += v
      }
    }
    /^(ℹ|#) (pass|fail|cancelled|skipped|todo) [0-9]+$/ {
      if ($2 == "pass") p += $3
      else if ($2 == "fail" || $2 == "cancelled") f += $3
      else s += $3
    }
    END { printf "%d %d %d\n", p, f, s }
  ' "$log"
}

print_timings() {
  printf '\n==> test: timings\n'
  printf '    %s\n' "${timings[@]}"
  printf '    %-28s %4ds\n' "total" "$((SECONDS - t_all))"
}

# 1. Tools. Without them nothing else can run.
t0=$SECONDS
# shellcheck source=tools/setup.sh
source "$root/tools/setup.sh" --e2e
timings+=("$(printf '%-28s %4ds  ok' "setup" "$((SECONDS - t0))")")

export TRUNK_SKIP_VERSION_CHECK=true
# Trunk reads NO_COLOR as a boolean and refuses the usual `NO_COLOR=1`.
if [ -n "${NO_COLOR:-}" ]; then export NO_COLOR=true; fi

# 2. Native unit and integration tests.
if [ "$run_cargo" = 1 ]; then
  run_step "cargo test (all targets)" cargo test --all-targets || true
  run_step "cargo test (doc)" cargo test --doc || true
fi

# 3. The site, built for the sub-path /spanorama/.
build_ok=1
if [ "$run_build" = 1 ]; then
  rm -rf "$root/dist-e2e"
  run_step "trunk build (release)" trunk build --release --public-url /spanorama/ --dist dist-e2e || build_ok=0
elif [ ! -f "$root/dist-e2e/index.html" ]; then
  echo "test: --no-build, but dist-e2e/index.html does not exist" >&2
  failed+=("dist-e2e missing")
  build_ok=0
fi

# 4. End-to-end tests in headless Chromium.
if [ "$build_ok" = 1 ]; then
  export SPANORAMA_DIST="$root/dist-e2e"
  run_step "e2e (node --test)" node --test --test-reporter=spec tests/e2e/ || true
else
  echo "==> test: e2e tests skipped: the site did not build" >&2
  failed+=("e2e (not run)")
fi

print_timings
read -r n_pass n_fail n_skip < <(count_results)
n_fail=$((n_fail + steps_failed_silently))
total_line="$(printf 'Total: %d passed, %d failed, %d skipped' "$n_pass" "$n_fail" "$n_skip")"
# For .ci/run, which prints it again as its own last line.
if [ -n "${SPANORAMA_TEST_SUMMARY:-}" ]; then echo "$total_line" >"$SPANORAMA_TEST_SUMMARY"; fi
if [ "${#failed[@]}" -gt 0 ]; then
  printf '\n==> test: FAILED:'
  printf ' [%s]' "${failed[@]}"
  printf '\n'
  echo "$total_line"
  exit 1
fi
printf '\n==> test: all steps passed\n'
echo "$total_line"

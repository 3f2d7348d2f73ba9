#!/usr/bin/env bash
# Benchmarks: the browser benchmark (and, with --native, the native import benchmark too).
#
#   bash tools/bench.sh                 generated OTLP, Jaeger and Zipkin traces of 10k, 100k
#                                       and 1M spans, loaded in headless Chromium; prints a
#                                       Markdown table (see tests/e2e/bench/browser-bench.mjs)
#   bash tools/bench.sh --native        also `cargo bench -p spanorama-core --bench import` first
#
# Environment: BENCH_SIZES (default 10000,100000,1000000), BENCH_FORMATS (default
# otlp,jaeger,zipkin). Generated files are kept in target/bench-data/ (about 2.5 GB for all
# sizes) and reused; the site is built into dist-bench/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

native=0
for arg in "$@"; do
  case "$arg" in
    --native) native=1 ;;
    -h | --help)
      sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "bench: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

# shellcheck source=tools/setup.sh
source tools/setup.sh --e2e

sizes="${BENCH_SIZES:-10000,100000,1000000}"
formats="${BENCH_FORMATS:-otlp,jaeger,zipkin}"

if [ "$native" = 1 ]; then
  SPANORAMA_BENCH_SIZES="$sizes" cargo bench -p spanorama-core --bench import
fi

echo "==> bench: building the site (release) into dist-bench/" >&2
trunk build --release --public-url /spanorama/ --dist dist-bench >&2

echo "==> bench: generating traces into target/bench-data/<generator hash>/" >&2
cargo build --release -p spanorama-gen >&2
# A changed generator writes new files: the folder is named by a hash of its sources.
gen_hash="$(cat crates/gen/src/*.rs | sha256sum | cut -c1-12)"
data_dir="target/bench-data/$gen_hash"
mkdir -p "$data_dir"
entries=()
IFS=',' read -r -a size_list <<<"$sizes"
IFS=',' read -r -a format_list <<<"$formats"
for format in "${format_list[@]}"; do
  for size in "${size_list[@]}"; do
    file="$data_dir/$format-$size.json"
    if [ ! -s "$file" ]; then
      target/release/spanorama-gen --format "$format" --traces 1 --spans "$size" --seed 7 --out "$file.tmp" >&2
      mv "$file.tmp" "$file"
    fi
    entries+=("$format:$size:$root/$file")
  done
done

echo "==> bench: Chromium $(chromium --version 2>/dev/null | awk '{print $2}'), $(nproc) cores, $(uname -m)" >&2
BENCH_FILES="$(IFS=','; echo "${entries[*]}")" SPANORAMA_DIST=dist-bench \
  node tests/e2e/bench/browser-bench.mjs

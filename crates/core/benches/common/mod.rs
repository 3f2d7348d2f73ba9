//! Shared by the native benchmarks: which sizes to run, and the generated trace of a size.

use spanorama_gen::GenConfig;

/// Span counts to run: `SPANORAMA_BENCH_SIZES` (comma-separated) when set; otherwise `bench`
/// under `cargo bench` (which passes `--bench`), or 1,000 alone when `cargo test
/// --all-targets` runs the benchmark binary, just to check that it still works.
pub fn sizes(bench: &[usize]) -> Vec<usize> {
    let benching = std::env::args().any(|a| a == "--bench");
    let default_sizes = if benching {
        bench.to_vec()
    } else {
        vec![1_000]
    };
    std::env::var("SPANORAMA_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or(default_sizes)
}

/// One deterministic generated trace of exactly `spans` spans.
pub fn one_trace(spans: usize) -> GenConfig {
    GenConfig {
        seed: 42,
        traces: 1,
        spans_min: spans,
        spans_max: spans,
        ..GenConfig::default()
    }
}

//! Shared by the native benchmarks: which sizes to run, the generated traces of a size,
//! and their store.
// Each benchmark compiles this module on its own and uses part of it.
#![allow(dead_code)]

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

/// Deterministic generated traces of 400–600 spans adding up to about `spans`.
pub fn many_traces(spans: usize) -> GenConfig {
    GenConfig {
        traces: (spans / 500).max(1),
        spans_min: 400,
        spans_max: 600,
        ..one_trace(spans)
    }
}

/// The store of `cfg`'s traces, written as OTLP and imported; the benchmark stops with a
/// message if that fails.
pub fn generated(cfg: &GenConfig) -> spanorama_core::model::Store {
    let made = spanorama_gen::to_bytes(cfg, spanorama_gen::Format::Otlp).and_then(|(bytes, _)| {
        spanorama_core::import::import("bench.json", &bytes).map_err(|e| e.to_string())
    });
    made.unwrap_or_else(|e| {
        eprintln!(
            "generating or importing {} spans failed: {e}",
            cfg.spans_max
        );
        std::process::exit(1);
    })
}

/// The first trace of `store`; the benchmark stops with a message if there is none.
pub fn first_trace(store: &spanorama_core::model::Store) -> spanorama_core::model::Trace {
    spanorama_core::model::build_traces(store)
        .into_iter()
        .next()
        .unwrap_or_else(|| {
            eprintln!("no trace in the generated spans");
            std::process::exit(1);
        })
}

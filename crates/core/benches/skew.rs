//! Native clock-skew benchmark: `model::skew::detect_skew` and `adjust_skew` over one
//! generated trace (`spanorama_gen`, deterministic) and over many small ones of the same
//! total size, the longest step of a [`SkewBuild`] of 50,000 spans, and `call_gap` asked of
//! every span. Prints a table; asserts nothing.
//!
//!     cargo bench -p spanorama-core --bench skew                  # 100k and 1M spans
//!     SPANORAMA_BENCH_SIZES=10000 cargo bench -p spanorama-core --bench skew
//!
//! Each figure is the best and the median of five runs, in ms.

use spanorama_core::model::{
    adjust_skew, build_traces, call_gap, detect_skew, SkewBuild, Store, Trace,
};
use spanorama_gen::GenConfig;
use std::time::Instant;

mod common;

fn main() {
    let sizes = common::sizes(&[100_000, 1_000_000]);
    println!(
        "{:>10} {:>8} {:>8}  {:>16} {:>16} {:>16} {:>16}",
        "spans",
        "traces",
        "gaps",
        "detect best/med",
        "adjust best/med",
        "step best/med",
        "gaps best/med"
    );
    for &spans in &sizes {
        let many = common::many_traces(spans);
        for cfg in [common::one_trace(spans), many] {
            run(&cfg);
        }
    }
}

fn run(cfg: &GenConfig) {
    let store = common::generated(cfg);
    let traces = build_traces(&store);
    let detect = time(|| {
        traces
            .iter()
            .map(|t| detect_skew(&store, t).calls.len())
            .sum()
    });
    let adjust = time(|| {
        traces
            .iter()
            .map(|t| adjust_skew(&store, t).adjusted.len())
            .sum()
    });
    let step = longest_step(&store, &traces);
    let gaps = time(|| traces.iter().map(|t| gap_count(&store, t)).sum());
    println!(
        "{:>10} {:>8} {:>8}  {:>7.1} {:>8.1} {:>7.1} {:>8.1} {:>7.1} {:>8.1} {:>7.1} {:>8.1}",
        store.spans.len(),
        traces.len(),
        gaps.2,
        detect.0,
        detect.1,
        adjust.0,
        adjust.1,
        step.0,
        step.1,
        gaps.0,
        gaps.1
    );
}

/// Best and median of five runs of the longest [`SkewBuild::step`] of 50,000 spans, ms.
fn longest_step(store: &Store, traces: &[Trace]) -> (f64, f64) {
    let mut ms = Vec::new();
    for _ in 0..5 {
        let mut longest = 0f64;
        for trace in traces {
            let mut build = SkewBuild::new(store, trace);
            loop {
                let t0 = Instant::now();
                let done = build.step(50_000);
                longest = longest.max(t0.elapsed().as_secs_f64() * 1e3);
                if done {
                    break;
                }
            }
            std::hint::black_box(build.finish());
        }
        ms.push(longest);
    }
    ms.sort_by(f64::total_cmp);
    (ms[0], ms[ms.len() / 2])
}

/// Calls found by asking `call_gap` of every span (each call is found from both sides).
fn gap_count(store: &Store, trace: &Trace) -> usize {
    (0..trace.len() as u32)
        .filter(|&p| call_gap(store, trace, p).is_some_and(|g| g.client_pos == p))
        .count()
}

/// Best and median of five runs of `f` in ms, and what it returned.
fn time(f: impl Fn() -> usize) -> (f64, f64, usize) {
    let mut ms = Vec::new();
    let mut out = 0;
    for _ in 0..5 {
        let t0 = Instant::now();
        out = std::hint::black_box(f());
        ms.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    (ms[0], ms[ms.len() / 2], out)
}

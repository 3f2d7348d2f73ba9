//! Native critical-path benchmark: `model::critical_path` over one generated trace
//! (`spanorama_gen`, deterministic), in one go and in the page's steps of 50,000 spans.
//! A generated trace's path runs through few of its spans (the walk reads only those and
//! their children), so two made-up shapes of the same size follow, where every span is on
//! the path: one root with all the others as back-to-back children (one sort of them all),
//! and a chain where each span is the only child of the one before. Prints a table; asserts
//! nothing.
//!
//!     cargo bench -p spanorama-core --bench critical_path          # 100k and 1M spans
//!     SPANORAMA_BENCH_SIZES=10000 cargo bench -p spanorama-core --bench critical_path
//!
//! Each figure is the best and the median of five runs, in ms (one run when `cargo test
//! --all-targets` runs it unoptimised), and for the steps the slowest step of any run.

use spanorama_core::model::{
    build_traces, critical_path, CriticalPathBuild, Span, SpanId, SpanKind, Store, Trace, TraceId,
};
use std::time::Instant;

mod common;

/// Spans per step, as the page would run it.
const STEP_BUDGET: usize = 50_000;

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let rounds = if benching { 5 } else { 1 };
    println!(
        "{:<10} {:>10} {:>9} {:>9} {:>11} {:>15} {:>13}",
        "trace", "spans", "segments", "best ms", "median ms", "stepped best", "longest step"
    );
    for spans in common::sizes(&[100_000, 1_000_000]) {
        let store = common::generated(&common::one_trace(spans));
        for (name, store) in [
            ("generated", store),
            ("flat", made_up(spans, false)),
            ("chain", made_up(spans, true)),
        ] {
            for trace in build_traces(&store).iter().take(1) {
                run(name, &store, trace, rounds);
            }
        }
    }
}

/// One trace of `spans` spans, each 1 µs of own work: a root and the rest as back-to-back
/// children of it (`chain` false), or each the only child of the one before, nested.
fn made_up(spans: usize, chain: bool) -> Store {
    let mut store = Store::default();
    let n = spans as i64;
    store.spans = (0..n)
        .map(|k| {
            let (start, duration) = match (k, chain) {
                (0, _) => (0, n),
                (_, false) => (k, 1),
                (_, true) => (k, n - k),
            };
            let parent = match (k, chain) {
                (0, _) => 0,
                (_, false) => 1,
                (_, true) => k as u64,
            };
            Span {
                trace_id: TraceId(1),
                span_id: SpanId(k as u64 + 1),
                parent_id: SpanId(parent),
                start_unix_nanos: start * 1000,
                duration_nanos: duration * 1000,
                kind: SpanKind::Internal,
                ..store_span()
            }
        })
        .collect();
    store
}

/// A span with every field empty.
fn store_span() -> Span {
    Span {
        trace_id: TraceId(0),
        span_id: SpanId(0),
        parent_id: SpanId(0),
        start_unix_nanos: 0,
        duration_nanos: 0,
        service: Default::default(),
        name: Default::default(),
        kind: SpanKind::Unspecified,
        status: Default::default(),
        status_message: Default::default(),
        resource: 0,
        attrs: Default::default(),
        events: Default::default(),
        links: Default::default(),
        file: 0,
    }
}

fn run(name: &str, store: &Store, trace: &Trace, rounds: usize) {
    let mut whole = Vec::new();
    let mut segments = 0;
    for _ in 0..rounds {
        let t0 = Instant::now();
        segments = critical_path(store, trace).segments.len();
        whole.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    let mut stepped = Vec::new();
    let mut longest_step = 0f64;
    for _ in 0..rounds {
        let t0 = Instant::now();
        let mut build = CriticalPathBuild::new(store, trace);
        loop {
            let s0 = Instant::now();
            let done = build.step(STEP_BUDGET);
            longest_step = longest_step.max(s0.elapsed().as_secs_f64() * 1e3);
            if done {
                break;
            }
        }
        let _ = build.finish();
        stepped.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    whole.sort_by(f64::total_cmp);
    stepped.sort_by(f64::total_cmp);
    println!(
        "{:<10} {:>10} {:>9} {:>9.2} {:>11.2} {:>15.2} {:>13.2}",
        name,
        trace.len(),
        segments,
        whole[0],
        whole[whole.len() / 2],
        stepped[0],
        longest_step
    );
}

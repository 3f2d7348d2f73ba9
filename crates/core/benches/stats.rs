//! Native span-statistics benchmark: `model::span_stats` over one generated trace
//! (`spanorama_gen`, deterministic) and over ~500-span traces of the same total size,
//! grouped by service, by service and operation, and by `http.route`; the longest
//! `StatsBuild::step` of 50,000 spans; and what clicking the biggest group's row costs
//! (`spans_in_group` of the one trace, or `traces_in_group` of the many). Prints a table;
//! asserts nothing.
//!
//!     cargo bench -p spanorama-core --bench stats                 # 100k and 1M spans
//!     SPANORAMA_BENCH_SIZES=10000 cargo bench -p spanorama-core --bench stats
//!
//! Each figure is the best and the median of five runs, in ms (one run when `cargo test
//! --all-targets` runs it unoptimised).

use spanorama_core::model::{
    build_traces, span_stats, spans_in_group, traces_in_group, GroupBy, StatsBuild, Store, Trace,
};
use spanorama_gen::GenConfig;
use std::time::Instant;

mod common;

/// Spans per step, as the page would run it.
const STEP_BUDGET: usize = 50_000;

fn main() {
    let rounds = if std::env::args().any(|a| a == "--bench") {
        5
    } else {
        1
    };
    println!(
        "{:>10} {:>7} {:<10} {:>6}  {:>16} {:>16} {:>16}",
        "spans",
        "traces",
        "group by",
        "groups",
        "stats best/med",
        "step best/med",
        "filter best/med"
    );
    for spans in common::sizes(&[100_000, 1_000_000]) {
        let many = common::many_traces(spans);
        for cfg in [common::one_trace(spans), many] {
            let store = generate(&cfg);
            let traces = build_traces(&store);
            for group_by in [
                GroupBy::Service,
                GroupBy::Operation,
                GroupBy::Attribute("http.route".into()),
            ] {
                run(&store, &traces, &group_by, rounds);
            }
        }
    }
}

fn generate(cfg: &GenConfig) -> Store {
    common::generated(cfg)
}

fn run(store: &Store, traces: &[Trace], group_by: &GroupBy, rounds: usize) {
    let stats = time(rounds, || span_stats(store, traces, group_by));
    let step = time_longest_step(store, traces, group_by, rounds);
    let biggest = stats.2.first().map(|s| s.key.clone()).unwrap_or_default();
    let filter = time(rounds, || match traces {
        [trace] => spans_in_group(store, trace, group_by, &biggest).len(),
        _ => traces_in_group(store, traces, group_by, &biggest).len(),
    });
    let name = match group_by {
        GroupBy::Service => "service",
        GroupBy::Operation => "operation",
        GroupBy::Attribute(key) => key.as_str(),
    };
    println!(
        "{:>10} {:>7} {:<10} {:>6}  {:>7.1} {:>8.1} {:>7.1} {:>8.1} {:>7.1} {:>8.1}",
        store.spans.len(),
        traces.len(),
        name,
        stats.2.len(),
        stats.0,
        stats.1,
        step.0,
        step.1,
        filter.0,
        filter.1
    );
}

/// Best and median of `rounds` runs of the longest step of a [`StatsBuild`] of
/// [`STEP_BUDGET`] spans, ms.
fn time_longest_step(
    store: &Store,
    traces: &[Trace],
    group_by: &GroupBy,
    rounds: usize,
) -> (f64, f64) {
    let mut ms: Vec<f64> = (0..rounds)
        .map(|_| longest_step(store, traces, group_by))
        .collect();
    ms.sort_by(f64::total_cmp);
    (ms[0], ms[ms.len() / 2])
}

/// The longest step of one build, ms.
fn longest_step(store: &Store, traces: &[Trace], group_by: &GroupBy) -> f64 {
    let mut build = StatsBuild::new(store, traces, group_by);
    let mut longest = 0f64;
    loop {
        let t0 = Instant::now();
        let done = build.step(STEP_BUDGET);
        longest = longest.max(t0.elapsed().as_secs_f64() * 1e3);
        if done {
            break;
        }
    }
    std::hint::black_box(build.finish());
    longest
}

/// Best and median of `rounds` runs of `f` (at least one) in ms, and what it returned.
fn time<T>(rounds: usize, mut f: impl FnMut() -> T) -> (f64, f64, T) {
    let t0 = Instant::now();
    let mut out = std::hint::black_box(f());
    let mut ms = vec![t0.elapsed().as_secs_f64() * 1e3];
    for _ in 1..rounds {
        let t0 = Instant::now();
        out = std::hint::black_box(f());
        ms.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    (ms[0], ms[ms.len() / 2], out)
}

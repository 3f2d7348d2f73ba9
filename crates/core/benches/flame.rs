//! Native flame graph and trace comparison benchmark: `model::flame_tree` of one generated
//! trace (`spanorama_gen`, deterministic), of ~500-span traces adding up to the same size and
//! of a made-up "flat" trace (a root whose children all have names of their own: a node per
//! span, and one long list of children to sort), its icicle layout at 1,500 px, and
//! `model::trace_diff` of two generated traces of the size (different seeds) with the layout
//! of its second side. Prints two tables; asserts nothing.
//!
//!     cargo bench -p spanorama-core --bench flame                 # 100k and 1M spans
//!     SPANORAMA_BENCH_SIZES=10000 cargo bench -p spanorama-core --bench flame
//!
//! Each figure is the best and the median of five runs, in ms (one run when `cargo test
//! --all-targets` runs it unoptimised); "step" is the slowest single step of a build run in
//! the page's steps of 50,000 (best and median over the runs: on a shared machine one run's
//! slowest step is often a pause of the machine's).

use spanorama_core::model::{
    build_traces, flame_layout, flame_tree, trace_diff, DiffBuild, DiffSide, FlameBuild, Slice,
    Span, SpanId, SpanKind, StatusCode, Store, StrId, Trace, TraceId,
};
use spanorama_gen::GenConfig;
use std::time::Instant;

mod common;

/// Work per step, as the page would run it.
const STEP_BUDGET: usize = 50_000;
/// Width of the laid out icicle.
const WIDTH_PX: f64 = 1500.0;

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let rounds = if benching { 5 } else { 1 };
    let sizes = common::sizes(&[100_000, 1_000_000]);
    println!(
        "{:<10} {:>10} {:>7} {:>8} {:>15} {:>15} {:>7} {:>15}",
        "flame",
        "spans",
        "traces",
        "nodes",
        "build best/med",
        "step best/med",
        "rects",
        "layout best/med"
    );
    for &spans in &sizes {
        let many = common::many_traces(spans);
        for (name, cfg) in [("one trace", common::one_trace(spans)), ("~500 each", many)] {
            let store = generated(&[cfg]);
            let traces = build_traces(&store);
            flame(name, &store, &traces, rounds);
        }
        let store = flat(spans);
        flame("flat", &store, &build_traces(&store), rounds);
    }
    println!(
        "\n{:<10} {:>10} {:>8} {:>8} {:>15} {:>15} {:>7} {:>15}",
        "diff",
        "spans",
        "nodes",
        "changed",
        "build best/med",
        "step best/med",
        "rects",
        "layout best/med"
    );
    for &spans in &sizes {
        let pair = [43, 44].map(|seed| GenConfig {
            seed,
            ..common::one_trace(spans)
        });
        let store = generated(&pair);
        let traces = build_traces(&store);
        if let [a, b] = traces.as_slice() {
            diff(&store, a, b, rounds);
        }
    }
}

/// One store of the files generated from `configs`; exits on failure.
fn generated(configs: &[GenConfig]) -> Store {
    let mut store = Store::default();
    for cfg in configs {
        store.append(common::generated(cfg));
    }
    store
}

/// One trace of `spans` spans: a root, and the others its children, back to back, each with
/// an operation name of its own and a duration of 1 to 1,000 µs (one node per span, and one
/// list of children to sort).
fn flat(spans: usize) -> Store {
    let mut store = Store::default();
    let service = store.strings.intern("batch");
    let mut start = 0;
    for k in 0..spans as u64 {
        let name = store.strings.intern(&format!("process item {k}"));
        let duration = if k == 0 {
            0
        } else {
            1_000 * (1 + (k * 7919) % 1000) as i64
        };
        store.spans.push(Span {
            trace_id: TraceId(1),
            span_id: SpanId(k + 1),
            parent_id: SpanId(u64::from(k > 0)),
            start_unix_nanos: start,
            duration_nanos: duration,
            service,
            name,
            kind: SpanKind::Internal,
            status: StatusCode::Unset,
            status_message: StrId::EMPTY,
            resource: 0,
            attrs: Slice::default(),
            events: Slice::default(),
            links: Slice::default(),
            file: 0,
        });
        start += duration;
    }
    if let Some(root) = store.spans.first_mut() {
        root.duration_nanos = start;
    }
    store
}

/// Best and median of `ms`, with `digits` decimals.
fn best_median(mut ms: Vec<f64>, digits: usize) -> String {
    ms.sort_by(f64::total_cmp);
    format!("{:.digits$} / {:.digits$}", ms[0], ms[ms.len() / 2])
}

/// Runs `f` `rounds` times (at least once); the times in ms, and the last result.
fn timed<T>(rounds: usize, mut f: impl FnMut() -> T) -> (Vec<f64>, T) {
    let mut run = || {
        let t0 = Instant::now();
        let out = f();
        (t0.elapsed().as_secs_f64() * 1e3, out)
    };
    let (first, mut out) = run();
    let mut ms = vec![first];
    for _ in 1..rounds {
        let (t, o) = run();
        ms.push(t);
        out = o;
    }
    (ms, out)
}

/// Runs a stepped build to its end `rounds` times (`start` makes one and gives its step);
/// the slowest single step of each run, in ms.
fn longest_steps<S: FnMut() -> bool>(rounds: usize, mut start: impl FnMut() -> S) -> Vec<f64> {
    (0..rounds.max(1))
        .map(|_| {
            let mut step = start();
            let mut longest = 0f64;
            loop {
                let t0 = Instant::now();
                let done = step();
                longest = longest.max(t0.elapsed().as_secs_f64() * 1e3);
                if done {
                    return longest;
                }
            }
        })
        .collect()
}

fn flame(name: &str, store: &Store, traces: &[Trace], rounds: usize) {
    let (build_ms, tree) = timed(rounds, || flame_tree(store, traces));
    let step_ms = longest_steps(rounds, || {
        let mut build = FlameBuild::new(store, traces);
        move || build.step(STEP_BUDGET)
    });
    let (layout_ms, rects) = timed(rounds, || flame_layout(&tree, 0, WIDTH_PX));
    println!(
        "{:<10} {:>10} {:>7} {:>8} {:>15} {:>15} {:>7} {:>15}",
        name,
        store.spans.len(),
        traces.len(),
        tree.nodes.len(),
        best_median(build_ms, 1),
        best_median(step_ms, 1),
        rects.len(),
        best_median(layout_ms, 3)
    );
}

fn diff(store: &Store, a: &Trace, b: &Trace, rounds: usize) {
    let (build_ms, diff) = timed(rounds, || trace_diff(store, a, b));
    let step_ms = longest_steps(rounds, || {
        let mut build = DiffBuild::new(store, a, b);
        move || build.step(STEP_BUDGET)
    });
    let changed = diff.nodes.iter().filter(|n| n.change_nanos() != 0).count();
    let slow = diff.flame(DiffSide::B);
    let (layout_ms, rects) = timed(rounds, || flame_layout(&slow, 0, WIDTH_PX));
    println!(
        "{:<10} {:>10} {:>8} {:>8} {:>15} {:>15} {:>7} {:>15}",
        "two traces",
        store.spans.len(),
        diff.nodes.len(),
        changed,
        best_median(build_ms, 1),
        best_median(step_ms, 1),
        rects.len(),
        best_median(layout_ms, 3),
    );
}

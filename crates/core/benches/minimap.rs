//! Native minimap benchmark: the overview image (`layout::minimap_coverage` and
//! `MinimapCoverage::to_rgba`) of one generated trace (`spanorama_gen`, deterministic), all
//! rows expanded, at typical minimap sizes in device pixels. Prints a table; asserts nothing.
//!
//!     cargo bench -p spanorama-core --bench minimap                 # 100k and 1M spans
//!     SPANORAMA_BENCH_SIZES=10000 cargo bench -p spanorama-core --bench minimap
//!
//! Each figure is the best of five runs, in ms: wall-clock time, and the thread's CPU time
//! (from `/proc/thread-self/schedstat`, Linux only) which a busy shared machine inflates less.

use spanorama_core::layout::{minimap_coverage, visible_rows};
use std::collections::BTreeSet;
use std::time::Instant;

mod common;

fn main() {
    let sizes = common::sizes(&[100_000, 1_000_000]);
    println!(
        "{:>10} {:>12} {:>14} {:>14} {:>10}",
        "rows", "image px", "coverage ms", "coverage cpu", "rgba ms"
    );
    for &spans in &sizes {
        let store = common::generated(&common::one_trace(spans));
        let trace = common::first_trace(&store);
        let rows = visible_rows(&trace, &BTreeSet::new());
        for (width, height) in [(1200u32, 72u32), (2400, 144)] {
            let (mut best_coverage, mut best_cpu, mut best_rgba) = (f64::MAX, f64::MAX, f64::MAX);
            for _ in 0..5 {
                let (t, cpu) = (Instant::now(), cpu_nanos());
                let coverage = minimap_coverage(&store, &trace, &rows, width, height);
                best_coverage = best_coverage.min(t.elapsed().as_secs_f64() * 1e3);
                if let (Some(before), Some(after)) = (cpu, cpu_nanos()) {
                    best_cpu = best_cpu.min(after.saturating_sub(before) as f64 / 1e6);
                }
                let t = Instant::now();
                let rgba = coverage.to_rgba(&spanorama_core::theme::LIGHT);
                best_rgba = best_rgba.min(t.elapsed().as_secs_f64() * 1e3);
                std::hint::black_box(rgba);
            }
            println!(
                "{:>10} {:>12} {:>14.2} {:>14} {:>10.2}",
                rows.len(),
                format!("{width}×{height}"),
                best_coverage,
                if best_cpu < f64::MAX {
                    format!("{best_cpu:.2}")
                } else {
                    "-".to_string()
                },
                best_rgba
            );
        }
    }
}

/// CPU time this thread has run, ns (Linux; None elsewhere).
fn cpu_nanos() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

//! Native service-graph benchmark: `model::graph::build_service_graph` over one generated
//! trace (`spanorama_gen`, deterministic) and over many small ones of the same total size.
//! Prints a table; asserts nothing.
//!
//!     cargo bench -p spanorama-core --bench graph                 # 100k and 1M spans
//!     SPANORAMA_BENCH_SIZES=10000 cargo bench -p spanorama-core --bench graph
//!
//! Each figure is the best and the median of five runs, in ms.

use spanorama_core::model::build_traces;
use spanorama_core::model::graph::build_service_graph;
use spanorama_gen::GenConfig;
use std::time::Instant;

mod common;

fn main() {
    let sizes = common::sizes(&[100_000, 1_000_000]);
    println!(
        "{:>10} {:>8} {:>7} {:>7} {:>9} {:>11}",
        "spans", "traces", "nodes", "edges", "best ms", "median ms"
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
    let mut ms = Vec::new();
    let mut graph = None;
    for _ in 0..5 {
        let t0 = Instant::now();
        graph = Some(build_service_graph(&store, &traces));
        ms.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    let graph = graph.unwrap_or_default();
    println!(
        "{:>10} {:>8} {:>7} {:>7} {:>9.1} {:>11.1}",
        store.spans.len(),
        traces.len(),
        graph.nodes.len(),
        graph.edges.len(),
        ms[0],
        ms[ms.len() / 2]
    );
}

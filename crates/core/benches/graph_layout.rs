//! Native service-graph layout benchmark: `layout::graph::layout_graph` on the graph of a
//! generated trace (`spanorama_gen`, deterministic), on Jaeger's large dependency example
//! (1,238 services, 4,271 edges) whole, and on the neighbourhood of its busiest node
//! (`focus`, both directions, 1 and 2 hops; the focus itself is timed with the layout).
//! Prints a table; asserts nothing.
//!
//!     cargo bench -p spanorama-core --bench graph_layout     # generated: 100k and 1M spans
//!     SPANORAMA_BENCH_SIZES=10000 cargo bench -p spanorama-core --bench graph_layout
//!
//! Each figure is the best and the median of five runs, in ms (one run, and the Jaeger
//! graph only focused, when `cargo test --all-targets` runs it unoptimised).

use spanorama_core::import::import;
use spanorama_core::layout::graph::{focus, layout_graph, FocusDirection, GraphLayoutOptions};
use spanorama_core::model::build_traces;
use spanorama_core::model::graph::{
    build_service_graph, GraphEdge, GraphNode, NodeKind, Percentiles, ServiceGraph,
};
use spanorama_gen::{self as gen, Format};
use std::collections::BTreeMap;
use std::time::Instant;

mod common;

const JAEGER_LARGE: &str = "../../../shared/corpus/jaeger-deps/jaegerui-deps-large.json";

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let rounds = if benching { 5 } else { 1 };
    println!(
        "{:<34} {:>6} {:>6} {:>9} {:>11}",
        "graph", "nodes", "edges", "best ms", "median ms"
    );
    for spans in common::sizes(&[100_000, 1_000_000]) {
        if let Some(g) = generated(spans) {
            let name = format!("generated, {spans} spans");
            time(&name, &g, rounds, |g| g.clone());
        }
    }
    let Some(large) = jaeger(JAEGER_LARGE) else {
        return;
    };
    if benching {
        time("jaeger large, whole", &large, rounds, |g| g.clone());
    }
    let busiest = (0..large.nodes.len())
        .max_by_key(|&i| {
            (
                large.nodes[i].calls_in + large.nodes[i].calls_out,
                usize::MAX - i,
            )
        })
        .unwrap_or(0);
    for hops in [1, 2] {
        let name = format!("jaeger large, busiest ±{hops} hops");
        time(&name, &large, rounds, |g| {
            focus(g, busiest, hops, FocusDirection::Both).graph
        });
    }
    if benching {
        let worst = (0..large.nodes.len())
            .map(|centre| drawn_around(&large, centre))
            .max_by_key(|g| (g.edges.len(), g.nodes.len()))
            .unwrap_or_default();
        time("jaeger large, largest drawn part", &worst, rounds, |g| {
            g.clone()
        });
    }
}

/// What the page draws around `centre` in a big graph: two calls each way, or one if that
/// is more than 300 nodes.
fn drawn_around(graph: &ServiceGraph, centre: usize) -> ServiceGraph {
    let two = focus(graph, centre, 2, FocusDirection::Both).graph;
    if two.nodes.len() <= 300 {
        two
    } else {
        focus(graph, centre, 1, FocusDirection::Both).graph
    }
}

/// Times `prepare` (the focus, or a copy) and the layout of what it returns.
fn time(
    name: &str,
    graph: &ServiceGraph,
    rounds: usize,
    prepare: impl Fn(&ServiceGraph) -> ServiceGraph,
) {
    let options = GraphLayoutOptions::default();
    let mut ms = Vec::new();
    let mut size = (0, 0);
    for _ in 0..rounds {
        let t0 = Instant::now();
        let g = prepare(graph);
        let layout = layout_graph(&g, &options);
        ms.push(t0.elapsed().as_secs_f64() * 1e3);
        size = (layout.nodes.len(), layout.edges.len());
    }
    ms.sort_by(f64::total_cmp);
    println!(
        "{:<34} {:>6} {:>6} {:>9.1} {:>11.1}",
        name,
        size.0,
        size.1,
        ms[0],
        ms[ms.len() / 2]
    );
}

/// The service graph of one generated trace of `spans` spans.
fn generated(spans: usize) -> Option<ServiceGraph> {
    let cfg = common::one_trace(spans);
    let store = gen::to_bytes(&cfg, Format::Otlp)
        .and_then(|(bytes, _)| import("bench.json", &bytes).map_err(|e| e.to_string()));
    match store {
        Ok(store) => Some(build_service_graph(&store, &build_traces(&store))),
        Err(e) => {
            eprintln!("generating or importing failed: {e}");
            None
        }
    }
}

/// A Jaeger dependencies file (`{"data": [...]}` or a bare array of `{parent, child,
/// callCount}`) as a service graph: nodes sorted by name, edges by caller then callee.
fn jaeger(relative: &str) -> Option<ServiceGraph> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let value: serde_json::Value = match std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            return None;
        }
    };
    let list = value.get("data").unwrap_or(&value).as_array()?;
    let calls: Vec<(&str, &str, u64)> = list
        .iter()
        .filter_map(|d| {
            let calls = d.get("callCount").and_then(|c| c.as_u64()).unwrap_or(0);
            Some((d.get("parent")?.as_str()?, d.get("child")?.as_str()?, calls))
        })
        .collect();
    Some(graph_of(&calls))
}

fn graph_of(calls: &[(&str, &str, u64)]) -> ServiceGraph {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for &(a, b, _) in calls {
        index.insert(a, 0);
        index.insert(b, 0);
    }
    let mut nodes = Vec::new();
    for (i, (name, slot)) in index.iter_mut().enumerate() {
        *slot = i;
        nodes.push(GraphNode::new(name.to_string(), NodeKind::Service, false));
    }
    let mut edges = BTreeMap::new();
    for &(a, b, n) in calls {
        let (from, to) = (index[a], index[b]);
        nodes[from].calls_out += n;
        nodes[to].calls_in += n;
        *edges.entry((from, to)).or_insert(0) += n;
    }
    let edges = edges
        .into_iter()
        .map(|((from, to), calls)| GraphEdge {
            from,
            to,
            calls,
            errors: 0,
            messaging: false,
            latency: Percentiles::default(),
            gap: Percentiles::default(),
            callers: Vec::new(),
        })
        .collect();
    ServiceGraph { nodes, edges }
}

//! Which loaded traces pass through a node or an edge of the service graph: what the trace
//! list shows when the user asks for "the traces through this service" or "the traces with
//! this call".

use super::{GraphEdge, ServiceGraph};
use crate::model::{Store, Trace, TraceId};
use std::collections::HashMap;

/// Indices (ascending) of the traces with a call of `edge`. A link from a dependency file
/// has no calling spans, so no traces.
pub fn traces_with_edge(store: &Store, traces: &[Trace], edge: &GraphEdge) -> Vec<usize> {
    let mut found = traces_of_spans(store, traces, &edge.callers);
    found.sort_unstable();
    found.dedup();
    found
}

/// Indices (ascending) of the traces with a span of the service `graph.nodes[node]`, or a
/// call into it (an inferred node, such as a database, reports no spans of its own).
pub fn traces_through_node(
    store: &Store,
    traces: &[Trace],
    graph: &ServiceGraph,
    node: usize,
) -> Vec<usize> {
    let Some(name) = graph.nodes.get(node).map(|n| n.name.as_str()) else {
        return Vec::new();
    };
    let mut found: Vec<usize> = match store.strings.lookup(name) {
        Some(service) => traces
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                t.spans.iter().any(|&s| {
                    store
                        .spans
                        .get(s as usize)
                        .is_some_and(|s| s.service == service)
                })
            })
            .map(|(i, _)| i)
            .collect(),
        None => Vec::new(),
    };
    for edge in graph.edges.iter().filter(|e| e.to == node) {
        found.extend(traces_of_spans(store, traces, &edge.callers));
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// The trace index of each of `spans` (store indices) that is in `traces`.
fn traces_of_spans(store: &Store, traces: &[Trace], spans: &[u32]) -> Vec<usize> {
    let index: HashMap<TraceId, usize> =
        traces.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    spans
        .iter()
        .filter_map(|&s| store.spans.get(s as usize))
        .filter_map(|s| index.get(&s.trace_id).copied())
        .collect()
}

//! The part of a service graph within a few calls of one node (upstream, downstream or
//! both): a whole real dependency graph (Jaeger's large example: 1,238 services, 4,271
//! edges) lays out, but is not readable; a node's neighbourhood is.

use crate::model::graph::ServiceGraph;
use std::collections::VecDeque;

/// Which calls to follow from the focused node.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum FocusDirection {
    /// Its callers, their callers, …
    Upstream,
    /// Its callees, their callees, …
    Downstream,
    Both,
}

/// A subgraph and where its nodes came from.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Subgraph {
    /// The nodes reached (in the original order) and every edge between two of them.
    pub graph: ServiceGraph,
    /// Index in the original graph of each of `graph.nodes`.
    pub original: Vec<usize>,
}

/// The nodes within `hops` calls of `node` in `direction`, and the edges among them
/// (empty when `node` is out of range).
pub fn focus(
    graph: &ServiceGraph,
    node: usize,
    hops: usize,
    direction: FocusDirection,
) -> Subgraph {
    let Some(reached) = reach(graph, node, hops, direction) else {
        return Subgraph::default();
    };
    let mut new_index = vec![usize::MAX; graph.nodes.len()];
    let mut sub = Subgraph::default();
    for (v, _) in reached.iter().enumerate().filter(|(_, &r)| r) {
        new_index[v] = sub.original.len();
        sub.original.push(v);
        sub.graph.nodes.push(graph.nodes[v].clone());
    }
    for edge in &graph.edges {
        let ends = (new_index.get(edge.from), new_index.get(edge.to));
        if let (Some(&from), Some(&to)) = ends {
            if from != usize::MAX && to != usize::MAX {
                let mut e = edge.clone();
                (e.from, e.to) = (from, to);
                sub.graph.edges.push(e);
            }
        }
    }
    sub
}

/// Breadth-first from `node`: which nodes are within `hops`.
fn reach(
    graph: &ServiceGraph,
    node: usize,
    hops: usize,
    direction: FocusDirection,
) -> Option<Vec<bool>> {
    let n = graph.nodes.len();
    if node >= n {
        return None;
    }
    let (down, up) = match direction {
        FocusDirection::Upstream => (false, true),
        FocusDirection::Downstream => (true, false),
        FocusDirection::Both => (true, true),
    };
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in graph.edges.iter().filter(|e| e.from < n && e.to < n) {
        if down {
            next[e.from].push(e.to);
        }
        if up {
            next[e.to].push(e.from);
        }
    }
    let mut depth = vec![usize::MAX; n];
    depth[node] = 0;
    let mut queue = VecDeque::from([node]);
    while let Some(v) = queue.pop_front() {
        if depth[v] >= hops {
            continue;
        }
        for &w in &next[v] {
            if depth[w] == usize::MAX {
                depth[w] = depth[v] + 1;
                queue.push_back(w);
            }
        }
    }
    Some(depth.into_iter().map(|d| d != usize::MAX).collect())
}

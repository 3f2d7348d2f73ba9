//! Layered ("Sugiyama") layout of the service graph, read left to right: callers left of
//! their callees, crossings kept low, node size by traffic. Node positions come from the
//! `rust-sugiyama` crate ([`place`]); edges are routed here through the layers they cross
//! ([`route`]); disconnected parts and lone nodes are packed in rows. All in world units;
//! the renderer scales and pans.
//!
//! A layout reads only a [`GraphShape`] (node radii and edge ends), which derives
//! `PartialEq` (after rerun's `re_view_graph` layout request) and travels as flat arrays
//! ([`flat`]): a big graph is laid out in a worker, off the page's main thread.

pub mod flat;
mod focus;
mod place;
mod route;
#[cfg(test)]
mod tests;

pub use focus::{focus, FocusDirection, Subgraph};

use crate::model::graph::ServiceGraph;

/// Sizes and gaps of a graph layout, world units.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct GraphLayoutOptions {
    /// Radius of the least and the busiest node.
    pub min_radius: f64,
    pub max_radius: f64,
    /// Least free space between two nodes of a layer (and between packed parts).
    pub node_gap: f64,
    /// Least free space between two layers, where the edges run.
    pub layer_gap: f64,
}

impl Default for GraphLayoutOptions {
    fn default() -> Self {
        GraphLayoutOptions {
            min_radius: 8.0,
            max_radius: 28.0,
            node_gap: 20.0,
            layer_gap: 120.0,
        }
    }
}

/// What a layout reads of a graph: each node's radius (by its traffic) and each edge's ends
/// (node indices, in the graph's edge order).
#[derive(Clone, PartialEq, Debug, Default)]
pub struct GraphShape {
    pub radii: Vec<f64>,
    pub edges: Vec<(u32, u32)>,
}

impl GraphShape {
    pub fn of(graph: &ServiceGraph, options: &GraphLayoutOptions) -> Self {
        let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        GraphShape {
            radii: radii(graph, options),
            edges: graph
                .edges
                .iter()
                .map(|e| (index(e.from), index(e.to)))
                .collect(),
        }
    }

    /// Nodes plus edges: what the layout's time grows with.
    pub fn size(&self) -> usize {
        self.radii.len() + self.edges.len()
    }
}

/// A node's centre and radius, world units.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct NodePlace {
    pub x: f64,
    pub y: f64,
    pub radius: f64,
}

/// An edge as a polyline, world units: from the caller's right side to the callee's left
/// side, through free space in every layer it crosses (a backward edge of a cycle turns
/// back through the layers; a self-loop goes over its node). Consecutive points differ.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct EdgePath {
    pub points: Vec<(f64, f64)>,
}

/// The box holding every node and edge, world units.
#[derive(Copy, Clone, PartialEq, Debug, Default)]
pub struct Bounds {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
}

impl Bounds {
    pub fn width(&self) -> f64 {
        self.max_x - self.min_x
    }
    pub fn height(&self) -> f64 {
        self.max_y - self.min_y
    }
}

/// Where each node and edge of a [`ServiceGraph`] goes; `nodes[i]` is `graph.nodes[i]`,
/// `edges[j]` is `graph.edges[j]` (an edge whose ends are out of range gets no points).
#[derive(Clone, PartialEq, Debug, Default)]
pub struct GraphLayout {
    pub nodes: Vec<NodePlace>,
    pub edges: Vec<EdgePath>,
    pub bounds: Bounds,
}

/// Lays out `graph`. Deterministic: the same graph and options give the same layout.
pub fn layout_graph(graph: &ServiceGraph, options: &GraphLayoutOptions) -> GraphLayout {
    layout_shape(&GraphShape::of(graph, options), options)
}

/// Lays out a graph's shape ([`layout_graph`] without the graph).
pub fn layout_shape(shape: &GraphShape, options: &GraphLayoutOptions) -> GraphLayout {
    let placed = place::place(shape, options);
    let edges: Vec<EdgePath> = shape
        .edges
        .iter()
        .map(|&(from, to)| route::route(&placed, from as usize, to as usize, options))
        .collect();
    let nodes = placed.nodes.clone();
    let bounds = bounds_of(&nodes, &edges);
    GraphLayout {
        nodes,
        edges,
        bounds,
    }
}

/// A node's traffic: the calls through it, or its spans when it has no calls.
fn traffic(node: &crate::model::graph::GraphNode) -> u64 {
    let calls = node.calls_in.saturating_add(node.calls_out);
    if calls > 0 {
        calls
    } else {
        node.spans
    }
}

/// Radius by traffic on a log scale: traffic in real systems spans orders of magnitude
/// (54 to 99,034 calls in Jaeger's large example), which an area-true scale would squash
/// into a few big nodes among many dots.
fn radii(graph: &ServiceGraph, o: &GraphLayoutOptions) -> Vec<f64> {
    let max = graph.nodes.iter().map(traffic).max().unwrap_or(0);
    let top = (max as f64).ln_1p();
    let span = (o.max_radius - o.min_radius).max(0.0);
    graph
        .nodes
        .iter()
        .map(|n| {
            let share = if top > 0.0 {
                (traffic(n) as f64).ln_1p() / top
            } else {
                0.0
            };
            o.min_radius + span * share
        })
        .collect()
}

/// The box around every node circle and edge point.
fn bounds_of(nodes: &[NodePlace], edges: &[EdgePath]) -> Bounds {
    let mut b = Bounds {
        min_x: f64::INFINITY,
        min_y: f64::INFINITY,
        max_x: f64::NEG_INFINITY,
        max_y: f64::NEG_INFINITY,
    };
    let mut grow = |x: f64, y: f64, r: f64| {
        b.min_x = b.min_x.min(x - r);
        b.min_y = b.min_y.min(y - r);
        b.max_x = b.max_x.max(x + r);
        b.max_y = b.max_y.max(y + r);
    };
    for n in nodes {
        grow(n.x, n.y, n.radius);
    }
    for &(x, y) in edges.iter().flat_map(|e| &e.points) {
        grow(x, y, 0.0);
    }
    if b.min_x > b.max_x {
        Bounds::default()
    } else {
        b
    }
}

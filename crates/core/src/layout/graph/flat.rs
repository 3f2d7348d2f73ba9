//! A graph's shape and its layout as flat arrays of numbers: what `postMessage` carries, as
//! typed arrays, between the page and the layout worker. Decoding checks the lengths: a
//! malformed message gives `None`, never a panic.

use super::{bounds_of, EdgePath, GraphLayout, GraphLayoutOptions, GraphShape, NodePlace};

/// A layout request: the shape (radii; edge ends as `[from, to, from, to, …]`) and the
/// options (`[min_radius, max_radius, node_gap, layer_gap]`).
#[derive(Clone, PartialEq, Debug, Default)]
pub struct FlatShape {
    pub radii: Vec<f64>,
    pub ends: Vec<u32>,
    pub options: Vec<f64>,
}

impl FlatShape {
    pub fn new(shape: &GraphShape, o: &GraphLayoutOptions) -> Self {
        FlatShape {
            radii: shape.radii.clone(),
            ends: shape.edges.iter().flat_map(|&(a, b)| [a, b]).collect(),
            options: vec![o.min_radius, o.max_radius, o.node_gap, o.layer_gap],
        }
    }

    /// The shape and options it carries.
    pub fn decode(&self) -> Option<(GraphShape, GraphLayoutOptions)> {
        let &[min_radius, max_radius, node_gap, layer_gap] = self.options.as_slice() else {
            return None;
        };
        if self.ends.len() % 2 != 0 {
            return None;
        }
        let shape = GraphShape {
            radii: self.radii.clone(),
            edges: self.ends.chunks_exact(2).map(|c| (c[0], c[1])).collect(),
        };
        let options = GraphLayoutOptions {
            min_radius,
            max_radius,
            node_gap,
            layer_gap,
        };
        Some((shape, options))
    }
}

/// A layout: nodes as `[x, y, radius, …]`, the number of points of each edge, and all the
/// points as `[x, y, x, y, …]`.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct FlatLayout {
    pub nodes: Vec<f64>,
    pub counts: Vec<u32>,
    pub points: Vec<f64>,
}

impl FlatLayout {
    pub fn new(layout: &GraphLayout) -> Self {
        FlatLayout {
            nodes: layout
                .nodes
                .iter()
                .flat_map(|n| [n.x, n.y, n.radius])
                .collect(),
            counts: layout
                .edges
                .iter()
                .map(|e| u32::try_from(e.points.len()).unwrap_or(u32::MAX))
                .collect(),
            points: layout
                .edges
                .iter()
                .flat_map(|e| &e.points)
                .flat_map(|&(x, y)| [x, y])
                .collect(),
        }
    }

    /// The layout it carries.
    pub fn decode(&self) -> Option<GraphLayout> {
        if self.nodes.len() % 3 != 0 {
            return None;
        }
        let nodes: Vec<NodePlace> = self
            .nodes
            .chunks_exact(3)
            .map(|c| NodePlace {
                x: c[0],
                y: c[1],
                radius: c[2],
            })
            .collect();
        let total: usize = self.counts.iter().map(|&c| c as usize).sum();
        if total * 2 != self.points.len() {
            return None;
        }
        let mut rest = self.points.as_slice();
        let mut edges = Vec::with_capacity(self.counts.len());
        for &count in &self.counts {
            let (these, after) = rest.split_at(count as usize * 2);
            edges.push(EdgePath {
                points: these.chunks_exact(2).map(|c| (c[0], c[1])).collect(),
            });
            rest = after;
        }
        let bounds = bounds_of(&nodes, &edges);
        Some(GraphLayout {
            nodes,
            edges,
            bounds,
        })
    }
}

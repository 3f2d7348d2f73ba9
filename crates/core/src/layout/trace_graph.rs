//! The trace graph of one trace, as Jaeger UI's "Trace Graph": a node per distinct call path
//! of `service:operation` frames (Jaeger's TraceDag merges spans the same way; that is the
//! flame graph's [`FlameTree`]), with its span count, total and self time, coloured by self
//! time, edges from caller to callee, read top down.
//!
//! Positions come from the service graph's layered layout ([`super::graph`]): it lays out
//! left to right with round nodes, so each box goes in as a circle as wide as the box (the
//! order within a layer spaces nodes by it) and every layer as deep as a box
//! ([`trace_graph_options`]), and the result is turned a quarter ([`TraceGraph::place`]).
//! The graph is a tree, so every edge joins neighbouring layers and is drawn straight from
//! the caller's bottom to the callee's top (the layout's routes are not needed).
//!
//! A big trace can have thousands of paths: only the [`TRACE_GRAPH_MAX_NODES`] heaviest are
//! drawn, the top of the tree by total time, always with their callers (best first from
//! the roots), so the layout's time is bounded whatever the trace.
//!
//! Clicking a node narrows the waterfall to its spans: [`SpansOnPath`] finds them, in steps.

#[cfg(test)]
mod tests;

use super::graph::{Bounds, EdgePath, GraphLayout, GraphLayoutOptions, GraphShape};
use crate::model::flame::FlameTree;
use crate::model::units::{format_count, format_duration};
use crate::model::{Interner, Store, StrId, Trace, NO_PARENT};
use crate::paint::estimate_width;
use crate::theme;
use std::collections::BinaryHeap;

/// Most nodes drawn; the rest of a bigger tree is left out (see the module's documentation).
pub const TRACE_GRAPH_MAX_NODES: usize = 300;

/// A box's height and its width's bounds, world units (CSS px at scale 1).
pub const BOX_HEIGHT: f64 = 54.0;
pub const BOX_MIN_WIDTH: f64 = 120.0;
pub const BOX_MAX_WIDTH: f64 = 260.0;
/// Room between a box's text and its edge, each side.
pub const BOX_PADDING: f64 = 8.0;

/// One node drawn.
#[derive(Clone, PartialEq, Debug)]
pub struct TraceGraphNode {
    /// Its node in the flame tree.
    pub tree_node: u32,
    /// Its box's width, world units: room for its widest line, within
    /// [`BOX_MIN_WIDTH`]..=[`BOX_MAX_WIDTH`].
    pub width: f64,
    /// The third line of its box: "N spans · total · self".
    pub figures: String,
}

/// The part of a trace's call-path tree that is drawn.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct TraceGraph {
    /// Callers before their callees.
    pub nodes: Vec<TraceGraphNode>,
    /// Caller → callee, as indices into `nodes`.
    pub edges: Vec<(u32, u32)>,
    /// Call paths in the whole tree (the synthetic root of a trace with several roots is
    /// none).
    pub total_nodes: usize,
}

/// The `max_nodes` heaviest nodes of `tree`, each with its callers: best first from the
/// roots, always taking the drawn node's child with the biggest total next. Children in a
/// finished flame tree come heaviest first, so each drawn node needs only a cursor into its
/// children, and the work grows with `max_nodes`, not with the tree.
fn heaviest(tree: &FlameTree, max_nodes: usize) -> Vec<u32> {
    let total = |n: u32| tree.nodes.get(n as usize).map_or(0, |n| n.total_nanos);
    let children = |n: u32| {
        tree.nodes
            .get(n as usize)
            .map_or(&[][..], |n| &n.children[..])
    };
    // (total of the candidate, its parent's tie-break order, parent, index in its children).
    let mut heap: BinaryHeap<(i64, std::cmp::Reverse<u32>, u32, usize)> = BinaryHeap::new();
    let mut chosen = Vec::new();
    let offer = |heap: &mut BinaryHeap<_>, parent: u32, k: usize| {
        if let Some(&c) = children(parent).get(k) {
            heap.push((total(c), std::cmp::Reverse(c), parent, k));
        }
    };
    match tree.root() {
        None => return chosen,
        Some(_) if tree.synthetic_root => offer(&mut heap, 0, 0),
        Some(_) => heap.push((total(0), std::cmp::Reverse(0), NO_PARENT, 0)),
    }
    while chosen.len() < max_nodes {
        let Some((_, std::cmp::Reverse(node), parent, k)) = heap.pop() else {
            break;
        };
        chosen.push(node);
        if parent != NO_PARENT {
            offer(&mut heap, parent, k + 1);
        }
        offer(&mut heap, node, 0);
    }
    chosen
}

/// The three lines of a node's box: service, operation, figures.
pub fn box_lines(
    tree: &FlameTree,
    strings: &Interner,
    node: u32,
) -> Option<(String, String, String)> {
    let n = tree.nodes.get(node as usize)?;
    let spans = if n.count == 1 { "span" } else { "spans" };
    let figures = format!(
        "{} {spans} · {} · self {}",
        format_count(n.count),
        format_duration(n.total_nanos),
        format_duration(n.self_nanos)
    );
    Some((
        strings.get(n.service).to_string(),
        strings.get(n.name).to_string(),
        figures,
    ))
}

impl TraceGraph {
    /// The drawn part of `tree` (at most `max_nodes` nodes); boxes sized by an estimate of
    /// their text in the theme's fonts (the renderer cuts what does not fit).
    pub fn of(tree: &FlameTree, strings: &Interner, max_nodes: usize) -> TraceGraph {
        let mut chosen = heaviest(tree, max_nodes);
        // Tree order (parents come before children in a flame tree), so callers come first.
        chosen.sort_unstable();
        let mut index = vec![u32::MAX; tree.nodes.len()];
        for (i, &n) in chosen.iter().enumerate() {
            index[n as usize] = i as u32;
        }
        let mut graph = TraceGraph {
            total_nodes: tree.nodes.len() - usize::from(tree.synthetic_root),
            ..TraceGraph::default()
        };
        for &n in &chosen {
            let Some((service, name, figures)) = box_lines(tree, strings, n) else {
                continue;
            };
            let widest = estimate_width(&service, theme::FONT_BOLD)
                .max(estimate_width(&name, theme::FONT))
                .max(estimate_width(&figures, theme::FONT_SMALL));
            let width = (widest + 2.0 * BOX_PADDING).clamp(BOX_MIN_WIDTH, BOX_MAX_WIDTH);
            let parent = tree.nodes[n as usize].parent;
            if let Some(&p) = index.get(parent as usize).filter(|&&p| p != u32::MAX) {
                graph.edges.push((p, graph.nodes.len() as u32));
            }
            graph.nodes.push(TraceGraphNode {
                tree_node: n,
                width,
                figures,
            });
        }
        graph
    }

    /// What the layered layout reads: each box as a circle as wide as the box.
    pub fn shape(&self) -> GraphShape {
        GraphShape {
            radii: self.nodes.iter().map(|n| n.width / 2.0).collect(),
            edges: self.edges.clone(),
        }
    }

    /// The boxes and edges, top down, from the layout of [`TraceGraph::shape`] with
    /// [`trace_graph_options`] (its left-to-right turned into top-down). A layout that does
    /// not match the graph (fewer nodes) leaves the missing boxes at the origin.
    pub fn place(&self, layout: &GraphLayout) -> TraceGraphLayout {
        let boxes: Vec<NodeBox> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let (cx, cy) = layout.nodes.get(i).map_or((0.0, 0.0), |p| (p.y, p.x));
                NodeBox {
                    x: cx - n.width / 2.0,
                    y: cy - BOX_HEIGHT / 2.0,
                    width: n.width,
                    height: BOX_HEIGHT,
                }
            })
            .collect();
        let edges = self
            .edges
            .iter()
            .map(
                |&(a, b)| match (boxes.get(a as usize), boxes.get(b as usize)) {
                    (Some(a), Some(b)) => EdgePath {
                        points: vec![
                            (a.x + a.width / 2.0, a.y + a.height),
                            (b.x + b.width / 2.0, b.y),
                        ],
                    },
                    _ => EdgePath::default(),
                },
            )
            .collect();
        let bounds = bounds_of(&boxes);
        TraceGraphLayout {
            boxes,
            edges,
            bounds,
        }
    }
}

/// Layout options for [`TraceGraph::shape`]: layers one box deep (`max_radius` sets every
/// layer's depth) with room between them for the edges.
pub fn trace_graph_options() -> GraphLayoutOptions {
    GraphLayoutOptions {
        min_radius: BOX_HEIGHT / 2.0,
        max_radius: BOX_HEIGHT / 2.0,
        node_gap: 24.0,
        layer_gap: 56.0,
    }
}

/// A node's box, world units (top left, size).
#[derive(Copy, Clone, PartialEq, Debug, Default)]
pub struct NodeBox {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl NodeBox {
    pub fn contains(&self, (x, y): (f64, f64)) -> bool {
        x >= self.x && x <= self.x + self.width && y >= self.y && y <= self.y + self.height
    }
}

/// Where the trace graph's boxes and edges go, world units, y down.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct TraceGraphLayout {
    /// `boxes[i]` is the graph's `nodes[i]`.
    pub boxes: Vec<NodeBox>,
    /// `edges[j]` is the graph's `edges[j]`: caller's bottom centre to callee's top centre.
    pub edges: Vec<EdgePath>,
    pub bounds: Bounds,
}

impl TraceGraphLayout {
    /// The box under world point `p`, if any.
    pub fn box_at(&self, p: (f64, f64)) -> Option<usize> {
        self.boxes.iter().position(|b| b.contains(p))
    }
}

fn bounds_of(boxes: &[NodeBox]) -> Bounds {
    let mut it = boxes.iter();
    let Some(first) = it.next() else {
        return Bounds::default();
    };
    it.fold(
        Bounds {
            min_x: first.x,
            min_y: first.y,
            max_x: first.x + first.width,
            max_y: first.y + first.height,
        },
        |b, n| Bounds {
            min_x: b.min_x.min(n.x),
            min_y: b.min_y.min(n.y),
            max_x: b.max_x.max(n.x + n.width),
            max_y: b.max_y.max(n.y + n.height),
        },
    )
}

/// The self-time scale: a node's self time as a share of the trace's duration, in steps
/// with these lower bounds (a sequential scale, light to dark as self time grows; most
/// nodes of a real trace hold little of it, so the steps are finer at the low end).
pub const HEAT_STEPS: [f64; 6] = [0.0, 0.01, 0.05, 0.10, 0.25, 0.50];

/// Fill and text colour of each step, light scheme (ColorBrewer YlOrRd).
pub const HEAT_LIGHT: [(&str, &str); 6] = [
    ("#ffffcc", "#111827"),
    ("#fed976", "#111827"),
    ("#feb24c", "#111827"),
    ("#fd8d3c", "#111827"),
    ("#e31a1c", "#ffffff"),
    ("#800026", "#ffffff"),
];

/// The same scale for the dark scheme: from a dim amber near the background to bright red.
pub const HEAT_DARK: [(&str, &str); 6] = [
    ("#2d2a1f", "#e6edf3"),
    ("#4d3b12", "#e6edf3"),
    ("#7a4a0c", "#f0f6fc"),
    ("#a8520b", "#f0f6fc"),
    ("#d0361f", "#ffffff"),
    ("#ff5a4f", "#0d1117"),
];

/// The step of the self-time scale for a share of the trace (NaN and negatives: the first).
pub fn heat_step(share: f64) -> usize {
    HEAT_STEPS
        .iter()
        .rposition(|&low| share >= low)
        .unwrap_or(0)
}

/// The legend's label of step `k` ("< 1 %", "1–5 %", …, "≥ 50 %").
pub fn heat_label(k: usize) -> String {
    let pct = |v: f64| format!("{}", (v * 100.0).round());
    match (HEAT_STEPS.get(k), HEAT_STEPS.get(k + 1)) {
        (Some(_), Some(&hi)) if k == 0 => format!("< {} %", pct(hi)),
        (Some(&lo), Some(&hi)) => format!("{}–{} %", pct(lo), pct(hi)),
        (Some(&lo), None) => format!("≥ {} %", pct(lo)),
        _ => String::new(),
    }
}

/// A node's self time as a share of `trace_nanos` (0 when the trace has no duration).
pub fn self_share(self_nanos: i64, trace_nanos: i64) -> f64 {
    if trace_nanos > 0 {
        self_nanos.max(0) as f64 / trace_nanos as f64
    } else {
        0.0
    }
}

/// The spans of one call path of a trace (the spans merged into one flame node), found a
/// bounded amount of work at a time. A span is on the path when its frame and its
/// ancestors' frames, root first, are the path's; roots match the path's first frame (a
/// trace with several roots puts them under the flame tree's synthetic root, which is no
/// frame and not in the path). Subtrees that leave the path are skipped whole.
pub struct SpansOnPath<'t> {
    store: &'t Store,
    trace: &'t Trace,
    path: Vec<(StrId, StrId)>,
    /// For each row visited: how many frames of the path its chain matches (0: none).
    matched: Vec<u32>,
    pos: usize,
    found: Vec<u32>,
}

impl<'t> SpansOnPath<'t> {
    /// `path`: the frames from a root down, as [`FlameTree::path_to`] gives them without the
    /// synthetic root.
    pub fn new(store: &'t Store, trace: &'t Trace, path: Vec<(StrId, StrId)>) -> Self {
        SpansOnPath {
            store,
            trace,
            path,
            matched: vec![0; trace.len()],
            pos: 0,
            found: Vec::new(),
        }
    }

    /// The frames of `node`'s path in `tree`, root first, without the synthetic root.
    pub fn path_of(tree: &FlameTree, node: u32) -> Vec<(StrId, StrId)> {
        let skip = usize::from(tree.synthetic_root);
        let path = tree.path_to(node);
        path.iter()
            .skip(skip)
            .filter_map(|&n| tree.nodes.get(n as usize).map(|n| (n.service, n.name)))
            .collect()
    }

    /// Looks at up to `budget` rows (at least one); true once every row is done.
    pub fn step(&mut self, budget: usize) -> bool {
        let t = self.trace;
        for _ in 0..budget.max(1) {
            let pos = self.pos;
            if pos >= t.len() {
                return true;
            }
            let parent = t.parent.get(pos).copied().unwrap_or(NO_PARENT);
            let above = match parent {
                NO_PARENT => 0,
                p => match self.matched.get(p as usize) {
                    Some(&m) if m > 0 => m,
                    _ => u32::MAX,
                },
            };
            let frame = t
                .spans
                .get(pos)
                .and_then(|&s| self.store.spans.get(s as usize))
                .map(|s| (s.service, s.name));
            let want = self.path.get(above as usize).copied();
            if above != u32::MAX && frame.is_some() && frame == want {
                self.matched[pos] = above + 1;
                if above as usize + 1 == self.path.len() {
                    self.found.push(pos as u32);
                }
                self.pos += 1;
            } else {
                // Off the path: nothing below it is on it.
                let end = t.subtree_end.get(pos).copied().unwrap_or(0) as usize;
                self.pos = end.max(pos + 1);
            }
        }
        self.pos >= t.len()
    }

    /// The rows found (ascending), complete once [`SpansOnPath::step`] returned true.
    pub fn finish(self) -> Vec<u32> {
        self.found
    }
}

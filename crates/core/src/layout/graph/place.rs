//! Node positions: layers and order within them from `rust-sugiyama` (cycle breaking by a
//! greedy feedback arc set, network-simplex layering, barycenter crossing reduction,
//! Brandes–Köpf coordinates), turned from its top-to-bottom into left-to-right, then the
//! connected parts packed in rows, biggest first.
//!
//! The crate's own transpose step is off: on a dense graph it costs 35× the time (15 s
//! against 0.42 s for 500 nodes and 1,495 edges) for a few fewer crossings. Its default
//! layering (network simplex) is off too: how many pivots it makes depends on the input
//! order, and with Jaeger's large example in name order it ran for over 20 minutes (0.3 s
//! in the file's order). Layering by longest path from the callers ("up") is linear, and
//! puts each node one layer after its furthest caller: leaves such as databases sit next
//! to their callers rather than all in the last layer.

use super::{GraphLayoutOptions, GraphShape, NodePlace};
use rust_sugiyama::configure::{Config, RankingType};

/// One column of a connected part: its nodes share `x`.
#[derive(Clone, Debug)]
pub(super) struct Layer {
    pub x: f64,
    /// The largest radius in the layer: its nodes lie within `x ± half_width`.
    pub half_width: f64,
    /// The y-extent (top, bottom) of each of its nodes, top first.
    pub spans: Vec<(f64, f64)>,
}

/// Node places, and the layers the edge router needs.
pub(super) struct Placed {
    pub nodes: Vec<NodePlace>,
    /// (part, layer) of each node.
    pub slot: Vec<(usize, usize)>,
    pub parts: Vec<Vec<Layer>>,
}

/// A connected part before packing: (node, x, y) of its members, ascending by node.
struct Part {
    members: Vec<(usize, f64, f64)>,
}

pub(super) fn place(shape: &GraphShape, o: &GraphLayoutOptions) -> Placed {
    let radii = &shape.radii;
    let mut parts = sugiyama_parts(shape, o);
    parts.sort_by_key(|p| (std::cmp::Reverse(p.members.len()), first_node(p)));
    let mut placed = Placed {
        nodes: radii
            .iter()
            .map(|&radius| NodePlace {
                x: 0.0,
                y: 0.0,
                radius,
            })
            .collect(),
        slot: vec![(0, 0); radii.len()],
        parts: Vec::with_capacity(parts.len()),
    };
    pack(&parts, radii, o, &mut placed);
    placed
}

fn first_node(part: &Part) -> usize {
    part.members.first().map_or(usize::MAX, |m| m.0)
}

/// The graph's edges without self-loops, repeats or ends out of range, sorted.
fn clean_edges(shape: &GraphShape) -> Vec<(usize, usize)> {
    let n = shape.radii.len();
    let mut edges: Vec<(usize, usize)> = shape
        .edges
        .iter()
        .map(|&(a, b)| (a as usize, b as usize))
        .filter(|&(a, b)| a != b && a < n && b < n)
        .collect();
    edges.sort_unstable();
    edges.dedup();
    edges
}

/// The connected parts as the crate lays them out (one per lone node too), world axes.
fn sugiyama_parts(shape: &GraphShape, o: &GraphLayoutOptions) -> Vec<Part> {
    let (edges, radii) = (clean_edges(shape), &shape.radii);
    // Nodes with edges, renumbered 0.. in order: the crate reports a vertex by its position
    // in the list it was given, so ids equal to positions read the same either way.
    let mut compact = vec![u32::MAX; radii.len()];
    let mut linked = Vec::new();
    for &(a, b) in &edges {
        for v in [a, b] {
            if compact[v] == u32::MAX {
                compact[v] = 0;
            }
        }
    }
    for (v, id) in compact.iter_mut().enumerate() {
        if *id == 0 {
            *id = linked.len() as u32;
            linked.push(v);
        }
    }
    let mut parts = crate_layout(&linked, &compact, &edges, radii, o);
    parts.extend(
        (0..radii.len())
            .filter(|&v| compact[v] == u32::MAX)
            .map(|v| Part {
                members: vec![(v, 0.0, 0.0)],
            }),
    );
    parts
}

/// Runs `rust-sugiyama` on the linked nodes. Its ranks run down the page and the order
/// within a rank across it; here ranks run across (x) and the order down (y).
fn crate_layout(
    linked: &[usize],
    compact: &[u32],
    edges: &[(usize, usize)],
    radii: &[f64],
    o: &GraphLayoutOptions,
) -> Vec<Part> {
    if edges.is_empty() {
        return Vec::new();
    }
    // Every rank as deep as the biggest node plus the layer gap (the crate adds the vertex
    // spacing to it), so the layers are evenly spaced and each gap is at least `layer_gap`.
    let depth = (2.0 * o.max_radius + o.layer_gap - o.node_gap).max(0.0);
    let vertices: Vec<(u32, (f64, f64))> = linked
        .iter()
        .enumerate()
        .map(|(i, &v)| (i as u32, (2.0 * radii[v], depth)))
        .collect();
    let edges: Vec<(u32, u32)> = edges
        .iter()
        .map(|&(a, b)| (compact[a], compact[b]))
        .collect();
    let config = Config {
        vertex_spacing: o.node_gap,
        dummy_vertices: true,
        dummy_size: o.node_gap,
        transpose: false,
        ranking_type: RankingType::Up,
        ..Config::default()
    };
    rust_sugiyama::from_vertices_and_edges(&vertices, &edges, &config)
        .into_iter()
        .map(|(coords, _, _)| {
            let mut members: Vec<(usize, f64, f64)> = coords
                .into_iter()
                .filter_map(|(id, (across, down))| Some((*linked.get(id)?, down, across)))
                .collect();
            members.sort_by_key(|m| m.0);
            Part { members }
        })
        .filter(|p| !p.members.is_empty())
        .collect()
}

/// A part's layers (distinct x, ascending) and each member's layer.
fn layers_of(part: &Part, radii: &[f64]) -> (Vec<Layer>, Vec<usize>) {
    let mut xs: Vec<f64> = part.members.iter().map(|m| m.1).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let mut layers: Vec<Layer> = xs
        .iter()
        .map(|&x| Layer {
            x,
            half_width: 0.0,
            spans: Vec::new(),
        })
        .collect();
    let mut of_member = Vec::with_capacity(part.members.len());
    for &(v, x, y) in &part.members {
        let l = xs.partition_point(|&lx| lx < x).min(layers.len() - 1);
        let r = radii[v];
        layers[l].half_width = layers[l].half_width.max(r);
        layers[l].spans.push((y - r, y + r));
        of_member.push(l);
    }
    for layer in &mut layers {
        layer.spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    (layers, of_member)
}

/// A part's box with room around it for backward edges and self-loops: (min x, min y,
/// max x, max y).
fn padded_box(layers: &[Layer], o: &GraphLayoutOptions) -> (f64, f64, f64, f64) {
    let mut b = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for l in layers {
        b.0 = b.0.min(l.x - l.half_width);
        b.2 = b.2.max(l.x + l.half_width);
        for &(top, bottom) in &l.spans {
            b.1 = b.1.min(top);
            b.3 = b.3.max(bottom);
        }
    }
    let (px, py) = (o.layer_gap / 2.0, o.node_gap);
    (b.0 - px, b.1 - py, b.2 + px, b.3 + py)
}

/// Places the parts in rows left to right, wrapping at the widest part's width (or the
/// side of a square of their total area, when that is wider: many lone nodes make a grid).
fn pack(parts: &[Part], radii: &[f64], o: &GraphLayoutOptions, placed: &mut Placed) {
    let laid: Vec<_> = parts.iter().map(|p| layers_of(p, radii)).collect();
    let boxes: Vec<_> = laid.iter().map(|(l, _)| padded_box(l, o)).collect();
    let widest = boxes.iter().map(|b| b.2 - b.0).fold(0.0, f64::max);
    let area: f64 = boxes.iter().map(|b| (b.2 - b.0) * (b.3 - b.1)).sum();
    let row_width = widest.max(area.sqrt());
    let (mut x, mut y, mut row_height) = (0.0, 0.0, 0.0f64);
    for ((part, (layers, of_member)), b) in parts.iter().zip(laid).zip(boxes) {
        let (w, h) = (b.2 - b.0, b.3 - b.1);
        if x > 0.0 && x + w > row_width {
            (x, y, row_height) = (0.0, y + row_height, 0.0);
        }
        let (dx, dy) = (x - b.0, y - b.1);
        let index = placed.parts.len();
        for (&(v, mx, my), &l) in part.members.iter().zip(&of_member) {
            placed.nodes[v].x = mx + dx;
            placed.nodes[v].y = my + dy;
            placed.slot[v] = (index, l);
        }
        placed.parts.push(shifted(layers, dx, dy));
        x += w;
        row_height = row_height.max(h);
    }
}

fn shifted(mut layers: Vec<Layer>, dx: f64, dy: f64) -> Vec<Layer> {
    for l in &mut layers {
        l.x += dx;
        for s in &mut l.spans {
            *s = (s.0 + dy, s.1 + dy);
        }
    }
    layers
}

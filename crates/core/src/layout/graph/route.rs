//! Edge routes through the layers: an edge leaves its caller's right side and enters its
//! callee's left side; wherever it crosses a layer it runs straight across the layer's
//! column at a height clear of that layer's nodes, so it never cuts through a node. Between
//! columns (where no node is) it runs diagonally.
//!
//! A forward edge goes right layer by layer. A backward edge (one the cycle breaking turned
//! round, A → B → A) hooks right out of its caller, runs left back through the columns and
//! hooks into its callee from the left. A self-loop goes over its node.

use super::place::{Layer, Placed};
use super::{EdgePath, GraphLayoutOptions};

/// The path of the edge `from` → `to` (no points when an end is out of range).
pub(super) fn route(placed: &Placed, from: usize, to: usize, o: &GraphLayoutOptions) -> EdgePath {
    let (Some(a), Some(b)) = (placed.nodes.get(from), placed.nodes.get(to)) else {
        return EdgePath::default();
    };
    let start = (a.x + a.radius, a.y);
    let end = (b.x - b.radius, b.y);
    let points = if from == to {
        self_loop(start, end, a.y - a.radius, o)
    } else {
        match (column(placed, from), column(placed, to)) {
            (Some((p, la)), Some((q, lb))) if p == q => {
                let layers = placed.parts.get(p).map_or(&[][..], Vec::as_slice);
                through(layers, la, lb, start, end, o)
            }
            _ => vec![start, end],
        }
    };
    EdgePath {
        points: dedup(points),
    }
}

fn column(placed: &Placed, node: usize) -> Option<(usize, usize)> {
    placed.slot.get(node).copied()
}

/// Over the node: right, up, across, down, into its left side. Stays within a fraction of
/// the node gap above it, so it clears the node above.
fn self_loop(
    start: (f64, f64),
    end: (f64, f64),
    top: f64,
    o: &GraphLayoutOptions,
) -> Vec<(f64, f64)> {
    let out = o.layer_gap / 4.0;
    let over = top - 0.4 * o.node_gap;
    vec![
        start,
        (start.0 + out, start.1),
        (start.0 + out, over),
        (end.0 - out, over),
        (end.0 - out, end.1),
        end,
    ]
}

/// From layer `la` to layer `lb` of one part's `layers`.
fn through(
    layers: &[Layer],
    la: usize,
    lb: usize,
    start: (f64, f64),
    end: (f64, f64),
    o: &GraphLayoutOptions,
) -> Vec<(f64, f64)> {
    let (Some(first), Some(last)) = (layers.get(la), layers.get(lb)) else {
        return vec![start, end];
    };
    let mut points = vec![start, (first.x + first.half_width, start.1)];
    if la < lb {
        for layer in &layers[la + 1..lb] {
            let y = aim(points[points.len() - 1], end, layer.x);
            cross(layer, y, o, &mut points, false);
        }
    } else {
        let hook = o.layer_gap / 2.0;
        points.push((first.x + first.half_width + hook, start.1));
        for layer in layers[lb..=la].iter().rev() {
            let y = aim(points[points.len() - 1], end, layer.x);
            cross(layer, y, o, &mut points, true);
        }
        points.push((last.x - last.half_width - hook, end.1));
    }
    points.push((last.x - last.half_width, end.1));
    points.push(end);
    points
}

/// Where the straight line from `from` to `to` is at `x` (the height of `to` when they are
/// level in x).
fn aim(from: (f64, f64), to: (f64, f64), x: f64) -> f64 {
    let dx = to.0 - from.0;
    if dx.abs() < 1e-9 {
        return to.1;
    }
    let t = ((x - from.0) / dx).clamp(0.0, 1.0);
    from.1 + (to.1 - from.1) * t
}

/// Runs across `layer`'s column at the free height nearest `y` (leftwards when `back`).
fn cross(layer: &Layer, y: f64, o: &GraphLayoutOptions, points: &mut Vec<(f64, f64)>, back: bool) {
    let y = free_y(&layer.spans, y, o.node_gap / 4.0);
    let (left, right) = (layer.x - layer.half_width, layer.x + layer.half_width);
    if back {
        points.extend([(right, y), (left, y)]);
    } else {
        points.extend([(left, y), (right, y)]);
    }
}

/// The height nearest `y` at least `margin` from every span (spans sorted by top, not
/// overlapping: the nodes of one layer).
fn free_y(spans: &[(f64, f64)], y: f64, margin: f64) -> f64 {
    // Walk a blocked run of spans to its nearer free side; spans closer than 2 × margin
    // block together.
    let i = spans.partition_point(|s| s.1 + margin <= y);
    let Some(&(top, _)) = spans.get(i) else {
        return y;
    };
    if top - margin >= y {
        return y;
    }
    let (mut lo, mut hi) = (i, i);
    while lo > 0 && spans[lo - 1].1 + margin > spans[lo].0 - margin {
        lo -= 1;
    }
    while hi + 1 < spans.len() && spans[hi].1 + margin > spans[hi + 1].0 - margin {
        hi += 1;
    }
    let above = spans[lo].0 - margin;
    let below = spans[hi].1 + margin;
    if y - above <= below - y {
        above
    } else {
        below
    }
}

/// Drops points equal to the one before.
fn dedup(mut points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    points.dedup_by(|b, a| (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9);
    points
}

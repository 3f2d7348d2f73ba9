//! Paints the service graph: edges as polylines (thickness by calls, colour by error rate,
//! an arrow at the callee, a label), nodes as a shape per kind (circle: service, cylinder:
//! database, hexagon: messaging, diamond: external) sized by the layout, with an error ring,
//! and their names. A hovered or chosen node lights up with its neighbours; the rest dims.
//! When part of the graph is out of view, an overview in the corner shows all of it and
//! outlines the part shown.
//! Never reads spans: a graph, its layout and a viewport in, a picture out (on the canvas,
//! crisp at any `devicePixelRatio`, or as SVG).

use spanorama_core::layout::graph::GraphLayout;
use spanorama_core::layout::graph_viewport::{GraphViewport, Overview};
use spanorama_core::model::graph::{GraphEdge, NodeKind, ServiceGraph};
use spanorama_core::model::units::{format_count, format_duration};
use spanorama_core::paint::{Align, Baseline, Painter, PathOp, Stroke, TextStyle};
use spanorama_core::theme::{self, Palette};
use web_sys::HtmlCanvasElement;

/// What an edge's label shows.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub enum EdgeLabel {
    #[default]
    Calls,
    ErrorRate,
    P95,
}

impl EdgeLabel {
    fn text(self, e: &GraphEdge) -> String {
        match self {
            EdgeLabel::Calls => format_count(e.calls),
            EdgeLabel::ErrorRate => format!("{:.1} %", e.error_rate() * 100.0),
            EdgeLabel::P95 => e.latency.p95.map_or_else(String::new, format_duration),
        }
    }
}

/// One frame to paint.
pub struct GraphFrame<'a> {
    pub graph: &'a ServiceGraph,
    pub layout: &'a GraphLayout,
    pub palette: &'a Palette,
    pub viewport: GraphViewport,
    pub width_px: f64,
    pub height_px: f64,
    pub label: EdgeLabel,
    /// The node whose neighbourhood is lit (hovered, else chosen).
    pub focus: Option<usize>,
    /// The chosen edge, drawn on top.
    pub chosen_edge: Option<usize>,
    pub overview: Option<Overview>,
    pub colors: &'static theme::Colors,
    pub device_pixel_ratio: f64,
}

/// Resizes the backing store if needed and paints the frame.
pub fn draw(canvas: &HtmlCanvasElement, frame: &GraphFrame) -> Result<(), String> {
    let size = (frame.width_px, frame.height_px);
    let dpr = frame.device_pixel_ratio;
    super::paint_canvas(canvas, size, dpr, frame.colors.background, |p| {
        paint(p, frame)
    })
}

/// The same picture as an SVG document.
pub fn svg(frame: &GraphFrame) -> String {
    let size = (frame.width_px, frame.height_px);
    super::paint_svg(size, frame.colors.background, |p| paint(p, frame))
}

fn paint(p: &mut dyn Painter, frame: &GraphFrame) {
    let lit = Lit::new(frame);
    for (i, edge) in frame.graph.edges.iter().enumerate() {
        if Some(i) != frame.chosen_edge {
            paint_edge(p, frame, i, edge, lit.edge(i));
        }
    }
    if let Some(i) = frame.chosen_edge.filter(|&i| i < frame.graph.edges.len()) {
        paint_edge(p, frame, i, &frame.graph.edges[i], Light::Chosen);
    }
    for i in 0..frame.graph.nodes.len() {
        paint_node(p, frame, i, lit.node(i));
    }
    if let Some(overview) = frame.overview {
        paint_overview(p, frame, &overview);
    }
}

/// The whole graph, small (edges as lines between their ends, nodes as dots), and the
/// part the view shows outlined.
fn paint_overview(p: &mut dyn Painter, f: &GraphFrame, o: &Overview) {
    let (i, c) = (o.inset, f.colors);
    let frame_line = Stroke {
        colour: c.overview_frame,
        width: 1.0,
    };
    let (x, y, w, h) = (i.x - 4.0, i.y - 4.0, i.width + 8.0, i.height + 8.0);
    p.fill_rect(x, y, w, h, c.background);
    p.stroke_rect(x, y, w, h, frame_line);
    let mut lines = Vec::with_capacity(f.layout.edges.len() * 2);
    for path in &f.layout.edges {
        if let (Some(&a), Some(&b)) = (path.points.first(), path.points.last()) {
            let (a, b) = (o.map.to_screen(a), o.map.to_screen(b));
            lines.push(PathOp::MoveTo(a.0, a.1));
            lines.push(PathOp::LineTo(b.0, b.1));
        }
    }
    p.path(&lines, None, Some(frame_line));
    for (node, place) in f.graph.nodes.iter().zip(&f.layout.nodes) {
        let (x, y) = o.map.to_screen((place.x, place.y));
        let r = (place.radius * o.map.scale).max(1.5);
        p.circle(x, y, r, Some(f.palette.colour(&node.name)), None);
    }
    let shown = o.shown(f.viewport, f.width_px, f.height_px);
    let outline = Stroke {
        colour: c.chosen,
        width: 1.5,
    };
    p.stroke_rect(shown.x, shown.y, shown.width, shown.height, outline);
}

/// How strongly a part is drawn.
#[derive(Copy, Clone, PartialEq)]
enum Light {
    Normal,
    Dim,
    Chosen,
}

/// Which nodes and edges the focus lights: the node, its neighbours, the edges between.
struct Lit {
    focus: Option<usize>,
    neighbours: Vec<bool>,
    edges: Vec<(usize, usize)>,
}

impl Lit {
    fn new(frame: &GraphFrame) -> Self {
        let g = frame.graph;
        let mut neighbours = vec![false; g.nodes.len()];
        if let Some(f) = frame.focus {
            for e in &g.edges {
                if e.from == f || e.to == f {
                    neighbours[e.from] = true;
                    neighbours[e.to] = true;
                }
            }
        }
        Lit {
            focus: frame.focus,
            neighbours,
            edges: g.edges.iter().map(|e| (e.from, e.to)).collect(),
        }
    }

    fn node(&self, i: usize) -> Light {
        match self.focus {
            None => Light::Normal,
            Some(f) if f == i => Light::Chosen,
            Some(_) if self.neighbours.get(i).copied().unwrap_or(false) => Light::Normal,
            Some(_) => Light::Dim,
        }
    }

    fn edge(&self, i: usize) -> Light {
        match (self.focus, self.edges.get(i)) {
            (Some(f), Some(&(a, b))) if a != f && b != f => Light::Dim,
            _ => Light::Normal,
        }
    }
}

/// Error rate 0 → grey, any failure → orange to red.
fn edge_colour(e: &GraphEdge, c: &theme::Colors) -> &'static str {
    match e.error_rate() {
        r if r <= 0.0 => c.edge,
        r if r < 0.05 => c.warning,
        _ => c.error,
    }
}

fn paint_edge(p: &mut dyn Painter, f: &GraphFrame, i: usize, e: &GraphEdge, light: Light) {
    let Some(path) = f.layout.edges.get(i) else {
        return;
    };
    let points: Vec<(f64, f64)> = path
        .points
        .iter()
        .map(|&p| f.viewport.to_screen(p))
        .collect();
    if points.len() < 2 {
        return;
    }
    let width = 1.0 + (e.calls as f64).max(1.0).log10().min(5.0);
    let colour = if light == Light::Chosen {
        f.colors.chosen
    } else {
        edge_colour(e, f.colors)
    };
    p.set_alpha(if light == Light::Dim { 0.15 } else { 1.0 });
    let line = Stroke {
        colour,
        width: if light == Light::Chosen {
            width + 1.5
        } else {
            width
        },
    };
    let ops: Vec<PathOp> = std::iter::once(PathOp::MoveTo(points[0].0, points[0].1))
        .chain(points[1..].iter().map(|&(x, y)| PathOp::LineTo(x, y)))
        .collect();
    p.path(&ops, None, Some(line));
    arrow_head(
        p,
        points[points.len() - 2],
        points[points.len() - 1],
        4.0 + width,
        colour,
    );
    if light != Light::Dim {
        // The label sits at the middle of the middle segment.
        let k = (points.len() - 1) / 2;
        let mid = (
            (points[k].0 + points[k + 1].0) / 2.0,
            (points[k].1 + points[k + 1].1) / 2.0,
        );
        let style = TextStyle {
            font: theme::FONT_SMALL,
            colour: f.colors.text_muted,
            align: Align::Left,
            baseline: Baseline::Alphabetic,
        };
        p.text(&f.label.text(e), mid.0 + 3.0, mid.1 - 3.0, style);
    }
    p.set_alpha(1.0);
}

/// A filled arrow head at `to`, pointing away from `from`.
pub(super) fn arrow_head(
    p: &mut dyn Painter,
    from: (f64, f64),
    to: (f64, f64),
    size: f64,
    colour: &str,
) {
    let angle = (to.1 - from.1).atan2(to.0 - from.0);
    let mut ops = vec![PathOp::MoveTo(to.0, to.1)];
    for side in [-0.45f64, 0.45] {
        let a = angle + std::f64::consts::PI + side;
        ops.push(PathOp::LineTo(to.0 + size * a.cos(), to.1 + size * a.sin()));
    }
    ops.push(PathOp::Close);
    p.path(&ops, Some(colour), None);
}

fn paint_node(p: &mut dyn Painter, f: &GraphFrame, i: usize, light: Light) {
    let (Some(node), Some(place)) = (f.graph.nodes.get(i), f.layout.nodes.get(i)) else {
        return;
    };
    let (x, y) = f.viewport.to_screen((place.x, place.y));
    let r = (place.radius * f.viewport.scale).max(3.0);
    p.set_alpha(if light == Light::Dim { 0.2 } else { 1.0 });
    let error_rate = if node.spans > 0 {
        node.errors as f64 / node.spans as f64
    } else {
        0.0
    };
    let outline = if light == Light::Chosen {
        Stroke {
            colour: f.colors.chosen,
            width: 3.0,
        }
    } else if error_rate > 0.0 {
        Stroke {
            colour: f.colors.error,
            width: 1.5 + 4.0 * error_rate.min(1.0),
        }
    } else {
        Stroke {
            colour: f.colors.node_outline,
            width: 1.0,
        }
    };
    let fill = Some(f.palette.colour(&node.name));
    match shape(node.kind, x, y, r) {
        None => p.circle(x, y, r, fill, Some(outline)),
        Some(ops) => p.path(&ops, fill, Some(outline)),
    }
    let style = TextStyle {
        font: if light == Light::Chosen {
            theme::FONT_BOLD
        } else {
            theme::FONT
        },
        colour: f.colors.text,
        align: Align::Center,
        baseline: Baseline::Alphabetic,
    };
    p.text(&node.name, x, y + r + 13.0, style);
    p.set_alpha(1.0);
}

/// The outline of a node's shape, centred on `(x, y)` within radius `r`; `None` for a
/// circle (a service).
fn shape(kind: NodeKind, x: f64, y: f64, r: f64) -> Option<Vec<PathOp>> {
    use PathOp::{Close, CubicTo, LineTo, MoveTo};
    Some(match kind {
        NodeKind::Service => return None,
        NodeKind::Database => {
            // A cylinder: a box with rounded top and bottom.
            let (w, h) = (r * 0.85, r);
            vec![
                MoveTo(x - w, y - h * 0.7),
                CubicTo(x - w, y - h * 1.1, x + w, y - h * 1.1, x + w, y - h * 0.7),
                LineTo(x + w, y + h * 0.7),
                CubicTo(x + w, y + h * 1.1, x - w, y + h * 1.1, x - w, y + h * 0.7),
                Close,
            ]
        }
        NodeKind::Messaging => {
            let mut ops: Vec<PathOp> = (0..6)
                .map(|k| {
                    let a = std::f64::consts::PI / 3.0 * k as f64;
                    let (px, py) = (x + r * a.cos(), y + r * a.sin());
                    if k == 0 {
                        MoveTo(px, py)
                    } else {
                        LineTo(px, py)
                    }
                })
                .collect();
            ops.push(Close);
            ops
        }
        NodeKind::External => vec![
            MoveTo(x, y - r),
            LineTo(x + r, y),
            LineTo(x, y + r),
            LineTo(x - r, y),
            Close,
        ],
    })
}

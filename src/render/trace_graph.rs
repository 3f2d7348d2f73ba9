//! Paints the trace graph: a rounded box per call path (service, operation, "N spans · total ·
//! self"), filled by its self time's share of the trace on a sequential scale, outlined red
//! when a span failed; edges from caller to callee with an arrow at the callee, thicker with
//! more calls; the scale's legend in the corner. Zoom scales boxes and text alike; text is
//! left out when too small to read. Never reads spans: a graph, its layout and a viewport in,
//! a picture out, on the canvas or as SVG. Crisp at any `devicePixelRatio`.
//!
//! The arrow head is the service graph's (`render::graph::arrow_head`), drawn through the
//! `Painter`.

use spanorama_core::layout::graph_viewport::GraphViewport;
use spanorama_core::layout::trace_graph::{
    heat_label, heat_step, self_share, NodeBox, TraceGraph, TraceGraphLayout, BOX_PADDING,
    HEAT_DARK, HEAT_LIGHT, HEAT_STEPS,
};
use spanorama_core::model::flame::FlameTree;
use spanorama_core::model::Interner;
use spanorama_core::paint::{Align, Baseline, Painter, PathOp, Stroke, TextStyle};
use spanorama_core::theme::{self, Colors, Scheme};
use web_sys::HtmlCanvasElement;

use super::graph::arrow_head;

/// Below this zoom, boxes carry no text (it would be unreadable).
const MIN_TEXT_SCALE: f64 = 0.45;

/// One frame to paint.
pub struct TraceGraphFrame<'a> {
    pub graph: &'a TraceGraph,
    pub tree: &'a FlameTree,
    pub strings: &'a Interner,
    pub layout: &'a TraceGraphLayout,
    pub viewport: GraphViewport,
    pub width_px: f64,
    pub height_px: f64,
    /// The trace's duration, ns: what self-time shares are of.
    pub trace_nanos: i64,
    /// The hovered node (index into the graph's nodes).
    pub hover: Option<usize>,
    pub scheme: Scheme,
    pub device_pixel_ratio: f64,
}

impl TraceGraphFrame<'_> {
    fn colors(&self) -> &'static Colors {
        self.scheme.colors()
    }

    fn heat(&self) -> &'static [(&'static str, &'static str); 6] {
        match self.scheme {
            Scheme::Light => &HEAT_LIGHT,
            Scheme::Dark => &HEAT_DARK,
        }
    }
}

pub fn draw(canvas: &HtmlCanvasElement, f: &TraceGraphFrame) -> Result<(), String> {
    let size = (f.width_px, f.height_px);
    super::paint_canvas(
        canvas,
        size,
        f.device_pixel_ratio,
        f.colors().background,
        |p| paint(p, f),
    )
}

/// The same picture as an SVG document.
pub fn svg(f: &TraceGraphFrame) -> String {
    super::paint_svg((f.width_px, f.height_px), f.colors().background, |p| {
        paint(p, f)
    })
}

fn paint(p: &mut dyn Painter, f: &TraceGraphFrame) {
    for (i, &(_, to)) in f.graph.edges.iter().enumerate() {
        paint_edge(p, f, i, to as usize);
    }
    for i in 0..f.graph.nodes.len() {
        paint_node(p, f, i);
    }
    paint_legend(p, f);
}

fn paint_edge(p: &mut dyn Painter, f: &TraceGraphFrame, i: usize, to: usize) {
    let Some(path) = f.layout.edges.get(i) else {
        return;
    };
    let points: Vec<(f64, f64)> = path
        .points
        .iter()
        .map(|&q| f.viewport.to_screen(q))
        .collect();
    let [.., from, end] = points.as_slice() else {
        return;
    };
    let calls = f
        .graph
        .nodes
        .get(to)
        .and_then(|n| f.tree.nodes.get(n.tree_node as usize))
        .map_or(1, |n| n.count);
    let width = (1.0 + (calls as f64).max(1.0).log10().min(4.0)) * f.viewport.scale.min(1.0);
    let colour = f.colors().edge;
    let mut ops = vec![PathOp::MoveTo(points[0].0, points[0].1)];
    ops.extend(points[1..].iter().map(|&(x, y)| PathOp::LineTo(x, y)));
    p.path(&ops, None, Some(Stroke { colour, width }));
    let size = (4.0 + width * 2.0) * f.viewport.scale.clamp(0.5, 1.5);
    arrow_head(p, *from, *end, size, colour);
}

fn paint_node(p: &mut dyn Painter, f: &TraceGraphFrame, i: usize) {
    let (Some(node), Some(b)) = (f.graph.nodes.get(i), f.layout.boxes.get(i)) else {
        return;
    };
    let Some(n) = f.tree.nodes.get(node.tree_node as usize) else {
        return;
    };
    let s = f.viewport.scale;
    let (x, y) = f.viewport.to_screen((b.x, b.y));
    let screen = NodeBox {
        x,
        y,
        width: b.width * s,
        height: b.height * s,
    };
    let (fill, ink) = f.heat()[heat_step(self_share(n.self_nanos, f.trace_nanos))];
    let c = f.colors();
    let stroke = if f.hover == Some(i) {
        Stroke {
            colour: c.chosen,
            width: 2.5,
        }
    } else if n.errors > 0 {
        Stroke {
            colour: c.error,
            width: 2.0,
        }
    } else {
        Stroke {
            colour: c.node_outline,
            width: 1.0,
        }
    };
    p.path(&rounded(screen, 6.0 * s), Some(fill), Some(stroke));
    if s < MIN_TEXT_SCALE {
        return;
    }
    let lines = [
        (f.strings.get(n.service).to_string(), theme::FONT_BOLD),
        (f.strings.get(n.name).to_string(), theme::FONT),
        (node.figures.clone(), theme::FONT_SMALL),
    ];
    let room = screen.width - 2.0 * BOX_PADDING * s;
    for (k, (text, font)) in lines.iter().enumerate() {
        let font = scaled_font(font, s);
        let fitted = p.fit(text, &font, room);
        let style = TextStyle {
            font: &font,
            colour: ink,
            align: Align::Center,
            baseline: Baseline::Middle,
        };
        let line_y = screen.y + screen.height * (k as f64 + 0.5) / 3.0;
        p.text(&fitted, screen.x + screen.width / 2.0, line_y, style);
    }
}

/// A box with rounded corners of radius `r`, as a path.
fn rounded(b: NodeBox, r: f64) -> Vec<PathOp> {
    let r = r.min(b.width / 2.0).min(b.height / 2.0).max(0.0);
    // Control points of a quarter circle by a cubic: 0.5523 of the radius from the corner's
    // ends.
    let k = r * (1.0 - 0.5523);
    let (x0, y0, x1, y1) = (b.x, b.y, b.x + b.width, b.y + b.height);
    vec![
        PathOp::MoveTo(x0 + r, y0),
        PathOp::LineTo(x1 - r, y0),
        PathOp::CubicTo(x1 - k, y0, x1, y0 + k, x1, y0 + r),
        PathOp::LineTo(x1, y1 - r),
        PathOp::CubicTo(x1, y1 - k, x1 - k, y1, x1 - r, y1),
        PathOp::LineTo(x0 + r, y1),
        PathOp::CubicTo(x0 + k, y1, x0, y1 - k, x0, y1 - r),
        PathOp::LineTo(x0, y0 + r),
        PathOp::CubicTo(x0, y0 + k, x0 + k, y0, x0 + r, y0),
        PathOp::Close,
    ]
}

/// `font` (a theme font, "12px family…") at `scale` times its size.
fn scaled_font(font: &str, scale: f64) -> String {
    font.split(' ')
        .map(
            |w| match w.strip_suffix("px").and_then(|n| n.parse::<f64>().ok()) {
                Some(px) => format!("{:.1}px", px * scale),
                None => w.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// The self-time scale, bottom left: a swatch and a label per step.
fn paint_legend(p: &mut dyn Painter, f: &TraceGraphFrame) {
    let c = f.colors();
    let (swatch, gap, label_w) = (12.0, 6.0, 58.0);
    let height = 22.0;
    let width = 130.0 + HEAT_STEPS.len() as f64 * (swatch + 4.0 + label_w);
    let (x, y) = (8.0, f.height_px - height - 8.0);
    p.set_alpha(0.92);
    p.fill_rect(x, y, width, height, c.background);
    p.set_alpha(1.0);
    p.stroke_rect(
        x,
        y,
        width,
        height,
        Stroke {
            colour: c.divider,
            width: 1.0,
        },
    );
    let mid = y + height / 2.0;
    let style = |colour| TextStyle {
        font: theme::FONT_SMALL,
        colour,
        align: Align::Left,
        baseline: Baseline::Middle,
    };
    p.text("Self time, % of trace", x + gap, mid, style(c.text_muted));
    let mut at = x + 130.0;
    for (k, &(fill, _)) in f.heat().iter().enumerate() {
        p.fill_rect(at, mid - swatch / 2.0, swatch, swatch, fill);
        let outline = Stroke {
            colour: c.node_outline,
            width: 0.5,
        };
        p.stroke_rect(at, mid - swatch / 2.0, swatch, swatch, outline);
        p.text(&heat_label(k), at + swatch + 4.0, mid, style(c.text));
        at += swatch + 4.0 + label_w;
    }
}

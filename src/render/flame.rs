//! Paints the flame graph (icicle): a rectangle per frame, the root on top, each frame's
//! callees under it, widths by time; service colours, or a trace comparison's change
//! colours; names inside when they fit. Frames that match the search stay bright, the
//! others dim. Never reads spans: a layout in, a picture out, on the canvas or as SVG.
//! Crisp at any `devicePixelRatio`.

use spanorama_core::model::diff::{heat_colour, TraceDiff};
use spanorama_core::model::flame::{FlameRect, FlameShape};
use spanorama_core::model::Interner;
use spanorama_core::paint::{Align, Baseline, Painter, PathOp, Stroke, TextStyle};
use spanorama_core::theme::{self, Colors, Palette};
use web_sys::HtmlCanvasElement;

/// Height of a frame's row, CSS px.
pub const FLAME_ROW_PX: f64 = 20.0;

/// One frame to paint.
pub struct FlameFrame<'a> {
    pub tree: &'a dyn FlameShape,
    pub strings: &'a Interner,
    pub rects: &'a [FlameRect],
    pub fill: FlameFill<'a>,
    pub colors: &'static Colors,
    pub width_px: f64,
    pub height_px: f64,
    /// Frames matching the search (ascending; empty: no search, nothing dims).
    pub matches: &'a [u32],
    pub hover: Option<u32>,
    pub device_pixel_ratio: f64,
}

/// What colours a frame.
#[derive(Copy, Clone)]
pub enum FlameFill<'a> {
    /// Its service's colour.
    Services(&'a Palette),
    /// Its change in a comparison whose nodes the tree's are (`model::diff::heat_colour`:
    /// red slower or added, blue faster); removed frames grey and hatched.
    Diff(&'a TraceDiff),
}

pub fn draw(canvas: &HtmlCanvasElement, f: &FlameFrame) -> Result<(), String> {
    let size = (f.width_px, f.height_px);
    super::paint_canvas(
        canvas,
        size,
        f.device_pixel_ratio,
        f.colors.background,
        |p| paint(p, f),
    )
}

/// The same picture as an SVG document.
pub fn svg(f: &FlameFrame) -> String {
    super::paint_svg((f.width_px, f.height_px), f.colors.background, |p| {
        paint(p, f)
    })
}

fn paint(p: &mut dyn Painter, f: &FlameFrame) {
    for r in f.rects {
        paint_rect(p, f, r);
    }
}

fn paint_rect(p: &mut dyn Painter, f: &FlameFrame, r: &FlameRect) {
    let (service, name) = f.tree.label(r.node);
    let service = f.strings.get(service);
    let y = r.depth as f64 * FLAME_ROW_PX;
    let dim = !f.matches.is_empty() && f.matches.binary_search(&r.node).is_err();
    p.set_alpha(if dim { 0.25 } else { 1.0 });
    let (w, h) = ((r.width_px - 0.5).max(0.5), FLAME_ROW_PX - 1.0);
    let (fill, hatched) = fill_of(f, r, service);
    p.fill_rect(r.x_px, y, w, h, &fill);
    if hatched {
        hatch(p, (r.x_px, y, w, h), f.colors.text_muted);
    }
    if f.hover == Some(r.node) {
        let stroke = Stroke {
            colour: f.colors.chosen,
            width: 2.0,
        };
        let w = (r.width_px - 2.0).max(1.0);
        p.stroke_rect(r.x_px + 1.0, y + 1.0, w, FLAME_ROW_PX - 3.0, stroke);
    }
    if r.width_px > 30.0 && r.merged <= 1 {
        let text = format!("{service}: {}", f.strings.get(name));
        let fitted = p.fit(&text, theme::FONT_SMALL, r.width_px - 6.0);
        let style = TextStyle {
            font: theme::FONT_SMALL,
            colour: "#111827",
            align: Align::Left,
            baseline: Baseline::Middle,
        };
        p.text(&fitted, r.x_px + 3.0, y + FLAME_ROW_PX / 2.0, style);
    }
    p.set_alpha(1.0);
}

/// The fill of a frame, and whether it is hatched (a frame only the baseline has).
fn fill_of(f: &FlameFrame, r: &FlameRect, service: &str) -> (String, bool) {
    match f.fill {
        _ if r.merged > 1 => (f.colors.guide.to_string(), false),
        FlameFill::Services(palette) => (palette.colour(service).to_string(), false),
        FlameFill::Diff(diff) => match diff.nodes.get(r.node as usize) {
            Some(n) if n.removed() => (f.colors.guide.to_string(), true),
            Some(n) => (heat_colour(n.heat()), false),
            None => (f.colors.guide.to_string(), false),
        },
    }
}

/// Distance between hatching lines, CSS px.
const HATCH_PX: f64 = 6.0;

/// Diagonal lines (bottom left to top right) over the rectangle `x, y, w, h`, clipped to it.
fn hatch(p: &mut dyn Painter, (x, y, w, h): (f64, f64, f64, f64), colour: &str) {
    let mut ops = Vec::new();
    // Each line is the points (c + s, y + h - s), s in 0..h, clipped to x..x + w.
    let mut c = x - h;
    while c < x + w {
        let (from, to) = ((x - c).max(0.0), (x + w - c).min(h));
        if from < to {
            ops.push(PathOp::MoveTo(c + from, y + h - from));
            ops.push(PathOp::LineTo(c + to, y + h - to));
        }
        c += HATCH_PX;
    }
    let stroke = Stroke { colour, width: 1.0 };
    p.path(&ops, None, Some(stroke));
}

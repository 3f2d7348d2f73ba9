//! Paints the flame graph (icicle): a rectangle per frame, the root on top, each frame's
//! callees under it, widths by time; service colours; names inside when they fit. Frames
//! that match the search stay bright, the others dim. Never reads spans: a layout in, a
//! picture out, on the canvas or as SVG. Crisp at any `devicePixelRatio`.

use spanorama_core::model::flame::{FlameRect, FlameShape, FlameTree};
use spanorama_core::model::Interner;
use spanorama_core::paint::{Align, Baseline, Painter, Stroke, TextStyle};
use spanorama_core::theme::{self, Colors, Palette};
use web_sys::HtmlCanvasElement;

use super::canvas_painter::{svg_painter, CanvasPainter};

/// Height of a frame's row, CSS px.
pub const FLAME_ROW_PX: f64 = 20.0;

/// One frame to paint.
pub struct FlameFrame<'a> {
    pub tree: &'a FlameTree,
    pub strings: &'a Interner,
    pub rects: &'a [FlameRect],
    pub palette: &'a Palette,
    pub colors: &'static Colors,
    pub width_px: f64,
    pub height_px: f64,
    /// Frames matching the search (ascending; empty: no search, nothing dims).
    pub matches: &'a [u32],
    pub hover: Option<u32>,
    pub device_pixel_ratio: f64,
}

pub fn draw(canvas: &HtmlCanvasElement, f: &FlameFrame) -> Result<(), String> {
    let size = (f.width_px, f.height_px);
    let ctx = super::prepare(canvas, size, f.device_pixel_ratio, f.colors.background)?;
    paint(&mut CanvasPainter::new(ctx), f);
    Ok(())
}

/// The same picture as an SVG document.
pub fn svg(f: &FlameFrame) -> String {
    let mut p = svg_painter(f.width_px, f.height_px, f.colors.background);
    paint(&mut p, f);
    p.finish()
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
    let fill = if r.merged > 1 {
        f.colors.guide
    } else {
        f.palette.colour(service)
    };
    p.fill_rect(
        r.x_px,
        y,
        (r.width_px - 0.5).max(0.5),
        FLAME_ROW_PX - 1.0,
        fill,
    );
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

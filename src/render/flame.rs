//! Paints the flame graph (icicle): a rectangle per frame, the root on top, each frame's
//! callees under it, widths by time; service colours; names inside when they fit. Frames
//! that match the search stay bright, the others dim. Never reads spans: a layout in, a
//! picture out. Crisp at any `devicePixelRatio`.

use spanorama_core::model::flame::{FlameRect, FlameShape, FlameTree};
use spanorama_core::model::Interner;
use spanorama_core::theme::{self, Colors, Palette};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

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
    ctx.set_font(theme::FONT_SMALL);
    ctx.set_text_baseline("middle");
    for r in f.rects {
        paint_rect(&ctx, f, r);
    }
    Ok(())
}

fn paint_rect(ctx: &CanvasRenderingContext2d, f: &FlameFrame, r: &FlameRect) {
    let (service, name) = f.tree.label(r.node);
    let service = f.strings.get(service);
    let y = r.depth as f64 * FLAME_ROW_PX;
    let dim = !f.matches.is_empty() && f.matches.binary_search(&r.node).is_err();
    ctx.set_global_alpha(if dim { 0.25 } else { 1.0 });
    ctx.set_fill_style_str(if r.merged > 1 {
        f.colors.guide
    } else {
        f.palette.colour(service)
    });
    ctx.fill_rect(r.x_px, y, (r.width_px - 0.5).max(0.5), FLAME_ROW_PX - 1.0);
    if f.hover == Some(r.node) {
        ctx.set_stroke_style_str(f.colors.chosen);
        ctx.set_line_width(2.0);
        ctx.stroke_rect(
            r.x_px + 1.0,
            y + 1.0,
            (r.width_px - 2.0).max(1.0),
            FLAME_ROW_PX - 3.0,
        );
    }
    if r.width_px > 30.0 && r.merged <= 1 {
        let text = format!("{service}: {}", f.strings.get(name));
        ctx.set_fill_style_str("#111827");
        let fitted = fit(ctx, &text, r.width_px - 6.0);
        let _ = ctx.fill_text(&fitted, r.x_px + 3.0, y + FLAME_ROW_PX / 2.0);
    }
    ctx.set_global_alpha(1.0);
}

/// `text` cut with an ellipsis to fit `max_px`.
fn fit(ctx: &CanvasRenderingContext2d, text: &str, max_px: f64) -> String {
    let width = |t: &str| ctx.measure_text(t).map(|m| m.width()).unwrap_or(0.0);
    if width(text) <= max_px {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        if width(&candidate) <= max_px {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if lo == 0 {
        String::new()
    } else {
        chars[..lo].iter().collect::<String>() + "…"
    }
}

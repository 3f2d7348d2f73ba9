//! Drawing finished layouts onto canvases with the 2D context. Nothing here decides where
//! things go (that is `layout`) or reads spans (the layout carries the labels).

pub mod canvas_painter;
pub mod flame;
pub mod graph;
pub mod latency;
pub mod minimap;
pub mod trace_graph;
pub mod waterfall;

use canvas_painter::{svg_painter, CanvasPainter};
use spanorama_core::paint::Painter;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Paints a `size` (CSS px) frame on `canvas` through `paint`: readied by [`prepare`], drawn
/// with a [`CanvasPainter`].
pub fn paint_canvas(
    canvas: &HtmlCanvasElement,
    size: (f64, f64),
    dpr: f64,
    background: &str,
    paint: impl FnOnce(&mut dyn Painter),
) -> Result<(), String> {
    let ctx = prepare(canvas, size, dpr, background)?;
    paint(&mut CanvasPainter::new(ctx));
    Ok(())
}

/// The same picture as an SVG document (text measured as the canvas measures it).
pub fn paint_svg(
    (width, height): (f64, f64),
    background: &str,
    paint: impl FnOnce(&mut dyn Painter),
) -> String {
    let mut p = svg_painter(width, height, background);
    paint(&mut p);
    p.finish()
}

/// Readies `canvas` for a frame of `width_px` × `height_px` CSS px at `dpr` device pixels
/// per CSS px (its backing store resized only when that changes, which clears it), filled
/// with `background`; its 2D context, drawing in CSS px.
pub fn prepare(
    canvas: &HtmlCanvasElement,
    (width_px, height_px): (f64, f64),
    dpr: f64,
    background: &str,
) -> Result<CanvasRenderingContext2d, String> {
    let dpr = dpr.max(1.0);
    let (w, h) = (
        (width_px * dpr).round().max(1.0) as u32,
        (height_px * dpr).round().max(1.0) as u32,
    );
    if canvas.width() != w {
        canvas.set_width(w);
    }
    if canvas.height() != h {
        canvas.set_height(h);
    }
    let ctx = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
        .ok_or("no 2d context")?;
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0)
        .map_err(|_| "setTransform failed".to_string())?;
    ctx.set_fill_style_str(background);
    ctx.fill_rect(0.0, 0.0, width_px, height_px);
    Ok(ctx)
}

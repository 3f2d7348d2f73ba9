//! Paints the trace overview (minimap). The overview image is expensive (every row of the
//! trace) and changes only with the layout, so it is put once into an offscreen canvas
//! ([`put_image`]); every frame then copies it onto the visible canvas with one
//! `drawImage` and draws the waterfall's viewport over it ([`blit`]), which costs the same
//! for ten spans as for a million.

use spanorama_core::layout::{MinimapGeometry, MinimapRect};
use spanorama_core::theme;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// One frame of the visible minimap canvas.
#[derive(Clone, PartialEq, Debug)]
pub struct MinimapFrame {
    pub geometry: MinimapGeometry,
    /// Width of the whole minimap canvas (label column + image), CSS px.
    pub width_px: f64,
    /// The waterfall's viewport: zoom window × visible rows.
    pub viewport: MinimapRect,
    /// The time range being dragged out, as CSS x from–to.
    pub selection: Option<(f64, f64)>,
    /// Text for the label column on the left.
    pub label: String,
    pub colors: &'static theme::Colors,
    pub device_pixel_ratio: f64,
}

/// A canvas that is never attached to the page, to hold the overview image.
pub fn offscreen_canvas() -> Result<HtmlCanvasElement, String> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?
        .create_element("canvas")
        .map_err(|_| "cannot create a canvas".to_string())?
        .dyn_into::<HtmlCanvasElement>()
        .map_err(|_| "not a canvas".to_string())
}

/// Replaces the contents of `offscreen` with an RGBA image of `width` × `height` pixels.
pub fn put_image(
    offscreen: &HtmlCanvasElement,
    rgba: &[u8],
    width: u32,
    height: u32,
) -> Result<(), String> {
    resize(offscreen, width.max(1), height.max(1));
    if width == 0 || height == 0 {
        return Ok(());
    }
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height)
        .map_err(|_| format!("cannot make a {width}×{height} image"))?;
    context_2d(offscreen)?
        .put_image_data(&image, 0.0, 0.0)
        .map_err(|_| "putImageData failed".to_string())
}

/// Paints a frame: background and label, the offscreen image in device pixels,
/// the parts outside the viewport dimmed, the viewport outlined, and the drag selection.
pub fn blit(
    canvas: &HtmlCanvasElement,
    image: &HtmlCanvasElement,
    frame: &MinimapFrame,
) -> Result<(), String> {
    let (g, c) = (&frame.geometry, frame.colors);
    let dpr = frame.device_pixel_ratio.max(1.0);
    resize(
        canvas,
        (frame.width_px * dpr).round().max(1.0) as u32,
        (g.height_px * dpr).round().max(1.0) as u32,
    );
    let ctx = context_2d(canvas)?;
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0)
        .map_err(|_| "setTransform failed".to_string())?;
    ctx.set_fill_style_str(c.header_bg);
    ctx.fill_rect(0.0, 0.0, frame.width_px, g.height_px);
    ctx.set_fill_style_str(c.text_muted);
    ctx.set_font(theme::FONT_SMALL);
    ctx.set_text_align("left");
    ctx.set_text_baseline("middle");
    let _ = ctx.fill_text(&frame.label, 10.0, g.height_px / 2.0);

    // The image is rendered at the device size of its area and then copied 1:1; one made
    // for another size (shown while its replacement is counted) is stretched to fit.
    ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        .map_err(|_| "setTransform failed".to_string())?;
    ctx.set_image_smoothing_enabled(false);
    if image.width() > 0 && image.height() > 0 {
        let (w, h) = ((g.width_px * dpr).round(), (g.height_px * dpr).round());
        let (x, y) = ((g.x_px * dpr).round(), 0.0);
        ctx.draw_image_with_html_canvas_element_and_dw_and_dh(image, x, y, w, h)
            .map_err(|_| "drawImage failed".to_string())?;
    }
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0)
        .map_err(|_| "setTransform failed".to_string())?;

    let v = &frame.viewport;
    let (right, bottom) = (g.x_px + g.width_px, g.height_px);
    ctx.set_fill_style_str(c.minimap_dim);
    ctx.fill_rect(g.x_px, 0.0, g.width_px, v.y_px);
    ctx.fill_rect(g.x_px, v.y_px + v.height_px, g.width_px, bottom);
    ctx.fill_rect(g.x_px, v.y_px, v.x_px - g.x_px, v.height_px);
    ctx.fill_rect(
        v.x_px + v.width_px,
        v.y_px,
        right - v.x_px - v.width_px,
        v.height_px,
    );
    ctx.set_stroke_style_str(c.chosen);
    ctx.set_line_width(1.0);
    ctx.stroke_rect(
        v.x_px + 0.5,
        v.y_px + 0.5,
        (v.width_px - 1.0).max(1.0),
        (v.height_px - 1.0).max(1.0),
    );

    if let Some((from, to)) = frame.selection {
        let (left, right) = (from.min(to).max(g.x_px), from.max(to).min(right));
        ctx.set_fill_style_str(c.minimap_selection);
        ctx.fill_rect(left, 0.0, (right - left).max(1.0), g.height_px);
        ctx.set_stroke_style_str(c.chosen);
        ctx.begin_path();
        for x in [left, right] {
            ctx.move_to(x.round() + 0.5, 0.0);
            ctx.line_to(x.round() + 0.5, g.height_px);
        }
        ctx.stroke();
    }

    ctx.set_stroke_style_str(c.divider);
    ctx.begin_path();
    ctx.move_to(0.0, bottom - 0.5);
    ctx.line_to(frame.width_px, bottom - 0.5);
    ctx.stroke();
    Ok(())
}

/// Sets the backing store size of `canvas` (which clears it) only when it changes.
fn resize(canvas: &HtmlCanvasElement, width: u32, height: u32) {
    if canvas.width() != width {
        canvas.set_width(width);
    }
    if canvas.height() != height {
        canvas.set_height(height);
    }
}

fn context_2d(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, String> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
        .ok_or_else(|| "no 2d context".to_string())
}

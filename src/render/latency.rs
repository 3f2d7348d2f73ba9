//! Draws the latency charts (`core::layout::latency` decides where everything goes) with
//! plotters, on any of its backends: the canvas on the page (`plotters-canvas`) and the SVG
//! download (`SVGBackend::with_string`) are the same function. Coordinates are the layout's
//! CSS px.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use spanorama_core::layout::latency::{
    parse_colour, time_label, ChartFrame, Dot, Histogram, PlotRect,
};
use spanorama_core::model::units::{format_count, format_duration};
use spanorama_core::theme::Colors;

/// Labels' font.
const FONT: (&str, f64) = ("sans-serif", 11.0);
/// Ticks on each axis, at most about.
const X_TICKS: usize = 6;
const Y_TICKS: usize = 4;

/// A theme colour for plotters (grey when the theme's text is not a colour this reads).
fn colour(css: &str) -> RGBAColor {
    let (r, g, b, a) = parse_colour(css).unwrap_or((128, 128, 128, 1.0));
    RGBAColor(r, g, b, a)
}

fn px((x, y): (f64, f64)) -> (i32, i32) {
    (x.round() as i32, y.round() as i32)
}

/// The scatter: axes, the brush (`brush`, under the dots), then the dots (errors red).
pub fn draw_scatter<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &ChartFrame,
    dots: &[Dot],
    brush: Option<PlotRect>,
    colors: &Colors,
) -> Result<(), String> {
    let span = frame.x.hi - frame.x.lo;
    draw_frame(
        area,
        frame,
        &|v| time_label(v.round() as i64, span),
        &|v| format_duration(v.round() as i64),
        colors,
    )?;
    draw_brush(area, brush, colors)?;
    let (plain, error) = (
        colour(colors.chosen).mix(0.55),
        colour(colors.error).mix(0.8),
    );
    for d in dots {
        let style = if d.error { error } else { plain };
        let r = d.r.round().max(1.0) as u32;
        area.draw(&Circle::new(px((d.x, d.y)), r, style.filled()))
            .map_err(|e| e.to_string())?;
    }
    area.present().map_err(|e| e.to_string())
}

/// The histogram: axes, the brush, then one bar per bin.
pub fn draw_histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    hist: &Histogram,
    brush: Option<PlotRect>,
    colors: &Colors,
) -> Result<(), String> {
    let frame = &hist.frame;
    draw_frame(
        area,
        frame,
        &|v| format_duration(v.round() as i64),
        &|v| format_count(v.round().max(0.0) as u64),
        colors,
    )?;
    draw_brush(area, brush, colors)?;
    let fill = colour(colors.chosen).mix(0.7);
    let base = frame.y.to_px(0.0);
    for (i, &count) in hist.counts.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let (Some(&a), Some(&b)) = (hist.edges.get(i), hist.edges.get(i + 1)) else {
            continue;
        };
        let (x0, x1) = (frame.x.to_px(a) + 0.5, frame.x.to_px(b) - 0.5);
        let top = frame.y.to_px(count as f64);
        area.draw(&Rectangle::new(
            [px((x0, top)), px((x1.max(x0 + 1.0), base))],
            fill.filled(),
        ))
        .map_err(|e| e.to_string())?;
    }
    area.present().map_err(|e| e.to_string())
}

/// Background, grid lines and tick labels on both axes, and the plot's outline.
fn draw_frame<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &ChartFrame,
    x_label: &dyn Fn(f64) -> String,
    y_label: &dyn Fn(f64) -> String,
    colors: &Colors,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    area.fill(&colour(colors.background)).map_err(err)?;
    let p = frame.plot;
    let (grid, text) = (colour(colors.grid), colour(colors.text_muted));
    let font = FONT.into_font().color(&text);
    for v in frame.x.ticks(X_TICKS) {
        let x = frame.x.to_px(v);
        area.draw(&PathElement::new(
            vec![px((x, p.y)), px((x, p.y + p.h))],
            grid,
        ))
        .map_err(err)?;
        let style = font.pos(Pos::new(HPos::Center, VPos::Top));
        area.draw(&Text::new(x_label(v), px((x, p.y + p.h + 5.0)), style))
            .map_err(err)?;
    }
    for v in frame.y.ticks(Y_TICKS) {
        let y = frame.y.to_px(v);
        area.draw(&PathElement::new(
            vec![px((p.x, y)), px((p.x + p.w, y))],
            grid,
        ))
        .map_err(err)?;
        let style = font.pos(Pos::new(HPos::Right, VPos::Center));
        area.draw(&Text::new(y_label(v), px((p.x - 6.0, y)), style))
            .map_err(err)?;
    }
    let outline = colour(colors.divider);
    area.draw(&Rectangle::new(
        [px((p.x, p.y)), px((p.x + p.w, p.y + p.h))],
        outline,
    ))
    .map_err(err)
}

/// The brushed range: a veil in the theme's selection colour, outlined.
fn draw_brush<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    brush: Option<PlotRect>,
    colors: &Colors,
) -> Result<(), String> {
    let Some(b) = brush else {
        return Ok(());
    };
    let corners = [px((b.x, b.y)), px((b.x + b.w, b.y + b.h))];
    area.draw(&Rectangle::new(
        corners,
        colour(colors.minimap_selection).filled(),
    ))
    .map_err(|e| e.to_string())?;
    area.draw(&Rectangle::new(corners, colour(colors.chosen)))
        .map_err(|e| e.to_string())
}

/// Readies `canvas` for a `size` (CSS px) picture at the screen's pixel ratio, filled with
/// `background`, and hands `draw` a plotters area on it that draws in CSS px.
pub fn on_canvas(
    canvas: &web_sys::HtmlCanvasElement,
    size: (f64, f64),
    background: &str,
    draw: impl FnOnce(&DrawingArea<plotters_canvas::CanvasBackend, Shift>) -> Result<(), String>,
) -> Result<(), String> {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    // The context keeps prepare's scale; the backend draws through that same context.
    super::prepare(canvas, size, dpr, background)?;
    let backend = plotters_canvas::CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or("no canvas backend")?;
    draw(&backend.into_drawing_area())
}

/// The same picture as an SVG document of `size` CSS px.
pub fn to_svg(
    size: (f64, f64),
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), String>,
) -> Result<String, String> {
    let mut doc = String::new();
    {
        let dims = (size.0.max(1.0) as u32, size.1.max(1.0) as u32);
        let area = SVGBackend::with_string(&mut doc, dims).into_drawing_area();
        draw(&area)?;
    }
    Ok(doc)
}

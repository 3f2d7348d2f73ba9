//! Paints a waterfall frame: ruler, rows (stripes, tree guides, toggles, labels), bars and
//! durations. Crisp on high-DPI screens: the backing store is `devicePixelRatio` times the
//! CSS size and the context is scaled once.

use spanorama_core::layout::{Guide, RowBox, Tick, WaterfallGeometry};
use spanorama_core::model::SpanKind;
use spanorama_core::theme::{self, Colors};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// One frame to paint.
pub struct WaterfallFrame<'a> {
    pub geometry: WaterfallGeometry,
    pub rows: &'a [RowBox],
    pub ticks: &'a [Tick],
    /// Visible-row index under the mouse.
    pub hover_row: Option<usize>,
    /// Store index of the selected span.
    pub selected_span: Option<u32>,
    pub colors: &'static Colors,
    pub device_pixel_ratio: f64,
}

/// Resizes the canvas backing store if needed and paints the frame.
pub fn draw(canvas: &HtmlCanvasElement, frame: &WaterfallFrame) -> Result<(), String> {
    let g = &frame.geometry;
    let dpr = frame.device_pixel_ratio.max(1.0);
    let (w, h) = (
        (g.width_px * dpr).round().max(1.0) as u32,
        (g.height_px * dpr).round().max(1.0) as u32,
    );
    if canvas.width() != w {
        canvas.set_width(w);
    }
    if canvas.height() != h {
        canvas.set_height(h);
    }
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(|_| "no 2d context".to_string())?
        .ok_or("no 2d context")?
        .dyn_into_ctx()?;
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0)
        .map_err(|_| "setTransform failed".to_string())?;
    paint(&ctx, frame);
    Ok(())
}

trait IntoCtx {
    fn dyn_into_ctx(self) -> Result<CanvasRenderingContext2d, String>;
}

impl IntoCtx for js_sys::Object {
    fn dyn_into_ctx(self) -> Result<CanvasRenderingContext2d, String> {
        use wasm_bindgen::JsCast;
        self.dyn_into::<CanvasRenderingContext2d>()
            .map_err(|_| "not a 2d context".to_string())
    }
}

fn paint(ctx: &CanvasRenderingContext2d, f: &WaterfallFrame) {
    let (g, c) = (&f.geometry, f.colors);
    let row_h = g.row_height_px;
    let timeline_x = g.timeline_x_px();
    ctx.set_fill_style_str(c.background);
    ctx.fill_rect(0.0, 0.0, g.width_px, g.height_px);

    // Row backgrounds: stripes, hover, selection.
    for r in f.rows {
        let fill = if Some(r.span) == f.selected_span {
            Some(c.row_selected)
        } else if r.matched {
            Some(c.row_match)
        } else if Some(r.row) == f.hover_row {
            Some(c.row_hover)
        } else if r.row % 2 == 1 {
            Some(c.row_stripe)
        } else {
            None
        };
        if let Some(fill) = fill {
            ctx.set_fill_style_str(fill);
            ctx.fill_rect(0.0, r.y_px, g.width_px, row_h);
        }
        if r.matched {
            ctx.set_fill_style_str(c.match_marker);
            ctx.fill_rect(0.0, r.y_px, 3.0, row_h);
        }
    }

    // Grid lines under the bars.
    ctx.set_stroke_style_str(c.grid);
    ctx.set_line_width(1.0);
    ctx.begin_path();
    for t in f.ticks {
        let x = t.x_px.round() + 0.5;
        ctx.move_to(x, g.header_height_px);
        ctx.line_to(x, g.height_px);
    }
    ctx.stroke();

    for r in f.rows {
        paint_label(ctx, c, g, r);
        paint_bar(ctx, c, g, r, timeline_x);
    }

    // Column divider.
    ctx.set_stroke_style_str(c.divider);
    ctx.begin_path();
    ctx.move_to(g.label_width_px.round() + 0.5, 0.0);
    ctx.line_to(g.label_width_px.round() + 0.5, g.height_px);
    ctx.stroke();

    paint_ruler(ctx, c, g, f.ticks);
}

fn paint_label(ctx: &CanvasRenderingContext2d, c: &Colors, g: &WaterfallGeometry, r: &RowBox) {
    let mid = r.y_px + g.row_height_px / 2.0;
    ctx.save();
    ctx.begin_path();
    ctx.rect(0.0, r.y_px, g.label_width_px, g.row_height_px);
    ctx.clip();
    paint_guides(ctx, c, g, r, mid);
    let toggle_x = g.toggle_x_px(r.indent_levels);
    if r.has_children {
        paint_toggle(ctx, c, toggle_x + g.indent_px / 2.0, mid, r.collapsed);
    }
    // Service colour swatch, the error badge, then "service operation".
    let mut x = toggle_x + g.indent_px + 2.0;
    ctx.set_fill_style_str(r.colour);
    ctx.fill_rect(x, mid - 5.0, 4.0, 10.0);
    x += 9.0;
    if r.is_error {
        paint_error_badge(ctx, c, x, mid);
        x += 14.0;
    } else if r.errors_below > 0 {
        paint_error_ring(ctx, c, x, mid);
        x += 14.0;
    }
    paint_names(ctx, c, g, r, x, mid);
    if r.has_warning {
        paint_warning_mark(ctx, c, g.label_width_px - 14.0, mid);
    }
    ctx.restore();
}

/// Tree guides: one column per level, centred under the parent's toggle.
fn paint_guides(
    ctx: &CanvasRenderingContext2d,
    c: &Colors,
    g: &WaterfallGeometry,
    r: &RowBox,
    mid: f64,
) {
    let (top, bottom) = (r.y_px, r.y_px + g.row_height_px);
    let mid = mid.round() + 0.5;
    ctx.set_stroke_style_str(c.guide);
    ctx.set_line_width(1.0);
    ctx.begin_path();
    for &(level, kind) in &r.guides {
        let x = (g.toggle_x_px(level) + g.indent_px / 2.0).round() + 0.5;
        let right = g.toggle_x_px(level + 1) + 2.0;
        match kind {
            Guide::Through => {
                ctx.move_to(x, top);
                ctx.line_to(x, bottom);
            }
            Guide::Tee => {
                ctx.move_to(x, top);
                ctx.line_to(x, bottom);
                ctx.move_to(x, mid);
                ctx.line_to(right, mid);
            }
            Guide::Elbow => {
                ctx.move_to(x, top);
                ctx.line_to(x, mid);
                ctx.line_to(right, mid);
            }
        }
    }
    ctx.stroke();
}

/// Collapse toggle centred on `cx`: ▾ expanded, ▸ collapsed.
fn paint_toggle(ctx: &CanvasRenderingContext2d, c: &Colors, cx: f64, mid: f64, collapsed: bool) {
    ctx.set_fill_style_str(c.text_muted);
    ctx.begin_path();
    if collapsed {
        ctx.move_to(cx - 3.0, mid - 5.0);
        ctx.line_to(cx + 4.0, mid);
        ctx.line_to(cx - 3.0, mid + 5.0);
    } else {
        ctx.move_to(cx - 5.0, mid - 3.0);
        ctx.line_to(cx + 5.0, mid - 3.0);
        ctx.line_to(cx, mid + 4.0);
    }
    ctx.close_path();
    ctx.fill();
}

/// A red disc with "!" from `x`.
fn paint_error_badge(ctx: &CanvasRenderingContext2d, c: &Colors, x: f64, mid: f64) {
    ctx.set_fill_style_str(c.error);
    ctx.begin_path();
    let _ = ctx.arc(x + 5.0, mid, 5.0, 0.0, std::f64::consts::TAU);
    ctx.fill();
    ctx.set_fill_style_str(c.background);
    ctx.set_font(theme::FONT_BOLD);
    ctx.set_text_align("center");
    ctx.set_text_baseline("middle");
    let _ = ctx.fill_text("!", x + 5.0, mid + 0.5);
}

/// A red ring from `x`: something under this span failed.
fn paint_error_ring(ctx: &CanvasRenderingContext2d, c: &Colors, x: f64, mid: f64) {
    ctx.set_stroke_style_str(c.error);
    ctx.set_line_width(2.0);
    ctx.begin_path();
    let _ = ctx.arc(x + 5.0, mid, 4.0, 0.0, std::f64::consts::TAU);
    ctx.stroke();
}

/// "service operation" from `x`, cut to fit the label column (and the warning mark).
fn paint_names(
    ctx: &CanvasRenderingContext2d,
    c: &Colors,
    g: &WaterfallGeometry,
    r: &RowBox,
    x: f64,
    mid: f64,
) {
    ctx.set_text_align("left");
    ctx.set_text_baseline("middle");
    let mut right_edge = g.label_width_px - 6.0 - if r.has_warning { 14.0 } else { 0.0 };
    if let Some(status) = r.http_status {
        right_edge = paint_status_pill(ctx, c, status, right_edge, mid) - 4.0;
    }
    let x = match kind_glyph(r.kind) {
        Some(glyph) => {
            ctx.set_font(theme::FONT_SMALL);
            ctx.set_fill_style_str(c.text_muted);
            let _ = ctx.fill_text(glyph, x, mid);
            x + 12.0
        }
        None => x,
    };
    ctx.set_font(theme::FONT_BOLD);
    ctx.set_fill_style_str(c.text);
    let service = fit_text(ctx, &r.service, right_edge - x);
    let _ = ctx.fill_text(&service, x, mid);
    let x = x + measure(ctx, &service) + 6.0;
    ctx.set_font(theme::FONT);
    ctx.set_fill_style_str(if r.is_error { c.error } else { c.text_muted });
    let mut name = r.name.clone();
    if let Some(shift) = r.skew_shift_nanos {
        let sign = if shift < 0 { "−" } else { "+" };
        let d = spanorama_core::model::units::format_duration(shift.saturating_abs());
        name.push_str(&format!("  ⇄ {sign}{d} (clock skew)"));
    }
    if r.collapsed {
        use spanorama_core::model::units::{format_count, format_counted};
        let errors = match r.errors_below {
            0 => String::new(),
            n => format!(", {}", format_counted(n as u64, "error", "errors")),
        };
        let services = r.hidden_services.map_or_else(String::new, |n| {
            format!(", {}", format_counted(n as u64, "service", "services"))
        });
        name.push_str(&format!(
            "  (+{}{errors}{services})",
            format_count(r.hidden_count as u64)
        ));
    }
    if right_edge - x > 12.0 {
        let name = fit_text(ctx, &name, right_edge - x);
        let _ = ctx.fill_text(&name, x, mid);
    }
}

/// The span kind as a small arrow: out of the service (client, producer) or into it
/// (server, consumer); nothing for internal work.
fn kind_glyph(kind: SpanKind) -> Option<&'static str> {
    match kind {
        SpanKind::Client => Some("→"),
        SpanKind::Server => Some("←"),
        SpanKind::Producer => Some("⇢"),
        SpanKind::Consumer => Some("⇠"),
        _ => None,
    }
}

/// An HTTP status pill ending at `right`: red for 5xx, amber for 4xx, muted otherwise.
/// Returns its left edge.
fn paint_status_pill(
    ctx: &CanvasRenderingContext2d,
    c: &Colors,
    status: i64,
    right: f64,
    mid: f64,
) -> f64 {
    let text = status.to_string();
    ctx.set_font(theme::FONT_SMALL);
    let w = measure(ctx, &text) + 8.0;
    let colour = match status {
        500..=599 => c.error,
        400..=499 => c.warning,
        _ => c.text_muted,
    };
    let left = right - w;
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(1.0);
    ctx.begin_path();
    let _ = ctx.round_rect_with_f64(left + 0.5, mid - 7.5, w - 1.0, 15.0, 7.0);
    ctx.stroke();
    ctx.set_fill_style_str(colour);
    ctx.set_text_align("center");
    let _ = ctx.fill_text(&text, left + w / 2.0, mid + 0.5);
    ctx.set_text_align("left");
    left
}

/// A small amber triangle at `wx`: this span has warnings (see the detail panel).
fn paint_warning_mark(ctx: &CanvasRenderingContext2d, c: &Colors, wx: f64, mid: f64) {
    ctx.set_fill_style_str(c.warning);
    ctx.begin_path();
    ctx.move_to(wx + 5.0, mid - 5.0);
    ctx.line_to(wx + 10.0, mid + 4.0);
    ctx.line_to(wx, mid + 4.0);
    ctx.close_path();
    ctx.fill();
}

fn paint_bar(
    ctx: &CanvasRenderingContext2d,
    c: &Colors,
    g: &WaterfallGeometry,
    r: &RowBox,
    timeline_x: f64,
) {
    let row_h = g.row_height_px;
    let mid = r.y_px + row_h / 2.0;
    ctx.save();
    ctx.begin_path();
    ctx.rect(timeline_x, r.y_px, g.width_px - timeline_x, row_h);
    ctx.clip();
    let bar_y = r.y_px + 6.0;
    let bar_h = row_h - 12.0;
    ctx.set_fill_style_str(r.colour);
    if r.open_ended {
        ctx.set_global_alpha(0.45);
    }
    ctx.fill_rect(r.bar_x_px, bar_y, r.bar_width_px, bar_h);
    ctx.set_global_alpha(1.0);
    if r.is_error {
        ctx.set_stroke_style_str(c.error);
        ctx.set_line_width(2.0);
        ctx.stroke_rect(
            r.bar_x_px - 1.0,
            bar_y - 1.0,
            r.bar_width_px + 2.0,
            bar_h + 2.0,
        );
    }
    if r.open_ended {
        ctx.set_stroke_style_str(r.colour);
        ctx.set_line_width(1.0);
        let _ = ctx.set_line_dash(&js_sys::Array::of2(&3.0.into(), &3.0.into()));
        ctx.stroke_rect(
            r.bar_x_px + 0.5,
            bar_y + 0.5,
            r.bar_width_px - 1.0,
            bar_h - 1.0,
        );
        let _ = ctx.set_line_dash(&js_sys::Array::new());
    }

    // Events: a tick across the bar each.
    if !r.event_px.is_empty() {
        ctx.set_fill_style_str(c.text);
        ctx.set_global_alpha(0.75);
        for &x in &r.event_px {
            ctx.fill_rect(x.round() - 0.5, bar_y - 2.0, 1.0, bar_h + 4.0);
        }
        ctx.set_global_alpha(1.0);
    }

    // Before and after the server a client span called: thin marks under the bar.
    if !r.gap_px.is_empty() {
        ctx.set_fill_style_str(c.warning);
        for &(x0, x1) in &r.gap_px {
            ctx.fill_rect(x0, bar_y + bar_h, (x1 - x0).max(1.0), 2.0);
            ctx.fill_rect(x0, bar_y + bar_h - 2.0, 1.0, 4.0);
            ctx.fill_rect(x1 - 1.0, bar_y + bar_h - 2.0, 1.0, 4.0);
        }
    }

    // The critical path: a line through the middle of the parts of the bar on it.
    if !r.critical_px.is_empty() {
        ctx.set_fill_style_str(c.critical_path);
        for &(x0, x1) in &r.critical_px {
            ctx.fill_rect(x0, mid - 1.5, (x1 - x0).max(1.0), 3.0);
        }
    }

    // Duration: right of the bar if it fits, else left of it.
    ctx.set_font(theme::FONT_SMALL);
    ctx.set_text_baseline("middle");
    ctx.set_fill_style_str(if r.is_error { c.error } else { c.text_muted });
    let text_w = measure(ctx, &r.duration_label);
    let after = r.bar_x_px + r.bar_width_px + 4.0;
    if after + text_w <= g.width_px - 2.0 {
        ctx.set_text_align("left");
        let _ = ctx.fill_text(&r.duration_label, after.max(timeline_x + 2.0), mid);
    } else {
        ctx.set_text_align("right");
        let _ = ctx.fill_text(
            &r.duration_label,
            (r.bar_x_px - 4.0).max(timeline_x + text_w + 2.0),
            mid,
        );
    }
    ctx.restore();
}

fn paint_ruler(ctx: &CanvasRenderingContext2d, c: &Colors, g: &WaterfallGeometry, ticks: &[Tick]) {
    let h = g.header_height_px;
    ctx.set_fill_style_str(c.header_bg);
    ctx.fill_rect(0.0, 0.0, g.width_px, h);
    ctx.set_stroke_style_str(c.divider);
    ctx.begin_path();
    ctx.move_to(0.0, h - 0.5);
    ctx.line_to(g.width_px, h - 0.5);
    ctx.stroke();
    ctx.set_font(theme::FONT_BOLD);
    ctx.set_fill_style_str(c.text);
    ctx.set_text_align("left");
    ctx.set_text_baseline("middle");
    let _ = ctx.fill_text("Service · operation", 10.0, h / 2.0);
    ctx.set_font(theme::FONT_SMALL);
    ctx.set_fill_style_str(c.text_muted);
    ctx.set_stroke_style_str(c.divider);
    ctx.begin_path();
    for t in ticks {
        let x = t.x_px.round() + 0.5;
        ctx.move_to(x, h - 8.0);
        ctx.line_to(x, h);
    }
    ctx.stroke();
    for t in ticks {
        let _ = ctx.fill_text(&t.label, t.x_px + 4.0, h / 2.0 - 2.0);
    }
}

fn measure(ctx: &CanvasRenderingContext2d, text: &str) -> f64 {
    ctx.measure_text(text).map(|m| m.width()).unwrap_or(0.0)
}

/// `text`, cut with an ellipsis to fit `max_px` (binary search on the character count).
fn fit_text(ctx: &CanvasRenderingContext2d, text: &str, max_px: f64) -> String {
    if max_px <= 0.0 {
        return String::new();
    }
    if measure(ctx, text) <= max_px {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        if measure(ctx, &candidate) <= max_px {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if lo == 0 {
        return String::new();
    }
    chars[..lo].iter().collect::<String>() + "…"
}

/// Draws text and a rectangle on a throwaway canvas, so the browser sets up its 2D canvas
/// machinery and text shaping for the theme's fonts when the page starts, not in the middle
/// of the user's first load (in headless Chromium that first use cost ~100 ms).
pub fn prepare_fonts() {
    let Ok(canvas) = crate::render::minimap::offscreen_canvas() else {
        return;
    };
    canvas.set_width(64);
    canvas.set_height(16);
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| wasm_bindgen::JsCast::dyn_into::<CanvasRenderingContext2d>(c).ok())
    else {
        return;
    };
    for font in [theme::FONT, theme::FONT_BOLD, theme::FONT_SMALL] {
        ctx.set_font(font);
        let _ = ctx.measure_text("Prepare ▾ ├ └ │ 0.5 ms …");
        let _ = ctx.fill_text("Prepare ▾ 12 ms …", 0.0, 12.0);
    }
    ctx.fill_rect(0.0, 0.0, 8.0, 8.0);
}

//! [`Painter`] on a canvas's 2D context: what the views draw on the page.

use spanorama_core::paint::{Align, Baseline, Painter, PathOp, Stroke, SvgPainter, TextStyle};
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

pub struct CanvasPainter {
    ctx: CanvasRenderingContext2d,
}

impl CanvasPainter {
    pub fn new(ctx: CanvasRenderingContext2d) -> CanvasPainter {
        CanvasPainter { ctx }
    }

    fn apply_stroke(&self, stroke: Stroke) {
        self.ctx.set_stroke_style_str(stroke.colour);
        self.ctx.set_line_width(stroke.width);
    }
}

impl Painter for CanvasPainter {
    fn set_alpha(&mut self, alpha: f64) {
        self.ctx.set_global_alpha(alpha);
    }

    fn fill_rect(&mut self, x: f64, y: f64, w: f64, h: f64, colour: &str) {
        self.ctx.set_fill_style_str(colour);
        self.ctx.fill_rect(x, y, w, h);
    }

    fn stroke_rect(&mut self, x: f64, y: f64, w: f64, h: f64, stroke: Stroke) {
        self.apply_stroke(stroke);
        self.ctx.stroke_rect(x, y, w, h);
    }

    fn circle(&mut self, cx: f64, cy: f64, r: f64, fill: Option<&str>, stroke: Option<Stroke>) {
        self.ctx.begin_path();
        let _ = self.ctx.arc(cx, cy, r.max(0.0), 0.0, std::f64::consts::TAU);
        self.finish_shape(fill, stroke);
    }

    fn path(&mut self, ops: &[PathOp], fill: Option<&str>, stroke: Option<Stroke>) {
        self.ctx.begin_path();
        for op in ops {
            match *op {
                PathOp::MoveTo(x, y) => self.ctx.move_to(x, y),
                PathOp::LineTo(x, y) => self.ctx.line_to(x, y),
                PathOp::CubicTo(a, b, c, d, x, y) => self.ctx.bezier_curve_to(a, b, c, d, x, y),
                PathOp::Close => self.ctx.close_path(),
            }
        }
        self.finish_shape(fill, stroke);
    }

    fn text(&mut self, text: &str, x: f64, y: f64, style: TextStyle) {
        self.ctx.set_font(style.font);
        self.ctx.set_fill_style_str(style.colour);
        self.ctx.set_text_align(match style.align {
            Align::Left => "left",
            Align::Center => "center",
            Align::Right => "right",
        });
        self.ctx.set_text_baseline(match style.baseline {
            Baseline::Middle => "middle",
            Baseline::Top => "top",
            Baseline::Alphabetic => "alphabetic",
        });
        let _ = self.ctx.fill_text(text, x, y);
    }

    fn text_width(&self, text: &str, font: &str) -> f64 {
        self.ctx.set_font(font);
        self.ctx
            .measure_text(text)
            .map(|m| m.width())
            .unwrap_or(0.0)
    }
}

impl CanvasPainter {
    fn finish_shape(&self, fill: Option<&str>, stroke: Option<Stroke>) {
        if let Some(colour) = fill {
            self.ctx.set_fill_style_str(colour);
            self.ctx.fill();
        }
        if let Some(s) = stroke {
            self.apply_stroke(s);
            self.ctx.stroke();
        }
    }
}

/// An [`SvgPainter`] whose text widths are the browser's (measured on a detached canvas),
/// so labels are cut where the canvas cuts them; the estimate if there is no canvas.
pub fn svg_painter(width: f64, height: f64, background: &str) -> SvgPainter {
    let ctx = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        .and_then(|c| c.get_context("2d").ok().flatten())
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
    match ctx {
        Some(ctx) => {
            let measure = CanvasPainter::new(ctx);
            SvgPainter::with_measure(
                width,
                height,
                background,
                Box::new(move |text, font| measure.text_width(text, font)),
            )
        }
        None => SvgPainter::new(width, height, background),
    }
}

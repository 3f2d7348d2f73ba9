//! The few drawing operations the canvas views use, as a trait, so one drawing function
//! paints both the canvas on the page (the app's `render::CanvasPainter`) and a picture to
//! download ([`SvgPainter`], a standalone SVG document). Coordinates are CSS px, y down, as on
//! the canvas; colours are CSS colour strings.

use std::fmt::Write;

/// How a text is drawn.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct TextStyle<'a> {
    /// A CSS font (`theme::FONT` …).
    pub font: &'a str,
    pub colour: &'a str,
    pub align: Align,
    pub baseline: Baseline,
}

/// Where the text's `x` is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// Where the text's `y` is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Baseline {
    #[default]
    Middle,
    Top,
    Alphabetic,
}

/// One step of a path.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum PathOp {
    MoveTo(f64, f64),
    LineTo(f64, f64),
    /// Cubic Bézier: two control points, then the end.
    CubicTo(f64, f64, f64, f64, f64, f64),
    Close,
}

/// A line's colour and width.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Stroke<'a> {
    pub colour: &'a str,
    pub width: f64,
}

/// The drawing operations. Everything drawn after [`Painter::set_alpha`] uses that opacity.
pub trait Painter {
    /// Opacity of what is drawn next, 0–1.
    fn set_alpha(&mut self, alpha: f64);
    fn fill_rect(&mut self, x: f64, y: f64, w: f64, h: f64, colour: &str);
    fn stroke_rect(&mut self, x: f64, y: f64, w: f64, h: f64, stroke: Stroke);
    /// A circle, filled and/or outlined.
    fn circle(&mut self, cx: f64, cy: f64, r: f64, fill: Option<&str>, stroke: Option<Stroke>);
    /// A path, filled and/or outlined.
    fn path(&mut self, ops: &[PathOp], fill: Option<&str>, stroke: Option<Stroke>);
    fn text(&mut self, text: &str, x: f64, y: f64, style: TextStyle);
    /// Width of `text` in `font`, CSS px.
    fn text_width(&self, text: &str, font: &str) -> f64;

    /// `text` cut with an ellipsis to fit `max_px` in `font`; empty if not even one
    /// character fits.
    fn fit(&self, text: &str, font: &str, max_px: f64) -> String {
        if self.text_width(text, font) <= max_px {
            return text.to_string();
        }
        let chars: Vec<char> = text.chars().collect();
        let cut = |n: usize| chars[..n].iter().collect::<String>() + "…";
        let (mut lo, mut hi) = (0, chars.len());
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if self.text_width(&cut(mid), font) <= max_px {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        if lo == 0 {
            String::new()
        } else {
            cut(lo)
        }
    }
}

/// Writes what is painted as an SVG document of a fixed size. Text widths come from the
/// measure it is given (on the page, the canvas's own), or an estimate.
pub struct SvgPainter {
    width: f64,
    height: f64,
    body: String,
    alpha: f64,
    measure: Measure,
}

/// Width of a text in a font, CSS px.
pub type Measure = Box<dyn Fn(&str, &str) -> f64>;

impl SvgPainter {
    /// A `width` × `height` picture filled with `background`, measuring text by an estimate
    /// (0.6 em per character).
    pub fn new(width: f64, height: f64, background: &str) -> SvgPainter {
        SvgPainter::with_measure(width, height, background, Box::new(estimate_width))
    }

    pub fn with_measure(width: f64, height: f64, background: &str, measure: Measure) -> SvgPainter {
        let mut p = SvgPainter {
            width,
            height,
            body: String::new(),
            alpha: 1.0,
            measure,
        };
        p.fill_rect(0.0, 0.0, width, height, background);
        p
    }

    /// The finished document.
    pub fn finish(self) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
             viewBox=\"0 0 {w} {h}\">\n{body}</svg>\n",
            w = num(self.width),
            h = num(self.height),
            body = self.body
        )
    }

    /// ` fill=… stroke=… stroke-width=… opacity=…` for a shape.
    fn paint_attrs(&self, fill: Option<&str>, stroke: Option<Stroke>) -> String {
        let mut a = format!(" fill=\"{}\"", escape(fill.unwrap_or("none")));
        if let Some(s) = stroke {
            let _ = write!(
                a,
                " stroke=\"{}\" stroke-width=\"{}\"",
                escape(s.colour),
                num(s.width)
            );
        }
        a + &self.opacity()
    }

    fn opacity(&self) -> String {
        if self.alpha < 1.0 {
            format!(" opacity=\"{}\"", num(self.alpha))
        } else {
            String::new()
        }
    }
}

impl Painter for SvgPainter {
    fn set_alpha(&mut self, alpha: f64) {
        self.alpha = alpha.clamp(0.0, 1.0);
    }

    fn fill_rect(&mut self, x: f64, y: f64, w: f64, h: f64, colour: &str) {
        let attrs = self.paint_attrs(Some(colour), None);
        let _ = writeln!(
            self.body,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"{attrs}/>",
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0))
        );
    }

    fn stroke_rect(&mut self, x: f64, y: f64, w: f64, h: f64, stroke: Stroke) {
        let attrs = self.paint_attrs(None, Some(stroke));
        let _ = writeln!(
            self.body,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"{attrs}/>",
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0))
        );
    }

    fn circle(&mut self, cx: f64, cy: f64, r: f64, fill: Option<&str>, stroke: Option<Stroke>) {
        let attrs = self.paint_attrs(fill, stroke);
        let _ = writeln!(
            self.body,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\"{attrs}/>",
            num(cx),
            num(cy),
            num(r.max(0.0))
        );
    }

    fn path(&mut self, ops: &[PathOp], fill: Option<&str>, stroke: Option<Stroke>) {
        let mut d = String::new();
        for op in ops {
            let _ = match *op {
                PathOp::MoveTo(x, y) => write!(d, "M{} {} ", num(x), num(y)),
                PathOp::LineTo(x, y) => write!(d, "L{} {} ", num(x), num(y)),
                PathOp::CubicTo(a, b, c, e, x, y) => write!(
                    d,
                    "C{} {} {} {} {} {} ",
                    num(a),
                    num(b),
                    num(c),
                    num(e),
                    num(x),
                    num(y)
                ),
                PathOp::Close => write!(d, "Z "),
            };
        }
        let attrs = self.paint_attrs(fill, stroke);
        let _ = writeln!(self.body, "<path d=\"{}\"{attrs}/>", d.trim_end());
    }

    fn text(&mut self, text: &str, x: f64, y: f64, style: TextStyle) {
        let anchor = match style.align {
            Align::Left => "start",
            Align::Center => "middle",
            Align::Right => "end",
        };
        let baseline = match style.baseline {
            Baseline::Middle => "central",
            Baseline::Top => "hanging",
            Baseline::Alphabetic => "alphabetic",
        };
        let _ = writeln!(
            self.body,
            "<text x=\"{}\" y=\"{}\" fill=\"{}\" style=\"font: {}\" text-anchor=\"{anchor}\" \
             dominant-baseline=\"{baseline}\"{}>{}</text>",
            num(x),
            num(y),
            escape(style.colour),
            escape(style.font),
            self.opacity(),
            escape(text)
        );
    }

    fn text_width(&self, text: &str, font: &str) -> f64 {
        (self.measure)(text, font)
    }
}

/// A text's width estimated from the font's size in px (12 when the font names none):
/// 0.6 em per character.
pub fn estimate_width(text: &str, font: &str) -> f64 {
    let size = font
        .split_whitespace()
        .find_map(|w| w.strip_suffix("px")?.parse::<f64>().ok())
        .unwrap_or(12.0);
    text.chars().count() as f64 * size * 0.6
}

/// A coordinate as SVG text: at most two decimals, no trailing zeros; never NaN.
fn num(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Text made safe inside an XML attribute or element.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const STYLE: TextStyle = TextStyle {
        font: "12px sans-serif",
        colour: "#111",
        align: Align::Left,
        baseline: Baseline::Middle,
    };

    #[test]
    fn a_document_has_its_size_background_and_shapes() {
        let mut p = SvgPainter::new(200.0, 100.0, "#fff");
        p.fill_rect(1.5, 2.25, 10.0, 4.0, "#f00");
        p.set_alpha(0.25);
        p.circle(
            5.0,
            5.0,
            2.0,
            None,
            Some(Stroke {
                colour: "blue",
                width: 1.0,
            }),
        );
        let svg = p.finish();
        assert!(svg
            .starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"100\""));
        assert!(svg.contains("<rect x=\"0\" y=\"0\" width=\"200\" height=\"100\" fill=\"#fff\"/>"));
        assert!(
            svg.contains("<rect x=\"1.5\" y=\"2.25\" width=\"10\" height=\"4\" fill=\"#f00\"/>")
        );
        assert!(svg.contains(
            "<circle cx=\"5\" cy=\"5\" r=\"2\" fill=\"none\" stroke=\"blue\" stroke-width=\"1\" opacity=\"0.25\"/>"
        ));
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn text_is_escaped_and_placed() {
        let mut p = SvgPainter::new(10.0, 10.0, "#fff");
        p.text("a<b & \"c\"\u{1}", 3.0, 4.0, STYLE);
        let svg = p.finish();
        assert!(svg.contains(">a&lt;b &amp; &quot;c&quot;</text>"), "{svg}");
        assert!(svg.contains("text-anchor=\"start\" dominant-baseline=\"central\""));
    }

    #[test]
    fn paths_are_written_in_order() {
        let mut p = SvgPainter::new(10.0, 10.0, "#fff");
        let ops = [
            PathOp::MoveTo(0.0, 0.0),
            PathOp::LineTo(1.0, 2.0),
            PathOp::CubicTo(1.0, 2.0, 3.0, 4.0, 5.0, 6.0),
            PathOp::Close,
        ];
        p.path(&ops, Some("red"), None);
        assert!(p
            .finish()
            .contains("<path d=\"M0 0 L1 2 C1 2 3 4 5 6 Z\" fill=\"red\"/>"));
    }

    #[test]
    fn numbers_are_finite_and_short() {
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(2.71234), "2.71");
        assert_eq!(num(10.0), "10");
    }

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        let p = SvgPainter::new(10.0, 10.0, "#fff");
        // 12px font: 7.2 px per character.
        assert_eq!(p.fit("abcdef", "12px x", 100.0), "abcdef");
        let cut = p.fit("abcdefghij", "12px x", 30.0);
        assert_eq!(cut, "abc…");
        assert_eq!(p.fit("abcdef", "12px x", 5.0), "");
    }
}
